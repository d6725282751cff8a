"""Build speed against pyxform, on the same synthetic content (benchmark 1).

Times whole processes (`formwright build` and `xls2xform --skip_validate`),
median of a few runs, for N questions × L languages, and writes a table and a
plot. Only ratios from the same run are compared: these machines are noisy.

    python -m bench.build_speed [--sizes 50,500] [--langs 1,5,22] [--runs 5]
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
    fw = timed(
        [str(BIN / "formwright"), "build", "-C", str(folder), "--out", str(work / "o")], runs
    )
    xls = timed([str(BIN / "xls2xform"), "--skip_validate", str(xlsx), str(work / "x.xml")], runs)
    return fw, xls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--langs", default="1,5,22")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench"))
    args = parser.parse_args()
    rows = []
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
    table = [
        "| questions | languages | formwright (s) | pyxform (s) | pyxform ÷ formwright |",
        "|---:|---:|---:|---:|---:|",
    ]
    table += [
        f"| {n} | {langs} | {fw:.2f} | {xls:.2f} | {xls / fw:.2f} |" for n, langs, fw, xls in rows
    ]
    (args.out / "build_speed.md").write_text("\n".join(table) + "\n", "utf-8")
    plot(rows, args.out / "build_speed.png")


def plot(rows: list[tuple[int, int, float, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    work = [n * langs for n, langs, _, _ in rows]
    ax.scatter(work, [r[2] for r in rows], label="formwright build")
    ax.scatter(work, [r[3] for r in rows], label="pyxform xls2xform", marker="x")
    ax.set_xlabel("questions × languages")
    ax.set_ylabel("seconds (median)")
    ax.set_title("Build time against pyxform, same content")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
