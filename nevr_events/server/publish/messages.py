"""What to publish for stored frames: routing keys, bodies and stable message ids.

``SessionTracker`` turns stored documents, in arrival order, into messages:

- ``session.started`` for the first frame of a session it has not seen;
- ``session.event.<type>`` for each event of a frame (one message per event);
- ``session.ended`` once per session: after its first ``match_ended`` event,
  or once no frame of it arrived for ``LIVE_WINDOW`` (frames after a
  ``match_ended``, e.g. the post-game lobby, still give their events);
- ``session.frame`` for every frame when enabled (the Go service's message).

Message ids depend only on what is stored (session id, the frame's ``_id``,
the event's position in the frame), never on when or by whom a message was
published, so a message published twice has the same id and consumers can
deduplicate. The tracker's state (open sessions) is plain JSON-able data so
that it can be stored beside the publisher's cursor and survive restarts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from nevr_events.wire.api import format_time

STARTED = "session.started"
ENDED = "session.ended"
FRAME = "session.frame"
EVENT_PREFIX = "session.event."


@dataclass(frozen=True, slots=True)
class Message:
    routing_key: str
    message_id: str
    body: dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """``2025-12-04T03:38:22.060Z``: the form the service uses for every timestamp."""
    return None if moment is None else format_time(moment)


def arrival(document: Mapping[str, Any]) -> float:
    """Arrival time of a stored frame (its ``_id`` time), as epoch seconds."""
    oid: ObjectId = document["_id"]
    return oid.generation_time.timestamp()


def frame_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """The fields every message about a stored frame carries."""
    return {
        "lobby_session_id": document.get("lobby_session_id"),
        "user_id": document.get("user_id"),
        "node": document.get("node"),
        "frame_index": document.get("frame_index"),
        "timestamp": iso(document.get("timestamp")),
        "frame_id": str(document["_id"]),
    }


class SessionTracker:
    """Open sessions and the messages their stored frames produce."""

    def __init__(self, sessions: Mapping[str, Mapping[str, Any]] | None = None, *, frames: bool):
        # session id -> {"last": epoch arrival of its newest frame, "ended": bool,
        #                "frame": frame_fields of that frame}
        self.sessions: dict[str, dict[str, Any]] = {
            sid: dict(entry) for sid, entry in (sessions or {}).items()
        }
        self.frames = frames

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {sid: dict(entry) for sid, entry in self.sessions.items()}

    def messages_for(self, document: Mapping[str, Any]) -> list[Message]:
        """Messages for one stored frame; needs ``frame`` when ``event_types`` is not empty."""
        sid = document["lobby_session_id"]
        fields = frame_fields(document)
        oid = fields["frame_id"]
        messages: list[Message] = []
        entry = self.sessions.get(sid)
        if entry is None:
            entry = self.sessions[sid] = {"last": 0.0, "ended": False, "frame": fields}
            messages.append(Message(STARTED, f"{sid}:started", {"type": STARTED, **fields}))
        if arrival(document) >= entry["last"]:
            entry["last"], entry["frame"] = arrival(document), fields
        if self.frames:
            frame = document.get("frame")
            body = {"type": FRAME, **fields, "frame": frame}
            messages.append(Message(FRAME, f"{sid}:frame:{oid}", body))
        if document.get("event_types"):
            events = (document.get("frame") or {}).get("events") or []
            for position, event in enumerate(events):
                for name, payload in event.items():
                    key = EVENT_PREFIX + name
                    body = {"type": key, **fields, "event": name, "payload": payload}
                    messages.append(Message(key, f"{sid}:event:{oid}:{position}", body))
                    if name == "match_ended" and not entry["ended"]:
                        messages.append(self._ended(sid, fields, "match_ended"))
                        entry["ended"] = True
        return messages

    def idle(self, before: float) -> list[Message]:
        """``session.ended`` for open sessions with no frame since ``before`` (epoch
        seconds); forgets every session idle that long."""
        messages = []
        for sid, entry in list(self.sessions.items()):
            if entry["last"] < before:
                if not entry["ended"]:
                    messages.append(self._ended(sid, entry["frame"], "idle"))
                del self.sessions[sid]
        return messages

    @staticmethod
    def _ended(sid: str, fields: dict[str, Any], reason: str) -> Message:
        body = {"type": ENDED, **fields, "reason": reason}
        return Message(ENDED, f"{sid}:ended:{fields['frame_id']}", body)
