"""The section for bench/endpoint.py: its tables, the targets, and what limits the endpoint.

Kept apart from the measuring so each stays readable; every figure it writes
is either a ratio to a baseline of the same run (the raw-commit ceilings, the
saturation rate, the production command) or shown only to read one. What it
says about the endpoint's design is stated from the code it names (the
writer's batch size is imported, not copied), so it stays true or fails loudly.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from compiler.collect.writer import MAX_BATCH

from .endpoint_db import Ceiling, Integrity
from .endpoint_load import Run
from .endpoint_profile import profile_summary

TARGET_RATE = 2000.0
TARGET_P99_MS = 50.0


@dataclass
class Outcome:
    label: str
    backend: str
    peer: str
    saturation: list[Run]
    levels: dict[float, list[Run]]
    cpu: tuple[float, float, float, float]  # cores: server, wrk, machine, stolen; at saturation
    integrity: Integrity
    single: float  # p50 (ms) of one connection posting back to back
    base: str  # label of the production configuration a peer is compared with
    protocols: str  # HTTP parser/event loop its processes loaded, e.g. "h11/asyncio"
    busiest: float  # cores used by its busiest process at saturation

    @property
    def rate(self) -> float:
        return statistics.median(r.rate for r in self.saturation)

    @property
    def rest(self) -> float:
        """Cores busy outside server and wrk: PostgreSQL's processes, and other tenants."""
        return max(0.0, self.cpu[2] - self.cpu[0] - self.cpu[1])

    @property
    def p99(self) -> float:
        return statistics.median(r.p99 for r in self.saturation)

    def level(self, fraction: float) -> tuple[float, float, float]:
        """Median achieved rate, p50 and p99 (ms) at a load level."""
        runs = self.levels[fraction]
        return (
            statistics.median(r.rate for r in runs),
            statistics.median(r.p50 for r in runs),
            statistics.median(r.p99 for r in runs),
        )

    def summary(self) -> str:
        text = f"{self.label} ({self.protocols}): {self.rate:.0f}/s at saturation"
        text += f", p99 {self.p99:.0f} ms, 1 connection p50 {self.single:.1f} ms"
        for f in self.levels:
            got, p50, p99 = self.level(f)
            text += f"; {f:.0%}: {got:.0f}/s p50 {p50:.1f} p99 {p99:.1f} ms"
        i = self.integrity
        return text + f"; rows {i.rows}, 2xx {i.ok}, lost {i.lost}, duplicated {i.duplicated}"


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def _intro(
    prod: list[Outcome], auto: tuple[str, str], connections: int, body: tuple[int, int]
) -> list[str]:
    loaded = sorted({o.protocols for o in prod})
    if auto == ("h11", "asyncio"):
        here = "neither httptools nor uvloop is installed here, so it gets h11 and asyncio"
    else:
        here = f"here it gets {auto[0]} and {auto[1]}"
    return [
        "## 3. Endpoint throughput and latency",
        "",
        "The production command, `formwright endpoint --host 127.0.0.1 --port P --workers N`",
        "configured by the `FORMWRIGHT_*` variables, with its access log on (to a file),",
        f"posted to by wrk with {connections} connections: valid Victim Voice responses",
        f"({body[0]} answers, {body[1]} bytes of JSON), each with a fresh submission UUID.",
        "`formwright endpoint` names no HTTP parser or event loop, so uvicorn's `auto` choice",
        "applies: httptools and uvloop where they are importable, else h11 and asyncio (the",
        "project depends on plain `uvicorn`, which brings neither); "
        f"{here}, and the workers' memory maps showed {' and '.join(loaded)} loaded.",
        "Each worker hands its saves to one writer thread (`compiler/collect/writer.py`) that",
        f"commits every save queued while it committed the previous ones, up to {MAX_BATCH}",
        "per transaction (group commit), and answers each request only after the commit",
        "holding its row; SQLite writers in several processes queue on an exclusive `flock` on",
        "`<database>-lock` (`SQLiteStore._begin_write`).",
    ]


def _method(runs: int, filesystem: str) -> list[str]:
    return [
        "",
        f"Saturation is the median of {runs} closed-loop runs; the 25/50/75 % levels pace each",
        "connection with a random think time, so the rate *achieved* is shown beside its latency.",
        "The ceilings are plain Python loops committing the same row to the same table with the",
        f"same durability (SQLite WAL + `synchronous=FULL` on {filesystem}; PostgreSQL with",
        "its default `synchronous_commit=on`): one commit per row, and transactions of",
        f"{MAX_BATCH} rows, the writer's largest (the endpoint reaches that one only if every",
        "transaction is full and nothing else costs). Each backend's configurations run side by",
        "side and their saturation runs alternate with the ceilings'. `FORMWRIGHT_RATE_LIMIT=0`",
        "(the documented switch) turns off the per-client limit, which would otherwise answer",
        "429 to the load generator, a single client; all else is default.",
    ]


def section(
    outcomes: list[Outcome],
    ceilings: list[Ceiling],
    connections: int,
    runs: int,
    n_answers: int,
    body_bytes: int,
    filesystem: str,
    profile: Path | None,
    pg_problem: str,
    auto: tuple[str, str],
) -> str:
    ceiling = {c.backend: c for c in ceilings}
    prod = [o for o in outcomes if not o.peer]
    out = _intro(prod, auto, connections, (n_answers, body_bytes)) + _method(runs, filesystem)
    out += [
        "",
        "| configuration | saturation (submissions/s) | p99 at saturation (ms)"
        " | ceiling, 1 row per commit (rows/s) | endpoint ÷ it"
        f" | ceiling, {MAX_BATCH} rows per commit (rows/s) | endpoint ÷ it"
        " | Store.save loop ÷ 1-row ceiling | CPU cores: server (its busiest process) / wrk"
        " / rest of machine / stolen"
        " | p50, 1 connection back to back (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for o in prod:
        c = ceiling[o.backend]
        out.append(
            f"| {o.label} | {o.rate:.0f} | {o.p99:.0f} | {c.raw:.0f} | {o.rate / c.raw:.2f}"
            f" | {c.batched:.0f} | {o.rate / c.batched:.2f} | {c.save / c.raw:.2f}"
            f" | {o.cpu[0]:.2f} ({o.busiest:.2f}) / {o.cpu[1]:.2f} / {o.rest:.2f} / {o.cpu[3]:.2f}"
            f" | {o.single:.1f} |"
        )
    out += peers(outcomes, auto)
    out += [
        "",
        "| configuration | load | achieved (submissions/s) | achieved ÷ saturation"
        " | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for o in outcomes:
        for f in o.levels:
            got, p50, p99 = o.level(f)
            out.append(
                f"| {o.label} | {f:.0%} | {got:.0f} | {got / o.rate:.2f} | {p50:.1f} | {p99:.1f} |"
            )
    out += [
        "",
        "Rows counted after each configuration, against the row ids the 201 answers carried:",
        "",
        "| configuration | 2xx | rows | lost | duplicated | stored, answer not yet read"
        " when wrk stopped (≤ unanswered) | other statuses / socket errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for o in outcomes:
        i = o.integrity
        out.append(
            f"| {o.label} | {i.ok} | {i.rows} | {i.lost} | {i.duplicated}"
            f" | {i.unacknowledged} (≤ {i.unanswered}) | {i.other} / {i.errors} |"
        )
    out += [
        "",
        *targets(outcomes, prod, ceiling),
        "",
        *limits(outcomes, ceiling, profile, connections),
    ]
    if pg_problem:
        out += ["", pg_problem]
    return "\n".join(out) + "\n"


def peers(outcomes: list[Outcome], auto: tuple[str, str]) -> list[str]:
    found = [o for o in outcomes if o.peer]
    if not found:
        return []
    label = {o.label: o for o in outcomes}
    out = [
        "",
        "Peers, run side by side with the production configuration they are compared with,",
        "their saturation runs alternating with its runs. Each is uvicorn's own command on the",
        "same application, `uvicorn --factory compiler.collect.server:app_from_env",
        "--no-server-header --no-proxy-headers --workers N --http H --loop L` (the two",
        "options set what `formwright endpoint` sets): *plain uvicorn* has 2 workers and the",
        f"parser and loop `formwright endpoint` got ({auto[0]}/{auto[1]}), so only the listening",
        "socket differs.",
    ]
    if not any(o.peer == "parser" for o in found):
        out += [
            "No peer compares HTTP parsers: where httptools and uvloop are installed,",
            "`formwright endpoint` takes them itself, and a peer with `--http h11 --loop asyncio`",
            "and 1 worker (whose socket asyncio binds as TCP) then shows what they are worth.",
        ]
    out += [
        "",
        "| peer | compared with | saturation ÷ production's | p99 at saturation (ms),"
        " peer / production | p50, 1 connection back to back (ms), peer / production"
        " | p99 at 50 % (ms), peer / production |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for o in found:
        base = label[o.base]
        half = "–"
        if 0.5 in o.levels and 0.5 in base.levels:
            half = f"{o.level(0.5)[2]:.0f} / {base.level(0.5)[2]:.0f}"
        out.append(
            f"| {o.label} | {base.label} | {o.rate / base.rate:.2f} | {o.p99:.0f} / {base.p99:.0f}"
            f" | {o.single:.1f} / {base.single:.1f} | {half} |"
        )
    return out


def targets(outcomes: list[Outcome], prod: list[Outcome], ceiling: dict[str, Ceiling]) -> list[str]:
    lines = ["Targets from the issue:", ""]
    sqlite = [o for o in prod if o.backend == "SQLite"]
    if sqlite:
        best, c = max(sqlite, key=lambda o: o.rate), ceiling["SQLite"]
        lines.append(
            f"- At least {TARGET_RATE:,.0f} durable submissions/s with SQLite: best "
            f"{best.rate:.0f}/s ({best.label}), {best.rate / c.raw:.2f} of the one-commit-per-row "
            f"ceiling of {c.raw:.0f} rows/s and {best.rate / c.batched:.2f} of the "
            f"{MAX_BATCH}-rows-per-commit one of {c.batched:.0f} rows/s: "
            f"{_verdict(best.rate >= TARGET_RATE)}."
        )
    halves = [(o, o.level(0.5)[2]) for o in prod if 0.5 in o.levels]
    if halves:
        listed = "; ".join(
            f"{o.label} {p99:.0f} ms, {_verdict(p99 < TARGET_P99_MS)}" for o, p99 in halves
        )
        lines.append(f"- p99 under {TARGET_P99_MS:.0f} ms at half of saturation: {listed}.")
    sound = all(o.integrity.sound for o in outcomes)
    lines.append(
        "- No response lost or duplicated: "
        + (
            "every acknowledged row id was stored, once, in every configuration: met."
            if sound
            else "**not met**; see the table above."
        )
    )
    return lines


def limits(
    outcomes: list[Outcome], ceiling: dict[str, Ceiling], profile: Path | None, connections: int
) -> list[str]:
    by = {o.label: o for o in outcomes}
    lines = ["What limits it:", ""]
    for o in (o for o in outcomes if not o.peer):
        c = ceiling[o.backend]
        if o.rate <= c.raw:
            continue
        line = f"- {o.label} stored {o.rate / c.raw:.2f}× the one-commit-per-row ceiling"
        if o.backend == "SQLite":
            # SQLite commits one transaction at a time, each costing at least a 1-row
            # commit, so commits/s stay under that ceiling: rows per commit ≥ the ratio.
            line += (
                ": only possible because the writer thread commits several saves at once, "
                f"at least {o.rate / c.raw:.1f} per commit on average."
            )
        else:
            two = "2 workers" in o.label
            line += f" of one connection: the writer thread{'s' * two} commit{'' if two else 's'}"
            line += " several saves per transaction"
            # Concurrent commits of two connections may share one WAL flush.
            both = ", and PostgreSQL may flush both workers' commits in one WAL write"
            line += (both if two else "") + "."
        lines.append(line)
    one = by.get("SQLite, 1 worker")
    if one:
        c = ceiling["SQLite"]
        line = (
            f"- One worker is one Python process: {one.cpu[0]:.2f} cores at saturation, "
            f"{1000 * one.cpu[0] / one.rate:.2f} ms of CPU per submission, where a durable "
            f"commit of one row takes {1000 / c.raw:.2f} ms in the loop, `Store.save` "
            f"{1000 / c.save:.2f} ms, and a row in a full batch {1000 / c.batched:.3f} ms."
        )
        if one.cpu[0] >= 0.85:
            line += " Its core is busy: the Python around the database is the limit."
        else:
            line += f" It left {1 - one.cpu[0]:.2f} of a core idle: it waited, not computed."
        lines.append(line)
    if profile is not None:
        total, cats, places = profile_summary(profile)
        shares = "; ".join(f"{name} {v:.0%}" for name, v in cats[:10] if v >= 0.005)
        lines.append(
            f"- Where that core goes (py-spy `--gil`, {total} samples of SQLite, 1 worker at "
            "saturation, of whichever thread held the GIL, the event loop's or the writer's; "
            f"each sample given to its deepest frame in these groups): {shares}."
        )
        top = "; ".join(f"{p} {v:.0%}" for p, v in places)
        lines.append(f"- Deepest product frame per sample: {top}.")
    parser = next((o for o in outcomes if o.peer == "parser"), None)
    if parser:
        lines.append(
            f"- The other HTTP parser and event loop ({parser.protocols}, peer) give "
            f"{parser.rate / by[parser.base].rate:.2f}× the rate of "
            f"{by[parser.base].protocols} with one worker."
        )
    for backend in ("SQLite", "PostgreSQL"):
        single, double = by.get(f"{backend}, 1 worker"), by.get(f"{backend}, 2 workers")
        if single and double:
            lines.append(_second_worker(backend, single, double))
    plain = next((o for o in outcomes if o.peer == "plain"), None)
    if plain:
        lines.append(_nodelay(by[plain.base], plain, by.get("SQLite, 1 worker")))
    shared = [o for o in outcomes if o.backend == "SQLite" and o.rest > 0.25]
    if shared:
        lines.append(
            f"- Processes other than the server and wrk (the kernel's I/O threads, other work on "
            f"this shared machine) took up to {max(o.rest for o in shared):.2f} cores during "
            "SQLite's saturation runs: absolute figures are low and noisy; the ratios come "
            "from alternating runs."
        )
    lines.append(
        "- The load generator runs on the same 2 cores (its CPU is in the first table); "
        "wrk is closed-loop, so the paced levels approximate, not reproduce, independent "
        f"arrivals, and at saturation latency is mostly queueing behind {connections} connections."
    )
    return lines


def _second_worker(backend: str, single: Outcome, double: Outcome) -> str:
    line = (
        f"- {backend}: a second worker gives {double.rate / single.rate:.2f}× the rate; "
        f"the workers used {double.cpu[0]:.2f} cores, the rest of the machine "
        f"{double.rest:.2f} (PostgreSQL's processes, and other work on this shared machine)"
    )
    busy = double.cpu[0] + double.cpu[1] + double.rest + double.cpu[3]
    line += ": no core was left idle." if busy >= 1.7 else ", so cores were left idle."
    if double.busiest > 0.8 * double.cpu[0]:
        line += (
            f" One worker process did {double.busiest / double.cpu[0]:.0%} of the server's work:"
            " the workers share one listening socket, the first to wake accepts every"
            " connection waiting (asyncio accepts up to its backlog at once), and wrk opens its"
            " connections together and keeps them."
        )
    if backend == "SQLite":
        line += (
            " The two writer threads take turns at SQLite's one write lock by queueing on the "
            "`flock` of `<database>-lock`, so the next one wakes as soon as the holder commits "
            "(SQLite's sleeping busy handler is left as a backstop for writers without the "
            f"lock file): p99 at saturation {double.p99:.0f} ms with 2 workers against "
            f"{single.p99:.0f} ms with one."
        )
    return line


def _nodelay(prod: Outcome, plain: Outcome, one: Outcome | None) -> str:
    line = (
        f"- One keep-alive connection posting back to back waits {prod.single:.1f} ms (p50) "
        f"with `formwright endpoint` and 2 workers"
        + (f", {one.single:.1f} ms with 1," if one else "")
        + f" and {plain.single:.1f} ms under plain uvicorn with 2 workers (peer)"
    )
    if plain.single > prod.single + 20:
        line += (
            ": uvicorn's `--workers` binds the listening socket itself without naming its "
            "protocol, asyncio then sets no TCP_NODELAY on the connections it accepts, and "
            "each response's body waits for the client's delayed ACK, about 40 ms (uvicorn "
            "issue #3149); `formwright endpoint` binds it as TCP (`TCPConfig.bind_socket`, "
            "`compiler/collect/server.py`), and the stall is gone."
        )
    else:
        line += ": no delayed-ACK stall showed in this run."
    if one and prod.single > one.single + 20:
        line += " **With 2 workers `formwright endpoint` stalled too: the fix did not hold.**"
    line += f" Plain uvicorn's saturation rate is {plain.rate / prod.rate:.2f}× the production's"
    if 0.5 in plain.levels and 0.5 in prod.levels:
        line += (
            f"; at half of saturation its p99 is {plain.level(0.5)[2]:.0f} ms against "
            f"{prod.level(0.5)[2]:.0f} ms, as posts that follow their connection's last one "
            "closely meet the stall"
            if plain.single > prod.single + 20
            else f"; p99 at half of saturation {plain.level(0.5)[2]:.0f} ms against "
            f"{prod.level(0.5)[2]:.0f} ms"
        )
    return line + "."
