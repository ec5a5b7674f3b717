"""What ``FrameStream`` sends and reports: URL and frame encoding, the WebSocket
connection (open, write, abort), result types."""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import websocket
from google.protobuf.message import Message

from nevr_events.exceptions import ConnectError, TransportError, UnauthorizedError
from nevr_events.wire.pb import telemetry_pb2

STREAM_PATH = "/v3/stream"
#: Rejections and losses kept with their reasons (counts are always exact).
MAX_REPORTED = 1000


def stream_url(url: str) -> str:
    """``ws(s)://host:port/v3/stream`` from ``http(s)://`` or ``ws(s)://`` URLs.

    The path is kept when given; an empty path or ``/`` becomes ``/v3/stream``.
    """
    parts = urlsplit(url.strip())
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        raise ValueError(f"not a stream URL: {url!r} (expected http(s):// or ws(s)://host:port)")
    path = parts.path if parts.path not in ("", "/") else STREAM_PATH
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def encode_frame(frame: Any) -> tuple[str | bytes, int | None]:
    """The wire message for ``frame`` and its ``frame_index`` when known.

    * protobuf ``LobbySessionStateFrame`` or ``Envelope`` → binary protobuf Envelope;
    * ``dict`` → JSON; an Envelope when it has a ``frame``/``header`` key, else a
      bare frame wrapped as ``{"frame": ...}``;
    * ``str`` → sent as is (JSON text of an Envelope or frame);
    * ``bytes`` → sent as is (a binary protobuf Envelope).
    """
    if isinstance(frame, Message):
        if isinstance(frame, telemetry_pb2.Envelope):
            envelope = frame
        elif isinstance(frame, telemetry_pb2.LobbySessionStateFrame):
            envelope = telemetry_pb2.Envelope(frame=frame)
        else:
            raise TypeError(f"cannot stream a {type(frame).__name__}: expected a frame or Envelope")
        index = envelope.frame.frame_index if envelope.HasField("frame") else None
        return envelope.SerializeToString(), index
    if isinstance(frame, dict):
        if "frame" in frame or "header" in frame:
            inner = frame.get("frame")
            message = frame
        else:
            inner, message = frame, {"frame": frame}
        index = inner.get("frame_index") if isinstance(inner, dict) else None
        return orjson.dumps(message).decode(), index if isinstance(index, int) else None
    if isinstance(frame, str):
        return frame, None
    if isinstance(frame, bytes | bytearray | memoryview):
        return bytes(frame), None
    raise TypeError(f"cannot stream a {type(frame).__name__}: expected a message, dict or str")


def open_connection(
    url: str, headers: list[str], connect_timeout: float, io_timeout: float
) -> websocket.WebSocket:
    """Connect and handshake; a refused token raises :class:`UnauthorizedError`, an unreachable
    server :class:`ConnectError`, anything else :class:`TransportError`."""
    try:
        ws = websocket.create_connection(
            url,
            header=headers,
            timeout=connect_timeout,
            enable_multithread=True,
            skip_utf8_validation=True,
        )
    except websocket.WebSocketBadStatusException as exc:
        status = exc.status_code
        body = _error_text(exc.resp_body) or str(exc)
        if status in (401, 403):
            raise UnauthorizedError(body, status) from None
        raise TransportError(f"stream handshake refused by {url}: {body}", status) from None
    except (ConnectionError, TimeoutError, OSError) as exc:
        raise ConnectError(f"cannot connect to {url}: {exc}") from None
    except websocket.WebSocketException as exc:
        raise TransportError(f"stream handshake with {url} failed: {exc}") from None
    ws.settimeout(io_timeout)
    return ws


def write_message(ws: websocket.WebSocket, payload: str | bytes) -> None:
    if isinstance(payload, bytes):
        ws.send_bytes(payload)
    else:
        ws.send_text(payload)


def abort_connection(ws: websocket.WebSocket) -> None:
    """Wake a thread blocked in recv on ``ws`` (shutdown of the socket, both ways)."""
    sock = ws.sock  # not ws.abort(): it does nothing once a close frame was sent
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _error_text(body: bytes | None) -> str | None:
    if not body:
        return None
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace")[:300]
    if isinstance(parsed, dict) and parsed.get("error"):
        return str(parsed["error"])
    return None


@dataclass(frozen=True, slots=True)
class FrameProblem:
    """A frame that was rejected by the server or lost, and why.

    ``position`` is the 0-based order of the ``send`` call; ``tag`` is what
    was passed to ``send(tag=...)`` (the CLI passes ``file:line``).
    """

    position: int
    frame_index: int | None
    reason: str
    tag: Any = None


@dataclass(frozen=True, slots=True)
class StreamResult:
    """Counts since the stream was opened (``flush``, ``close`` and ``stats`` return one).

    ``pending`` is non-zero only when ``flush`` timed out; ``rejections`` and
    ``losses`` hold the first ``MAX_REPORTED`` problems with their reasons.
    """

    sent: int
    stored: int
    duplicates: int
    skipped: int
    rejected: int
    lost: int
    pending: int
    reconnects: int
    rejections: tuple[FrameProblem, ...] = ()
    losses: tuple[FrameProblem, ...] = ()
    #: frames an earlier process left in the spool, sent by this stream
    recovered: int = 0

    @property
    def ok(self) -> bool:
        """True when every frame sent was answered and none was rejected or lost."""
        return not (self.rejected or self.lost or self.pending)
