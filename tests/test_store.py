"""Storage on SQLite always, and on PostgreSQL when FORMWRIGHT_TEST_DATABASE_URL is set."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from collect_support import ROOT, postgres_schema

from compiler.store import (
    SCHEMA_VERSION,
    NewResponse,
    SQLiteStore,
    Store,
    StoreError,
    StoreUnavailable,
    open_store,
    round_date,
    sqlite_path,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "r.sqlite3")
    else:
        with postgres_schema() as pg:
            yield pg


def response(sid: str | None = None, **answers: object) -> NewResponse:
    return NewResponse(sid or str(uuid.uuid4()), "q", "1", "en", answers or {"a": 1})


def test_migrations_apply_once(url: str) -> None:
    store = open_store(url, upgrade=False)
    assert store.upgrade() == list(range(1, SCHEMA_VERSION + 1))
    assert store.upgrade() == []
    store.close()
    assert open_store(url).upgrade() == []  # opening upgrades, and finds nothing to do


def test_save_is_idempotent_per_submission(url: str) -> None:
    store = open_store(url)
    sid = str(uuid.uuid4())
    first = store.save(response(sid, a=1), date(2025, 3, 14))
    again = store.save(response(sid, a=2), date(2025, 3, 15))
    assert first == again and uuid.UUID(first)
    (stored,) = list(store.responses())
    assert (stored.id, stored.answers, stored.submitted) == (first, {"a": 1}, "2025-03-14")
    store.close()


def _drop_connection(pg: str, store: Store) -> int:
    import psycopg

    pid = int(store._conn.info.backend_pid)
    with psycopg.connect(pg, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    return pid


def test_a_dropped_postgresql_connection_is_opened_again() -> None:
    """A restart or failover must not leave every later save a 503 until the endpoint restarts."""
    with postgres_schema() as pg:
        store = open_store(pg)
        old = _drop_connection(pg, store)
        sid = str(uuid.uuid4())
        stored = store.save(response(sid), date(2025, 1, 1))  # no error: BEGIN is retried
        assert store._conn.info.backend_pid != old
        assert store.save(response(sid), date(2025, 1, 2)) == stored  # once, not twice
        _drop_connection(pg, store)
        assert store.count() == 1  # reads too
        _drop_connection(pg, store)
        assert [r.id for r in store.responses()] == [stored]
        store.close()


def test_postgresql_gives_up_on_a_silent_server_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from psycopg.conninfo import conninfo_to_dict

    with postgres_schema() as pg:
        store = open_store(pg)
        params = conninfo_to_dict(store._conninfo)  # type: ignore[attr-defined]
        assert (params["connect_timeout"], params["tcp_user_timeout"]) == ("10", "30000")
        store.close()
        with pytest.raises(Exception, match="closed"):
            store.count()  # closed by us: not opened again behind our back
        mine = open_store(pg + "&connect_timeout=3&tcp_user_timeout=5000")
        params = conninfo_to_dict(mine._conninfo)  # type: ignore[attr-defined]
        assert (params["connect_timeout"], params["tcp_user_timeout"]) == ("3", "5000")
        mine.close()
        monkeypatch.setenv("PGCONNECT_TIMEOUT", "4")
        env = open_store(pg)
        assert "connect_timeout" not in conninfo_to_dict(env._conninfo)  # type: ignore[attr-defined]
        env.close()


def test_an_unreachable_postgresql_is_a_503_until_it_is_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The endpoint answers StoreUnavailable with 503; a driver error would be a 500."""
    import psycopg

    from compiler.store.postgres import PostgresStore

    with postgres_schema() as pg:
        store = open_store(pg)
        assert isinstance(store, PostgresStore)
        real = store._connect

        def refused() -> object:
            raise psycopg.OperationalError("connection refused (the server is restarting)")

        monkeypatch.setattr(store, "_connect", refused)
        _drop_connection(pg, store)
        for _ in range(2):  # every attempt while the server is away, not only the first
            with pytest.raises(StoreUnavailable, match="connection refused"):
                store.save(response(), date(2025, 1, 1))
        monkeypatch.setattr(store, "_connect", real)
        store.save(response(), date(2025, 1, 1))
        assert store.count() == 1
        store.close()


def test_responses_in_batches_by_day(url: str) -> None:
    store = open_store(url)
    days = [date(2025, 1, d) for d in (3, 1, 2, 1, 3)]
    ids = {store.save(response(n=i), d) for i, d in enumerate(days)}
    store.save(NewResponse(str(uuid.uuid4()), "other", "1", "en", {}), date(2025, 1, 1))
    got = list(store.responses("q", batch=2))
    assert {r.id for r in got} == ids and len(got) == 5
    assert [r.submitted for r in got] == sorted(r.submitted for r in got)
    assert store.count("q") == 5 and store.count() == 6
    assert store.questionnaires() == ["other", "q"]
    store.close()


def test_manifests_remembered_once_in_order(url: str) -> None:
    store = open_store(url)
    store.remember_manifest({"id": "q", "version": "2"})
    store.remember_manifest({"id": "q", "version": "1", "n": 1})
    store.remember_manifest({"id": "q", "version": "2", "changed": True})
    assert store.manifests() == [{"id": "q", "version": "2"}, {"id": "q", "version": "1", "n": 1}]
    store.close()


def test_nothing_identifying_is_stored(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "r.sqlite3"))
    store.close()
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(responses)")]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert cols == [
        "id",
        "submission_id",
        "questionnaire",
        "version",
        "language",
        "submitted",
        "answers",
        "digest",  # a keyed digest of the answers, to tell a resend (collect/digests.py)
    ]
    assert mode == "wal"


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [("day", date(2025, 3, 14)), ("week", date(2025, 3, 10)), ("month", date(2025, 3, 1))],
)
def test_date_rounding(rounding: str, expected: date) -> None:
    assert round_date(date(2025, 3, 14), rounding) == expected  # a Friday


def test_bad_rounding_and_urls() -> None:
    with pytest.raises(ValueError):
        round_date(date(2025, 3, 14), "hour")
    with pytest.raises(StoreError, match="unsupported database URL"):
        open_store("mysql://x/y")
    with pytest.raises(StoreError, match="no folder"):
        open_store("/nonexistent/folder/r.sqlite3")
    assert sqlite_path("sqlite:///tmp/x.db") == "tmp/x.db"
    assert sqlite_path("postgresql://h/db") is None


def _writer(url: str, sids: list[str], out: multiprocessing.Queue[list[str]]) -> None:
    store = open_store(url)
    out.put([store.save(response(sid), date(2025, 1, 1)) for sid in sids])
    store.close()


def test_two_processes_lose_and_duplicate_nothing(url: str) -> None:
    open_store(url).close()
    sids = [str(uuid.uuid4()) for _ in range(150)]
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[list[str]] = ctx.Queue()
    # both write every submission, in opposite orders, at the same time
    procs = [ctx.Process(target=_writer, args=(url, order, out)) for order in (sids, sids[::-1])]
    for p in procs:
        p.start()
    first, second = out.get(timeout=60), out.get(timeout=60)
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert sorted(first) == sorted(second)  # both were told the same ids
    store = open_store(url)
    stored = list(store.responses())
    assert len(stored) == 150 and {r.id for r in stored} == set(first)
    store.close()


@contextmanager
def held_write_lock(db: Path) -> Iterator[None]:
    """Hold the lock file's flock, as another process's write transaction would."""
    fd = os.open(f"{db}-lock", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def test_sqlite_writers_queue_on_the_lock_file(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    store = open_store(str(db))
    assert (tmp_path / "r.sqlite3-lock").is_file()
    done = threading.Event()
    saver = threading.Thread(target=lambda: (store.save(response(), date(2025, 1, 1)), done.set()))
    with held_write_lock(db):
        saver.start()
        # SQLite itself is not locked, so only the lock file can hold the save back.
        assert not done.wait(0.5)
    assert done.wait(10)  # goes through once the lock file is free
    saver.join()
    assert store.count() == 1
    store.close()


def test_a_symlink_to_the_database_shares_its_lock_file(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    open_store(str(db)).close()
    link = tmp_path / "link.sqlite3"
    link.symlink_to(db)
    store = open_store(str(link))
    assert isinstance(store, SQLiteStore)
    store.lock_wait = 0.3
    assert not (tmp_path / "link.sqlite3-lock").exists()
    with held_write_lock(db), pytest.raises(StoreUnavailable, match="lock file"):
        store.save(response(), date(2025, 1, 1))
    store.close()


_HOLDER = """
import sys, time
from compiler.store import open_store
store = open_store(sys.argv[1])
store._begin_write()  # inside a write transaction, holding both locks
print("held", flush=True)
time.sleep(60)
"""


def test_the_lock_file_is_released_when_its_holder_dies(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    open_store(str(db)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db)], stdout=subprocess.PIPE, cwd=ROOT
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        store = open_store(str(db), upgrade=False)
        done = threading.Event()
        saver = threading.Thread(
            target=lambda: (store.save(response(), date(2025, 1, 1)), done.set())
        )
        saver.start()
        assert not done.wait(0.3)
        holder.send_signal(signal.SIGKILL)
        assert done.wait(10)
        saver.join()
        assert store.count() == 1
        store.close()
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_file_held_too_long_is_unavailable_not_a_hang(tmp_path: Path) -> None:
    """A stopped holder (SIGSTOP, a stuck upgrade) gives 503s, not requests that never end."""
    db = tmp_path / "r.sqlite3"
    store = open_store(str(db))
    assert isinstance(store, SQLiteStore)
    store.lock_wait = 0.3
    with held_write_lock(db), pytest.raises(StoreUnavailable, match="lock file"):
        store.save(response(), date(2025, 1, 1))
    store.save(response(), date(2025, 1, 1))  # the lock came back to the writer
    assert store.count() == 1
    store.close()
