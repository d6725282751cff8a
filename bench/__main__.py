"""`python -m bench [--quick] [name ...]`: run benchmarks (all by default), write results.md.

Options (such as --quick) are passed on to each benchmark; see each module's --help.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from . import report

NAMES = report.ORDER


def main(argv: list[str]) -> int:
    # names first, then options (with their values) for every benchmark named
    first = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    names, options = argv[:first] or NAMES, argv[first:]
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(NAMES)}")
        return 2
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    for name in names:
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main(options)
    print(f"wrote {report.write(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
