"""Benchmark 3: endpoint throughput and latency, against raw commits of the same row.

Why: a survey link shared widely brings bursts of submissions, and every one
must be stored durably (SQLite WAL + synchronous=FULL, or PostgreSQL with its
default synchronous_commit) before the respondent is thanked. The question is
how far the HTTP endpoint stays from what the database itself can commit.

How: the production command (`uvicorn --factory compiler.serve:app_from_env`)
runs as a subprocess on 127.0.0.1 with 1 and 2 workers, on a fresh SQLite
file (on disk, not tmpfs) and on a fresh PostgreSQL schema; wrk posts valid
Victim Voice responses, each with a fresh submission UUID (bench/endpoint_wrk.lua).
A backend's configurations run side by side (idle but for the one under load):
warm-up and a one-connection probe each, then saturation runs that alternate
between them and with the ceiling (medians), then 25/50/75 % of each one's
saturation with paced connections (bench/endpoint_load.py); then each server is
stopped and every row id acknowledged by a 201 is looked up: lost and
duplicated responses are counted. The ceiling is a plain Python loop that
commits the same row with the same durability, one commit per row;
`Store.save` in a loop shows the store's own cost between the two. Peers
explain the gap: uvicorn's C HTTP parser and event loop (httptools + uvloop),
a shorter GIL switch interval (the save runs in a worker thread), and 2
workers with TCP_NODELAY restored (bench/endpoint_uvicorn.py).

    python -m bench endpoint [--quick] [--connections 64] [--pg-url URL] [--no-peers]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from .endpoint_db import Ceiling, CeilingLoop, audit, database
from .endpoint_load import NoWrk, Run, paced_runs, run_wrk, victim_voice_body, wrk_path
from .endpoint_report import Outcome, plot, section

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
RESULTS = Path(__file__).parent / "results"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
LEVELS = (0.25, 0.5, 0.75)
PEERS = {
    "": "",
    "httptools": " + httptools/uvloop",
    "switch": " + 0.1 ms GIL switch interval",
    "nodelay": " + TCP_NODELAY",
}
# The project depends on plain `uvicorn`, which brings h11 and asyncio; uvicorn
# would pick httptools and uvloop by itself wherever they happen to be installed,
# so the production command names its HTTP parser and loop, and one peer swaps them.
PEER_ARGS = {"httptools": ["--http", "httptools", "--loop", "uvloop"]}
PRODUCTION_ARGS = ["--http", "h11", "--loop", "asyncio"]
WRAPPER_ARGS = {"switch": ["--switch-interval", "0.0001"], "nodelay": ["--tcp-nodelay"]}


@dataclass(frozen=True)
class Config:
    backend: str  # "SQLite" or "PostgreSQL"
    workers: int
    peer: str = ""  # "" is the production command; else a key of PEERS

    @property
    def label(self) -> str:
        name = f"{self.backend}, {self.workers} worker{'s' if self.workers > 1 else ''}"
        return name + PEERS[self.peer]


@dataclass
class Settings:
    connections: int
    warm: float
    sat_seconds: float
    sat_runs: int
    level_seconds: float
    level_runs: int
    work: Path
    body: Path
    build: Path
    pg_url: str
    answers: str  # as stored, for the ceiling's row


# --- processes and CPU --------------------------------------------------------------


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by a process and its living descendants."""
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
    return sum(_cpu_ticks(pid) for pid in tree) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[int, int, int]:
    """Busy, stolen and total jiffies of all cores: a saturated or shared machine, or a
    slow server? (Stolen is time the hypervisor gave to other guests.)"""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values) - values[3] - values[4] - values[7], values[7], sum(values)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(cfg: Config, db_url: str, s: Settings, port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "uvicorn"]
    if cfg.peer in WRAPPER_ARGS:
        cmd = [sys.executable, "-m", "bench.endpoint_uvicorn", *WRAPPER_ARGS[cfg.peer], "--"]
    cmd += ["--factory", "compiler.serve:app_from_env", "--no-server-header"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(cfg.workers)]
    cmd += PEER_ARGS.get(cfg.peer, PRODUCTION_ARGS)
    env = {
        **os.environ,
        "FORMWRIGHT_BUILD_DIR": str(s.build),
        "FORMWRIGHT_DATABASE_URL": db_url,
        # The documented switch: the per-client limit would answer 429 to a
        # load generator that is one client.
        "FORMWRIGHT_RATE_LIMIT": "0",
    }
    # The access log stays on and goes to a file, as a production log would.
    log = (s.work / "server.log").open("ab")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, cwd=ROOT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see {s.work}/server.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/responses")  # 405: alive, and nothing stored
            if conn.getresponse().status == 405:
                return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # graceful: requests in flight finish first
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session, started above
            proc.wait()


# --- one backend, its configurations interleaved ---------------------------------------


@dataclass
class Server:
    cfg: Config
    db_url: str
    url: str
    proc: subprocess.Popen[bytes]
    runs: list[Run] = field(default_factory=list)  # every run, for the audit
    saturation: list[Run] = field(default_factory=list)
    cpu: list[float] = field(default_factory=lambda: [0.0] * 4)  # core-seconds, as Outcome.cpu
    single: float = 0.0


def measure(
    backend: str, configs: list[Config], s: Settings, ceiling_seconds: float, profile: Path | None
) -> tuple[Ceiling, list[Outcome]]:
    """All configurations of a backend run side by side, idle but for the one under
    load, and their saturation runs alternate with each other and with the ceiling
    loop: a burst of load elsewhere on this shared machine then hits every figure
    alike instead of one configuration."""
    with ExitStack() as stack:
        servers: list[Server] = []
        for cfg in configs:
            db_url = stack.enter_context(
                database(backend, s.work, s.pg_url, f"{cfg.workers}-{cfg.peer or 'prod'}")
            )
            port = free_port()
            proc = start_server(cfg, db_url, s, port)
            stack.callback(stop_server, proc)  # before its database is dropped
            servers.append(Server(cfg, db_url, f"http://127.0.0.1:{port}/responses", proc))
        ceiling_url = stack.enter_context(database(backend, s.work, s.pg_url, "ceiling"))
        loop = CeilingLoop(ceiling_url, s.answers)
        stack.callback(loop.close)
        for sv in servers:
            sv.runs.append(run_wrk(sv.url, s.body, s.work, s.connections, s.warm))
            # One keep-alive connection posting back to back: the latency floor,
            # and where a delayed-ACK stall shows undiluted by queueing.
            probe = run_wrk(sv.url, s.body, s.work, 1, s.warm)
            sv.runs.append(probe)
            sv.single = probe.p50
        for _ in range(s.sat_runs):
            loop.measure(ceiling_seconds)
            for sv in servers:
                cpu0, busy0 = tree_cpu(sv.proc.pid), machine_busy()
                run = run_wrk(sv.url, s.body, s.work, s.connections, s.sat_seconds)
                cpu1, busy1 = tree_cpu(sv.proc.pid), machine_busy()
                cores = (os.cpu_count() or 1) * run.seconds / max(1, busy1[2] - busy0[2])
                sv.cpu[0] += cpu1 - cpu0
                sv.cpu[1] += run.client_cpu
                sv.cpu[2] += (busy1[0] - busy0[0]) * cores
                sv.cpu[3] += (busy1[1] - busy0[1]) * cores
                sv.saturation.append(run)
                sv.runs.append(run)
        outcomes = []
        for sv in servers:
            rate = statistics.median(r.rate for r in sv.saturation)
            paced: dict[float, list[Run]] = {}
            # The TCP_NODELAY peer gets load levels too: the stall shows in their p99.
            for level in LEVELS if sv.cfg.peer in ("", "nodelay") else ():
                done = paced_runs(
                    sv.url,
                    s.body,
                    s.work,
                    level * rate,
                    s.connections,
                    s.level_seconds,
                    s.level_runs,
                )
                sv.runs += done
                paced[level] = [r for r in done if not r.calibration]
            if profile is not None and sv.cfg == Config("SQLite", 1):
                sv.runs.append(profiled_run(sv.proc.pid, sv.url, s, profile))
            stop_server(sv.proc)
            wall = sum(r.seconds for r in sv.saturation)
            cpu = (sv.cpu[0] / wall, sv.cpu[1] / wall, sv.cpu[2] / wall, sv.cpu[3] / wall)
            integrity = audit(sv.db_url, sv.runs)
            outcomes.append(
                Outcome(
                    sv.cfg.label,
                    backend,
                    sv.cfg.peer,
                    sv.saturation,
                    paced,
                    cpu,
                    integrity,
                    sv.single,
                )
            )
            print(outcomes[-1].summary(), flush=True)
        return loop.result(backend), outcomes


def py_spy() -> str | None:
    return shutil.which("py-spy") or (str(BIN / "py-spy") if (BIN / "py-spy").exists() else None)


def profiled_run(pid: int, url: str, s: Settings, out: Path) -> Run:
    """A saturation run while py-spy samples the thread holding the GIL: where the CPU goes."""
    seconds = max(3.0, s.sat_seconds)
    command = [py_spy() or "py-spy", "record", "--pid", str(pid), "--gil", "--rate", "200"]
    command += ["--duration", f"{seconds - 1:.0f}", "--format", "raw", "-o", str(out)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run = run_wrk(url, s.body, s.work, s.connections, seconds)
    spy.wait(60)
    return run


# --- main ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench endpoint")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=6, help="per saturation run")
    parser.add_argument("--runs", type=int, default=3, help="runs per saturation and load level")
    parser.add_argument("--pg-url", default=os.environ.get("FORMWRIGHT_BENCH_PG", PG_URL))
    parser.add_argument("--no-peers", action="store_true", help="skip the explaining peers")
    parser.add_argument("--quick", action="store_true", help="short single runs, no peers")
    args = parser.parse_args(argv)
    try:
        wrk_path()
    except NoWrk as exc:
        print(exc)
        return
    if args.quick:
        args.seconds, args.runs, args.no_peers = 2.0, 1, True
    backends = ["SQLite", "PostgreSQL"]
    try:
        import psycopg

        psycopg.connect(args.pg_url, connect_timeout=5).close()
        pg_problem = ""
    except Exception as exc:  # any failure only means: measure SQLite alone
        backends.remove("PostgreSQL")
        pg_problem = f"PostgreSQL at {args.pg_url} was not reachable ({exc}); not measured."
        print(pg_problem)
    base = ROOT.parent if os.access(ROOT.parent, os.W_OK) else None
    with tempfile.TemporaryDirectory(dir=base, prefix="formwright-bench-endpoint-") as tmp:
        work = Path(tmp)
        build = work / "build"
        subprocess.run(
            [str(BIN / "formwright"), "build", "-C", str(ROOT), "--out", str(build)],
            check=True,
            capture_output=True,
        )
        manifest = json.loads((build / "victim-voice" / "manifest.json").read_text("utf-8"))
        body, n_answers = victim_voice_body(manifest)
        (work / "body.json").write_text(body, "utf-8")
        stored = json.dumps(json.loads(body.replace("@SID@", ""))["answers"], sort_keys=True)
        s = Settings(
            connections=args.connections,
            warm=max(1.0, args.seconds / 3),  # warm-up, then the one-connection probe
            sat_seconds=args.seconds,
            sat_runs=args.runs,
            level_seconds=args.seconds * 5 / 6,
            level_runs=args.runs,
            work=work,
            body=work / "body.json",
            build=build,
            pg_url=args.pg_url,
            answers=stored,
        )
        ceilings: list[Ceiling] = []
        outcomes: list[Outcome] = []
        profile = work / "profile.txt" if py_spy() and not args.quick else None
        for backend in backends:
            configs = [Config(backend, 1), Config(backend, 2)]
            if backend == "SQLite" and not args.no_peers:
                if _has("httptools", "uvloop"):
                    configs.append(Config(backend, 1, "httptools"))
                else:
                    print("skipping the httptools/uvloop peer: pip install httptools uvloop")
                configs += [Config(backend, 1, "switch"), Config(backend, 2, "nodelay")]
            found, done = measure(backend, configs, s, args.seconds / 3, profile)
            print(f"{backend} ceiling: {found.raw:.0f} commits/s, Store.save {found.save:.0f}/s")
            ceilings.append(found)
            outcomes += done
        RESULTS.mkdir(exist_ok=True)
        text = section(
            outcomes,
            ceilings,
            s.connections,
            args.runs,
            n_answers,
            len(body),
            _filesystem(work),
            profile if profile and profile.exists() else None,
            pg_problem,
        )
        (RESULTS / "endpoint.md").write_text(text, "utf-8")
        plot(outcomes, ceilings, RESULTS / "endpoint.png")


def _has(*modules: str) -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in modules)


def _filesystem(path: Path) -> str:
    """The file system holding the SQLite files: a tmpfs would make fsync free."""
    best, kind = "", "?"
    for line in Path("/proc/mounts").read_text().splitlines():
        parts = line.split()
        if str(path).startswith(parts[1]) and len(parts[1]) >= len(best):
            best, kind = parts[1], f"{parts[2]} on {parts[0]}"
    return kind


if __name__ == "__main__":
    main()
