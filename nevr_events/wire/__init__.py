"""The wire format: the protobuf schema, the frame validators built on it, the API's facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nevr_events._exports import lazy_exports

EXPORTS, __getattr__ = lazy_exports(
    __name__,
    {
        "nevr_events.wire.frames": (
            "FrameValidator",
            "ParsedMessage",
            "ProtobufFrameValidator",
            "canonical_session_id",
            "parse_timestamp",
        ),
        "nevr_events.wire.fastframe": ("FastFrameValidator",),
        "nevr_events.wire.echoreplay": ("echoreplay_chunks",),
    },
)
__all__ = sorted(EXPORTS)

if TYPE_CHECKING:
    from nevr_events.wire.echoreplay import echoreplay_chunks as echoreplay_chunks
    from nevr_events.wire.fastframe import FastFrameValidator as FastFrameValidator
    from nevr_events.wire.frames import FrameValidator as FrameValidator
    from nevr_events.wire.frames import ParsedMessage as ParsedMessage
    from nevr_events.wire.frames import ProtobufFrameValidator as ProtobufFrameValidator
    from nevr_events.wire.frames import canonical_session_id as canonical_session_id
    from nevr_events.wire.frames import parse_timestamp as parse_timestamp
