"""Databases for bench/endpoint.py: fresh ones, the raw-commit ceilings, the row audit.

The ceilings commit the endpoint's own row to the endpoint's own table (made
by `open_store`, so the same schema and indexes) with the same durability,
from a plain loop: what the database allows before any HTTP, JSON or
checking. One is one commit per row; the endpoint's writer thread commits
every save queued while it committed the previous ones, up to
`compiler.collect.writer.MAX_BATCH` rows per transaction, so it can pass that one, and
the second ceiling commits full batches of that size. `Store.save` in a loop
(one row per transaction) shows the store's own cost beside the first.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from compiler.collect.writer import MAX_BATCH
from compiler.store import NewResponse, open_store

from .endpoint_load import Run

INSERT = (
    "INSERT INTO responses (id, submission_id, questionnaire, version, language, submitted,"
    " answers) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


@dataclass
class Ceiling:
    backend: str
    raw: float  # rows/s committed one per transaction
    batched: float  # rows/s committed MAX_BATCH per transaction
    save: float  # Store.save calls/s, one row per transaction (adds the SELECT back and JSON)


@dataclass
class Integrity:
    ok: int  # 2xx responses counted by wrk
    ids: int  # row ids read from those responses
    rows: int
    lost: int  # acknowledged, not stored
    duplicated: int  # one row acknowledged twice, or one submission stored twice
    unacknowledged: int  # stored, but wrk stopped before the answer arrived
    unanswered: int  # requests wrk sent and never saw answered
    other: int  # non-2xx statuses
    errors: int  # socket errors and timeouts

    @property
    def sound(self) -> bool:
        return (
            self.lost == 0
            and self.duplicated == 0
            and self.ids == self.ok
            and self.unacknowledged <= self.unanswered
        )


@contextmanager
def database(backend: str, work: Path, pg_url: str, name: str) -> Iterator[str]:
    """A fresh database URL: a new SQLite file, or a new PostgreSQL schema dropped after."""
    if backend == "SQLite":
        yield str(work / f"{name}.sqlite3")
        return
    import psycopg

    schema = f"fw_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in pg_url else "?"
    try:
        yield f"{pg_url}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _connect(url: str) -> tuple[Any, str]:
    if url.startswith("postgresql://"):
        import psycopg

        return psycopg.connect(url, autocommit=True), "%s"
    conn = sqlite3.connect(url, isolation_level=None)
    # Same settings as compiler/store/sqlite.py, so the ceiling pays what the endpoint pays.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn, "?"


def audit(url: str, runs: list[Run]) -> Integrity:
    """Every acknowledged row id must be stored once; rows beyond the 2xx count were
    still in flight when wrk stopped (bounded by the requests it left unanswered)."""
    conn, _ = _connect(url)
    stored = {str(r[0]) for r in conn.execute("SELECT id FROM responses").fetchall()}
    same_sid = conn.execute(
        "SELECT COUNT(*) - COUNT(DISTINCT submission_id) FROM responses"
    ).fetchone()[0]
    conn.close()
    acked = [i for r in runs for i in r.ids]
    unique = set(acked)
    return Integrity(
        ok=sum(r.ok for r in runs),
        ids=len(acked),
        rows=len(stored),
        lost=len(unique - stored),
        duplicated=len(acked) - len(unique) + int(same_sid),
        unacknowledged=len(stored - unique),
        unanswered=sum(r.sent - r.responses for r in runs),
        other=sum(n for r in runs for st, n in r.statuses.items() if not 200 <= st < 300),
        errors=sum(sum(r.errors.values()) for r in runs),
    )


def _rate(step: Callable[[], object], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        count += 1
    return count / (time.perf_counter() - start)


class CeilingLoop:
    """Rows/s committed one per transaction and MAX_BATCH per transaction, and Store.save/s."""

    def __init__(self, url: str, answers_json: str) -> None:
        self.store = open_store(url)  # the schema and indexes the endpoint writes to
        self.conn, mark = _connect(url)
        self.begin = "BEGIN IMMEDIATE" if mark == "?" else "BEGIN"
        self.insert = INSERT.replace("?", mark)
        self.answers_json, self.answers = answers_json, json.loads(answers_json)
        self.today = date.today()
        self.raw: list[float] = []
        self.batched: list[float] = []
        self.saves: list[float] = []
        _rate(self.commit_row, 0.5)  # caches, connection and files warm for all three
        _rate(self.commit_batch, 0.5)
        _rate(self.save, 0.5)

    def _insert(self) -> None:
        ids = (str(uuid.uuid4()), str(uuid.uuid4()))
        day = self.today.isoformat()
        self.conn.execute(self.insert, (*ids, "victim-voice", "v", "en", day, self.answers_json))

    def commit_row(self) -> None:
        self.conn.execute(self.begin)
        self._insert()
        self.conn.execute("COMMIT")

    def commit_batch(self) -> None:
        self.conn.execute(self.begin)
        for _ in range(MAX_BATCH):
            self._insert()
        self.conn.execute("COMMIT")

    def save(self) -> None:
        response = NewResponse(str(uuid.uuid4()), "victim-voice", "v", "en", self.answers)
        self.store.save(response, self.today)

    def measure(self, seconds: float) -> None:
        self.raw.append(_rate(self.commit_row, seconds))
        self.batched.append(MAX_BATCH * _rate(self.commit_batch, seconds))
        self.saves.append(_rate(self.save, seconds))

    def result(self, backend: str) -> Ceiling:
        median = statistics.median
        return Ceiling(backend, median(self.raw), median(self.batched), median(self.saves))

    def close(self) -> None:
        self.conn.close()
        self.store.close()
