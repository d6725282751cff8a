"""The py-spy profile for bench/endpoint.py: taking it, and summing it up.

py-spy is not a dependency of the project; `pip install py-spy` into the
virtual environment (or anywhere on PATH) and the full run takes a profile.
`--gil` samples only the thread holding the GIL, the event loop's or the
writer's: where one worker's one core of Python goes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from .endpoint_load import Run, run_wrk

# Where a GIL sample's time goes: its deepest frame in one of these files decides,
# so time in the json module under Store.save_many counts for the store.
CATEGORIES = [
    (("compiler/store/",), "Store.save_many: SQL, JSON and commit (compiler/store/)"),
    (
        ("compiler/collect/writer.py",),
        "writer thread: batching, waking the loop (compiler/collect/writer.py)",
    ),
    (
        ("compiler/collect/answers.py", "compiler/language/evaluate.py"),
        "checking the answers (collect/answers.py, language/evaluate.py)",
    ),
    (("compiler/",), "other endpoint code, JSON parsing (compiler/collect/)"),
    (("logging/",), "access log (logging)"),
    (("h11", "httptools", "uvicorn/protocols"), "HTTP protocol (h11, uvicorn/protocols)"),
    (("starlette/",), "Starlette routing, middleware, responses"),
    (("threading.py", "queue.py"), "thread hand-off (threading, queue)"),
    (("asyncio/", "selectors.py", "uvloop"), "event loop (asyncio)"),
]
LAUNCHER = "run_endpoint (compiler/collect/server.py"


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"  # the venv's, when it is not on PATH
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


def profiled_run(
    pid: int, url: str, body: Path, work: Path, connections: int, seconds: float, out: Path
) -> Run:
    """A saturation run while py-spy samples the thread holding the GIL."""
    seconds = max(3.0, seconds)
    command = [py_spy() or "py-spy", "record", "--pid", str(pid), "--gil", "--rate", "200"]
    command += ["--duration", f"{seconds - 1:.0f}", "--format", "raw", "-o", str(out)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run = run_wrk(url, body, work, connections, seconds)
    spy.wait(60)
    return run


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
        # With one worker, uvicorn runs under `formwright endpoint`'s own frames (cli/,
        # run_endpoint): they sit under every event-loop sample and say nothing about it.
        launcher = [i for i, f in enumerate(frames) if f.startswith(LAUNCHER)]
        frames = frames[launcher[-1] + 1 :] if launcher else frames
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
