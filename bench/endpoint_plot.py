"""The plot for bench/endpoint.py: throughput against the ceilings, latency at paced load.

Apart from the section's text (bench/endpoint_report.py) so each module stays short.
"""

from __future__ import annotations

from pathlib import Path

from compiler.collect.writer import MAX_BATCH

from .endpoint_db import Ceiling
from .endpoint_report import TARGET_P99_MS, TARGET_RATE, Outcome


def _short(label: str) -> str:
    return label.replace(", ", "\n").replace(": ", "\n").replace("/", "/\n", 1)


def plot(outcomes: list[Outcome], ceilings: list[Ceiling], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter

    ceiling = {c.backend: c for c in ceilings}
    fig, (bars, lat) = plt.subplots(1, 2, figsize=(14, 5.6), width_ratios=[1.25, 1])
    xs = list(range(len(outcomes)))
    colours = ["tab:gray" if o.peer else "tab:blue" for o in outcomes]
    bars.bar(xs, [o.rate for o in outcomes], color=colours, label="endpoint (grey: peer)")
    bars.scatter(
        xs, [ceiling[o.backend].raw for o in outcomes], marker="_", s=700, color="black",
        label="ceiling: rows/s, one commit per row",
    )  # fmt: skip
    bars.scatter(
        xs, [ceiling[o.backend].batched for o in outcomes], marker="_", s=700, color="tab:purple",
        label=f"ceiling: rows/s, {MAX_BATCH} rows per commit",
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
    # Batched commits can be far above everything else: cap the axis, and say so.
    top = max(max(o.rate for o in outcomes), *(max(c.raw, c.save) for c in ceilings))
    limit = max(top, TARGET_RATE) * 1.45
    bars.set_ylim(0, limit)
    seen: set[str] = set()
    for i, o in enumerate(outcomes):
        batched = ceiling[o.backend].batched
        if batched > limit and o.backend not in seen:  # once per backend, over its first bar
            seen.add(o.backend)
            bars.annotate(f"batched ceiling ↑ {batched:.0f}", (i - 0.4, limit * 0.97),
                          ha="left", va="top", fontsize=7, color="tab:purple")  # fmt: skip
    bars.set_ylabel("durable submissions per second")
    bars.set_title("Throughput at saturation (number: endpoint ÷ one-commit-per-row ceiling)")
    bars.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=3)
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
    lat.yaxis.set_minor_formatter(NullFormatter())  # the fixed ticks above are enough
    lat.set_xlabel("achieved load, % of that configuration's saturation rate")
    lat.set_ylabel("latency, ms (log scale)")
    lat.set_title("Latency at paced load: p99 solid (o), p50 dashed (x)")
    lat.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
