"""Helpers shared by the collection tests: a built questionnaire, databases, a real server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from compiler.build import build_project

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "tests" / "golden" / "every-construct" / "questionnaire" / "every-construct.yaml"
QID = "every-construct"
FORM = "application/x-www-form-urlencoded"
PG_ENV = "FORMWRIGHT_TEST_DATABASE_URL"


def build(tmp: Path) -> Path:
    """Build the every-construct questionnaire; returns the project folder."""
    (tmp / "questionnaire").mkdir(parents=True)
    shutil.copy(SOURCE, tmp / "questionnaire")
    outcome = build_project(tmp, tmp / "build")
    assert not outcome.failed, outcome.diagnostics
    return tmp


def envelope(answers: dict[str, Any], sid: str | None = None) -> dict[str, Any]:
    return {
        "questionnaire": QID,
        "version": "1",
        "language": "en",
        "submission_id": sid or str(uuid.uuid4()),
        "answers": answers,
    }


def valid_answers() -> dict[str, Any]:
    return {"colour": "red", "views.a": 1, "views.b": 3}


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A PostgreSQL URL whose tables live in a fresh schema, dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql://... (not set)")
    import psycopg

    schema = f"fw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in base else "?"
    try:
        yield f"{base}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The production command (`formwright endpoint`), run as a real process on 127.0.0.1."""

    def __init__(self, build_dir: Path, db: str, log: Path, workers: int = 1, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.build_dir, self.db, self.log, self.workers, self.env = build_dir, db, log, workers, env
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        formwright = str(Path(sys.executable).parent / "formwright")
        cmd = [formwright, "endpoint", "--host", "127.0.0.1", "--port", str(self.port)]
        return [*cmd, "--workers", str(self.workers)]

    def start(self) -> Server:
        env = {
            **os.environ,
            "FORMWRIGHT_BUILD_DIR": str(self.build_dir),
            "FORMWRIGHT_DATABASE_URL": self.db,
            **self.env,
        }
        out = self.log.open("ab")
        self.proc = subprocess.Popen(self.command(), env=env, stdout=out, stderr=out, cwd=ROOT)
        out.close()
        wait_for_port(self.port, self.proc)
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")
