"""`formwright serve`: the designer's preview of built forms with a working endpoint.

It serves build/ as static files and the collection endpoint in one process,
on the machine of whoever is designing; production runs `formwright endpoint`.
"""

from __future__ import annotations

from pathlib import Path

import uvicorn

from .collect.app import create_app
from .collect.limits import Limits, SetupError
from .collect.server import LOG_CONFIG
from .manifest import manifest_paths
from .store import StoreError


def run(build_dir: Path, database_url: str, host: str, port: int) -> str | None:
    """Serve the forms and the endpoint until interrupted; a problem's message otherwise."""
    try:
        app = create_app(build_dir, database_url, (), Limits(), serve_static=True)
    except (SetupError, StoreError) as exc:
        return str(exc)
    for man in manifest_paths(build_dir):
        print(f"serving http://{host}:{port}/{man.parent.name}/", flush=True)
    uvicorn.run(app, host=host, port=port, log_config=LOG_CONFIG, server_header=False)
    return None
