"""``SqliteEventStore``: the EventStore in one embedded SQLite file (stdlib sqlite3, WAL).

No database server: the default for one community server on one machine.
How a frame is laid out in a row is in ``sqlite_rows``. Ordering and
idempotence follow MongoDB exactly: the 12-byte ObjectId ``_id`` fixed at
arrival is kept (``oid``), pages sort on ``(timestamp, oid)``, and a unique
index on ``(session, user, timestamp, frame index)`` turns a re-sent frame
into a duplicate.

Connections, schema and durability are in ``sqlite_db``; retention's deletes in
``sqlite_prune``.

Frames are stored as zstd-compressed JSON (``sqlite_rows.ZSTD_PARAMETERS``,
compressed in the write thread; sizes in BENCHMARKS.md).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId

from nevr_events.server.store.base import LEGACY_FIELDS, PageCursor, WriteOutcome
from nevr_events.server.store.sqlite_matches import SqliteMatchQueries
from nevr_events.server.store.sqlite_prune import SqlitePruneQueries
from nevr_events.server.store.sqlite_rows import (
    INSERT_EVENT,
    INSERT_FRAME,
    decode_row,
    in_thread_pool,
    millis,
    split_document,
    to_row,
    unpack,
)
from nevr_events.server.store.sqlite_state import SqliteStateQueries

log = logging.getLogger(__name__)


class SqliteEventStore(SqliteMatchQueries, SqliteStateQueries, SqlitePruneQueries):
    """EventStore on one SQLite file; one writer connection and a few readers per process."""

    # The stream hands over each frame's JSON with its row (see ``StoredDocument``),
    # split by this store's own function while the frame is still a dict.
    stored_form = staticmethod(split_document)

    def insert_frames(self, documents: Sequence[Mapping[str, Any]]) -> list[WriteOutcome]:
        """Store a batch in one transaction; one outcome per document, in order.

        Returns after the commit (``synchronous=FULL``): every "stored" is durable.
        Raises StoreUnavailable when the file could not be written; then nothing
        of the batch was stored and the caller may retry it.
        """
        rows: list[tuple[Any, ...] | WriteOutcome] = [to_row(document) for document in documents]
        with self._write_lock:
            return in_thread_pool()(lambda: self._guard(lambda: self._write(rows)))

    def _write(self, rows: list[tuple[Any, ...] | WriteOutcome]) -> list[WriteOutcome]:
        self._prepare()
        conn = self._write_connection()
        outcomes: list[WriteOutcome] = []
        # Compress before taking the file's write lock: every worker's commits wait for
        # that lock, so it covers only the inserts and the commit, and the workers
        # compress in parallel.
        packed = [
            None if isinstance(row, WriteOutcome) or row[-2] is None else self._pack(row[-2])
            for row in rows
        ]
        conn.execute("BEGIN IMMEDIATE")
        try:
            for row, frame_packed in zip(rows, packed, strict=True):
                if isinstance(row, WriteOutcome):
                    outcomes.append(row)
                    continue
                *values, _frame, events = row
                cursor = conn.execute(INSERT_FRAME, (*values, frame_packed))
                if cursor.rowcount == 0:
                    outcomes.append(_DUPLICATE)
                    continue
                oid, session, _user, stamp = values[:4]
                seq = cursor.lastrowid
                if events:
                    conn.executemany(
                        INSERT_EVENT, [(event, session, stamp, oid, seq) for event in events]
                    )
                outcomes.append(_STORED)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return outcomes

    def ping(self, timeout: float | None = None) -> None:
        self._rows("SELECT value FROM meta WHERE key = 'schema_version'", ())

    def count(self, session_id: str, event_type: str | None = None) -> int:
        if event_type:
            sql = "SELECT count(*) FROM frame_events WHERE event_type = ? AND session = ?"
            return int(self._rows(sql, (event_type, session_id))[0][0])
        return int(self._rows("SELECT count(*) FROM frames WHERE session = ?", (session_id,))[0][0])

    def iter_session(self, session_id: str) -> Iterator[dict[str, Any]]:
        """Every frame of a session, oldest first, read row by row (memory stays flat)."""
        sql = "SELECT doc, frame FROM frames WHERE session = ? ORDER BY ts, oid"
        for head, frame in self._stream(sql, (session_id,)):
            document = decode_row(head, frame)
            yield {key: document[key] for key in LEGACY_FIELDS if key in document}

    def iter_session_json(self, session_id: str) -> Iterator[tuple[str | None, bytes]]:
        """``(user_id, frame JSON)`` of every frame, oldest first: the stored bytes, not
        decoded and encoded again."""
        sql = "SELECT user_id, frame FROM frames WHERE session = ? ORDER BY ts, oid"
        for user_id, frame in self._stream(sql, (session_id,)):
            yield user_id, b"null" if frame is None else unpack(frame)

    def _stream(self, sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        with self._reader() as conn:
            cursor = self._guard(lambda: conn.execute(sql, params))
            try:
                while rows := self._guard(lambda: cursor.fetchmany(64)):
                    yield from rows
            finally:
                cursor.close()

    def page(
        self,
        session_id: str,
        *,
        limit: int,
        offset: int = 0,
        after: PageCursor | None = None,
        event_type: str | None = None,
        with_frame: bool = True,
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` documents in session order, after a keyset position and/or
        an offset, the frame left out when not needed. One query per page."""
        if event_type:
            source = "frame_events k JOIN frames f ON f.seq = k.seq"
            where = ["k.event_type = ?", "k.session = ?"]
            params: list[Any] = [event_type, session_id]
        else:
            source, where, params = "frames k", ["k.session = ?"], [session_id]
        if after is not None:
            stamp = millis(after.timestamp)
            where.append("(k.ts > ? OR (k.ts = ? AND k.oid > ?))")
            params += [stamp, stamp, after.object_id.binary]
        row = "f.doc, f.frame" if event_type else "k.doc, k.frame"
        sql = (
            f"SELECT {row} FROM {source} WHERE {' AND '.join(where)}"
            " ORDER BY k.ts, k.oid LIMIT ? OFFSET ?"
        )
        rows = self._rows(sql, [*params, limit, max(offset, 0)])
        return [decode_row(head, frame, with_frame) for head, frame in rows]

    def lobby_sessions(
        self, *, limit: int, after: str | None = None, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` sessions (with a frame at or after ``since``), by id, after ``after``;
        each summarised over all its frames as ``session_summaries`` does."""
        sql = "SELECT DISTINCT session FROM frames WHERE session > ?"
        params: list[Any] = [after or ""]
        if since is not None:
            sql += " AND ts >= ?"
            params.append(millis(since))
        ids = [sid for (sid,) in self._rows(sql + " ORDER BY session LIMIT ?", [*params, limit])]
        summaries = self.session_summaries(ids)
        return [summaries[sid] for sid in ids if sid in summaries]

    def count_lobby_sessions(self, since: datetime | None = None) -> int:
        if since is None:
            return int(self._rows("SELECT count(DISTINCT session) FROM frames", ())[0][0])
        sql = "SELECT count(DISTINCT session) FROM frames WHERE ts >= ?"
        return int(self._rows(sql, (millis(since),))[0][0])

    def arrivals(
        self,
        since: datetime,
        *,
        after_id: ObjectId | None = None,
        session_id: str | None = None,
        limit: int = 1000,
        with_frame: bool = True,
    ) -> list[dict[str, Any]]:
        """Frames that arrived at or after ``since`` (and after ``after_id``), by ``_id``.

        ObjectIds compare as their 12 bytes (time first), so ``oid`` order is ``_id`` order.
        """
        where = ["oid >= ?"]
        params: list[Any] = [ObjectId.from_datetime(since).binary]
        if after_id is not None:
            where.append("oid > ?")
            params.append(after_id.binary)
        if session_id is not None:
            where.append("session = ?")
            params.append(session_id)
        sql = f"SELECT doc, frame FROM frames WHERE {' AND '.join(where)} ORDER BY oid LIMIT ?"
        rows = self._rows(sql, [*params, limit])
        return [decode_row(head, frame, with_frame) for head, frame in rows]


_STORED = WriteOutcome("stored")
_DUPLICATE = WriteOutcome("duplicate")
