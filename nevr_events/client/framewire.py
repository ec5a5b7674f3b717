"""What ``FrameStream`` sends and reports: URL and frame encoding, result types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
from google.protobuf.message import Message

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

    @property
    def ok(self) -> bool:
        """True when every frame sent was answered and none was rejected or lost."""
        return not (self.rejected or self.lost or self.pending)
