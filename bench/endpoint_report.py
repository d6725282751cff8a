"""The section and the plot for bench/endpoint.py, and the summary of its py-spy profile.

Kept apart from the measuring so each stays readable; every figure it writes
is either a ratio to a baseline of the same run (the raw-commit ceiling, the
saturation rate, the production command) or shown only to read one.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .endpoint_db import Ceiling, Integrity
from .endpoint_load import Run

TARGET_RATE = 2000.0
TARGET_P99_MS = 50.0
# Where a GIL sample's time goes: its deepest frame in one of these files decides.
CATEGORIES = [
    (("compiler/store.py",), "Store.save: SQL and commit (compiler/store.py)"),
    (("compiler/answers.py", "compiler/conditions.py"), "checking the answers (answers.py)"),
    (("compiler/",), "endpoint code, JSON parsing (compiler/collect.py)"),
    (("logging/",), "access log (logging)"),
    (("h11", "uvicorn/protocols"), "HTTP protocol (h11, uvicorn/protocols)"),
    (("starlette/",), "Starlette routing, middleware, responses"),
    (("anyio/", "threading.py", "queue.py"), "hand-off to the store's thread (anyio)"),
    (("asyncio/", "selectors.py"), "asyncio event loop"),
]


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
        text = f"{self.label}: {self.rate:.0f}/s at saturation, p99 {self.p99:.0f} ms"
        for f in self.levels:
            got, p50, p99 = self.level(f)
            text += f"; {f:.0%}: {got:.0f}/s p50 {p50:.1f} p99 {p99:.1f} ms"
        i = self.integrity
        return text + f"; rows {i.rows}, 2xx {i.ok}, lost {i.lost}, duplicated {i.duplicated}"


def profile_summary(path: Path) -> tuple[int, list[tuple[str, float]], list[tuple[str, float]]]:
    """Samples, share per category, and share per deepest product line (file:line)."""
    categories: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        total += n
        where = [f.rsplit("(", 1)[-1].rstrip(")") for f in frames]
        category = "other"
        for place in reversed(where):
            match = next((name for keys, name in CATEGORIES if any(k in place for k in keys)), None)
            if match:
                category = match
                break
        categories[category] += n
        ours = [(f, w) for f, w in zip(frames, where, strict=True) if w.startswith("compiler/")]
        if ours:
            function = ours[-1][0].split(" (")[0].split(".<locals>")[0]
            lines[f"`{ours[-1][1]}` {function}"] += n
    shares = [[(k, v / max(1, total)) for k, v in c.most_common()] for c in (categories, lines)]
    return total, shares[0], shares[1][:8]


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


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
) -> str:
    ceiling = {c.backend: c for c in ceilings}
    prod = [o for o in outcomes if not o.peer]
    out = [
        "## 3. Endpoint throughput and latency",
        "",
        "The production command (`uvicorn --factory compiler.serve:app_from_env`) on 127.0.0.1,",
        "with `--http h11 --loop asyncio`, which is what the project's plain `uvicorn` dependency",
        "gives (uvicorn would pick httptools and uvloop by itself wherever they are installed),",
        f"posted to by wrk with {connections} connections: valid Victim Voice responses",
        f"({n_answers} answers, {body_bytes} bytes of JSON), each with a fresh submission UUID.",
        f"Saturation is the median of {runs} closed-loop runs; the 25/50/75 % levels pace each",
        "connection with a random think time, so the rate *achieved* is shown beside its latency.",
        "The ceiling is a plain Python loop committing the same row to the same table, one",
        "commit per row, with the same durability (SQLite WAL + `synchronous=FULL` on",
        f"{filesystem}; PostgreSQL with its default `synchronous_commit=on`); each backend's",
        "configurations run side by side and their saturation runs alternate with the ceiling's.",
        "`FORMWRIGHT_RATE_LIMIT=0` (the documented switch) turns off the per-client limit, which",
        "would otherwise answer 429 to the load generator, a single client; all else is default.",
        "",
        "| configuration | saturation (submissions/s) | p99 at saturation (ms) | raw commits/s"
        " | endpoint ÷ ceiling | Store.save loop ÷ ceiling | CPU cores: server / wrk / rest of"
        " machine / stolen | p50, 1 connection back to back (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for o in prod:
        c = ceiling[o.backend]
        out.append(
            f"| {o.label} | {o.rate:.0f} | {o.p99:.0f} | {c.raw:.0f}"
            f" | {o.rate / c.raw:.2f} | {c.save / c.raw:.2f}"
            f" | {o.cpu[0]:.2f} / {o.cpu[1]:.2f} / {o.rest:.2f} / {o.cpu[3]:.2f} | {o.single:.1f} |"
        )
    peers = [o for o in outcomes if o.peer]
    if peers:
        label = {o.label: o for o in outcomes}
        out += [
            "",
            "Peers, run side by side with the production command they change, their saturation",
            "runs alternating with its runs (`bench/endpoint_uvicorn.py` restores TCP_NODELAY):",
            "",
            "| peer | saturation ÷ production command's | p99 at saturation (ms), peer / production"
            " | p50, 1 connection back to back (ms), peer / production |",
            "|---|---:|---:|---:|",
        ]
        for o in peers:
            base = label[o.label.split(" + ")[0]]
            out.append(
                f"| {o.label} | {o.rate / base.rate:.2f} | {o.p99:.0f} / {base.p99:.0f}"
                f" | {o.single:.1f} / {base.single:.1f} |"
            )
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


def targets(outcomes: list[Outcome], prod: list[Outcome], ceiling: dict[str, Ceiling]) -> list[str]:
    lines = ["Targets from the issue:", ""]
    sqlite = [o for o in prod if o.backend == "SQLite"]
    if sqlite:
        best = max(sqlite, key=lambda o: o.rate)
        lines.append(
            f"- At least {TARGET_RATE:,.0f} durable submissions/s with SQLite: best "
            f"{best.rate:.0f}/s ({best.label}), {best.rate / ceiling['SQLite'].raw:.2f} of the "
            f"raw-commit ceiling of {ceiling['SQLite'].raw:.0f}/s: "
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
    one = by.get("SQLite, 1 worker")
    lines = ["What limits it:", ""]
    if one:
        lines.append(
            f"- One worker is one Python process, so one core at most: {one.cpu[0]:.2f} cores at "
            f"saturation, {1000 * one.cpu[0] / one.rate:.1f} ms of CPU per submission, where the "
            f"durable commit takes {1000 / ceiling['SQLite'].raw:.2f} ms in the loop and "
            f"`Store.save` {1000 / ceiling['SQLite'].save:.2f} ms. The database is not the "
            "bottleneck; the Python around it is."
        )
    if profile is not None:
        total, cats, places = profile_summary(profile)
        shares = "; ".join(f"{name} {v:.0%}" for name, v in cats[:9])
        lines.append(
            f"- Where that core goes (py-spy `--gil`, {total} samples of SQLite, 1 worker at "
            f"saturation, each sample given to its deepest frame in these groups): {shares}."
        )
        top = "; ".join(f"{p} {v:.0%}" for p, v in places)
        lines.append(f"- Deepest product frame per sample: {top}.")
    fast = by.get("SQLite, 1 worker + httptools/uvloop")
    if one and fast:
        lines.append(
            f"- uvicorn's C parser and event loop (`--http httptools --loop uvloop`; the project "
            f"depends on plain `uvicorn`, which has neither) give {fast.rate / one.rate:.2f}× "
            "one worker's rate: the HTTP layer is a part of the cost, not most of it."
        )
    switch = by.get("SQLite, 1 worker + 0.1 ms GIL switch interval")
    if one and switch:
        lines.append(
            "- Each save is handed to a worker thread (`run_in_threadpool` at "
            "`compiler/collect.py:317`), which needs the GIL back after every SQLite call while "
            "the event loop runs Python, and gets it when the loop blocks or after the 5 ms "
            f"switch interval. With a 0.1 ms interval (peer) one worker does "
            f"{switch.rate / one.rate:.2f}× the rate."
        )
    for backend in ("SQLite", "PostgreSQL"):
        single, double = by.get(f"{backend}, 1 worker"), by.get(f"{backend}, 2 workers")
        if not (single and double):
            continue
        line = (
            f"- {backend}: a second worker gives {double.rate / single.rate:.2f}× the rate; "
            f"the workers used {double.cpu[0]:.2f} cores, the rest of the machine "
            f"{double.rest:.2f} (PostgreSQL's processes, and other work on this shared machine)"
        )
        busy = double.cpu[0] + double.cpu[1] + double.rest + double.cpu[3]
        line += ": no core was left idle." if busy >= 1.7 else ", so cores were left idle."
        if backend == "SQLite":
            line += (
                " Two processes take turns at SQLite's one write lock, and a waiting one "
                "sleeps in SQLite's busy handler (1, 2, 5 … 100 ms, from `timeout=30` at "
                f"`compiler/store.py:248`) rather than queueing: p99 at saturation "
                f"{double.p99:.0f} ms against {single.p99:.0f} ms with one worker."
            )
        lines.append(line)
    two = by.get("SQLite, 2 workers")
    if one and two:
        line = (
            f"- One keep-alive connection posting back to back waits {two.single:.1f} ms (p50) "
            f"with 2 workers against {one.single:.1f} ms with 1."
        )
        if two.single > one.single + 20:
            line = line[:-1] + (
                ": with `--workers N` uvicorn binds the socket itself without naming its "
                "protocol (`Config.bind_socket`), asyncio then never sets TCP_NODELAY, and "
                "each response's body waits for the client's delayed ACK, about 40 ms (uvicorn "
                "issue #3149, open). Under paced load it strikes the posts that follow their "
                "connection's last one closely, so it shows in the p99, and a proxy's "
                "keep-alive upstream connection would meet it on every post."
            )
        nodelay = by.get("SQLite, 2 workers + TCP_NODELAY")
        if nodelay:
            line += (
                f" With TCP_NODELAY restored (peer, `bench/endpoint_uvicorn.py`): "
                f"{nodelay.single:.1f} ms, {nodelay.rate / two.rate:.2f}× the saturation "
                "rate of the production command"
            )
            if 0.5 in nodelay.levels and 0.5 in two.levels:
                line += (
                    f", p99 at half of saturation {nodelay.level(0.5)[2]:.0f} ms against "
                    f"{two.level(0.5)[2]:.0f} ms"
                )
            line += "."
        lines.append(line)
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


def _short(label: str) -> str:
    label = label.replace("0.1 ms GIL switch interval", "GIL switch 0.1 ms")
    return label.replace("httptools/uvloop", "httptools").replace(", ", "\n").replace(" + ", "\n+ ")


def plot(outcomes: list[Outcome], ceilings: list[Ceiling], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, ScalarFormatter

    ceiling = {c.backend: c for c in ceilings}
    fig, (bars, lat) = plt.subplots(1, 2, figsize=(14, 5.6), width_ratios=[1.25, 1])
    xs = list(range(len(outcomes)))
    colours = ["tab:gray" if o.peer else "tab:blue" for o in outcomes]
    bars.bar(xs, [o.rate for o in outcomes], color=colours, label="endpoint (grey: peer)")
    bars.scatter(
        xs, [ceiling[o.backend].raw for o in outcomes], marker="_", s=700, color="black",
        label="ceiling: raw commits/s of the same row",
    )  # fmt: skip
    bars.scatter(
        xs, [ceiling[o.backend].save for o in outcomes], marker="_", s=700, color="tab:green",
        label="Store.save in a loop",
    )  # fmt: skip
    bars.axhline(TARGET_RATE, color="tab:red", linestyle=":", label="target (SQLite)")
    for i, o in enumerate(outcomes):
        bars.annotate(f"{o.rate / ceiling[o.backend].raw:.2f}×", (i, o.rate), ha="center",
                      va="bottom", fontsize=8)  # fmt: skip
    bars.set_xticks(xs, [_short(o.label) for o in outcomes], fontsize=7)
    top = max(max(c.raw, c.save) for c in ceilings)
    bars.set_ylim(0, max(top, TARGET_RATE) * 1.45)
    bars.set_ylabel("durable submissions per second")
    bars.set_title("Throughput at saturation (number: endpoint ÷ ceiling)")
    bars.legend(fontsize=8, loc="upper center", ncol=2)
    for o in outcomes:
        if not o.levels:
            continue
        fr = sorted(o.levels)
        load = [100 * o.level(f)[0] / o.rate for f in fr]
        (line,) = lat.plot(load, [o.level(f)[2] for f in fr], marker="o", label=o.label)
        lat.plot(load, [o.level(f)[1] for f in fr], marker="x", linestyle="--",
                 color=line.get_color())  # fmt: skip
    lat.axhline(TARGET_P99_MS, color="tab:red", linestyle=":", label="p99 target")
    lat.set_yscale("log")
    lat.yaxis.set_major_locator(FixedLocator([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]))
    lat.yaxis.set_major_formatter(ScalarFormatter())
    lat.set_xlabel("achieved load, % of that configuration's saturation rate")
    lat.set_ylabel("latency, ms (log scale)")
    lat.set_title("Latency at paced load: p99 solid (o), p50 dashed (x)")
    lat.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
