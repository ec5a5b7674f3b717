"""Facts of the read API that the server enforces and the client relies on, each stated once.

Page sizes (REST and GraphQL), the time format of every answer, the legacy
whole-session shape, and the address a local service listens on. Light on
purpose (orjson only): the client and the CLI import it without the server.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

#: Where ``nevr-events serve`` listens by default, as a client dials it.
DEFAULT_URL = "http://localhost:8081"

#: Frames per page of ``/v3/lobby-session-events`` and GraphQL ``events``/``sessionEvents``.
EVENTS_PAGE_DEFAULT = 100
EVENTS_PAGE_MAX = 1000
#: Sessions per page of GraphQL ``lobbySessions``.
SESSIONS_PAGE_DEFAULT = 20
SESSIONS_PAGE_MAX = 100
#: Matches per page of ``/api/v3/matches``.
MATCHES_PAGE_DEFAULT = 20
MATCHES_PAGE_MAX = 100


def page_size(requested: int | None, default: int, maximum: int) -> int:
    """The page size served: ``default`` when not given, else clamped to ``1..maximum``."""
    return max(1, min(default if requested is None else requested, maximum))


def encode_cursor(position: Mapping[str, Any]) -> str:
    """An opaque page cursor: the position as JSON in unpadded URL-safe base64."""
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_cursor(token: str) -> dict[str, Any]:
    """The position ``encode_cursor`` wrote; ValueError for anything else."""
    try:
        value = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise ValueError("invalid cursor") from exc
    if not isinstance(value, dict):
        raise ValueError("invalid cursor")
    return value


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and ``Z``: ``2025-12-04T03:38:22.060Z``.

    Every time the service writes (REST, GraphQL, health) and every frame
    timestamp the client builds uses this form. A naive datetime is taken as UTC.
    """
    stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def legacy_event(
    lobby_session_id: str, user_id: str | None, data: Mapping[str, Any] | None
) -> dict[str, Any]:
    """One entry of ``events`` in the reference's whole-session answer.

    ``GET /lobby-session-events/{id}`` (JSON and NDJSON) and ``nevr-events
    events get`` write it; ``Client.get_session_events`` reads it.
    """
    return {"lobby_session_id": lobby_session_id, "user_id": user_id, "data": data}


def legacy_event_json(lobby_session_id: str, user_json: bytes, data_json: bytes) -> bytes:
    """``legacy_event`` as JSON, spliced from already-encoded parts (the server's fast path:
    stored frames are kept as JSON and never decoded for this answer)."""
    return b"".join(
        (
            b'{"lobby_session_id":',
            orjson.dumps(lobby_session_id),
            b',"user_id":',
            user_json,
            b',"data":',
            data_json,
            b"}",
        )
    )


Dumps = Callable[[Any], bytes]


def legacy_json(
    lobby_session_id: str,
    events: Iterable[Any],
    *,
    chunk_bytes: int = 256 * 1024,
    dumps: Dumps = orjson.dumps,
) -> Iterator[bytes]:
    """``{"lobby_session_id", "events": [...], "count"}`` as chunks of about ``chunk_bytes``.

    ``count`` is written after ``events`` so that it always equals the number
    of events actually written, even while frames are still arriving.
    """
    chunk = bytearray(b'{"lobby_session_id":' + orjson.dumps(lobby_session_id) + b',"events":[')
    count = 0
    for event in events:
        if count:
            chunk += b","
        chunk += dumps(event)
        count += 1
        if len(chunk) >= chunk_bytes:
            yield bytes(chunk)
            chunk.clear()
    chunk += b'],"count":' + str(count).encode() + b"}"
    yield bytes(chunk)


def ndjson_chunks(
    items: Iterable[Any],
    *,
    chunk_bytes: int = 256 * 1024,
    dumps: Dumps = orjson.dumps,
) -> Iterator[bytes]:
    """NDJSON (one JSON value per line) as chunks of about ``chunk_bytes``: the legacy
    events, a match's download."""
    chunk = bytearray()
    for item in items:
        chunk += dumps(item)
        chunk += b"\n"
        if len(chunk) >= chunk_bytes:
            yield bytes(chunk)
            chunk.clear()
    if chunk:
        yield bytes(chunk)
