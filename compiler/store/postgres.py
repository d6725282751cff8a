"""PostgreSQL storage: the `Store` over psycopg 3, for endpoints on several machines."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .base import DEADLINE, Store, StoreError

# Unless the URL or libpq's environment sets them: a server that does not
# answer a new connection in 10 s, or stops acknowledging what was sent for
# 30 s (a failover that leaves the old connection half open), is unavailable
# (503), and the next save connects again; TCP alone would wait ~15 minutes.
DEFAULTS = (("connect_timeout", "10", "PGCONNECT_TIMEOUT"), ("tcp_user_timeout", "30000", ""))


class PostgresStore(Store):
    """PostgreSQL over one connection, opened again when the server drops it.

    A restarted server, a failover or an administrator's pg_terminate_backend
    leaves the connection broken; without a new one every later save would be a
    503 until the endpoint restarts.
    """

    placeholder = "%s"

    def __init__(self, url: str, deadline: float = DEADLINE) -> None:
        try:
            given = conninfo_to_dict(url)
            extra = {
                key: value
                for key, value, variable in DEFAULTS
                if key not in given and not (variable and os.environ.get(variable))
            }
            if "options" not in given and not os.environ.get("PGOPTIONS"):
                # The server gives up on a statement or a lock wait at the save's deadline,
                # so a stuck transaction ends instead of holding the writer behind it.
                ms = max(1, int(deadline * 1000))
                extra["options"] = f"-c statement_timeout={ms} -c lock_timeout={ms}"
            self._conninfo = make_conninfo(url, **extra) if extra else url
            conn = self._connect()
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to PostgreSQL: {exc}") from exc
        self.driver_errors = (psycopg.Error,)
        self.unavailable_errors = (psycopg.OperationalError,)
        super().__init__(conn)

    def _connect(self) -> Any:
        return psycopg.connect(self._conninfo, autocommit=True)

    def _ready(self) -> None:
        if self._conn.broken:  # dropped, not closed by us
            self._conn = self._connect()  # fails with OperationalError: 503, tried again next time

    def _read(self, text: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        try:
            return super()._read(text, args)
        except psycopg.OperationalError:
            if not self._conn.broken:
                raise
            return super()._read(text, args)  # reading twice is harmless; _ready reconnects

    def _rollback(self) -> None:
        if not self._conn.broken:  # the server rolled back what it had when it dropped us
            self._conn.execute("ROLLBACK")

    def _begin_write(self) -> None:
        self._ready()
        try:
            self._conn.execute("BEGIN")
        except psycopg.OperationalError:
            if not self._conn.broken:
                raise
            # Dropped while idle: nothing of this transaction reached the server,
            # so it can start again on a new connection.
            self._ready()
            self._conn.execute("BEGIN")

    def _lock_migrations(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(4242)")
