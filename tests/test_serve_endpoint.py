"""`formwright endpoint`: the production command, with TCP_NODELAY however many workers."""

from __future__ import annotations

import ctypes
import errno
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from collect_support import Server, build, envelope, valid_answers

from compiler.collect.server import endpoint_config

SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("endpoint"))


def test_the_listening_socket_is_bound_as_tcp() -> None:
    config = endpoint_config("127.0.0.1", 0, 2, False, "127.0.0.1")
    sock = config.bind_socket()
    try:
        assert sock.proto == socket.IPPROTO_TCP  # what asyncio checks before TCP_NODELAY
        assert sock.getsockname()[0] == "127.0.0.1" and sock.get_inheritable()
    finally:
        sock.close()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def server_side_nodelay(workers: list[int], client: tuple[str, int]) -> int | None:
    """TCP_NODELAY of the worker's socket connected to `client`; None if it cannot be read.

    The accepted socket lives in a worker process: a copy of its descriptor
    (pidfd_getfd, allowed on one's own descendants) reads the option itself.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for pid in workers:
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            continue
        try:
            for name in os.listdir(f"/proc/{pid}/fd"):
                if not os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:"):
                    continue
                fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
                if fd < 0:
                    if ctypes.get_errno() in (errno.ENOSYS, errno.EPERM):
                        return None
                    continue
                with socket.socket(fileno=fd) as sock:
                    try:
                        peer = sock.getpeername()
                    except OSError:
                        continue
                    if sock.family == socket.AF_INET and peer == client:
                        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        except OSError:
            continue
        finally:
            os.close(pidfd)
    raise AssertionError("no worker holds the connection")


def test_two_workers_answer_a_keep_alive_connection_without_delayed_acks(
    project: Path, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    server = Server(
        project / "build", str(tmp_path / "r.sqlite3"), log, workers=2, FORMWRIGHT_RATE_LIMIT="0"
    )
    server.start()
    assert server.proc is not None
    try:
        time.sleep(0.5)  # both workers up
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for _ in range(5):
            body = json.dumps(envelope(valid_answers()))
            conn.request("POST", "/responses", body, {"Content-Type": "application/json"})
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 201
        assert conn.sock is not None
        nodelay = server_side_nodelay(children(server.proc.pid), conn.sock.getsockname())
        conn.close()
    finally:
        server.stop()
    text = log.read_text()
    assert (
        text.count("Started server process") == 2
        and "127.0.0.1:" not in text.split("Uvicorn running on")[-1].split("\n", 1)[-1]
    )
    # Without TCP_NODELAY each keep-alive response waits for the client's delayed ACK,
    # about 40 ms (bench/results.md measures it; a test only checks the option).
    if nodelay is None:
        pytest.skip("this kernel does not let a test read a worker's socket (pidfd_getfd)")
    assert nodelay != 0


def test_a_wrong_setup_is_one_clear_message(tmp_path: Path) -> None:
    formwright = str(Path(sys.executable).parent / "formwright")
    env = {**os.environ, "FORMWRIGHT_BUILD_DIR": str(tmp_path), "FORMWRIGHT_DATABASE_URL": "x"}
    done = subprocess.run(
        [formwright, "endpoint", "--port", "0", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "no built questionnaire" in done.stderr and "Traceback" not in done.stderr


def test_the_documented_production_command_is_this_one() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "deploying.md").read_text("utf-8")
    block = doc.split("## Running the collection endpoint", 1)[1].split("```sh", 1)[1]
    command = block.split("```", 1)[0].replace("\\\n", " ")
    line = next(x for x in command.splitlines() if "formwright endpoint" in x)
    formwright = str(Path(sys.executable).parent / "formwright")
    usage = subprocess.run(
        [formwright, "endpoint", "--help"], capture_output=True, text=True, check=True
    ).stdout
    options = [word for word in line.split() if word.startswith("--")]
    assert {"--workers", "--proxy-headers"} <= set(options)
    assert all(option in usage for option in options)
