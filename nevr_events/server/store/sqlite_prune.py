"""Retention's queries on the embedded SQLite store: whole matches, deleted one at a time.

``SqlitePruneQueries`` is mixed into ``SqliteEventStore``. A match goes in one
transaction (its frames and its event rows), so a crash leaves it whole or gone,
and the check that no frame of it arrived since the cutoff is in the same
transaction as the delete, so a frame that arrives meanwhile keeps its match.

Space: a file created by this version has ``auto_vacuum=INCREMENTAL``, and
``reclaim_space`` hands freed pages back in small steps. A file made before
keeps ``auto_vacuum=NONE`` (SQLite cannot switch an existing file without a
full ``VACUUM``): its freed pages are reused by new frames, so the file stops
growing but does not shrink (docs/operations.md says how to convert it offline).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId

from nevr_events.server.store.base import StoredMatch
from nevr_events.server.store.sqlite_db import SqliteDatabase
from nevr_events.server.store.sqlite_rows import in_thread_pool

# Sessions with a frame older than the cutoff, summarised over all their frames.
FINISHED = (
    "SELECT session, max(oid) AS last, count(*) FROM frames"
    " WHERE session IN (SELECT DISTINCT session FROM frames WHERE oid < ?)"
    " GROUP BY session HAVING last < ? ORDER BY last LIMIT ?"
)
# Pages given back per step, so that one step holds the write lock only briefly.
VACUUM_STEP = 1024
INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


class SqlitePruneQueries(SqliteDatabase):
    """Finished matches, their deletion, and the file's size."""

    def finished_sessions(self, arrived_before: datetime, limit: int) -> list[StoredMatch]:
        cut = ObjectId.from_datetime(arrived_before).binary
        rows = self._scan(FINISHED, (cut, cut, limit))
        return [
            StoredMatch(sid, ObjectId(bytes(last)).generation_time, int(count))
            for sid, last, count in rows
            if sid is not None
        ]

    def delete_session(self, session_id: str, arrived_before: datetime) -> int:
        cut = ObjectId.from_datetime(arrived_before).binary

        def delete() -> int:
            self._prepare()
            conn = self._write_connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                [(last,)] = conn.execute(
                    "SELECT max(oid) FROM frames WHERE session = ?", (session_id,)
                )
                if last is None or bytes(last) >= cut:
                    conn.execute("ROLLBACK")
                    return 0
                conn.execute("DELETE FROM frame_events WHERE session = ?", (session_id,))
                deleted = conn.execute("DELETE FROM frames WHERE session = ?", (session_id,))
                conn.execute("COMMIT")
                return int(deleted.rowcount)
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise

        with self._write_lock:
            return in_thread_pool()(lambda: self._guard(delete))

    def store_bytes(self) -> int:
        """The file's pages in use (free pages left out: new frames reuse them first)."""
        pages = self._pragma("page_count") - self._pragma("freelist_count")
        return pages * self._pragma("page_size")

    def frame_total(self) -> int:
        return int(self._scan("SELECT count(*) FROM frames", ())[0][0])

    def session_counts(self) -> dict[str, int]:
        sql = "SELECT session, count(*) FROM frames WHERE session IS NOT NULL GROUP BY session"
        return {sid: int(count) for sid, count in self._scan(sql, ())}

    def reclaim_space(self, pause: Callable[[], None] | None = None) -> None:
        """Free pages back to the file system, a step at a time (``auto_vacuum=INCREMENTAL``
        files only), ``pause`` between steps so the writer gets the lock; the checkpoint
        lets the file shrink now rather than at the next automatic one."""
        if self._pragma("auto_vacuum") != INCREMENTAL:
            return
        # executescript steps the pragma to its end; execute would move one page a call.
        step = f"PRAGMA incremental_vacuum({VACUUM_STEP});"
        free = self._pragma("freelist_count")
        while free > 0:
            self._small_write(lambda conn: conn.executescript(step))
            free, before = self._pragma("freelist_count"), free
            if free >= before:  # another writer freed pages meanwhile: the next sweep goes on
                break
            if pause is not None:
                pause()
        self._small_write(lambda conn: conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall())

    def _scan(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """A query that reads many index entries, off the gevent loop: the worker's
        streams go on meanwhile."""
        if not self._ready:
            self.ensure_indexes()
        return in_thread_pool()(lambda: self._rows(sql, params))

    def _pragma(self, name: str) -> int:
        return int(self._rows(f"PRAGMA {name}", ())[0][0])
