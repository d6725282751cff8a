"""Processes for bench/endpoint.py: starting and stopping servers, their CPU, what they loaded."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _tree(root: int) -> set[int]:
    """A process and its living descendants."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError):
                continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds used so far by a process and each of its living descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    return {pid: _cpu_ticks(pid) / tick for pid in _tree(root)}


def protocols(root: int) -> str:
    """The HTTP parser and event loop a server's processes have loaded: the C
    ones show as shared objects in their memory maps, h11 and asyncio as their absence."""
    maps = ""
    for pid in _tree(root):
        try:
            maps += Path(f"/proc/{pid}/maps").read_text()
        except OSError:
            continue
    http = "httptools" if "/httptools/" in maps else "h11"
    return f"{http}/{'uvloop' if '/uvloop/' in maps else 'asyncio'}"


def machine_busy() -> tuple[int, int, int]:
    """Busy, stolen and total jiffies of all cores: a saturated or shared machine, or a
    slow server? (Stolen is time the hypervisor gave to other guests.)"""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values) - values[3] - values[4] - values[7], values[7], sum(values)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(
    cmd: list[str], env: dict[str, str], log: Path, port: int, cwd: Path
) -> subprocess.Popen[bytes]:
    """Start a server in its own session, and return once it answers on `port`."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=out, cwd=cwd, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/responses")  # 405: alive, and nothing stored
            if conn.getresponse().status == 405:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # graceful: requests in flight finish first
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session, started by launch()
            proc.wait()
