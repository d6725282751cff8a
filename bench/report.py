"""Assemble bench/results.md from each benchmark's section in bench/results/.

Each benchmark writes `bench/results/<name>.md` (a section: heading, table,
notes) and `bench/results/<name>.png`; this puts them under one header that
says when and on what machine they were measured, so a reader can tell old
figures from new ones.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
from pathlib import Path

ORDER = ["build_speed", "page_weight", "endpoint", "validation_speed"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}"
    )


def write(results: Path) -> Path:
    sections = {p.stem: p.read_text("utf-8") for p in sorted(results.glob("*.md"))}
    names = [n for n in ORDER if n in sections] + sorted(set(sections) - set(ORDER))
    head = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {datetime.date.today().isoformat()}; machine: {machine()}.",
        "Each figure is a ratio against a peer or a baseline measured in the same run;",
        "the absolute times are only for reading the ratios (the machine is shared and noisy).",
        "",
    ]
    body = [sections[n].rstrip() + "\n" for n in names]
    out = results.parent / "results.md"
    out.write_text("\n".join(head) + "\n" + "\n".join(body), "utf-8")
    return out


if __name__ == "__main__":
    print(f"wrote {write(Path(__file__).parent / 'results')}")
