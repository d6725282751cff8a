"""uvicorn's own command line with one thing changed: peers for bench/endpoint.py.

`--tcp-nodelay`: with --workers N, uvicorn binds the listening socket itself
(`Config.bind_socket`) without naming its protocol, so the socket's proto is
0; asyncio sets TCP_NODELAY on accepted sockets only when proto is
IPPROTO_TCP, so a response's second write waits for the client's delayed ACK,
about 40 ms on Linux (uvicorn issue #3149, open upstream). This wraps the same
socket again with its protocol named.

`--switch-interval S`: the endpoint hands each save to a worker thread, which
needs the GIL back after every SQLite call while the event loop thread runs
Python; the waiting thread gets it only when the holder blocks or after the
switch interval (5 ms by default). A shorter interval shows what that costs.

Neither touches the product; both then run uvicorn unchanged.

    python -m bench.endpoint_uvicorn [--tcp-nodelay] [--switch-interval S] -- <uvicorn arguments>
"""

from __future__ import annotations

import socket
import sys

import uvicorn.config
from uvicorn.main import main

_bind_socket = uvicorn.config.Config.bind_socket


def _bind_tcp(self: uvicorn.config.Config) -> socket.socket:
    sock = _bind_socket(self)
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return sock
    # Same file descriptor, same options; only the recorded protocol differs.
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


if __name__ == "__main__":
    ours, rest = sys.argv[1 : sys.argv.index("--")], sys.argv[sys.argv.index("--") + 1 :]
    if "--tcp-nodelay" in ours:
        uvicorn.config.Config.bind_socket = _bind_tcp  # type: ignore[method-assign]
    if "--switch-interval" in ours:
        # Set here, it is inherited by nothing: only single-process peers use it.
        sys.setswitchinterval(float(ours[ours.index("--switch-interval") + 1]))
    sys.argv = ["uvicorn", *rest]
    sys.exit(main())
