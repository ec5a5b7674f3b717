"""What every store shares: the ``EventStore`` interface, outcomes, page cursors."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import bson
import orjson
from bson import ObjectId
from bson.codec_options import CodecOptions
from bson.errors import InvalidId
from bson.raw_bson import RawBSONDocument

from nevr_events.wire.api import decode_cursor, encode_cursor

# How stored documents come back from every store: datetimes tz-aware UTC.
DECODE: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)
# Fields the legacy whole-session read needs; the rest of each document stays in the database.
LEGACY_FIELDS = ("lobby_session_id", "user_id", "frame")


def frame_json(frame: Any) -> bytes:
    """A frame's JSON as every read sends it (the one encoding of a stored frame)."""
    return orjson.dumps(frame, default=str, option=orjson.OPT_UTC_Z)


class StoredDocument(RawBSONDocument):
    """A document to store, as BSON, plus its frame's JSON when the stream already had it.

    Each store makes it with its ``stored_form``: SQLite keeps each frame's JSON, so it
    need not re-encode it; to MongoDB it is just a ``RawBSONDocument``. When
    ``frame_json`` is given, the BSON's ``frame`` may be null (the stream builds
    it so for those stores only): the frame is then the JSON. ``row`` is the
    SQLite row of the document when the stream computed it from the values at
    hand (``sqlite_rows.split_document``), so the store need not decode the BSON
    again to find its columns.
    """

    __slots__ = ("frame_json", "row")

    def __init__(
        self,
        raw: bytes,
        frame_json: bytes | None = None,
        row: tuple[Any, ...] | None = None,
    ) -> None:
        super().__init__(raw)
        self.frame_json = frame_json
        self.row = row


def bson_form(document: Mapping[str, Any]) -> StoredDocument:
    """The stored form of a document as plain BSON (what MongoDB inserts)."""
    return StoredDocument(bson.encode(document))


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What became of one document of a batch."""

    status: Literal["stored", "duplicate", "error"]
    error: str | None = None
    retry: bool = False  # the database was away: the agent should send the frame again


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Keyset position ``(timestamp, _id)`` of the last document of a page.

    Unlike an offset it stays correct while frames keep arriving: new frames
    never shift what comes after a position that was already read.
    """

    timestamp: datetime
    object_id: ObjectId

    def encode(self) -> str:
        millis = int(self.timestamp.timestamp() * 1000)
        return encode_cursor({"t": millis, "i": str(self.object_id)})

    @classmethod
    def decode(cls, token: str) -> PageCursor:
        data = decode_cursor(token)
        try:
            stamp = datetime.fromtimestamp(int(data["t"]) / 1000, tz=UTC)
            return cls(stamp, ObjectId(data["i"]))
        except (InvalidId, ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
            raise ValueError("invalid cursor") from exc

    @classmethod
    def after(cls, document: dict[str, Any]) -> PageCursor:
        return cls(document["timestamp"], document["_id"])


class FrameSink(Protocol):
    """What the writer and the stream need: turn a frame's document into the stored form,
    and store batches of them."""

    def stored_form(self, document: dict[str, Any]) -> StoredDocument:
        """The document as this store will insert it (BSON, or a SQLite row and its JSON)."""
        ...

    def ensure_indexes(self) -> None: ...

    def insert_frames(self, documents: Sequence[Mapping[str, Any]]) -> list[WriteOutcome]: ...


class SessionReader(Protocol):
    """The reads of one session's frames and of the list of sessions (HTTP, GraphQL)."""

    def count(self, session_id: str, event_type: str | None = None) -> int: ...

    def iter_session(self, session_id: str) -> Iterator[dict[str, Any]]: ...

    def iter_session_json(self, session_id: str) -> Iterator[tuple[str | None, bytes]]:
        """``(user_id, frame JSON)`` of every frame of a session, oldest first."""
        ...

    def page(
        self,
        session_id: str,
        *,
        limit: int,
        offset: int = 0,
        after: PageCursor | None = None,
        event_type: str | None = None,
        with_frame: bool = True,
    ) -> list[dict[str, Any]]: ...

    def lobby_sessions(
        self, *, limit: int, after: str | None = None, since: datetime | None = None
    ) -> list[dict[str, Any]]: ...

    def session_summaries(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...

    def count_lobby_sessions(self, since: datetime | None = None) -> int: ...


class MatchIndex(Protocol):
    """The match list and the live list (nevr_events.server.store.*_matches)."""

    def session_summaries(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...

    def active_sessions(self, since: datetime) -> list[str]: ...

    def last_arrival(self, session_id: str) -> datetime | None: ...

    def event_type_counts(self, session_id: str) -> dict[str, int]: ...

    def recent_sessions(
        self, *, limit: int, before: tuple[datetime, str] | None = None
    ) -> list[dict[str, Any]]: ...


class ArrivalLog(Protocol):
    """Stored frames in arrival (``_id``) order, for the followers (live hub, publisher)."""

    def arrivals(
        self,
        since: datetime,
        *,
        after_id: ObjectId | None = None,
        session_id: str | None = None,
        limit: int = 1000,
        with_frame: bool = True,
    ) -> list[dict[str, Any]]: ...

    def frames_by_id(self, ids: Sequence[ObjectId]) -> list[dict[str, Any]]: ...

    def latest_arrival(self) -> datetime | None: ...


class Presence(Protocol):
    """Each worker's live-subscriber counts, so any worker can list them all."""

    def set_live_presence(self, owner: str, counts: Mapping[str, int], ttl: float) -> None: ...

    def live_subscribers(self, exclude: str | None = None) -> dict[str, int]: ...


class PublisherState(Protocol):
    """Small shared state (the publisher's cursor) and leases (one publisher at a time)."""

    def get_state(self, key: str) -> dict[str, Any] | None: ...

    def put_state(self, key: str, value: Mapping[str, Any]) -> None: ...

    def acquire_lease(self, name: str, owner: str, ttl: float) -> bool: ...

    def release_lease(self, name: str, owner: str) -> None: ...


@dataclass(frozen=True, slots=True)
class StoredMatch:
    """A stored session as retention sees it: when its newest frame arrived, how many."""

    session_id: str
    last_arrival: datetime  # the newest frame's ``_id`` time (the server's clock)
    frames: int


class Pruning(Protocol):
    """What retention needs of a store: whole matches by last arrival, deletion, size."""

    def finished_sessions(self, arrived_before: datetime, limit: int) -> list[StoredMatch]:
        """Sessions whose every frame arrived before ``arrived_before``, oldest last
        arrival first."""
        ...

    def delete_session(self, session_id: str, arrived_before: datetime) -> int:
        """Delete the session's frames if none arrived at or after ``arrived_before``;
        how many went (0: it had become live again, nothing deleted)."""
        ...

    def store_bytes(self) -> int:
        """Bytes the store's frames take (SQLite: the file's pages in use; MongoDB: the
        collection's storage size, less its free space when the server says)."""
        ...

    def frame_total(self) -> int:
        """Stored frames, all sessions (an estimate is enough: it scales the size cap)."""
        ...

    def session_counts(self) -> dict[str, int]:
        """Frames per session, every session (what ``migrate`` verifies)."""
        ...

    def reclaim_space(self, pause: Callable[[], None] | None = None) -> None:
        """Give the space of deleted frames back to the file system where the store can,
        in steps with ``pause()`` between them."""
        ...


class EventStore(
    FrameSink, SessionReader, MatchIndex, ArrivalLog, Presence, PublisherState, Pruning, Protocol
):
    """A whole store: every narrow interface above, plus health and closing."""

    def ping(self, timeout: float | None = None) -> None: ...

    def close(self) -> None: ...
