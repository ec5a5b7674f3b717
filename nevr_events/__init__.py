"""nevr-events: stores and serves Echo VR lobby session telemetry.

The public API: ``create_app`` and ``Settings`` (server), ``Client``,
``FrameStream`` and their result types (client), and every exception of
``nevr_events.exceptions``. The exceptions are imported at once (a light
module); the rest is imported on first use, so that importing a light module
such as ``nevr_events.server.config`` (gunicorn does, before gevent patches the
standard library) does not drag in pymongo, Flask and the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nevr_events import exceptions as _exceptions
from nevr_events._exports import lazy_exports
from nevr_events.exceptions import *  # noqa: F403 - the names of exceptions.__all__

__version__ = "0.1.0"

EXPORTS, _lazy_getattr = lazy_exports(
    __name__,
    {
        "nevr_events.server.app": ("create_app",),
        "nevr_events.server.config": ("Settings",),
        "nevr_events.client.http": ("Client",),
        "nevr_events.client.results": ("EventPage", "Health", "SessionEvent", "SessionEvents"),
        "nevr_events.client.framestream": ("FrameStream",),
        "nevr_events.client.framewire": ("FrameProblem", "StreamResult"),
        "nevr_events.client.live": ("Match", "MatchPage", "WatchedFrame"),
    },
)

__all__ = sorted([*_exceptions.__all__, *EXPORTS])

if TYPE_CHECKING:  # the same names, for type checkers (tests/test_public_api.py keeps them equal)
    from nevr_events.client.framestream import FrameStream as FrameStream
    from nevr_events.client.framewire import FrameProblem as FrameProblem
    from nevr_events.client.framewire import StreamResult as StreamResult
    from nevr_events.client.http import Client as Client
    from nevr_events.client.live import Match as Match
    from nevr_events.client.live import MatchPage as MatchPage
    from nevr_events.client.live import WatchedFrame as WatchedFrame
    from nevr_events.client.results import EventPage as EventPage
    from nevr_events.client.results import Health as Health
    from nevr_events.client.results import SessionEvent as SessionEvent
    from nevr_events.client.results import SessionEvents as SessionEvents
    from nevr_events.server.app import create_app as create_app
    from nevr_events.server.config import Settings as Settings


def __getattr__(name: str) -> Any:
    if name in ("BadRequest", "Unauthorized", "NotFound"):  # names before 0.2
        return getattr(_exceptions, name)
    return _lazy_getattr(name)
