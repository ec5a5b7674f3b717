"""The SQLite store's small extras: read frames by ``_id``, shared state and leases.

Used by the AMQP publisher (its cursor, and the lease that lets one worker of
all publish). Kept beside ``sqlite.py`` as a mixin of ``SqliteEventStore``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from bson import ObjectId

from nevr_events.server.store.sqlite_db import SqliteDatabase
from nevr_events.server.store.sqlite_rows import decode_row

PUT_STATE = (
    "INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key)"
    " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)
# Taken when free or expired, renewed by its owner; otherwise the WHERE leaves it as it is.
TAKE_LEASE = (
    "INSERT INTO leases (name, owner, expires) VALUES (?, ?, ?) ON CONFLICT (name)"
    " DO UPDATE SET owner = excluded.owner, expires = excluded.expires"
    " WHERE leases.owner = excluded.owner OR leases.expires < ?"
)


class SqliteStateQueries(SqliteDatabase):
    """Frames by ``_id``, shared state and leases."""

    def frames_by_id(self, ids: Sequence[ObjectId]) -> list[dict[str, Any]]:
        """Whole documents for these ``_id``s (absent ones left out), in ``_id`` order."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        sql = f"SELECT doc, frame FROM frames WHERE oid IN ({marks}) ORDER BY oid"
        rows = self._rows(sql, [oid.binary for oid in ids])
        return [decode_row(head, frame) for head, frame in rows]

    def latest_arrival(self) -> datetime | None:
        rows = self._rows("SELECT oid FROM frames ORDER BY oid DESC LIMIT 1", ())
        return ObjectId(bytes(rows[0][0])).generation_time if rows else None

    def get_state(self, key: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT value FROM state WHERE key = ?", (key,))
        return orjson.loads(rows[0][0]) if rows else None

    def put_state(self, key: str, value: Mapping[str, Any]) -> None:
        params = (key, orjson.dumps(dict(value)).decode(), time.time())
        self._small_write(lambda conn: conn.execute(PUT_STATE, params).rowcount)

    def acquire_lease(self, name: str, owner: str, ttl: float) -> bool:
        """Take the lease if free or expired, or renew it if ``owner`` holds it: one
        statement, atomic across processes. Expiry uses this host's clock."""
        now = time.time()
        params = (name, owner, now + ttl, now)
        return self._small_write(lambda conn: conn.execute(TAKE_LEASE, params).rowcount) == 1

    def release_lease(self, name: str, owner: str) -> None:
        sql = "DELETE FROM leases WHERE name = ? AND owner = ?"
        self._small_write(lambda conn: conn.execute(sql, (name, owner)).rowcount)
