"""``SqliteDatabase``: the SQLite store's file, connections and schema, shared by its queries.

Durability: WAL with ``synchronous=FULL``; a write returns only after its
transaction committed, so one fsync covers a whole batch. Several gunicorn
workers share the file: a writer waits for the lock up to ``timeout`` (busy
timeout); past that it raises ``StoreUnavailable`` and the ``BatchWriter``
retries. Under gevent, database calls run in gevent's thread pool (sqlite3
releases the GIL), so a commit's fsync does not stall the worker's other
connections.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.store.sqlite_rows import (
    SCHEMA,
    SCHEMA_VERSION,
    in_thread_pool,
    new_compressor,
)

_IDLE_READERS = 8
T = TypeVar("T")


class SqliteDatabase:
    """One SQLite file: one writer connection and a few readers per process."""

    def __init__(self, path: str, *, timeout: float = 10.0) -> None:
        self.path = path
        self._timeout = timeout
        self._writer: sqlite3.Connection | None = None
        self._readers: list[sqlite3.Connection] = []
        # Serialises this process's writes (the BatchWriter is the only writer anyway).
        self._write_lock = threading.Lock()
        self._ready = False
        # Used by the one write at a time (under _write_lock); zstd releases the GIL.
        self._pack = new_compressor().compress

    def _connect(self) -> sqlite3.Connection:
        folder = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(folder, exist_ok=True)
        conn = sqlite3.connect(
            self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def _prepare(self) -> None:
        """Create the schema once (every worker may try; the first one does it)."""
        if self._ready:
            return
        conn = self._write_connection()
        # Only a file without tables takes it (a new one): retention then gives space
        # back (store/sqlite_prune.py); on an existing file it changes nothing.
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
        if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
            raise StoreUnavailable("database file cannot switch to WAL mode")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            [(version,)] = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        if int(version) > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"database schema version {version} is newer than this nevr-events "
                f"understands ({SCHEMA_VERSION}): upgrade nevr-events"
            )
        self._ready = True

    def _write_connection(self) -> sqlite3.Connection:
        if self._writer is None:
            self._writer = self._connect()
        return self._writer

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.ensure_indexes()
        conn = self._readers.pop() if self._readers else self._guard(self._connect)
        try:
            yield conn
        finally:
            if conn.in_transaction:  # a read abandoned mid-way
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if len(self._readers) < _IDLE_READERS:
                self._readers.append(conn)
            else:
                conn.close()

    def _guard(self, call: Callable[[], T]) -> T:
        """``call()``, with SQLite's errors turned into ``StoreUnavailable``."""
        try:
            return call()
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"database unavailable: {_reason(exc)}") from None

    def _rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._reader() as conn:
            return self._guard(lambda: conn.execute(sql, params).fetchall())

    def _small_write(self, write: Callable[[sqlite3.Connection], T]) -> T:
        """One auto-committed change on the writer connection (off the gevent loop)."""

        def run() -> T:
            self._prepare()
            return write(self._write_connection())

        with self._write_lock:
            return in_thread_pool()(lambda: self._guard(run))

    def ensure_indexes(self) -> None:
        """Create the file, schema and indexes if missing; safe on every start."""
        with self._write_lock:
            in_thread_pool()(lambda: self._guard(self._prepare))

    def backup_to(self, target: str) -> None:
        """A consistent copy of the file at ``target`` while writers go on (SQLite's
        online backup in one step: one read snapshot, which in WAL mode blocks no
        writer). Written beside ``target`` and renamed, so ``target`` is whole or absent."""
        partial = target + ".partial"
        for leftover in (partial, partial + "-wal", partial + "-shm", partial + "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(leftover)

        def copy() -> None:
            self._prepare()
            destination = sqlite3.connect(partial, isolation_level=None)
            try:
                destination.execute("PRAGMA synchronous=FULL")
                with self._reader() as source:
                    source.backup(destination)
                # The copy opens as the store does; its WAL folded in, so one file is all.
                destination.execute("PRAGMA journal_mode=WAL")
                destination.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                destination.close()
            os.replace(partial, target)

        in_thread_pool()(lambda: self._guard(copy))

    def close(self) -> None:
        for conn in [*self._readers, *([self._writer] if self._writer else [])]:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._readers.clear()
        self._writer = None


def _reason(exc: BaseException) -> str:
    """A short, path-free reason: "database or disk is full", "database is locked"…"""
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__
