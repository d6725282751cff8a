"""SQLite storage, the default: one file, writers in several processes queued on a lock file."""

from __future__ import annotations

import ctypes
import fcntl
import os
import sqlite3
import time

from .base import DEADLINE, LockTimeout, Store, StoreError, StoreUnavailable

# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF) that stop every write.
SQLITE_READONLY = 8
SQLITE_FULL = 13


class SQLiteStore(Store):
    """SQLite, whose writers in several processes queue on a lock file beside it.

    SQLite's own busy handler makes a writer that finds the database locked
    sleep and poll (1, 2, 5 ... 100 ms), so under load a worker process waits
    long after the lock is free (measured before this lock: 568 ms p99 with two
    workers against 217 ms with one). Each write transaction instead holds an
    exclusive flock on `<database>-lock`, tried every 0.5 ms: a blocking flock
    cannot time out, and a stopped holder (SIGSTOP, a stuck upgrade) must give
    503s after `lock_wait`, not requests that never end. The kernel releases the
    lock when a process dies. SQLite's busy timeout, as long, stays as a backstop
    for writers that do not take the lock file (the sqlite3 shell).

    Every write transaction and read first checks that the database's files can be
    written (`os.access`, which honours immutable files and read-only mounts even
    for root). In WAL mode SQLite shares its index through a memory map of
    `<database>-shm`, whatever `mmap_size` says (here 0, so the database itself is
    read with read()): once that file is made immutable (`chattr +i`), the kernel
    answers the next store to the map with SIGBUS, killing the worker. Refused
    before SQLite touches it, the post gets a 503 and the log says why.
    """

    driver_errors = (sqlite3.Error,)
    unavailable_errors = (sqlite3.OperationalError, LockTimeout)

    def __init__(self, path: str, deadline: float = DEADLINE) -> None:
        self.lock_wait = deadline  # seconds, for the lock file and SQLite's busy timeout alike
        self._lock_fd: int | None = None
        self._files: tuple[str, ...] = ()
        if path != ":memory:":
            real = os.path.realpath(path)
            self._files = (real, f"{real}-wal", f"{real}-shm")
        try:
            if path != ":memory:":
                # Read-only suffices for flock, and lets a user who cannot write
                # a lock file created by another (`db upgrade` as root) use it.
                # Named after the real file, so a symlink to it shares its lock.
                lock = f"{os.path.realpath(path)}-lock"
                self._lock_fd = os.open(lock, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot open the SQLite lock file {lock}: {exc}") from exc
        try:
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=self.lock_wait
            )
            # WAL lets exports read while the endpoint writes; FULL makes each
            # acknowledged response survive a power cut, not only a crash.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            # No memory-mapped reads of the database, whatever SQLite was built with:
            # a map of a file that cannot be written or grown faults with SIGBUS.
            conn.execute("PRAGMA mmap_size=0")
        except sqlite3.Error as exc:
            self._close_lock()
            raise StoreError(f"cannot open the SQLite database {path}: {exc}") from exc
        super().__init__(conn)

    def _writable(self) -> None:
        """Refuse before SQLite writes to a file it cannot (see the class's docstring)."""
        for file in self._files:
            if not os.access(file, os.W_OK) and os.path.exists(file):
                raise StoreUnavailable(
                    f"the database is read-only: {file} cannot be written"
                    " (immutable, read-only file system or permissions)"
                )

    def _ready(self) -> None:
        self._writable()  # a read in WAL mode writes to the -shm map too

    def _cause(self, exc: Exception) -> str:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == SQLITE_FULL:
            return f"the disk is full: {exc}"
        if code == SQLITE_READONLY:
            return f"the database is read-only: {exc}"
        return super()._cause(exc)

    def _begin_write(self) -> None:
        self._writable()
        if self._lock_fd is not None:
            self._take_lock(self._lock_fd)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._end_write()
            raise

    def _take_lock(self, fd: int) -> None:
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{self.lock_wait:g} s waiting for the lock file") from None
                time.sleep(0.0005)

    def _end_write(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _close_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def close(self) -> None:
        try:
            self._writable()
        except StoreUnavailable:
            # Closing the last connection checkpoints the WAL through the -shm map:
            # SIGBUS on an immutable file. Left open instead, and never freed (a
            # reference of its own), for the process's exit to release.
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(self._conn))
            with self._lock:
                self._close_lock()
            return
        super().close()
        with self._lock:
            self._close_lock()


def sqlite_path(url: str) -> str | None:
    """The file of an SQLite URL or plain path; None for a PostgreSQL URL."""
    if url.startswith(("postgresql://", "postgres://")):
        return None
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    if "://" in url:
        raise StoreError(f"unsupported database URL {url!r}: use a file path or postgresql://")
    return url
