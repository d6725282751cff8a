"""Health and counters, for the operator: is the store answering, and how did posts end.

GET /health answers 200 only when the store answers a trivial query (one that reads
the database itself) within PROBE_DEADLINE seconds, else 503; never cached.

GET /metrics answers in Prometheus's text exposition format (version 0.0.4):

- `formwright_store_up`: whether the store answered this scrape's query in time;
- `formwright_responses_stored_total{questionnaire}`: the rows kept, read from the
  store, so the same whichever worker answers (and across hosts sharing one
  PostgreSQL); a row keeps only its rounded day, so rates per hour are Prometheus's
  `increase(...[1h])` over scrapes, never read from the rows;
- `formwright_posts_answered_total{worker, status}` and
  `formwright_honeypot_total{worker}`: this worker process's own counts since it
  started. Workers are separate processes and a scrape reaches one of them; each
  labels its counts with a small index (0, 1, ...) that no live sibling holds.

Nothing here holds what a client sent: statuses are the endpoint's own, questionnaire
ids the build's, and no time finer than the scrape's own is kept.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..store import Store

PROBE_DEADLINE = 2.0  # seconds the store has to answer a probe
PATHS = ("/health", "/metrics")
# Documented statuses, shown at 0 from the start so a rate can be taken at once.
STATUSES = (201, 303, 400, 404, 405, 410, 413, 415, 422, 429, 503)
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
T = TypeVar("T")


class Counters:
    """One worker's counts of the posts it answered; touched only on the event loop."""

    def __init__(self) -> None:
        self.answered: Counter[int] = Counter(dict.fromkeys(STATUSES, 0))
        self.honeypot = 0


class Probe:
    """Runs one store query at a time in a thread and waits for it at most a deadline.

    A probe that finds the same query still running (a concurrent request, or a store
    that hangs) waits for that one instead of queueing another thread behind it, so a
    hung store holds one thread per query, however often it is probed."""

    def __init__(self, deadline: float = PROBE_DEADLINE) -> None:
        self.deadline = deadline
        self._running: dict[str, asyncio.Future[Any]] = {}

    async def run(self, name: str, query: Callable[[], T]) -> tuple[bool, T | None]:
        future = self._running.get(name)
        if future is None or future.done():
            future = asyncio.get_running_loop().run_in_executor(None, query)
            self._running[name] = future
        try:
            return True, await asyncio.wait_for(asyncio.shield(future), self.deadline)
        except Exception:  # a driver's error, a closed store, the deadline: not answering
            future.add_done_callback(_quiet)
            return False, None


def _quiet(future: asyncio.Future[Any]) -> None:
    with suppress(BaseException):
        future.exception()  # read, so that asyncio does not log it as never retrieved


class WorkerIndex:
    """The lowest index (0, 1, ...) no live sibling holds, never a process id.

    Claimed by binding a Linux abstract socket named after the parent process (the
    supervisor of `--workers N`); the kernel frees it when this process dies, so a
    restarted worker takes its predecessor's index. Where that is impossible, a random
    token stands in."""

    def __init__(self) -> None:
        self._sock: socket.socket | None = None
        self._value: str | None = None
        self._lock = threading.Lock()

    def value(self) -> str:
        with self._lock:
            if self._value is None:
                self._value = self._claim()
            return self._value

    def _claim(self) -> str:
        for index in range(1024):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.bind(f"\0formwright-worker-{os.getppid()}-{index}")
            except OSError:
                sock.close()
                continue
            self._sock = sock
            return str(index)
        return secrets.token_hex(3)

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def exposition(up: bool, stored: dict[str, int] | None, counters: Counters, worker: str) -> str:
    """The samples in Prometheus's text format, one per line, each family typed."""
    w = f'worker="{_label(worker)}"'
    lines = [
        "# HELP formwright_store_up Whether the store answered this scrape's query in time.",
        "# TYPE formwright_store_up gauge",
        f"formwright_store_up {int(up)}",
        "# HELP formwright_responses_stored_total Responses kept in the store (all workers).",
        "# TYPE formwright_responses_stored_total counter",
    ]
    for questionnaire, n in sorted((stored or {}).items()):
        lines.append(
            f'formwright_responses_stored_total{{questionnaire="{_label(questionnaire)}"}} {n}'
        )
    lines += [
        "# HELP formwright_posts_answered_total Posts this worker answered, by status.",
        "# TYPE formwright_posts_answered_total counter",
    ]
    for status, n in sorted(counters.answered.items()):
        lines.append(f'formwright_posts_answered_total{{{w},status="{status}"}} {n}')
    lines += [
        "# HELP formwright_honeypot_total Posts with the honeypot filled (answered 303, not kept).",
        "# TYPE formwright_honeypot_total counter",
        f"formwright_honeypot_total{{{w}}} {counters.honeypot}",
    ]
    return "\n".join(lines) + "\n"


class Operations:
    """The /health and /metrics handlers over one store and one worker's counters."""

    def __init__(self, store: Store, counters: Counters, deadline: float = PROBE_DEADLINE):
        self.store, self.counters = store, counters
        self.probe = Probe(deadline)
        self.worker = WorkerIndex()

    async def health(self, request: Request) -> Response:
        ok, _ = await self.probe.run("health", self.store.ping)
        if ok:
            return PlainTextResponse("ok\n", headers=HEADERS)
        return PlainTextResponse("the store is not answering\n", 503, headers=HEADERS)

    async def metrics(self, request: Request) -> Response:
        up, stored = await self.probe.run("metrics", self.store.counts)
        text = exposition(up, stored, self.counters, self.worker.value())
        return Response(text, headers=HEADERS, media_type=METRICS_TYPE)
