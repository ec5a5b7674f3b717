"""Store queries of the live view and the match list, for the embedded SQLite store.

``SqliteMatchQueries`` is mixed into ``SqliteEventStore``; the same answers as
``MongoMatchQueries``, from the ``frames`` and ``frame_events`` tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import orjson
from bson import ObjectId

from nevr_events.server.store.sqlite_db import SqliteDatabase
from nevr_events.server.store.sqlite_rows import decode_row, millis

T = TypeVar("T")


# One row per worker with live subscribers (not part of the frame schema: made on first use).
PRESENCE_TABLE = (
    "CREATE TABLE IF NOT EXISTS live_presence"
    " (owner TEXT PRIMARY KEY, counts TEXT NOT NULL, expires INTEGER NOT NULL)"
)


class SqliteMatchQueries(SqliteDatabase):
    """The live view's and the match list's queries."""

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
            first, last = decode_row(first_raw, None, False), decode_row(last_raw, None, False)
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

    def active_sessions(self, since: datetime) -> list[str]:
        """Sessions with a frame that arrived at or after ``since`` (by ``_id``), any writer."""
        sql = "SELECT DISTINCT session FROM frames WHERE oid >= ? AND session IS NOT NULL"
        rows = self._rows(sql, (ObjectId.from_datetime(since).binary,))
        return sorted(sid for (sid,) in rows)

    def last_arrival(self, session_id: str) -> datetime | None:
        """When the newest frame of a session arrived (second precision), or None."""
        [(newest,)] = self._rows("SELECT max(oid) FROM frames WHERE session = ?", (session_id,))
        return ObjectId(bytes(newest)).generation_time if newest else None

    def event_type_counts(self, session_id: str) -> dict[str, int]:
        """How many frames of the session hold each event type, e.g. ``{"player_goal": 3}``."""
        sql = (
            "SELECT event_type, count(*) FROM frame_events WHERE session = ?"
            " GROUP BY event_type ORDER BY event_type"
        )
        return {event: count for event, count in self._rows(sql, (session_id,))}

    def recent_sessions(
        self, *, limit: int, before: tuple[datetime, str] | None = None
    ) -> list[dict[str, Any]]:
        """Session summaries (as ``session_summaries``), newest last frame first.

        ``before`` is the ``(last_timestamp, lobby_session_id)`` of the last
        session of the previous page.
        """
        sql = (
            "SELECT session, max(ts) AS last FROM frames WHERE session IS NOT NULL GROUP BY session"
        )
        params: list[Any] = []
        if before is not None:
            stamp = millis(before[0])
            sql += " HAVING last < ? OR (last = ? AND session < ?)"
            params += [stamp, stamp, before[1]]
        sql += " ORDER BY last DESC, session DESC LIMIT ?"
        ids = [sid for sid, _ in self._rows(sql, [*params, limit])]
        summaries = self.session_summaries(ids)
        return [summaries[sid] for sid in ids if sid in summaries]

    # -- live subscribers of every worker and instance ----------------------------------------

    def set_live_presence(self, owner: str, counts: Mapping[str, int], ttl: float) -> None:
        """Record (or, when empty, remove) one worker's subscriber counts, valid ``ttl`` seconds."""
        expires = millis(datetime.now(UTC) + timedelta(seconds=ttl))
        payload = orjson.dumps(dict(counts)).decode()

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(PRESENCE_TABLE)
            if counts:
                conn.execute(
                    "INSERT OR REPLACE INTO live_presence (owner, counts, expires)"
                    " VALUES (?, ?, ?)",
                    (owner, payload, expires),
                )
            else:
                conn.execute("DELETE FROM live_presence WHERE owner = ?", (owner,))

        self._small_write(write)

    def live_subscribers(self, exclude: str | None = None) -> dict[str, int]:
        """Subscribers per session over every worker whose record has not expired."""
        exists = self._rows(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'live_presence'", ()
        )
        if not exists:
            return {}
        rows = self._rows(
            "SELECT counts FROM live_presence WHERE expires > ? AND owner IS NOT ?",
            (millis(datetime.now(UTC)), exclude),
        )
        total: dict[str, int] = {}
        for (payload,) in rows:
            for sid, n in orjson.loads(payload).items():
                total[sid] = total.get(sid, 0) + int(n)
        return total
