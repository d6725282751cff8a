"""Running the collection endpoint under uvicorn: `formwright serve` and production.

The access log is the one place a server would write who asked for what. Here
it records only the request line and the status: the client address is blanked
from every record before any handler sees it, and no time is written.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from .collect import Limits, SetupError, create_app
from .store import StoreError


class _NoClient(logging.Filter):
    """Blanks the client address from uvicorn's access records, whatever the format."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = ("-", *record.args[1:])
        return True


ACCESS_FORMAT = '%(levelprefix)s "%(request_line)s" %(status_code)s'
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_client": {"()": "compiler.serve._NoClient"}},
    "formatters": {
        "default": {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(message)s"},
        "access": {"()": "uvicorn.logging.AccessFormatter", "fmt": ACCESS_FORMAT},
    },
    "handlers": {
        "default": {
            "class": "logging.StreamHandler",
            "formatter": "default",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["no_client"],
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "formwright": {"handlers": ["default"], "level": "INFO", "propagate": False},
    },
}


def private_access_log() -> None:
    """Make uvicorn's access log carry no client address and no time, however it was set up."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _NoClient) for f in access.filters):
        access.addFilter(_NoClient())
    for handler in access.handlers:
        handler.setFormatter(_access_formatter())


def _access_formatter() -> logging.Formatter:
    from uvicorn.logging import AccessFormatter

    return AccessFormatter(fmt=ACCESS_FORMAT, use_colors=False)


def app_from_env() -> Starlette:
    """The production factory: `uvicorn --factory compiler.serve:app_from_env`."""
    env = os.environ
    private_access_log()
    origins = [o.strip() for o in env.get("FORMWRIGHT_ALLOWED_ORIGINS", "").split(",") if o.strip()]
    return create_app(
        Path(env.get("FORMWRIGHT_BUILD_DIR", "build")),
        env.get("FORMWRIGHT_DATABASE_URL", "responses.sqlite3"),
        origins,
        Limits.from_env(env),
    )


def run(build_dir: Path, database_url: str, host: str, port: int) -> str | None:
    """Serve the forms and the endpoint until interrupted; a problem's message otherwise."""
    import uvicorn

    try:
        app = create_app(build_dir, database_url, (), Limits(), serve_static=True)
    except (SetupError, StoreError) as exc:
        return str(exc)
    for man in sorted(build_dir.glob("*/manifest.json")):
        print(f"serving http://{host}:{port}/{man.parent.name}/", flush=True)
    uvicorn.run(app, host=host, port=port, log_config=LOG_CONFIG, server_header=False)
    return None
