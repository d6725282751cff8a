"""What every store does: the schema, its migrations, saving, reading, manifests.

What is stored is only what the survey promises: a random response id, the
questionnaire, its version and language, the answers, and the day (or week, or
month) of submission. No address, no browser, no precise time. The client's
submission id is kept unique so that a retried post stores once, with a keyed
digest of the answers (collect/digests.py) that tells a retry from other answers.

The schema is versioned; `upgrade` applies the missing migrations and runs on
every open, so a fresh database works at once and `formwright db upgrade` is
the same step taken on purpose. The drivers are in sqlite.py and postgres.py.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

ROUNDINGS = ("day", "week", "month")

# Each entry is one schema version; never edit a released one, append another.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            submission_id TEXT NOT NULL UNIQUE,
            questionnaire TEXT NOT NULL,
            version TEXT NOT NULL,
            language TEXT NOT NULL,
            submitted TEXT NOT NULL,
            answers TEXT NOT NULL
        )""",
        "CREATE INDEX responses_questionnaire ON responses (questionnaire, submitted)",
        """CREATE TABLE manifests (
            questionnaire TEXT NOT NULL,
            version TEXT NOT NULL,
            seen INTEGER NOT NULL,
            manifest TEXT NOT NULL,
            PRIMARY KEY (questionnaire, version)
        )""",
    ],
    [
        # The day the endpoint first served each version (NULL for versions remembered
        # before this column: the endpoint fills in the day it first reads them), and
        # the pages it needs to hand a refused respondent their answers back.
        "ALTER TABLE manifests ADD COLUMN first_seen TEXT",
        """CREATE TABLE pages (
            questionnaire TEXT NOT NULL,
            version TEXT NOT NULL,
            language TEXT NOT NULL,
            kind TEXT NOT NULL,
            page TEXT NOT NULL,
            PRIMARY KEY (questionnaire, version, language, kind)
        )""",
    ],
    [
        # A keyed digest of each response as stored (collect/digests.py), so that a post
        # under a stored submission id is told apart: the same answers or others. NULL
        # for rows stored before: those cannot be compared, and a resend of one is a 409.
        "ALTER TABLE responses ADD COLUMN digest TEXT",
    ],
]
LONG_AGO = "0001-01-01"  # first_seen of versions remembered before schema 2
DEADLINE = 15.0  # seconds a save may take, queue and locks included, before a 503
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The database cannot be opened or used (a server-side problem)."""


class LockTimeout(StoreError):
    """Another process held the SQLite lock file for too long."""


class StoreUnavailable(StoreError):
    """The database as a whole cannot write now (locked, unreachable): no save can succeed."""


@dataclass(frozen=True)
class NewResponse:
    submission_id: str
    questionnaire: str
    version: str
    language: str
    answers: dict[str, object]
    # A keyed digest of what is stored (collect/digests.py), to tell a resend from another
    # body under the same submission id; None for callers that do not compare.
    digest: str | None = None
    # The row's id if this save stores it; a save that finds its submission id gets the first's.
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(frozen=True)
class Version:
    """One version of a questionnaire the endpoint has served, and since when."""

    version: str
    first_seen: date
    manifest: dict[str, Any]


@dataclass(frozen=True)
class StoredResponse:
    id: str
    questionnaire: str
    version: str
    language: str
    submitted: str
    answers: dict[str, object]


def round_date(day: date, rounding: str) -> date:
    """The day itself, the Monday of its week, or the first of its month."""
    if rounding == "week":
        return day - timedelta(days=day.weekday())
    if rounding == "month":
        return day.replace(day=1)
    if rounding == "day":
        return day
    raise ValueError(f"date rounding must be one of {', '.join(ROUNDINGS)}, not {rounding!r}")


class Store:
    """One connection, shared by a process's threads under a lock."""

    placeholder = "?"

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    # --- backend specifics ----------------------------------------------------
    # The driver's own errors, which saving reports as StoreError (503, not 500).
    driver_errors: tuple[type[Exception], ...] = ()
    # Those of them that concern the whole database, not one response.
    unavailable_errors: tuple[type[Exception], ...] = ()

    def _begin_write(self) -> None:
        raise NotImplementedError

    def _end_write(self) -> None:
        """Called after every write transaction's COMMIT or ROLLBACK, even a failed one."""

    def _lock_migrations(self) -> None:
        """Serialise concurrent upgrades; called inside the write transaction."""

    def _ready(self) -> None:
        """Make the connection usable before a read (called under the lock)."""

    def _rollback(self) -> None:
        self._conn.execute("ROLLBACK")

    def _cause(self, exc: Exception) -> str:
        """What a driver error that stops every write means, in an operator's words."""
        return f"the database cannot write now: {exc}"

    # --- shared -------------------------------------------------------------
    def _sql(self, text: str) -> str:
        return text.replace("?", self.placeholder)

    def _run(self, text: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        cur = self._conn.execute(self._sql(text), tuple(args))
        rows = cur.fetchall() if cur.description else []
        return list(rows)

    def _read(self, text: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            self._ready()
            return self._run(text, args)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One durable write transaction, committed if the block ends normally."""
        with self._lock:
            self._begin_write()
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException:
                # SQLite ends the transaction itself on some errors (a full disk):
                # "cannot rollback" then would hide the cause, which is re-raised.
                with suppress(Exception):
                    self._rollback()
                raise
            finally:
                self._end_write()

    def _write(self, steps: list[tuple[str, Sequence[object]]]) -> list[list[tuple[Any, ...]]]:
        """Run statements in one durable transaction; each one's rows are returned."""
        with self._transaction():
            return [self._run(text, args) for text, args in steps]

    def upgrade(self) -> list[int]:
        """Apply missing migrations; returns the versions applied."""
        applied: list[int] = []
        with self._transaction():
            self._lock_migrations()
            self._run("CREATE TABLE IF NOT EXISTS formwright_schema (version INTEGER NOT NULL)")
            rows = self._run("SELECT version FROM formwright_schema")
            current = int(rows[0][0]) if rows else 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"the database has schema version {current}, newer than this "
                    f"formwright knows ({SCHEMA_VERSION}); upgrade formwright"
                )
            for number in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1]:
                    self._run(statement)
                applied.append(number)
            if applied:
                self._run("DELETE FROM formwright_schema")
                self._run("INSERT INTO formwright_schema VALUES (?)", (SCHEMA_VERSION,))
        return applied

    def save(self, response: NewResponse, submitted: date) -> str:
        """Store once per submission id; a retry gets the id stored the first time."""
        return self.save_many([(response, submitted)])[0]

    def save_many(self, items: Sequence[tuple[NewResponse, date]]) -> list[str]:
        """`save` for several responses in one transaction: one durable commit for all."""
        steps: list[tuple[str, Sequence[object]]] = []
        for response, submitted in items:
            steps.append(
                (
                    "INSERT INTO responses (id, submission_id, questionnaire, version, language,"
                    " submitted, answers, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (submission_id) DO NOTHING",
                    (
                        response.id,
                        response.submission_id,
                        response.questionnaire,
                        response.version,
                        response.language,
                        submitted.isoformat(),
                        json.dumps(response.answers, sort_keys=True),
                        response.digest,
                    ),
                )
            )
            steps.append(
                ("SELECT id FROM responses WHERE submission_id = ?", (response.submission_id,))
            )
        try:
            results = self._write(steps)
        except self.unavailable_errors as exc:
            # locked for too long or unreachable: every save would fail alike
            raise StoreUnavailable(self._cause(exc)) from exc
        except self.driver_errors as exc:
            # this response's own problem, or one the driver does not class
            raise StoreError(f"the database did not store the response: {exc}") from exc
        return [str(rows[0][0]) for rows in results[1::2]]

    def digest(self, submission_id: str) -> str | None:
        """The digest kept with the response stored under a submission id (None: none kept)."""
        try:
            rows = self._read(
                "SELECT digest FROM responses WHERE submission_id = ?", (submission_id,)
            )
        except self.driver_errors as exc:
            raise StoreError(f"the database cannot be read now: {exc}") from exc
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    def remember_manifest(self, man: dict[str, Any], today: date | None = None) -> None:
        """Keep each version's manifest so exports can read responses to old versions,
        with the day it was first served (rows from before that was kept count as long ago)."""
        day = (today or date.today()).isoformat()
        self._write(
            [
                (
                    "INSERT INTO manifests (questionnaire, version, seen, manifest, first_seen)"
                    " VALUES (?, ?, (SELECT COUNT(*) FROM manifests), ?, ?)"
                    " ON CONFLICT (questionnaire, version) DO NOTHING",
                    (man["id"], man["version"], json.dumps(man), day),
                ),
                # remembered before first_seen existed: already superseded, so no grace
                ("UPDATE manifests SET first_seen = ? WHERE first_seen IS NULL", (LONG_AGO,)),
            ]
        )

    def versions(self, questionnaire: str) -> list[Version]:
        """Every version of a questionnaire served so far, in the order first served."""
        rows = self._read(
            "SELECT version, first_seen, manifest FROM manifests WHERE questionnaire = ?"
            " ORDER BY seen",
            (questionnaire,),
        )
        today = date.today()
        return [
            Version(v, date.fromisoformat(seen) if seen else today, json.loads(man))
            for v, seen, man in rows
        ]

    def remember_pages(
        self, questionnaire: str, version: str, pages: dict[tuple[str, str], str]
    ) -> None:
        """Keep a version's pages, by (language, kind), unless they are kept already."""
        kept = {
            (lang, kind)
            for lang, kind in self._read(
                "SELECT language, kind FROM pages WHERE questionnaire = ? AND version = ?",
                (questionnaire, version),
            )
        }
        steps: list[tuple[str, Sequence[object]]] = [
            (
                "INSERT INTO pages (questionnaire, version, language, kind, page)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (questionnaire, version, lang, kind, page),
            )
            for (lang, kind), page in sorted(pages.items())
            if (lang, kind) not in kept
        ]
        if steps:
            self._write(steps)

    def pages(self, questionnaire: str, version: str) -> dict[tuple[str, str], str]:
        rows = self._read(
            "SELECT language, kind, page FROM pages WHERE questionnaire = ? AND version = ?",
            (questionnaire, version),
        )
        return {(lang, kind): page for lang, kind, page in rows}

    def manifests(self) -> list[dict[str, Any]]:
        """Every manifest remembered, oldest first."""
        rows = self._read("SELECT manifest FROM manifests ORDER BY seen, questionnaire, version")
        return [json.loads(r[0]) for r in rows]

    def count(self, questionnaire: str | None = None) -> int:
        where, args = self._filter(questionnaire)
        rows = self._read(f"SELECT COUNT(*) FROM responses{where}", args)
        return int(rows[0][0])

    def counts(self) -> dict[str, int]:
        """How many responses are kept for each questionnaire (for the endpoint's counters)."""
        rows = self._read("SELECT questionnaire, COUNT(*) FROM responses GROUP BY questionnaire")
        return {str(q): int(n) for q, n in rows}

    def ping(self) -> None:
        """A trivial query that reads the database itself (SQLite's `SELECT 1` would not)."""
        self._read("SELECT version FROM formwright_schema")

    def questionnaires(self) -> list[str]:
        rows = self._read("SELECT DISTINCT questionnaire FROM responses ORDER BY questionnaire")
        return [str(r[0]) for r in rows]

    def responses(
        self, questionnaire: str | None = None, batch: int = 500
    ) -> Iterator[StoredResponse]:
        """Responses ordered by day then random id, so the order reveals no sequence."""
        where, args = self._filter(questionnaire)
        after = ("", "")
        while True:
            clause = " AND " if where else " WHERE "
            rows = self._read(
                "SELECT id, questionnaire, version, language, submitted, answers"
                f" FROM responses{where}{clause}(submitted > ? OR (submitted = ? AND id > ?))"
                f" ORDER BY submitted, id LIMIT {int(batch)}",
                (*args, after[0], after[0], after[1]),
            )
            for row in rows:
                yield StoredResponse(
                    id=str(row[0]),
                    questionnaire=str(row[1]),
                    version=str(row[2]),
                    language=str(row[3]),
                    submitted=str(row[4]),
                    answers=json.loads(row[5]),
                )
            if len(rows) < batch:
                return
            after = (rows[-1][4], rows[-1][0])

    @staticmethod
    def _filter(questionnaire: str | None) -> tuple[str, tuple[object, ...]]:
        return (" WHERE questionnaire = ?", (questionnaire,)) if questionnaire else ("", ())

    def close(self) -> None:
        with self._lock:
            self._conn.close()
