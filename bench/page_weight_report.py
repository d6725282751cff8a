"""The section and the plot of benchmark 2 (bench/page_weight.py), from its measurements.

Kept apart from the measuring so each file reads on its own; every figure the
text states is computed here from the same run's numbers, including the
network floor that explains the first-render time.
"""

from __future__ import annotations

import gzip
import statistics
import textwrap
from pathlib import Path

import brotli

Sizes = tuple[int, int, int]
Timing = dict[str, float]
BYTES_TARGET = 25
RENDER_TARGET_MS = 1000
LATENCY_MS, BYTES_PER_S = 400, 50_000  # as page_weight.SLOW_3G


def sizes(data: bytes) -> Sizes:
    """Raw, gzip at level 9, brotli at quality 11."""
    return len(data), len(gzip.compress(data, 9, mtime=0)), len(brotli.compress(data, quality=11))


def _sizes(parts: dict[str, bytes]) -> dict[str, Sizes]:
    return {path: sizes(data) for path, data in parts.items()}


def _sum(rows: dict[str, Sizes]) -> Sizes:
    return (
        sum(r[0] for r in rows.values()),
        sum(r[1] for r in rows.values()),
        sum(r[2] for r in rows.values()),
    )


def _kb(s: Sizes) -> str:
    return " | ".join(f"{v / 1000:,.1f}" for v in s)


def _median(runs: list[Timing], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def section(
    weights: dict[str, dict[str, bytes]],
    model: Sizes,
    times: dict[str, list[Timing]],
    versions: dict[str, str],
    runs: int,
) -> str:
    ours, chooser, theirs = (_sizes(weights[k]) for k in ("formwright", "chooser", "surveyjs"))
    our_total, their_total = _sum(ours), _sum(theirs)
    ratio = tuple(t / o for t, o in zip(their_total, our_total, strict=True))
    version = ", ".join(f"{k} {v}" for k, v in versions.items())
    lines = [
        "## 2. Page weight and first render against SurveyJS",
        "",
        "The English Victim Voice form as `formwright build` writes it, against the same",
        f"questions as a SurveyJS model ({version}, installed from npm for the run) converted",
        "from the compiled `manifest.json` by `bench/page_weight_surveyjs.py`: same pages,",
        "question types, choices, hints, required flags and conditions (`visibleIf`), with the",
        "package's minified scripts and its default theme (the fontless build, so no request",
        "goes to Google Fonts). Bytes are every file the page makes the browser fetch, found",
        "by parsing the HTML and CSS; kB = 1,000 bytes.",
        "",
        "| page | file | raw kB | gzip -9 kB | brotli -q 11 kB |",
        "|---|---|---:|---:|---:|",
    ]
    for label, rows in (("formwright", ours), ("SurveyJS", theirs)):
        for path, s in rows.items():
            lines.append(f"| {label} | `{path.split('/', 1)[1]}` | {_kb(s)} |")
        lines.append(f"| **{label}** | **total** | {_kb(_sum(rows))} |")
    lines += [
        f"| SurveyJS | of which the model JSON (inline) | {_kb(model)} |",
        "| formwright | language chooser page, more if it is the entry point "
        f"(it carries its own copy of the stylesheet) | {_kb(_sum(chooser))} |",
        "| | **SurveyJS ÷ formwright** | " + " | ".join(f"**{r:.1f}×**" for r in ratio) + " |",
        "",
    ]
    base = _median(times["formwright"], "first")
    lines += [
        "First render: both served from a local thread with `Content-Encoding: gzip` (the",
        "gzip -9 bytes above), in Chromium with Network.emulateNetworkConditions (400 ms",
        "latency, 50,000 B/s) and 4× CPU throttling, viewport 360 × 640, a fresh context per",
        f"load, the three cases interleaved, median of {runs}. The time is the page's own",
        "`performance.now()` (from navigation start) in the first animation frame where the",
        "first question's text is laid out and visible, recorded by an init script; with the",
        "page's JavaScript off, when no frame callback runs, it is the later of first",
        "contentful paint and the end of parsing (an upper bound).",
        "",
        "| case | first question visible, ms | HTML received, ms | stylesheets received, ms "
        "| ÷ formwright |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, loads in times.items():
        first = _median(loads, "first")
        css_at = _median(loads, "css")  # 0 when no stylesheet is fetched
        lines.append(
            f"| {name} | {first:,.0f} | {_median(loads, 'html'):,.0f} | "
            f"{f'{css_at:,.0f}' if css_at else 'none fetched'} | {first / base:.2f} |"
        )
    html = next(iter(ours.values()))[1]  # the page comes first
    css = sum(s[1] for p, s in ours.items() if p.endswith(".css"))
    floor = 2 * LATENCY_MS + (html + css) / BYTES_PER_S * 1000
    static = _median(times["formwright, no JavaScript"], "first")
    arrived = _median(times["formwright"], "css")
    gzip_met, brotli_met = ratio[1] >= BYTES_TARGET, ratio[2] >= BYTES_TARGET
    render_met = max(base, static) < RENDER_TARGET_MS

    def word(met: bool) -> str:
        return "met" if met else "**not met**"

    raw_met = ratio[0] >= BYTES_TARGET
    if gzip_met and brotli_met and raw_met:
        outcome = "met for every encoding."
    elif gzip_met:
        outcome = (
            f"met with gzip (the encoding every server offers), {word(brotli_met)} with"
            f" brotli, {word(raw_met)} uncompressed."
        )
    else:
        outcome = "**not met**."
    verdict = (
        f"**Target: at least {BYTES_TARGET}× fewer bytes.** Measured {ratio[1]:.1f}× gzip, "
        f"{ratio[2]:.1f}× brotli, {ratio[0]:.1f}× raw: {outcome}"
        " SurveyJS's weight is almost all `survey.core.min.js`, which brotli packs better"
        " than gzip does. formwright's is mostly its"
        f" HTML ({html / our_total[1]:.0%} of the gzip bytes, its stylesheet included), which"
        " carries every page of the form, with each question's hint, error slot, specify"
        " field and (for respondents without JavaScript) a note on when to answer it; the"
        " minified script is the rest."
    )
    timing = (
        f"**Target: first question visible in under {RENDER_TARGET_MS / 1000:.0f} s.**"
        f" Measured {base:,.0f} ms with JavaScript and {static:,.0f} ms without: "
        + ("met." if render_met else "**not met**.")
    )
    if css:
        timing += (
            " The page needs two requests one after the other (the HTML, then its"
            " render-blocking stylesheet), each with 400 ms latency, plus"
            f" {html + css:,} gzip bytes at 50,000 B/s, a floor of {floor:,.0f} ms; the"
            f" stylesheet arrived at {arrived:,.0f} ms."
        )
    else:
        timing += (
            " The stylesheet is inside the HTML (allowed by its hash in the page's"
            " Content-Security-Policy), so one request with 400 ms latency precedes the"
            " first paint, and Chromium lays out the first question while the rest of the"
            " page and the deferred script still arrive: the first question can be visible"
            " before the whole HTML is received."
        )
    lines += ["", textwrap.fill(verdict, 90), "", textwrap.fill(timing, 90), ""]
    lines += [
        "Limits: DevTools emulation adds latency per request but has no TCP slow start, TLS",
        "or packet loss, so real slow-3G loads are slower for both, more so for the larger",
        "download; the CPU slowdown is relative to this (shared, noisy) machine, which is",
        "why only ratios from one run are compared. The SurveyJS page is the minimum a site",
        "needs (no translations, no fonts), so its figures are a lower bound.",
    ]
    return "\n".join(lines) + "\n"


def plot(weights: dict[str, dict[str, bytes]], times: dict[str, list[Timing]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals = {"formwright": _sum(_sizes(weights["formwright"]))}
    totals["SurveyJS"] = _sum(_sizes(weights["surveyjs"]))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    width = 0.38
    for i, (label, index) in enumerate((("gzip -9", 1), ("brotli -q 11", 2))):
        xs = [x + (i - 0.5) * width for x in range(len(totals))]
        values = [s[index] / 1000 for s in totals.values()]
        bars = left.bar(xs, values, width, label=label)
        left.bar_label(bars, fmt="%.1f", fontsize=8)
    left.set_xticks(range(len(totals)), list(totals))
    left.set_ylabel("kB downloaded (1 kB = 1,000 bytes)")
    left.set_title("Bytes for the English form")
    left.legend()
    names = list(times)
    medians = [_median(times[n], "first") for n in names]
    lows = [m - min(r["first"] for r in times[n]) for n, m in zip(names, medians, strict=True)]
    highs = [max(r["first"] for r in times[n]) - m for n, m in zip(names, medians, strict=True)]
    bars = right.bar(range(len(names)), medians, yerr=[lows, highs], capsize=4, color="tab:green")
    right.bar_label(bars, fmt="%.0f", fontsize=8, padding=6)
    right.axhline(RENDER_TARGET_MS, linestyle="--", color="grey", label="target: 1 s")
    right.set_xticks(range(len(names)), [n.replace(", ", ",\n") for n in names])
    right.set_ylabel("ms to first question visible (median, min–max)")
    right.set_title("First render, slow 3G + 4× CPU")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
