"""Where responses are kept: SQLite by default, PostgreSQL for postgresql:// URLs.

`open_store` picks the driver from the URL; everything else a caller needs is
re-exported here from base.py and sqlite.py.
"""

from __future__ import annotations

from pathlib import Path

from .base import (
    DEADLINE,
    MIGRATIONS,
    ROUNDINGS,
    SCHEMA_VERSION,
    LockTimeout,
    NewResponse,
    Store,
    StoredResponse,
    StoreError,
    StoreUnavailable,
    Version,
    round_date,
)
from .sqlite import SQLiteStore, sqlite_path

__all__ = [
    "DEADLINE",
    "MIGRATIONS",
    "ROUNDINGS",
    "SCHEMA_VERSION",
    "LockTimeout",
    "NewResponse",
    "SQLiteStore",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "StoredResponse",
    "Version",
    "open_store",
    "round_date",
    "sqlite_path",
]


def open_store(url: str, upgrade: bool = True, deadline: float = DEADLINE) -> Store:
    """Open a database by URL, applying missing migrations unless told not to.

    `deadline` bounds, in seconds, how long the database may keep one save waiting
    (SQLite's lock and busy timeout, PostgreSQL's statement and lock timeouts)."""
    path = sqlite_path(url)
    if path is not None:
        if path != ":memory:":
            parent = Path(path).parent
            if not parent.is_dir():
                raise StoreError(f"cannot open the SQLite database {path}: no folder {parent}")
        store: Store = SQLiteStore(path, deadline)
    else:
        from .postgres import PostgresStore  # psycopg only where it is used

        store = PostgresStore(url, deadline)
    if upgrade:
        store.upgrade()
    return store
