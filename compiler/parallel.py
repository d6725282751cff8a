"""Run a build's independent per-language jobs on every core.

Reading and checking a locale file, and filling one language's pages, need
nothing from the other languages, and together they are most of a large
build. Worker processes are forked, so they start with everything the parent
has already loaded (the questionnaire, the form's skeleton) and only a job's
number goes out and its result comes back. Where forking is not possible or
not safe (no fork on this platform, other threads running), or the input is
too small for a pool to pay for itself, jobs run one after another in this
process; the result is the same either way, in the same order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

R = TypeVar("R")

# Below this much input, starting and stopping two processes (about 20 ms) costs
# more than they save; a 22-language Victim Voice build is above it.
AUTO_MIN_BYTES = 256 * 1024
# A CPU quota in a container is not in the affinity mask: on a large host, one
# process per visible core would be dozens of forks for a couple of real cores.
MAX_AUTO_PROCESSES = 8

_job: Callable[[int], Any] | None = None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    # A process forked while another thread holds a lock inherits the lock, held forever.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def processes(jobs: int, count: int, input_bytes: int) -> int:
    """How many processes to use for `count` jobs over `input_bytes` of input.

    `jobs` is what the user asked for: 0 lets the size of the input decide, 1 runs
    everything here, N uses at most N processes.
    """
    if count < 2 or jobs == 1 or not can_fork():
        return 1
    if jobs == 0:
        if input_bytes < AUTO_MIN_BYTES:
            return 1
        jobs = min(cores(), MAX_AUTO_PROCESSES)
    return max(1, min(jobs, count))


def _run(index: int) -> Any:
    assert _job is not None, "workers are forked after the job is set"
    return _job(index)


def _quiet() -> None:
    # Ctrl-C reaches the whole process group: the parent reports it once, and
    # the pool ends its workers; their own tracebacks would only be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run(job: Callable[[int], R], count: int, workers: int) -> list[R]:
    """`[job(0), ..., job(count - 1)]`, computed by `workers` forked processes.

    If the pool breaks (a worker killed, say by the out-of-memory killer, or an
    error that cannot travel back), the jobs run again here: the same results,
    or the real error with its own message.
    """
    global _job
    if workers < 2:
        return [job(i) for i in range(count)]
    _job = job
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet) as pool:
            return list(pool.map(_run, range(count)))
    except BrokenProcessPool:
        return [job(i) for i in range(count)]
    finally:
        _job = None
