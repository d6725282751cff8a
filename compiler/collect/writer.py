"""One writer thread per store, which commits the saves waiting for it together.

The endpoint must not block its event loop on a durable commit, so a save runs
on another thread. Handing each one to a thread pool (`run_in_threadpool`)
cost about a tenth of a request's CPU when profiled (before this writer), and every
save paid a commit of its own. Here one thread takes every save queued while
it was committing the previous ones and stores them in one transaction (group
commit); each request's future is resolved only after the commit that holds
its row, so an acknowledged response is still on disk.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from ..store import NewResponse, Store, StoreError, StoreUnavailable

MAX_BATCH = 64  # bounds one transaction's time, and so the wait of the saves behind it


@dataclass(frozen=True)
class _Job:
    response: NewResponse
    submitted: date
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[str]


_Outcome = tuple["asyncio.Future[str]", str | None, BaseException | None]


class Writer:
    def __init__(self, store: Store, max_batch: int = MAX_BATCH) -> None:
        self.store, self.max_batch = store, max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._state = threading.Lock()
        self._closed = False

    async def save(self, response: NewResponse, submitted: date) -> str:
        """`Store.save` without blocking the event loop; returns once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        with self._state:
            if self._closed:
                raise StoreError("the store is closed")
            if self._thread is None:
                # Started on first use: daemonic, so an abandoned app never keeps
                # a process alive; an unacknowledged save lost at exit is retried.
                thread = threading.Thread(target=self._run, name="formwright-writer")
                thread.daemon = True
                thread.start()  # kept only once running: a failed start is tried again
                self._thread = thread
            self._queue.put(_Job(response, submitted, loop, future))
        return await future

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        with self._state:
            self._closed = True
            thread = self._thread
            self._queue.put(None)
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            batch = [job]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Job]) -> None:
        outcomes: list[tuple[_Job, str | None, BaseException | None]]
        try:
            ids = self.store.save_many([(job.response, job.submitted) for job in batch])
            outcomes = [(job, rid, None) for job, rid in zip(batch, ids, strict=True)]
        except StoreUnavailable as exc:
            # Locked or unreachable: each save alone would wait as long again.
            outcomes = [(job, None, exc) for job in batch]
        except Exception as exc:
            if len(batch) == 1:
                outcomes = [(batch[0], None, exc)]
            else:
                # One save's failure must not fail the others: each on its own.
                outcomes = [self._one(job) for job in batch]
        by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = defaultdict(list)
        for job, rid, error in outcomes:
            by_loop[job.loop].append((job.future, rid, error))
        for loop, results in by_loop.items():
            with suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                loop.call_soon_threadsafe(_resolve, results)  # one wake-up per loop

    def _one(self, job: _Job) -> tuple[_Job, str | None, BaseException | None]:
        try:
            return job, self.store.save(job.response, job.submitted), None
        except Exception as exc:
            return job, None, exc


def _resolve(results: list[_Outcome]) -> None:
    for future, rid, error in results:
        if future.done():  # the request was cancelled; its row, if any, stays stored
            continue
        if error is not None:
            future.set_exception(error)
        else:
            assert rid is not None
            future.set_result(rid)
