"""Retention's queries on MongoDB (and FerretDB): whole matches by their last arrival.

``MongoPruneQueries`` is mixed into ``MongoEventStore``. A match is deleted with
one ``delete_many`` limited to frames that arrived before the cutoff: a frame
that arrives while it runs is kept (a live match is never deleted). MongoDB
has no transaction here, so a sweep interrupted inside a match leaves part of
it, still past the cutoff, and the next sweep deletes the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pymongo
from bson import ObjectId
from pymongo.errors import OperationFailure

from nevr_events.server.store.base import StoredMatch


class MongoPruneQueries:
    collection: pymongo.collection.Collection[dict[str, Any]]

    def finished_sessions(self, arrived_before: datetime, limit: int) -> list[StoredMatch]:
        """Sessions with a frame older than the cutoff (one aggregation on the ``_id``
        index), then each one's newest ``_id`` and count: portable to FerretDB, which
        lacks ``$max``."""
        cut = ObjectId.from_datetime(arrived_before)
        pipeline: list[dict[str, Any]] = [
            {"$match": {"_id": {"$lt": cut}}},
            {"$group": {"_id": "$lobby_session_id"}},
        ]
        found: list[StoredMatch] = []
        for row in self.collection.aggregate(pipeline):
            sid = row["_id"]
            if not isinstance(sid, str):
                continue
            newest = self.collection.find_one(
                {"lobby_session_id": sid}, {"_id": 1}, sort=[("_id", pymongo.DESCENDING)]
            )
            last = newest["_id"] if newest else None
            if not isinstance(last, ObjectId) or last >= cut:
                continue
            frames = self.collection.count_documents({"lobby_session_id": sid})
            found.append(StoredMatch(sid, last.generation_time, frames))
        found.sort(key=lambda match: (match.last_arrival, match.session_id))
        return found[:limit]

    def delete_session(self, session_id: str, arrived_before: datetime) -> int:
        cut = ObjectId.from_datetime(arrived_before)
        newer = self.collection.find_one(
            {"lobby_session_id": session_id, "_id": {"$gte": cut}}, {"_id": 1}
        )
        if newer is not None:
            return 0
        result = self.collection.delete_many({"lobby_session_id": session_id, "_id": {"$lt": cut}})
        return int(result.deleted_count)

    def store_bytes(self) -> int:
        """The collection's storage size, less the free space MongoDB reports (4.4+):
        WiredTiger reuses freed blocks without shrinking the file."""
        database = self.collection.database
        try:
            stats = database.command("collStats", self.collection.name, freeStorage=1)
        except OperationFailure:
            stats = database.command("collStats", self.collection.name)
        used = int(stats.get("storageSize") or stats.get("size") or 0)
        return max(used - int(stats.get("freeStorageSize") or 0), 0)

    def frame_total(self) -> int:
        return int(self.collection.estimated_document_count())

    def session_counts(self) -> dict[str, int]:
        pipeline: list[dict[str, Any]] = [
            {"$group": {"_id": "$lobby_session_id", "n": {"$sum": 1}}}
        ]
        rows = self.collection.aggregate(pipeline)
        return {row["_id"]: int(row["n"]) for row in rows if isinstance(row["_id"], str)}

    def reclaim_space(self, pause: Callable[[], None] | None = None) -> None:
        """Nothing to do: MongoDB reuses the freed space (``compact`` gives it back; an
        operator's choice, as it blocks the collection on older servers)."""
