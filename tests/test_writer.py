"""The store's writer thread: saves answer after their commit, and wait together."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from test_store import held_write_lock, response

from compiler.collect.writer import Writer
from compiler.store import NewResponse, SQLiteStore, StoreError, StoreUnavailable

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: a browser test's driver may hold this one's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


DAY = date(2025, 1, 1)


class CountingStore(SQLiteStore):
    """The real SQLite store, recording how many saves each transaction held."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.upgrade()
        self.batches: list[int] = []

    def save_many(self, items: Sequence[tuple[NewResponse, date]]) -> list[str]:
        self.batches.append(len(items))
        return super().save_many(items)


def rows(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT submission_id, id FROM responses").fetchall())


def test_a_save_answers_only_after_its_commit_and_never_blocks_the_loop(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    writer = Writer(CountingStore(str(db)))
    new = response()

    async def main() -> str:
        with held_write_lock(db):
            task = asyncio.create_task(writer.save(new, DAY))
            await asyncio.sleep(0.4)  # the loop keeps running while the commit waits
            assert not task.done() and rows(db) == {}
        return await asyncio.wait_for(task, 10)

    rid = run(main())
    assert rows(db) == {new.submission_id: rid}
    writer.close()


def test_saves_waiting_together_share_one_commit(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    store = CountingStore(str(db))
    writer = Writer(store)
    shared = str(uuid.uuid4())
    news = [response() for _ in range(20)] + [response(shared), response(shared)]

    async def main() -> list[str]:
        with held_write_lock(db):
            first = asyncio.create_task(writer.save(response(), DAY))
            await asyncio.sleep(0.2)  # the writer now waits for the lock with one save
            rest = [asyncio.create_task(writer.save(n, DAY)) for n in news]
            await asyncio.sleep(0.2)
        await first
        return await asyncio.gather(*rest)

    ids = run(main())
    assert store.batches == [1, len(news)]
    stored = rows(db)
    assert len(stored) == 22 and ids[-1] == ids[-2] == stored[shared]
    assert all(stored[n.submission_id] == rid for n, rid in zip(news, ids, strict=True))
    writer.close()


def test_one_failing_save_does_not_fail_the_others_in_its_batch(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    store = CountingStore(str(db))
    writer = Writer(store)
    good = [response() for _ in range(3)]
    bad = response(a=object())  # cannot be stored as JSON

    async def main() -> list[str | BaseException]:
        with held_write_lock(db):
            first = asyncio.create_task(writer.save(response(), DAY))
            await asyncio.sleep(0.2)
            tasks = [asyncio.create_task(writer.save(n, DAY)) for n in (good[0], bad, *good[1:])]
            await asyncio.sleep(0.2)
        await first
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = run(main())
    assert isinstance(results[1], TypeError)
    assert [r for r in results if isinstance(r, str)] == [rows(db)[n.submission_id] for n in good]
    assert store.batches[:2] == [1, 4]  # the batch failed whole, then each was saved alone
    writer.close()


def test_close_commits_what_is_queued_then_refuses(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    writer = Writer(CountingStore(str(db)))
    news = [response() for _ in range(5)]

    async def main() -> None:
        tasks = [asyncio.create_task(writer.save(n, DAY)) for n in news]
        await asyncio.sleep(0)  # all queued
        await asyncio.to_thread(writer.close)
        await asyncio.gather(*tasks)
        with pytest.raises(StoreError):
            await writer.save(response(), DAY)

    run(main())
    assert set(rows(db)) == {n.submission_id for n in news}


def test_an_unavailable_database_fails_the_batch_at_once(tmp_path: Path) -> None:
    # Retrying each save alone would make every request wait the lock's timeout again.
    db = tmp_path / "r.sqlite3"
    store = CountingStore(str(db))
    store.lock_wait = 0.3
    writer = Writer(store)
    saves = [response() for _ in range(6)]

    async def main() -> list[BaseException | str]:
        with held_write_lock(db):
            first = asyncio.create_task(writer.save(saves[0], DAY))
            await asyncio.sleep(0.05)  # the writer is now waiting; the rest queue behind
            rest = [asyncio.create_task(writer.save(s, DAY)) for s in saves[1:]]
            return await asyncio.gather(first, *rest, return_exceptions=True)

    results = run(main())
    assert all(isinstance(r, StoreUnavailable) for r in results)
    assert store.batches == [1, 5]  # two transactions tried, no save retried alone
    writer.close()
