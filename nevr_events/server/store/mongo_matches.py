"""Store queries of the live view and the match list, for MongoDB and FerretDB.

``MongoMatchQueries`` is mixed into ``MongoEventStore``; it needs only its
``collection``. Kept apart from ``mongo.py`` so the live and matches
features stay in their own files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pymongo
from bson import ObjectId
from pymongo.errors import OperationFailure

NOT_IMPLEMENTED = 238  # FerretDB: an aggregation stage or accumulator it lacks


class MongoMatchQueries:
    collection: pymongo.collection.Collection[dict[str, Any]]
    # Whether $group has $max (MongoDB) or not (FerretDB 1.24); None: not known yet.
    _max_accumulator: bool | None = None

    if TYPE_CHECKING:  # provided by MongoEventStore

        def session_summaries(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...

    def active_sessions(self, since: datetime) -> list[str]:
        """Sessions with a frame that arrived at or after ``since`` (by ``_id``), any writer."""
        pipeline = [
            {"$match": {"_id": {"$gte": ObjectId.from_datetime(since)}}},
            {"$group": {"_id": "$lobby_session_id", "n": {"$sum": 1}}},
        ]
        return sorted(row["_id"] for row in self.collection.aggregate(pipeline) if row["_id"])

    def last_arrival(self, session_id: str) -> datetime | None:
        """When the newest frame of a session arrived (second precision), or None."""
        newest = self.collection.find_one(
            {"lobby_session_id": session_id}, {"_id": 1}, sort=[("_id", pymongo.DESCENDING)]
        )
        return newest["_id"].generation_time if newest else None

    def event_type_counts(self, session_id: str) -> dict[str, int]:
        """How many frames of the session hold each event type, e.g. ``{"player_goal": 3}``."""
        pipeline = [
            {"$match": {"lobby_session_id": session_id}},
            {"$unwind": "$event_types"},
            # A frame holding two goals counts once, as in the SQLite store.
            {"$group": {"_id": {"e": "$event_types", "f": "$_id"}}},
            {"$group": {"_id": "$_id.e", "n": {"$sum": 1}}},
        ]
        rows = self.collection.aggregate(pipeline)
        return dict(sorted((row["_id"], row["n"]) for row in rows if row["_id"]))

    def recent_sessions(
        self, *, limit: int, before: tuple[datetime, str] | None = None
    ) -> list[dict[str, Any]]:
        """Session summaries (as ``session_summaries``), newest last frame first.

        ``before`` is the ``(last_timestamp, lobby_session_id)`` of the last
        session of the previous page. MongoDB ranks the sessions in one
        aggregation with ``$max``; FerretDB 1.24 lacks it, so there every
        session is summarised and ranked here (cost grows with the number of
        stored sessions).
        """
        if self._max_accumulator is not False:
            ranked = self._recent_one_query(limit, before)
            if ranked is not None:
                summaries = self.session_summaries(ranked)
                return [summaries[sid] for sid in ranked if sid in summaries]
        ids = [
            row["_id"]
            for row in self.collection.aggregate([{"$group": {"_id": "$lobby_session_id"}}])
            if row["_id"]
        ]
        rows = [s for s in self.session_summaries(ids).values() if s.get("last_timestamp")]
        rows.sort(key=lambda s: (s["last_timestamp"], s["lobby_session_id"]), reverse=True)
        if before is not None:
            rows = [s for s in rows if (s["last_timestamp"], s["lobby_session_id"]) < before]
        return rows[:limit]

    def _recent_one_query(
        self, limit: int, before: tuple[datetime, str] | None
    ) -> list[str] | None:
        match: dict[str, Any] = {"_id": {"$ne": None}}
        if before is not None:
            stamp, sid = before
            match["$or"] = [{"last": {"$lt": stamp}}, {"last": stamp, "_id": {"$lt": sid}}]
        pipeline = [
            {"$group": {"_id": "$lobby_session_id", "last": {"$max": "$timestamp"}}},
            {"$match": match},
            {"$sort": {"last": -1, "_id": -1}},
            {"$limit": limit},
        ]
        try:
            rows = list(self.collection.aggregate(pipeline, allowDiskUse=True))
        except OperationFailure as exc:
            if exc.code != NOT_IMPLEMENTED:
                raise
            self._max_accumulator = False
            return None
        self._max_accumulator = True
        return [row["_id"] for row in rows]

    # -- live subscribers of every worker and instance ----------------------------------------

    def _presence(self) -> pymongo.collection.Collection[dict[str, Any]]:
        return self.collection.database[self.collection.name + "_live"]

    def set_live_presence(self, owner: str, counts: Mapping[str, int], ttl: float) -> None:
        """Record (or, when empty, remove) one worker's subscriber counts, valid ``ttl`` seconds."""
        if not counts:
            self._presence().delete_one({"_id": owner})
            return
        expires = datetime.now(UTC) + timedelta(seconds=ttl)
        rows = [{"s": sid, "n": n} for sid, n in counts.items()]
        self._presence().replace_one(
            {"_id": owner}, {"counts": rows, "expires": expires}, upsert=True
        )

    def live_subscribers(self, exclude: str | None = None) -> dict[str, int]:
        """Subscribers per session over every worker whose record has not expired."""
        query: dict[str, Any] = {"expires": {"$gt": datetime.now(UTC)}}
        if exclude is not None:
            query["_id"] = {"$ne": exclude}
        total: dict[str, int] = {}
        for record in self._presence().find(query):
            for row in record.get("counts", ()):
                total[row["s"]] = total.get(row["s"], 0) + int(row["n"])
        return total
