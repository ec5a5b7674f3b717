"""What ``Client`` returns: typed results of the read API (re-exported by ``nevr_events``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nevr_events.wire.api import legacy_event


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One stored frame of a lobby session.

    ``data`` is the frame (protojson with proto field names). ``timestamp``,
    ``frame_index``, ``event_types``, ``node`` and ``id`` are filled by
    :meth:`Client.iter_session_events` (full documents); the legacy route used
    by :meth:`Client.get_session_events` carries only the first three fields.
    """

    lobby_session_id: str
    user_id: str | None
    data: dict[str, Any]
    timestamp: datetime | None = None
    frame_index: int | None = None
    event_types: tuple[str, ...] = ()
    node: str | None = None
    id: str | None = None

    @classmethod
    def from_legacy(cls, entry: dict[str, Any]) -> SessionEvent:
        """From one entry of the reference's whole-session answer (``legacy_event``)."""
        return cls(
            lobby_session_id=entry.get("lobby_session_id", ""),
            user_id=entry.get("user_id"),
            data=entry.get("data") or {},
        )

    def to_legacy(self) -> dict[str, Any]:
        """This event as an entry of the reference's whole-session answer."""
        return legacy_event(self.lobby_session_id, self.user_id, self.data)

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> SessionEvent:
        """From a full stored document as ``/v3/lobby-session-events`` returns it."""
        stamp = doc.get("timestamp")
        return cls(
            lobby_session_id=doc.get("lobby_session_id", ""),
            user_id=doc.get("user_id"),
            data=doc.get("frame") or {},
            timestamp=parse_time(stamp) if isinstance(stamp, str) else None,
            frame_index=doc.get("frame_index"),
            event_types=tuple(doc.get("event_types") or ()),
            node=doc.get("node"),
            id=doc.get("_id") if isinstance(doc.get("_id"), str) else None,
        )


@dataclass(frozen=True, slots=True)
class SessionEvents:
    """Every frame of one session, oldest first (``GET /lobby-session-events/{id}``)."""

    lobby_session_id: str
    count: int
    events: tuple[SessionEvent, ...] = field(repr=False)

    def __iter__(self) -> Iterator[SessionEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return self.count


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of ``GET /v3/lobby-session-events/{id}``; ``next`` is None on the last."""

    lobby_session_id: str
    events: tuple[SessionEvent, ...] = field(repr=False)
    total_count: int
    limit: int
    next: str | None


@dataclass(frozen=True, slots=True)
class Health:
    """``GET /health``: ``healthy`` is False when the server answered 503."""

    status: str
    timestamp: str | None
    healthy: bool
    error: str | None = None


def parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
