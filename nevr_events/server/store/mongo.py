"""``MongoEventStore``: the EventStore on pymongo (MongoDB, or FerretDB in tests).

MongoDB is the production store: a replica set or a cluster sharded on the
session id grows past one machine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import bson
import pymongo
from bson import ObjectId
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo.errors import (
    BulkWriteError,
    CollectionInvalid,
    DuplicateKeyError,
    OperationFailure,
    PyMongoError,
)

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.config import Settings
from nevr_events.server.store.base import (
    DECODE,
    LEGACY_FIELDS,
    PageCursor,
    WriteOutcome,
    bson_form,
    frame_json,
)
from nevr_events.server.store.mongo_matches import MongoMatchQueries
from nevr_events.server.store.mongo_prune import MongoPruneQueries

log = logging.getLogger(__name__)

DUPLICATE_KEY = 11000
NAMESPACE_EXISTS = 48
ZSTD_COLLECTION = {"wiredTiger": {"configString": "block_compressor=zstd"}}
RAW_BSON: CodecOptions[RawBSONDocument] = CodecOptions(document_class=RawBSONDocument)
LEGACY_PROJECTION = {"_id": 0, **dict.fromkeys(LEGACY_FIELDS, 1)}


def session_filter(
    session_id: str, event_type: str | None = None, after: PageCursor | None = None
) -> dict[str, Any]:
    query: dict[str, Any] = {"lobby_session_id": session_id}
    if event_type:
        query["event_types"] = event_type
    if after is not None:
        query["$or"] = [
            {"timestamp": {"$gt": after.timestamp}},
            {"timestamp": after.timestamp, "_id": {"$gt": after.object_id}},
        ]
    return query


_ASC = pymongo.ASCENDING
INDEXES = (
    pymongo.IndexModel([("lobby_session_id", _ASC)], name="session"),
    pymongo.IndexModel([("lobby_session_id", _ASC), ("timestamp", _ASC)], name="session_time"),
    pymongo.IndexModel(
        [("lobby_session_id", _ASC), ("event_types", _ASC), ("timestamp", _ASC)],
        name="session_event_time",
    ),
    # A frame re-sent after a reconnect is recognised, not stored twice.
    pymongo.IndexModel(
        [("lobby_session_id", _ASC), ("user_id", _ASC), ("timestamp", _ASC), ("frame_index", _ASC)],
        name="frame_unique",
        unique=True,
    ),
)

# Oldest first; ties (same millisecond) in insertion order.
SESSION_ORDER = [("timestamp", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)]


class MongoEventStore(MongoMatchQueries, MongoPruneQueries):
    """EventStore on pymongo; one client (and connection pool) per process."""

    def __init__(
        self, settings: Settings, *, uri: str | None = None, read_batch_size: int = 100
    ) -> None:
        self._client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            uri or settings.mongo_uri,
            serverSelectionTimeoutMS=int(settings.mongo_timeout * 1000),
            connectTimeoutMS=int(settings.mongo_timeout * 1000),
            tz_aware=True,
            appname="nevr-events",
            connect=False,
        )
        self._timeout = settings.mongo_timeout
        self._read_batch_size = read_batch_size
        self.collection = self._client[settings.database_name][settings.collection_name]
        self.state = self._client[settings.database_name][f"{settings.collection_name}_state"]

    stored_form = staticmethod(bson_form)

    def ensure_indexes(self) -> None:
        """Create the missing indexes; safe on every start of every worker.

        Only absent indexes are created, one per command: FerretDB 1.24 drops
        the connection when one ``createIndexes`` re-creates several indexes
        that already exist on a collection holding data.
        """
        self._create_collection()
        existing = set(self.collection.index_information())
        for index in INDEXES:
            if index.document["name"] not in existing:
                self.collection.create_indexes([index])

    def _create_collection(self) -> None:
        """Create the frames' collection with WiredTiger's zstd block compressor (MongoDB's
        default is snappy): frames of one match share most of their bytes, and zstd
        keeps fewer of them on disk. Only a new collection takes it; an existing one
        keeps its compressor (docs/operations.md). FerretDB accepts and ignores it."""
        database, name = self.collection.database, self.collection.name
        if name in database.list_collection_names(filter={"name": name}):
            return
        try:
            database.create_collection(name, storageEngine=ZSTD_COLLECTION)
        except CollectionInvalid:  # another worker created it meanwhile
            pass
        except OperationFailure as exc:
            if exc.code != NAMESPACE_EXISTS:
                raise

    def insert_frames(self, documents: Sequence[Mapping[str, Any]]) -> list[WriteOutcome]:
        """Insert a batch in one round trip; one outcome per document, in order.

        Raises StoreUnavailable when the database did not answer, in which case
        nothing is known about the batch and the caller may retry it: the unique
        index turns already-stored documents into duplicates.
        """
        outcomes = [WriteOutcome("stored")] * len(documents)
        try:
            # Stored forms and plain documents both encode as they are.
            self.collection.insert_many(cast("list[dict[str, Any]]", documents), ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                if error.get("code") == DUPLICATE_KEY:
                    outcomes[error["index"]] = WriteOutcome("duplicate")
                else:
                    message = f"database rejected the frame: {error.get('errmsg', 'unknown error')}"
                    outcomes[error["index"]] = WriteOutcome("error", message)
            if exc.details.get("writeConcernErrors"):
                raise StoreUnavailable("write concern not satisfied") from None
        except PyMongoError as exc:
            raise StoreUnavailable(f"database unavailable: {type(exc).__name__}") from None
        return outcomes

    def ping(self, timeout: float | None = None) -> None:
        try:
            with pymongo.timeout(timeout or self._timeout):
                self._client.admin.command("ping")
        except PyMongoError as exc:
            raise StoreUnavailable(f"database unreachable: {type(exc).__name__}") from None

    def count(self, session_id: str, event_type: str | None = None) -> int:
        return self.collection.count_documents(session_filter(session_id, event_type))

    def iter_session(self, session_id: str) -> Iterator[dict[str, Any]]:
        """Every frame of a session, oldest first, with memory flat in the session's size.

        Batches arrive as raw BSON and each document is decoded only when it is
        consumed, so a batch costs its bytes, not several times that in objects.
        """
        raw = self.collection.with_options(codec_options=RAW_BSON)
        cursor = (
            raw.find(session_filter(session_id), LEGACY_PROJECTION)
            .sort(SESSION_ORDER)
            .batch_size(self._read_batch_size)
        )
        with cursor:
            for document in cursor:
                yield bson.decode(document.raw, codec_options=DECODE)

    def iter_session_json(self, session_id: str) -> Iterator[tuple[str | None, bytes]]:
        for document in self.iter_session(session_id):
            yield document.get("user_id"), frame_json(document.get("frame"))

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
        cursor = (
            self.collection.find(
                session_filter(session_id, event_type, after),
                None if with_frame else {"frame": 0},
            )
            .sort(SESSION_ORDER)
            .skip(max(offset, 0))
            .limit(limit)
        )
        return list(cursor)

    def lobby_sessions(
        self, *, limit: int, after: str | None = None, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` sessions (with a frame at or after ``since``), by id, after ``after``.

        Each is ``{lobby_session_id, frame_count, users, first_timestamp,
        last_timestamp, created_at, updated_at}`` over all the session's frames.
        One aggregation picks the page; one more summarises it on MongoDB. FerretDB
        (1.24) lacks the ``$first``/``$last``/``$addToSet`` accumulators: there the
        summary is a ``$sum`` grouping plus two indexed one-document finds per
        session (a page holds at most a hundred sessions).
        """
        # ``$gt ""`` also keeps documents without a session id out of the groups.
        match: dict[str, Any] = {"lobby_session_id": {"$gt": after or ""}}
        if since is not None:
            match["timestamp"] = {"$gte": since}
        pipeline: list[dict[str, Any]] = [
            {"$match": match},
            {"$group": {"_id": "$lobby_session_id"}},
            {"$sort": {"_id": 1}},
            {"$limit": limit},
        ]
        ids = [row["_id"] for row in self.collection.aggregate(pipeline) if row["_id"]]
        summaries = self.session_summaries(ids)
        return [summaries[sid] for sid in ids if sid in summaries]

    def count_lobby_sessions(self, since: datetime | None = None) -> int:
        match = {} if since is None else {"timestamp": {"$gte": since}}
        pipeline: list[dict[str, Any]] = [
            {"$match": match},
            {"$group": {"_id": "$lobby_session_id"}},
            {"$count": "n"},
        ]
        rows = list(self.collection.aggregate(pipeline))
        return rows[0]["n"] if rows else 0

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

        The building block for following what is stored (live view, publishing).
        ``_id`` is fixed when a frame arrives, but batches from several workers
        commit in any order, so a follower asks again from a little before the
        newest arrival it has seen and skips the ``_id``s it already had.
        """
        query: dict[str, Any] = {"_id": {"$gte": ObjectId.from_datetime(since)}}
        if after_id is not None:
            query["_id"]["$gt"] = after_id
        if session_id is not None:
            query["lobby_session_id"] = session_id
        cursor = (
            self.collection.find(query, None if with_frame else {"frame": 0})
            .sort("_id", pymongo.ASCENDING)
            .limit(limit)
        )
        return list(cursor)

    def frames_by_id(self, ids: Sequence[ObjectId]) -> list[dict[str, Any]]:
        """Whole documents for these ``_id``s (absent ones left out), in ``_id`` order."""
        if not ids:
            return []
        query = {"_id": {"$in": list(ids)}}
        return list(self.collection.find(query).sort("_id", pymongo.ASCENDING))

    def latest_arrival(self) -> datetime | None:
        """Arrival time of the newest stored frame (``_id`` order), None when empty."""
        newest = self.collection.find_one({}, {"_id": 1}, sort=[("_id", pymongo.DESCENDING)])
        return newest["_id"].generation_time if newest else None

    def get_state(self, key: str) -> dict[str, Any] | None:
        document = self.state.find_one({"_id": f"state:{key}"})
        return document.get("value") if document else None

    def put_state(self, key: str, value: Mapping[str, Any]) -> None:
        update = {"$set": {"value": dict(value), "updated_at": datetime.now(UTC)}}
        self.state.update_one({"_id": f"state:{key}"}, update, upsert=True)

    def acquire_lease(self, name: str, owner: str, ttl: float) -> bool:
        """Take the lease if it is free or expired, or renew it if ``owner`` holds it.

        One atomic find-and-modify: when another owner holds an unexpired lease
        the filter matches nothing and the upsert collides on ``_id``.
        Expiry uses this host's clock: instances need synchronised clocks (NTP).
        """
        now = datetime.now(UTC)
        try:
            document = self.state.find_one_and_update(
                {"_id": f"lease:{name}", "$or": [{"owner": owner}, {"expires": {"$lt": now}}]},
                {"$set": {"owner": owner, "expires": now + timedelta(seconds=ttl)}},
                upsert=True,
                return_document=pymongo.ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False
        return document is not None and document.get("owner") == owner

    def release_lease(self, name: str, owner: str) -> None:
        self.state.delete_one({"_id": f"lease:{name}", "owner": owner})

    def close(self) -> None:
        self._client.close()
