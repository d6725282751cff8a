"""Running the collection endpoint under uvicorn, for production and for the preview.

The access log is the one place a server would write who asked for what. Here
it records only the request line and the status: the client address is blanked
from every record before any handler sees it, and no time is written.

Production (`formwright endpoint`) binds the listening socket with its protocol
named. uvicorn's own `--workers N` binds it with protocol 0, and asyncio sets
TCP_NODELAY only on connections accepted from an IPPROTO_TCP socket: without it
each response's body waits for the client's delayed ACK, about 40 ms, on every
post of a keep-alive connection (uvicorn issue #3149).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from ..store import StoreError, open_store
from .app import create_app
from .digests import KEY_VARIABLE, MIN_KEY_CHARS, new_key
from .limits import Limits, SetupError
from .published import load_questionnaires


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
    "filters": {"no_client": {"()": "compiler.collect.server._NoClient"}},
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


@dataclass(frozen=True)
class Settings:
    """What the FORMWRIGHT_* environment variables ask of the endpoint."""

    build_dir: Path
    database_url: str
    origins: tuple[str, ...]
    limits: Limits
    digest_key: str | None = None  # FORMWRIGHT_DIGEST_KEY; None: made at start (digests.py)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        origins = env.get("FORMWRIGHT_ALLOWED_ORIGINS", "").split(",")
        key = env.get(KEY_VARIABLE, "").strip() or None
        if key is not None and len(key) < MIN_KEY_CHARS:
            raise SetupError(f"{KEY_VARIABLE} must be at least {MIN_KEY_CHARS} characters")
        return cls(
            Path(env.get("FORMWRIGHT_BUILD_DIR", "build")),
            env.get("FORMWRIGHT_DATABASE_URL", "responses.sqlite3"),
            tuple(o.strip() for o in origins if o.strip()),
            Limits.from_env(env),
            key,
        )


SUPERVISOR_VARIABLE = "FORMWRIGHT_SUPERVISOR_PID"  # set by run_endpoint for its workers
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def stop_with_supervisor(env: Mapping[str, str]) -> None:
    """In a worker of `formwright endpoint --workers N`: SIGTERM when the supervisor dies.

    Otherwise a supervisor killed alone (SIGKILL, the OOM killer) leaves its workers
    serving on the inherited socket, and a restart fails with "Address already in use".
    The kernel sends the signal (prctl PR_SET_PDEATHSIG): no thread polls, and it
    cannot be missed. It fires when the thread that started the worker ends; uvicorn
    starts and restarts workers from the supervisor's main thread only. A supervisor
    that died before the call is seen by the parent pid having changed.
    """
    expected = env.get(SUPERVISOR_VARIABLE, "")
    if not expected.isdigit():
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        failed = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0
    except (OSError, AttributeError):  # not Linux
        failed = True
    if failed:
        logging.getLogger("formwright.collect").warning(
            "this worker will not stop by itself if its supervisor is killed (no prctl)"
        )
    if os.getppid() != int(expected):  # the supervisor is gone already
        os.kill(os.getpid(), signal.SIGTERM)


def app_from_env() -> Starlette:
    """The production factory, for `formwright endpoint` and `uvicorn --factory`.

    Deployments may name it `compiler.serve:app_from_env`, its path before the stage
    folders; compiler/serve.py keeps that name working.
    """
    private_access_log()
    stop_with_supervisor(os.environ)
    settings = Settings.from_env(os.environ)
    return create_app(
        settings.build_dir,
        settings.database_url,
        settings.origins,
        settings.limits,
        digest_key=settings.digest_key,
    )


class TCPConfig(uvicorn.Config):
    """uvicorn's Config, binding a TCP socket that asyncio recognises as TCP."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        # Same descriptor and options (bound, inheritable); only the protocol
        # Python records changes, which is what asyncio checks.
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


def endpoint_config(
    host: str, port: int, workers: int, proxy_headers: bool, forwarded_allow_ips: str
) -> TCPConfig:
    return TCPConfig(
        "compiler.collect.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        log_config=LOG_CONFIG,
    )


def run_endpoint(
    host: str, port: int, workers: int, proxy_headers: bool, forwarded_allow_ips: str
) -> str | None:
    """Serve the endpoint until stopped; a setup problem's message otherwise."""
    from uvicorn.supervisors import Multiprocess

    try:
        # Once here, before any worker starts: a wrong setting is one clear
        # message, not every worker failing, and migrations run once.
        settings = Settings.from_env(os.environ)
        load_questionnaires(settings.build_dir)
        open_store(settings.database_url).close()
    except (SetupError, StoreError) as exc:
        return str(exc)
    if settings.digest_key is None:
        # One key for every worker, held only in their memory (their environment): a
        # resend reaching another worker is still recognised. A restart makes a new one.
        os.environ[KEY_VARIABLE] = new_key()
        logging.getLogger("formwright.collect").warning(
            "%s is not set: resends of answers stored before a restart, or on another host,"
            " will be answered 409 (docs/deploying.md)",
            KEY_VARIABLE,
        )
    config = endpoint_config(host, port, workers, proxy_headers, forwarded_allow_ips)
    sock = config.bind_socket()
    if workers > 1:
        os.environ[SUPERVISOR_VARIABLE] = str(os.getpid())  # inherited by the workers
        Multiprocess(config, sockets=[sock]).run()
    else:
        os.environ.pop(SUPERVISOR_VARIABLE, None)
        uvicorn.Server(config).run(sockets=[sock])
    return None
