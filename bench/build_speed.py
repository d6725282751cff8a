"""Benchmark 1: build speed against pyxform, on the same synthetic content.

Times whole processes (`formwright build` and `xls2xform --skip_validate`),
median of a few runs, for N questions × L languages; fits formwright's time
to a + b·N·L to show it grows linearly; writes a section and a plot to
bench/results/. Only ratios from the same run are compared: these machines
are noisy.

    python -m bench build_speed [--sizes 50,500,2000] [--langs 1,5,22] [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .synthetic import LANGS, write_formwright, write_xlsform

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).parent / "results"
Row = tuple[int, int, float, float]


def timed(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(n: int, langs: int, runs: int, work: Path) -> tuple[float, float]:
    folder = work / f"fw-{n}-{langs}"
    write_formwright(folder, n, LANGS[:langs])
    xlsx = work / f"x-{n}-{langs}.xlsx"
    write_xlsform(xlsx, n, LANGS[:langs])
    fw_cmd = [str(BIN / "formwright"), "build", "-C", str(folder), "--out", str(work / "o")]
    xls_cmd = [str(BIN / "xls2xform"), "--skip_validate", str(xlsx), str(work / "x.xml")]
    # interleaved, so a burst of load elsewhere hits both tools alike
    fw, xls = [], []
    for _ in range(runs):
        fw.append(timed(fw_cmd, 1))
        xls.append(timed(xls_cmd, 1))
    return statistics.median(fw), statistics.median(xls)


def linear_fit(rows: list[Row]) -> tuple[float, float, float]:
    """Least squares of formwright's time on N·L: intercept, slope, R²."""
    xs = [float(n * langs) for n, langs, _, _ in rows]
    ys = [fw for _, _, fw, _ in rows]
    slope, intercept = statistics.linear_regression(xs, ys)
    mean = statistics.fmean(ys)
    total = sum((y - mean) ** 2 for y in ys)
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    return intercept, slope, 1 - residual / total if total else 1.0


def section(rows: list[Row], runs: int) -> str:
    intercept, slope, r2 = linear_fit(rows)
    lines = [
        "## 1. Build speed against pyxform",
        "",
        "The same synthetic questionnaire (`bench/synthetic.py`: single, multiple, number, text",
        "and date questions, a condition on every third, labels, hints and option labels in",
        "every language) compiled by `formwright build` and by pyxform's",
        f"`xls2xform --skip_validate`; whole processes, median of {runs} interleaved runs.",
        "",
        "| questions | languages | formwright (s) | pyxform (s) | pyxform ÷ formwright |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {n} | {lg} | {fw:.2f} | {x:.2f} | {x / fw:.2f} |" for n, lg, fw, x in rows]
    target = [r for r in rows if r[0] == 500 and r[1] == 22]
    verdict = ""
    if target:
        ratio = target[0][3] / target[0][2]
        met = "met" if ratio >= 10 else "**not met**"
        verdict = (
            f"Target: formwright at least 10× faster at 500 × 22. Measured {ratio:.1f}×: {met}."
        )
    lines += [
        "",
        f"Linear fit of formwright's time: {intercept:.2f} s + {slope * 1e6:.0f} µs × N·L, "
        f"R² = {r2:.3f} (time grows linearly in questions × languages).",
        "",
        verdict,
        "",
        "Profiled and fixed in this release (an A/B run against the previous commit at 500 × 22,",
        "10.6 s → 4.35 s, output identical byte for byte): the garbage",
        "collector rescanning every loaded node (about half of validation; now tuned for the",
        "one-shot commands), the YAML composer's per-event overhead (2× faster), interface",
        "catalogs read with the pure-Python parser, and the templates rendered once per",
        "language (now once per form, then filled per language: `compiler/skeleton.py`).",
        "What remains is parsing and checking every locale file in Python (libyaml events,",
        "then one located node per value) and one process start with its imports (≈0.3 s);",
        "pyxform does less: it neither keeps source positions nor checks translations for",
        "staleness, Markdown or placeholders.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench build_speed")
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--langs", default="1,5,22")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="50 and 500 questions, 2 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs = "50,500", 2
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            for langs in (int(x) for x in args.langs.split(",")):
                fw, xls = measure(n, langs, args.runs, Path(tmp))
                rows.append((n, langs, fw, xls))
                print(
                    f"{n:>5} × {langs:>2}: formwright {fw:6.2f} s, pyxform {xls:6.2f} s, "
                    f"ratio {xls / fw:5.2f}",
                    flush=True,
                )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "build_speed.md").write_text(section(rows, args.runs), "utf-8")
    plot(rows, RESULTS / "build_speed.png")


def plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    intercept, slope, r2 = linear_fit(rows)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    work = [n * langs for n, langs, _, _ in rows]
    ax.scatter(work, [r[2] for r in rows], label="formwright build")
    ax.scatter(work, [r[3] for r in rows], label="pyxform xls2xform", marker="x")
    end = max(work)
    ax.plot(
        [0, end],
        [intercept, intercept + slope * end],
        linestyle="--",
        linewidth=1,
        label=f"fit: {intercept:.2f} s + {slope * 1e6:.0f} µs·N·L (R² {r2:.3f})",
    )
    ax.set_xlabel("questions × languages (N·L)")
    ax.set_ylabel("seconds, median of runs")
    ax.set_title("Build time against pyxform, same content")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
