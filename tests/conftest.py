"""Shared fixtures: real-browser support (skipped with a reason where there is no browser)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
CHROMIUM = os.environ.get("FORMWRIGHT_CHROMIUM", "/usr/bin/chromium")
NODE_MODULES = ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # we run as root in CI; Chromium's sandbox refuses root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # without these Chromium keeps calling home over a network that is closed here
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(available: bool, reason: str) -> None:
    """Skip where a tool is missing, unless CI demands browser tests run (then fail)."""
    if available:
        return
    if os.environ.get("FORMWRIGHT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"FORMWRIGHT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Python Playwright is not installed (pip install -e '.[test]')")
        raise
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    require(AXE.exists(), "axe-core is not installed (npm ci)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def static_server() -> Iterator[tuple[str, Path]]:
    """Serves a folder on 127.0.0.1; returns its base URL and the folder to fill."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="formwright-site-"))
    handler = partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()
    shutil.rmtree(folder, ignore_errors=True)
