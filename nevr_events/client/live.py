"""Client side of the live view and of match downloads (used by ``Client``).

``watch`` follows ``WS /api/v3/stream/{id}`` and yields each frame as it is
stored; ``download_to`` streams ``GET /api/v3/matches/{id}/download`` into a
file a chunk at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import quote, urlencode

import httpx
import orjson
import websocket

from nevr_events.exceptions import (
    BadRequest,
    ClientError,
    ConnectError,
    NotFound,
    ServerError,
    TransportError,
    Unauthorized,
)


@dataclass(frozen=True, slots=True)
class WatchedFrame:
    """One frame of a watched session: ``frame`` is the stored frame (proto field names)."""

    frame: dict[str, Any] = field(repr=False)
    id: str | None
    user_id: str | None
    timestamp: str | None


@dataclass(frozen=True, slots=True)
class Match:
    """One stored match as ``GET /api/v3/matches`` lists it."""

    match_id: str
    frames: int
    users: tuple[str, ...]
    first_timestamp: str | None
    last_timestamp: str | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Match:
        return cls(
            match_id=body.get("match_id", ""),
            frames=int(body.get("frames", 0)),
            users=tuple(body.get("users") or ()),
            first_timestamp=body.get("first_timestamp"),
            last_timestamp=body.get("last_timestamp"),
        )


@dataclass(frozen=True, slots=True)
class MatchPage:
    matches: tuple[Match, ...]
    next: str | None


def ws_url(base_url: str, path: str, params: dict[str, Any]) -> str:
    scheme, sep, rest = base_url.partition("://")
    ws_scheme = {"http": "ws", "https": "wss"}.get(scheme, scheme)
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{ws_scheme}{sep}{rest}{path}" + (f"?{query}" if query else "")


def _handshake_error(exc: websocket.WebSocketBadStatusException) -> ClientError:
    try:
        message = str(orjson.loads(exc.resp_body or b"{}").get("error") or exc)
    except (orjson.JSONDecodeError, AttributeError):
        message = str(exc)
    status = exc.status_code
    if status == 400:
        return BadRequest(message, status)
    if status in (401, 403):
        return Unauthorized(message, status)
    if status == 404:
        return NotFound(message, status)
    if status >= 500:
        return ServerError(message, status)
    return ClientError(message, status)


def watch(
    base_url: str,
    token: str | None,
    match_id: str,
    *,
    from_start: bool = False,
    fps: int | None = None,
    timeout: float = 30.0,
    on_end: Callable[[str], None] | None = None,
) -> Iterator[WatchedFrame]:
    """Frames of ``match_id`` as they are stored, until the session ends or the server stops.

    ``from_start`` replays the stored frames first; ``fps`` caps the frame
    rate (the server downsamples). ``on_end`` receives the server's reason.
    Closing the iterator (or leaving a ``for`` loop) closes the WebSocket.
    """
    params = {"fps": fps, "from": "start" if from_start else None}
    url = ws_url(base_url, f"/api/v3/stream/{quote(match_id, safe='')}", params)
    header = [f"Authorization: Bearer {token}"] if token else []
    try:
        ws = websocket.create_connection(url, header=header, timeout=timeout)
    except websocket.WebSocketBadStatusException as exc:
        raise _handshake_error(exc) from None
    except (OSError, websocket.WebSocketException) as exc:
        raise ConnectError(f"cannot connect to {base_url}: {exc}") from None
    ws.settimeout(None)  # a quiet session may send nothing for a while
    try:
        while True:
            try:
                raw = ws.recv()
            except websocket.WebSocketConnectionClosedException:
                return
            except (OSError, websocket.WebSocketException) as exc:
                raise TransportError(f"live view of {match_id} failed: {exc}") from None
            if not raw:
                return
            message = orjson.loads(raw)
            kind = message.get("type")
            if kind == "frame":
                yield WatchedFrame(
                    frame=message.get("payload") or {},
                    id=message.get("id"),
                    user_id=message.get("user_id"),
                    timestamp=message.get("timestamp"),
                )
            elif kind == "end":
                if on_end is not None:
                    on_end(str((message.get("payload") or {}).get("reason", "")))
                return
            elif kind == "error":
                raise ClientError(str((message.get("payload") or {}).get("error", message)))
    finally:
        ws.close()


def download_to(
    http: httpx.Client,
    match_id: str,
    out: IO[bytes],
    *,
    fmt: str = "echoreplay",
    on_chunk: Callable[[int], None] | None = None,
    error_for: Callable[[httpx.Response], ClientError],
) -> int:
    """Stream a match download into ``out``; returns the number of bytes written."""
    path = f"/api/v3/matches/{quote(match_id, safe='')}/download"
    written = 0
    with http.stream("GET", path, params={"format": fmt}) as response:
        if response.status_code != 200:
            raise error_for(response)
        for chunk in response.iter_bytes():
            out.write(chunk)
            written += len(chunk)
            if on_chunk is not None:
                on_chunk(len(chunk))
    return written
