"""The stored document of one arriving frame."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from nevr_events.server.ingest.ids import new_object_id
from nevr_events.server.store import StoredDocument
from nevr_events.wire.frames import event_types, parse_timestamp


def build_document(
    frame: dict[str, Any],
    *,
    session_id: str,
    user_id: str,
    node: str,
    received: datetime,
    stored_form: Callable[[dict[str, Any]], StoredDocument],
) -> StoredDocument:
    """The stored form of one frame (see README, "Storage"), encoded at once.

    Encoded now, a queued frame costs its encoded bytes instead of a tree of
    Python objects that the garbage collector would walk again and again while
    the frame waits for its batch. The ``_id`` is fixed here, at arrival, so
    ties on ``timestamp`` sort in arrival order and a retried insert is
    idempotent.
    """
    stamp = frame.get("timestamp")
    document = {
        "_id": new_object_id(),
        "lobby_session_id": session_id,
        "user_id": user_id,
        "node": node,
        "frame_index": frame.get("frame_index", 0),
        "frame": frame,
        "event_types": event_types(frame),
        "timestamp": parse_timestamp(stamp) if stamp else received,
        "created_at": received,
        "updated_at": received,
    }
    return stored_form(document)
