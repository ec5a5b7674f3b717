"""Store queries of the live view and the match list, for MongoDB and FerretDB.

``MongoMatchQueries`` is mixed into ``MongoEventStore``; it needs only its
``collection``. Kept apart from ``mongo.py`` so the live and matches
features stay in their own files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo
from bson import ObjectId
from pymongo.errors import OperationFailure

NOT_IMPLEMENTED = 238  # FerretDB: an aggregation stage or accumulator it lacks


class MongoMatchQueries:
    collection: pymongo.collection.Collection[dict[str, Any]]
    # Whether $group has $max (MongoDB) or not (FerretDB 1.24); None: not known yet.
    _max_accumulator: bool | None = None

    # Whether $group has $first/$last/$addToSet (MongoDB) or not (FerretDB); None: unknown.
    _accumulators: bool | None = None

    def session_summaries(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The ``lobby_sessions`` figures of the given sessions (absent ones left out)."""
        if not ids:
            return {}
        summaries = None
        if self._accumulators is not False:
            summaries = self._summaries_one_query(list(ids))
        if summaries is None:
            summaries = self._summaries_portable(list(ids))
        return summaries

    def _summaries_one_query(self, ids: list[str]) -> dict[str, dict[str, Any]] | None:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"lobby_session_id": {"$in": ids}}},
            {"$sort": {"lobby_session_id": 1, "timestamp": 1}},
            {
                "$group": {
                    "_id": "$lobby_session_id",
                    "frame_count": {"$sum": 1},
                    "users": {"$addToSet": "$user_id"},
                    "first_timestamp": {"$first": "$timestamp"},
                    "last_timestamp": {"$last": "$timestamp"},
                    "created_at": {"$first": "$created_at"},
                    "updated_at": {"$last": "$updated_at"},
                }
            },
        ]
        rows = self._aggregate_if_supported(pipeline)
        self._accumulators = rows is not None
        if rows is None:
            return None
        result = {}
        for row in rows:
            sid = row.pop("_id")
            users = sorted(user for user in row.pop("users") if user is not None)
            result[sid] = {"lobby_session_id": sid, **row, "users": users}
        return result

    def _summaries_portable(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"lobby_session_id": {"$in": ids}}},
            {"$group": {"_id": {"s": "$lobby_session_id", "u": "$user_id"}, "n": {"$sum": 1}}},
        ]
        result: dict[str, dict[str, Any]] = {}
        for row in self.collection.aggregate(pipeline):
            sid, user = row["_id"].get("s"), row["_id"].get("u")
            entry = result.setdefault(sid, {"lobby_session_id": sid, "frame_count": 0, "users": []})
            entry["frame_count"] += row["n"]
            if user is not None:
                entry["users"].append(user)
        fields = {"_id": 0, "timestamp": 1, "created_at": 1, "updated_at": 1}
        for sid, entry in result.items():
            entry["users"].sort()
            first = self.collection.find_one(
                {"lobby_session_id": sid}, fields, sort=[("timestamp", pymongo.ASCENDING)]
            )
            last = self.collection.find_one(
                {"lobby_session_id": sid}, fields, sort=[("timestamp", pymongo.DESCENDING)]
            )
            entry["first_timestamp"] = (first or {}).get("timestamp")
            entry["created_at"] = (first or {}).get("created_at")
            entry["last_timestamp"] = (last or {}).get("timestamp")
            entry["updated_at"] = (last or {}).get("updated_at")
        return result

    def active_sessions(self, since: datetime) -> list[str]:
        """Sessions with a frame that arrived at or after ``since`` (by ``_id``), any writer."""
        pipeline: list[dict[str, Any]] = [
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
        pipeline: list[dict[str, Any]] = [
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
        pipeline: list[dict[str, Any]] = [
            {"$group": {"_id": "$lobby_session_id", "last": {"$max": "$timestamp"}}},
            {"$match": match},
            {"$sort": {"last": -1, "_id": -1}},
            {"$limit": limit},
        ]
        rows = self._aggregate_if_supported(pipeline)
        self._max_accumulator = rows is not None
        return None if rows is None else [row["_id"] for row in rows]

    def _aggregate_if_supported(
        self, pipeline: list[dict[str, Any]]
    ) -> list[dict[str, Any]] | None:
        """The pipeline's rows, or None when the server lacks one of its stages or
        accumulators (FerretDB): the caller then takes its portable way."""
        try:
            return list(self.collection.aggregate(pipeline, allowDiskUse=True))
        except OperationFailure as exc:
            if exc.code != NOT_IMPLEMENTED:
                raise
            return None

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
