"""Benchmark 3: endpoint throughput and latency, against raw commits of the same row.

Why: a survey link shared widely brings bursts of submissions, and every one
must be stored durably (SQLite WAL + synchronous=FULL, or PostgreSQL with its
default synchronous_commit) before the respondent is thanked. The question is
how far the HTTP endpoint stays from what the database itself can commit.

How: the production command (`formwright endpoint --host 127.0.0.1 --port P
--workers N`, configured by FORMWRIGHT_* variables) runs as a subprocess with
1 and 2 workers, on a fresh SQLite file (on disk, not tmpfs) and on a fresh
PostgreSQL schema; wrk posts valid Victim Voice responses, each with a fresh
submission UUID (bench/endpoint_wrk.lua). A backend's configurations run side
by side (idle but for the one under load): warm-up and a one-connection probe
each, then saturation runs that alternate between them and with the ceilings
(medians), then 25/50/75 % of each one's saturation with paced connections
(bench/endpoint_load.py); then each server is stopped and every row id
acknowledged by a 201 is looked up: lost and duplicated responses are counted.
The ceilings are plain Python loops that commit the same row with the same
durability, one row per transaction and full batches of the writer thread's
MAX_BATCH rows (bench/endpoint_db.py). Peers, with SQLite, run the same
application under uvicorn's own command line: with 2 workers (its socket
without TCP_NODELAY, uvicorn issue #3149: what `formwright endpoint` fixes),
and with 1 worker and the other HTTP parser and event loop, where both are
installed.

    python -m bench endpoint [--quick] [--connections 64] [--pg-url URL] [--no-peers]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from .endpoint_db import Ceiling, CeilingLoop, audit, database
from .endpoint_load import NoWrk, Run, paced_runs, run_wrk, victim_voice_body, wrk_path
from .endpoint_plot import plot
from .endpoint_proc import free_port, launch, machine_busy, protocols, stop_server, tree_cpu
from .endpoint_profile import profiled_run, py_spy
from .endpoint_report import Outcome, section

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
RESULTS = Path(__file__).parent / "results"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
LEVELS = (0.25, 0.5, 0.75)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# `formwright endpoint` names no HTTP parser or event loop: uvicorn's "auto" takes
# httptools and uvloop when they are importable, else h11 and asyncio (the project
# depends on plain `uvicorn`, which brings neither C package).
AUTO = (
    "httptools" if _has("httptools") else "h11",
    "uvloop" if _has("uvloop") else "asyncio",
)
# The other pair, for a peer; when auto already means h11/asyncio, httptools and
# uvloop are not installed (or auto would take them), so there is none to run.
OTHER = ("h11", "asyncio") if AUTO != ("h11", "asyncio") else None
PEERS = {"": "", "plain": ": plain uvicorn", "parser": ": plain uvicorn, {}/{}"}


@dataclass(frozen=True)
class Config:
    backend: str  # "SQLite" or "PostgreSQL"
    workers: int
    peer: str = ""  # "" is the production command; else a key of PEERS

    @property
    def label(self) -> str:
        name = f"{self.backend}, {self.workers} worker{'s' if self.workers > 1 else ''}"
        return name + PEERS[self.peer].format(*(OTHER or ("", "")))

    @property
    def base(self) -> Config:
        """The production configuration a peer is compared with."""
        return Config(self.backend, self.workers)


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


# --- servers ----------------------------------------------------------------------


def server_command(cfg: Config, port: int) -> list[str]:
    where = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(cfg.workers)]
    if not cfg.peer:
        return [str(BIN / "formwright"), "endpoint", *where]
    # uvicorn's own command on the same application, with what `formwright endpoint`
    # sets made explicit (no Server header, no proxy headers), so that only the
    # listening socket differs for "plain", and only the parser and loop for "parser".
    http, loop = AUTO if cfg.peer == "plain" else (OTHER or AUTO)
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "compiler.collect.server:app_from_env"]
    cmd += ["--no-server-header", "--no-proxy-headers", *where, "--http", http, "--loop", loop]
    return cmd


def start_server(cfg: Config, db_url: str, s: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FORMWRIGHT_BUILD_DIR": str(s.build),
        "FORMWRIGHT_DATABASE_URL": db_url,
        # The documented switch: the per-client limit would answer 429 to a
        # load generator that is one client.
        "FORMWRIGHT_RATE_LIMIT": "0",
    }
    # The access log stays on and goes to a file, as a production log would.
    return launch(server_command(cfg, port), env, s.work / "server.log", port, ROOT)


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
    protocols: str = ""
    # core-seconds per process: with 2 workers, does one of them do all the work?
    per_process: dict[int, float] = field(default_factory=dict)


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
            sv.protocols = protocols(sv.proc.pid)  # loaded by now in every worker
        for _ in range(s.sat_runs):
            loop.measure(ceiling_seconds)
            for sv in servers:
                cpu0, busy0 = tree_cpu(sv.proc.pid), machine_busy()
                run = run_wrk(sv.url, s.body, s.work, s.connections, s.sat_seconds)
                cpu1, busy1 = tree_cpu(sv.proc.pid), machine_busy()
                cores = (os.cpu_count() or 1) * run.seconds / max(1, busy1[2] - busy0[2])
                for pid, used in cpu1.items():
                    sv.per_process[pid] = sv.per_process.get(pid, 0.0) + used - cpu0.get(pid, 0.0)
                sv.cpu[0] += sum(cpu1.values()) - sum(cpu0.values())
                sv.cpu[1] += run.client_cpu
                sv.cpu[2] += (busy1[0] - busy0[0]) * cores
                sv.cpu[3] += (busy1[1] - busy0[1]) * cores
                sv.saturation.append(run)
                sv.runs.append(run)
        outcomes = []
        for sv in servers:
            rate = statistics.median(r.rate for r in sv.saturation)
            paced: dict[float, list[Run]] = {}
            # Plain uvicorn gets load levels too: its delayed-ACK stall shows in their p99.
            for level in LEVELS if sv.cfg.peer in ("", "plain") else ():
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
                spied = profiled_run(
                    sv.proc.pid, sv.url, s.body, s.work, s.connections, s.sat_seconds, profile
                )
                sv.runs.append(spied)
            stop_server(sv.proc)
            wall = sum(r.seconds for r in sv.saturation)
            cpu = (sv.cpu[0] / wall, sv.cpu[1] / wall, sv.cpu[2] / wall, sv.cpu[3] / wall)
            busiest = max(sv.per_process.values(), default=0.0) / wall
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
                    sv.cfg.base.label,
                    sv.protocols,
                    busiest,
                )
            )
            print(outcomes[-1].summary(), flush=True)
        return loop.result(backend), outcomes


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
                configs.append(Config(backend, 2, "plain"))
                if OTHER:
                    configs.append(Config(backend, 1, "parser"))
                else:
                    print("no parser peer: httptools and uvloop are not installed")
            found, done = measure(backend, configs, s, args.seconds / 4, profile)
            print(
                f"{backend} ceilings: {found.raw:.0f} rows/s one per commit, "
                f"{found.batched:.0f} rows/s batched, Store.save {found.save:.0f}/s"
            )
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
            AUTO,
        )
        (RESULTS / "endpoint.md").write_text(text, "utf-8")
        plot(outcomes, ceilings, RESULTS / "endpoint.png")


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
