"""Stored v1 frames out as ``.tape`` and ``.nevrcap`` files, streamed.

Both take ``(timestamp, stored frame)`` pairs of one match in order (what a
download reads from the store, a page at a time) and give the file piece by
piece, so memory stays flat in the match's length. A stored frame is canonical
protojson; fields the schema does not know (kept verbatim by the store) are
left out of the file. A frame without a session cannot be held by v2 and is
left out of a ``.tape``; a frame without its own timestamp gets the stored one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from google.protobuf import json_format

from nevr_events.wire.nevrcap import nevrcap_chunks
from nevr_events.wire.pb import capture_pb2, telemetry_pb2
from nevr_events.wire.tape import Layout, tape_chunks
from nevr_events.wire.v2.tov2 import V1ToV2, header_from_v1

Stored = Iterable[tuple[datetime, dict[str, Any]]]


def v1_frames(frames: Stored) -> Iterator[telemetry_pb2.LobbySessionStateFrame]:
    """Stored frames as protobuf messages."""
    for stamp, stored in frames:
        frame = telemetry_pb2.LobbySessionStateFrame()
        json_format.ParseDict(stored, frame, ignore_unknown_fields=True)
        if not frame.HasField("timestamp"):
            frame.timestamp.FromDatetime(stamp)
        yield frame


def stored_tape_chunks(match_id: str, frames: Stored, layout: Layout = "stream") -> Iterator[bytes]:
    """The ``.tape`` of a stored match (the header from its first frame with a session)."""
    sessions = (frame for frame in v1_frames(frames) if frame.HasField("session"))
    first = next(sessions, None)
    if first is None:
        return iter(())
    header = header_from_v1(match_id, None, {}, first)
    forward = V1ToV2(header)

    def v2_frames() -> Iterator[capture_pb2.Frame]:
        yield forward.frame(first)
        for frame in sessions:
            yield forward.frame(frame)

    return tape_chunks(header, v2_frames(), layout)


def stored_nevrcap_chunks(match_id: str, frames: Stored) -> Iterator[bytes]:
    """The ``.nevrcap`` of a stored match: a header naming it, then its frames."""
    messages = v1_frames(frames)
    first = next(messages, None)
    header = telemetry_pb2.TelemetryHeader(capture_id=match_id)
    if first is not None:
        header.created_at.CopyFrom(first.timestamp)

    def all_frames() -> Iterator[telemetry_pb2.LobbySessionStateFrame]:
        if first is not None:
            yield first
        yield from messages

    return nevrcap_chunks(header, all_frames())
