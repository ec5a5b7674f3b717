"""How the SQLite store lays out a frame: its schema, and a document to a row and back.

Each frame is one row: the stored document as BSON (what MongoDB would hold,
with the frame itself set aside as null) and the frame as JSON, zstd
compressed, next to the columns the queries need. Reading a document puts the
frame back in its place; a whole-session read sends the stored JSON as is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import bson
import orjson
import zstandard
from bson import ObjectId
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from nevr_events.server.store.base import DECODE, StoredDocument, WriteOutcome, frame_json

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
    doc BLOB NOT NULL,         -- the stored document as BSON, its `frame` null
    frame BLOB                 -- the frame as JSON, zstd-compressed (NULL: no frame)
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
    "INSERT OR IGNORE INTO frames (oid, session, user_id, ts, frame_index, doc, frame)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
INSERT_EVENT = (
    "INSERT OR IGNORE INTO frame_events (event_type, session, ts, oid, seq) VALUES (?, ?, ?, ?, ?)"
)
# Top-level fields inflated, sub-documents left as bytes: reading `timestamp` of a
# frame does not decode the frame.
SHALLOW: CodecOptions[RawBSONDocument] = CodecOptions(document_class=RawBSONDocument, tz_aware=True)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)  # made once, not per call


def millis(value: Any) -> int | None:
    """BSON's datetime precision: whole milliseconds since the epoch (naive means UTC)."""
    if not isinstance(value, datetime):
        return None
    stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
    return (stamp - _EPOCH) // _MILLISECOND


# zstd's fastest strategy with small tables and matches of at least 7 bytes: on
# frames it costs less CPU than level 1 for the same size (BENCHMARKS.md, "Stream
# CPU"). Standard zstd frames: any decoder reads them.
ZSTD_PARAMETERS = zstandard.ZstdCompressionParameters(
    window_log=15,
    hash_log=12,
    chain_log=6,
    search_log=1,
    min_match=7,
    target_length=0,
    strategy=zstandard.STRATEGY_FAST,
)
unpack = zstandard.ZstdDecompressor().decompress


def new_compressor() -> zstandard.ZstdCompressor:
    """A compressor for stored frames (not thread-safe: one per writer)."""
    return zstandard.ZstdCompressor(compression_params=ZSTD_PARAMETERS)


def decode_row(head: bytes, frame: bytes | None, with_frame: bool = True) -> dict[str, Any]:
    """The stored document from its row: the frame put back in its place (or left out)."""
    document = bson.decode(head, codec_options=DECODE)
    if "frame" in document:
        if not with_frame:
            del document["frame"]
        elif frame is not None:
            document["frame"] = orjson.loads(unpack(frame))
    return document


def to_row(document: Mapping[str, Any]) -> tuple[Any, ...] | WriteOutcome:
    """``(oid, session, user, ts, frame_index, head BSON, frame JSON, event_types)``.

    The frame's JSON comes with a ``StoredDocument`` from the stream, and so does
    the whole row (``split_document``); otherwise it is computed here. A plain
    mapping without ``_id`` gets one, added to it as pymongo does.
    """
    if isinstance(document, StoredDocument) and document.row is not None:
        return document.row
    try:
        if isinstance(document, RawBSONDocument):
            fields: Mapping[str, Any] = RawBSONDocument(document.raw, SHALLOW)
            if "_id" not in fields:
                return to_row(dict(bson.decode(document.raw, codec_options=DECODE)))
            frame = getattr(document, "frame_json", None)
            if "frame" not in fields or (frame is not None and fields["frame"] is None):
                head = bytes(document.raw)  # already the head (from the stream: frame null + JSON)
            else:
                if frame is None:
                    value = fields["frame"]
                    if isinstance(value, RawBSONDocument):
                        value = bson.decode(value.raw, codec_options=DECODE)
                    frame = frame_json(value)
                head = bson.encode({key: fields[key] for key in fields} | {"frame": None})
        else:
            if "_id" not in document:
                if isinstance(document, MutableMapping):
                    document["_id"] = ObjectId()
                else:
                    document = {"_id": ObjectId(), **document}
            fields = document
            frame = frame_json(document["frame"]) if "frame" in document else None
            head = bson.encode({**document, "frame": None} if frame is not None else document)
    except (bson.errors.BSONError, orjson.JSONEncodeError, TypeError, ValueError) as exc:
        return WriteOutcome("error", f"database rejected the frame: {exc}")
    return row_of(fields, head, frame)


def row_of(
    fields: Mapping[str, Any], head: bytes, frame: bytes | None
) -> tuple[Any, ...] | WriteOutcome:
    """The row of a document whose fields, head BSON and frame JSON are known."""
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
        head,
        frame,
        [event for event in events if isinstance(event, str)],
    )


def split_document(document: dict[str, Any]) -> StoredDocument:
    """A document as a store keeping frame JSON takes it, with its row computed here.

    The head BSON (``frame: null``) and the frame's JSON are what ``to_row`` would
    store; the row's columns come from the dict, where they are at hand, instead
    of ``to_row`` decoding the head again. The dict's values are the ones its BSON holds: ``millis``
    truncates a datetime to milliseconds as BSON does.
    """
    frame = frame_json(document["frame"])
    head = bson.encode({**document, "frame": None})
    row = row_of(document, head, frame)
    return StoredDocument(head, frame, row if isinstance(row, tuple) else None)


T = TypeVar("T")


def in_thread_pool() -> Callable[[Callable[[], T]], T]:
    """Run a blocking call off the gevent loop when gevent runs the process."""
    try:
        from gevent import get_hub
        from gevent.monkey import is_module_patched
    except ImportError:  # pragma: no cover - gevent is a dependency
        return lambda call: call()
    if not is_module_patched("threading"):
        return lambda call: call()
    return lambda call: get_hub().threadpool.apply(call)
