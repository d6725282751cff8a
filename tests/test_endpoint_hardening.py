"""Issue 18, part 6: the supervisor's death stops its workers; a read-only database and a
full disk give 503s that say why, and no worker dies. Real `formwright endpoint` processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from collect_support import FORM, Server, build, envelope, valid_answers
from test_refusals import ANSWERS, assert_answers_kept, form_body
from test_serve_endpoint import children


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("hardening"))


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    pids: list[int] = []
    yield started
    for server in started:
        if server.proc is not None:
            pids.extend(children(server.proc.pid))
        server.stop()
    for pid in pids:  # workers a failed test left behind
        if alive(pid):
            os.kill(pid, 9)


def test_workers_stop_when_the_supervisor_is_killed(
    project: Path, tmp_path: Path, servers: list[Server]
) -> None:
    first = Server(project / "build", str(tmp_path / "r.sqlite3"), tmp_path / "log", workers=2)
    servers.append(first)
    first.start()
    time.sleep(1)  # both workers up
    assert first.proc is not None
    workers = children(first.proc.pid)
    assert len(workers) >= 2
    first.kill()  # SIGKILL the supervisor only
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    again = Server(project / "build", str(tmp_path / "r.sqlite3"), tmp_path / "log2", workers=2)
    again.port, again.url = first.port, first.url
    servers.append(again)
    again.start()
    time.sleep(1)
    assert again.proc is not None and again.proc.poll() is None, (tmp_path / "log2").read_text()
    with httpx2.Client() as http:
        r = http.post(f"{again.url}/responses", json=envelope(valid_answers()))
    assert r.status_code == 201


def refused_with_cause(server: Server, log: Path, cause: str) -> None:
    """Posts get 503 with the answers on the page, the log names the cause, no worker dies."""
    assert server.proc is not None
    workers = children(server.proc.pid)
    with httpx2.Client(timeout=20) as http:
        for _ in range(10):
            r = http.post(
                f"{server.url}/responses",
                content=form_body(ANSWERS),
                headers={"content-type": FORM, "origin": server.url},
            )
            assert r.status_code == 503
            assert_answers_kept(r.text)
            r = http.post(f"{server.url}/responses", json=envelope(valid_answers()))
            assert r.status_code == 503
    assert all(alive(pid) for pid in workers)
    text = log.read_text()
    assert f"storage unavailable: {cause}" in text
    assert "cannot rollback" not in text
    assert "died" not in text


def start_and_store(project: Path, db: Path, log: Path, servers: list[Server]) -> Server:
    server = Server(project / "build", str(db), log, workers=2, FORMWRIGHT_RATE_LIMIT="0")
    servers.append(server)
    server.start()
    time.sleep(1)
    with httpx2.Client() as http:
        r = http.post(f"{server.url}/responses", json=envelope(valid_answers()))
        assert r.status_code == 201
    return server


@pytest.fixture
def immutable(tmp_path: Path) -> Iterator[list[Path]]:
    """Paths made immutable during the test, made mutable again after it."""
    if shutil.which("chattr") is None or os.geteuid() != 0:
        pytest.skip("needs chattr and root")
    probe = tmp_path / "probe"
    probe.touch()
    if subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode:
        pytest.skip("this file system has no immutable attribute")
    subprocess.run(["chattr", "-i", str(probe)], check=True)
    made: list[Path] = []
    yield made
    subprocess.run(["chattr", "-i", *map(str, made)], check=False)


def test_an_immutable_database_gives_503s_that_say_why(
    project: Path, tmp_path: Path, servers: list[Server], immutable: list[Path]
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    server = start_and_store(project, folder / "r.sqlite3", tmp_path / "log", servers)
    # chattr +i, not chmod: root (these tests) writes through any mode bits.
    immutable.extend([*folder.iterdir(), folder])
    subprocess.run(["chattr", "+i", *map(str, immutable)], check=True)
    refused_with_cause(server, tmp_path / "log", "the database is read-only")
    server.stop()  # closing must not fault on the -shm map either
    assert server.proc is not None and server.proc.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_gives_503s_that_say_why(
    project: Path, tmp_path: Path, servers: list[Server], small_disk: Path
) -> None:
    server = start_and_store(project, small_disk / "r.sqlite3", tmp_path / "log", servers)
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 512)
    except OSError:
        pass
    finally:
        os.close(fd)
    refused_with_cause(server, tmp_path / "log", "the disk is full")
