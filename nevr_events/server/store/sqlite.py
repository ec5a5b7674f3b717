"""``SqliteEventStore``: the EventStore in one embedded SQLite file (stdlib sqlite3, WAL).

No database server: the default for one community server on one machine.
Each frame is one row holding the stored document as BSON, the very bytes
MongoDB would hold, so reads give back the same dicts as ``MongoEventStore``,
next to the columns the queries need. Frame-ordering and idempotence follow
MongoDB exactly: the 12-byte ObjectId ``_id`` fixed at arrival is kept
(``oid``), pages sort on ``(timestamp, oid)``, and a unique index on
``(session, user, timestamp, frame index)`` turns a re-sent frame into a
duplicate.

Durability: WAL with ``synchronous=FULL``; ``insert_frames`` returns (and the
frames are acknowledged) only after the batch's transaction committed, so
one fsync covers a whole batch. Several gunicorn workers share the file: a
writer waits for the lock up to ``timeout`` (busy timeout); past that the
batch raises ``StoreUnavailable`` and the ``BatchWriter`` retries it.
Under gevent, a write runs in gevent's thread pool (sqlite3 releases the
GIL), so a commit's fsync does not stall the worker's other connections.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import bson
from bson import ObjectId
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.store.base import DECODE, LEGACY_FIELDS, PageCursor, WriteOutcome
from nevr_events.server.store.sqlite_state import SqliteStateMixin

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frames (
    seq INTEGER PRIMARY KEY,   -- rowid
    oid BLOB NOT NULL UNIQUE,  -- the ObjectId `_id` (12 bytes): arrival order, idempotent retries
    session TEXT,              -- lobby_session_id
    user_id TEXT,
    ts INTEGER,                -- timestamp, milliseconds since the epoch (BSON's precision)
    frame_index INTEGER,
    doc BLOB NOT NULL          -- the stored document, BSON
);
CREATE INDEX IF NOT EXISTS frames_session_time ON frames (session, ts, oid);
CREATE UNIQUE INDEX IF NOT EXISTS frames_unique ON frames (session, user_id, ts, frame_index);
CREATE TABLE IF NOT EXISTS frame_events (
    event_type TEXT NOT NULL,
    session TEXT,
    ts INTEGER,
    oid BLOB NOT NULL,
    seq INTEGER NOT NULL,      -- frames.seq
    PRIMARY KEY (event_type, session, ts, oid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at REAL);
CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL);
"""
INSERT_FRAME = (
    "INSERT OR IGNORE INTO frames (oid, session, user_id, ts, frame_index, doc)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
INSERT_EVENT = (
    "INSERT OR IGNORE INTO frame_events (event_type, session, ts, oid, seq) VALUES (?, ?, ?, ?, ?)"
)
# Top-level fields inflated, sub-documents left as bytes: reading `timestamp` of a
# frame does not decode the frame.
_SHALLOW: CodecOptions[RawBSONDocument] = CodecOptions(
    document_class=RawBSONDocument, tz_aware=True
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_IDLE_READERS = 8
T = TypeVar("T")


def millis(value: Any) -> int | None:
    """BSON's datetime precision: whole milliseconds since the epoch (naive means UTC)."""
    if not isinstance(value, datetime):
        return None
    stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
    return (stamp - _EPOCH) // timedelta(milliseconds=1)


def _decode(raw: bytes, with_frame: bool = True) -> dict[str, Any]:
    if with_frame:
        return bson.decode(raw, codec_options=DECODE)
    shallow = RawBSONDocument(raw, _SHALLOW)
    return {
        key: bson.decode(value.raw, DECODE) if isinstance(value, RawBSONDocument) else value
        for key, value in shallow.items()
        if key != "frame"
    }


def _in_thread_pool() -> Callable[[Callable[[], T]], T]:
    """Run a blocking call off the gevent loop when gevent runs the process."""
    try:
        from gevent import get_hub
        from gevent.monkey import is_module_patched
    except ImportError:  # pragma: no cover - gevent is a dependency
        return lambda call: call()
    if not is_module_patched("threading"):
        return lambda call: call()
    return lambda call: get_hub().threadpool.apply(call)


class SqliteEventStore(SqliteStateMixin):
    """EventStore on one SQLite file; one writer connection and a few readers per process."""

    def __init__(self, path: str, *, timeout: float = 10.0) -> None:
        self.path = path
        self._timeout = timeout
        self._writer: sqlite3.Connection | None = None
        self._readers: list[sqlite3.Connection] = []
        # Serialises this process's writes (the BatchWriter is the only writer anyway).
        self._write_lock = threading.Lock()
        self._ready = False

    # --- connections ---------------------------------------------------------------------

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

    # --- EventStore ----------------------------------------------------------------------

    def ensure_indexes(self) -> None:
        """Create the file, schema and indexes if missing; safe on every start."""
        with self._write_lock:
            _in_thread_pool()(lambda: self._guard(self._prepare))

    def insert_frames(self, documents: Sequence[Mapping[str, Any]]) -> list[WriteOutcome]:
        """Store a batch in one transaction; one outcome per document, in order.

        Returns after the commit (``synchronous=FULL``): every "stored" is durable.
        Raises StoreUnavailable when the file could not be written; then nothing
        of the batch was stored and the caller may retry it.
        """
        rows: list[tuple[Any, ...] | WriteOutcome] = [_row(document) for document in documents]
        with self._write_lock:
            return _in_thread_pool()(lambda: self._guard(lambda: self._write(rows)))

    def _write(self, rows: list[tuple[Any, ...] | WriteOutcome]) -> list[WriteOutcome]:
        self._prepare()
        conn = self._write_connection()
        outcomes: list[WriteOutcome] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                if isinstance(row, WriteOutcome):
                    outcomes.append(row)
                    continue
                *values, events = row
                cursor = conn.execute(INSERT_FRAME, values)
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
            return self._rows(sql, (event_type, session_id))[0][0]
        return self._rows("SELECT count(*) FROM frames WHERE session = ?", (session_id,))[0][0]

    def iter_session(self, session_id: str) -> Iterator[dict[str, Any]]:
        """Every frame of a session, oldest first, read row by row (memory stays flat)."""
        sql = "SELECT doc FROM frames WHERE session = ? ORDER BY ts, oid"
        with self._reader() as conn:
            cursor = self._guard(lambda: conn.execute(sql, (session_id,)))
            try:
                while True:
                    row = self._guard(cursor.fetchone)
                    if row is None:
                        return
                    document = bson.decode(row[0], codec_options=DECODE)
                    yield {key: document.get(key) for key in LEGACY_FIELDS if key in document}
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
            where, params = ["k.event_type = ?", "k.session = ?"], [event_type, session_id]
        else:
            source, where, params = "frames k", ["k.session = ?"], [session_id]
        if after is not None:
            stamp = millis(after.timestamp)
            where.append("(k.ts > ? OR (k.ts = ? AND k.oid > ?))")
            params += [stamp, stamp, after.object_id.binary]
        doc = "f.doc" if event_type else "k.doc"
        sql = (
            f"SELECT {doc} FROM {source} WHERE {' AND '.join(where)}"
            " ORDER BY k.ts, k.oid LIMIT ? OFFSET ?"
        )
        rows = self._rows(sql, [*params, limit, max(offset, 0)])
        return [_decode(raw, with_frame) for (raw,) in rows]

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

    def session_summaries(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """``{lobby_session_id, frame_count, users, first_timestamp, last_timestamp,
        created_at, updated_at}`` of each given session (absent ones left out)."""
        result: dict[str, dict[str, Any]] = {}
        for sid in ids:
            [(count,)] = self._rows("SELECT count(*) FROM frames WHERE session = ?", (sid,))
            if not count:
                continue
            users = self._rows(
                "SELECT DISTINCT user_id FROM frames WHERE session = ? AND user_id IS NOT NULL"
                " ORDER BY user_id",
                (sid,),
            )
            ends = "SELECT doc FROM frames WHERE session = ? ORDER BY ts {0}, oid {0} LIMIT 1"
            [(first_raw,)] = self._rows(ends.format("ASC"), (sid,))
            [(last_raw,)] = self._rows(ends.format("DESC"), (sid,))
            first, last = _decode(first_raw, False), _decode(last_raw, False)
            result[sid] = {
                "lobby_session_id": sid,
                "frame_count": count,
                "users": [user for (user,) in users],
                "first_timestamp": first.get("timestamp"),
                "last_timestamp": last.get("timestamp"),
                "created_at": first.get("created_at"),
                "updated_at": last.get("updated_at"),
            }
        return result

    def count_lobby_sessions(self, since: datetime | None = None) -> int:
        if since is None:
            return self._rows("SELECT count(DISTINCT session) FROM frames", ())[0][0]
        sql = "SELECT count(DISTINCT session) FROM frames WHERE ts >= ?"
        return self._rows(sql, (millis(since),))[0][0]

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
        where, params = ["oid >= ?"], [ObjectId.from_datetime(since).binary]
        if after_id is not None:
            where.append("oid > ?")
            params.append(after_id.binary)
        if session_id is not None:
            where.append("session = ?")
            params.append(session_id)
        sql = f"SELECT doc FROM frames WHERE {' AND '.join(where)} ORDER BY oid LIMIT ?"
        return [_decode(raw, with_frame) for (raw,) in self._rows(sql, [*params, limit])]

    def close(self) -> None:
        for conn in [*self._readers, *([self._writer] if self._writer else [])]:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._readers.clear()
        self._writer = None


_STORED = WriteOutcome("stored")
_DUPLICATE = WriteOutcome("duplicate")


def _row(document: Mapping[str, Any]) -> tuple[Any, ...] | WriteOutcome:
    """``(oid, session, user, ts, frame_index, bson, event_types)`` of one document.

    A plain mapping without ``_id`` gets one, added to it as pymongo does.
    """
    if isinstance(document, RawBSONDocument):
        raw = document.raw
        fields: Mapping[str, Any] = RawBSONDocument(raw, _SHALLOW)
        if "_id" not in fields:
            return _row(bson.decode(raw, codec_options=DECODE))
    else:
        if "_id" not in document:
            if not isinstance(document, MutableMapping):
                document = {"_id": ObjectId(), **document}
            else:
                document["_id"] = ObjectId()
        fields = document
        try:
            raw = bson.encode(document)
        except (bson.errors.BSONError, TypeError, ValueError, OverflowError) as exc:
            return WriteOutcome("error", f"database rejected the frame: {exc}")
    oid = fields["_id"]
    if not isinstance(oid, ObjectId):
        return WriteOutcome("error", "database rejected the frame: _id must be an ObjectId")
    events = fields.get("event_types") or []
    frame_index = fields.get("frame_index")
    return (
        oid.binary,
        fields.get("lobby_session_id"),
        fields.get("user_id"),
        millis(fields.get("timestamp")),
        frame_index if isinstance(frame_index, int) else None,
        raw,
        [event for event in events if isinstance(event, str)],
    )


def _reason(exc: BaseException) -> str:
    """A short, path-free reason: "database or disk is full", "database is locked"…"""
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__
