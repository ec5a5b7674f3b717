"""The client side: the HTTP ``Client``, the ``FrameStream`` sender, recording readers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nevr_events._exports import lazy_exports

EXPORTS, __getattr__ = lazy_exports(
    __name__,
    {
        "nevr_events.client.http": ("Client",),
        "nevr_events.client.results": (
            "EventPage",
            "Health",
            "SessionEvent",
            "SessionEvents",
        ),
        "nevr_events.client.framestream": ("FrameStream",),
        "nevr_events.client.framewire": (
            "FrameProblem",
            "StreamResult",
        ),
        "nevr_events.client.live": (
            "Match",
            "MatchPage",
            "WatchedFrame",
        ),
        "nevr_events.client.spool": (
            "Spool",
            "SpoolStatus",
            "spool_status",
        ),
        "nevr_events.client.replay": (
            "LineError",
            "ReplayFrame",
            "read_echoreplay",
            "read_frames",
            "read_ndjson",
        ),
    },
)
__all__ = sorted(EXPORTS)

if TYPE_CHECKING:
    from nevr_events.client.framestream import FrameStream as FrameStream
    from nevr_events.client.framewire import FrameProblem as FrameProblem
    from nevr_events.client.framewire import StreamResult as StreamResult
    from nevr_events.client.http import Client as Client
    from nevr_events.client.live import Match as Match
    from nevr_events.client.live import MatchPage as MatchPage
    from nevr_events.client.live import WatchedFrame as WatchedFrame
    from nevr_events.client.replay import LineError as LineError
    from nevr_events.client.replay import ReplayFrame as ReplayFrame
    from nevr_events.client.replay import read_echoreplay as read_echoreplay
    from nevr_events.client.replay import read_frames as read_frames
    from nevr_events.client.replay import read_ndjson as read_ndjson
    from nevr_events.client.results import EventPage as EventPage
    from nevr_events.client.results import Health as Health
    from nevr_events.client.results import SessionEvent as SessionEvent
    from nevr_events.client.results import SessionEvents as SessionEvents
    from nevr_events.client.spool import Spool as Spool
    from nevr_events.client.spool import SpoolStatus as SpoolStatus
    from nevr_events.client.spool import spool_status as spool_status
