"""nevr-events: stores and serves Echo VR lobby session telemetry.

The public names are imported on first use, so that importing a light module
such as ``nevr_events.server.config`` (gunicorn does, before gevent patches the
standard library) does not drag in pymongo, Flask and the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "create_app": "nevr_events.server.app",
    "Settings": "nevr_events.server.config",
    "AuthError": "nevr_events.exceptions",
    "ConfigError": "nevr_events.exceptions",
    "InvalidFrame": "nevr_events.exceptions",
    "InvalidSessionId": "nevr_events.exceptions",
    "NevrEventsError": "nevr_events.exceptions",
    "StoreUnavailable": "nevr_events.exceptions",
    # client side (docs/client.md)
    "ClientError": "nevr_events.exceptions",
    "BadRequest": "nevr_events.exceptions",
    "Unauthorized": "nevr_events.exceptions",
    "NotFound": "nevr_events.exceptions",
    "ServerError": "nevr_events.exceptions",
    "TransportError": "nevr_events.exceptions",
    "ConnectError": "nevr_events.exceptions",
    "StreamError": "nevr_events.exceptions",
    "Client": "nevr_events.client.http",
    "SessionEvent": "nevr_events.client.http",
    "SessionEvents": "nevr_events.client.http",
    "EventPage": "nevr_events.client.http",
    "Health": "nevr_events.client.http",
    "Match": "nevr_events.client.live",
    "MatchPage": "nevr_events.client.live",
    "WatchedFrame": "nevr_events.client.live",
    "FrameStream": "nevr_events.client.framestream",
    "StreamResult": "nevr_events.client.framewire",
    "FrameProblem": "nevr_events.client.framewire",
}

__all__ = [
    "AuthError",
    "BadRequest",
    "Client",
    "ClientError",
    "ConfigError",
    "ConnectError",
    "EventPage",
    "FrameProblem",
    "FrameStream",
    "Health",
    "InvalidFrame",
    "InvalidSessionId",
    "Match",
    "MatchPage",
    "NevrEventsError",
    "NotFound",
    "ServerError",
    "SessionEvent",
    "SessionEvents",
    "Settings",
    "StoreUnavailable",
    "StreamError",
    "StreamResult",
    "TransportError",
    "Unauthorized",
    "WatchedFrame",
    "create_app",
]

if TYPE_CHECKING:
    from nevr_events.client.framestream import FrameStream
    from nevr_events.client.framewire import FrameProblem, StreamResult
    from nevr_events.client.http import Client, EventPage, Health, SessionEvent, SessionEvents
    from nevr_events.client.live import Match, MatchPage, WatchedFrame
    from nevr_events.exceptions import (
        AuthError,
        BadRequest,
        ClientError,
        ConfigError,
        ConnectError,
        InvalidFrame,
        InvalidSessionId,
        NevrEventsError,
        NotFound,
        ServerError,
        StoreUnavailable,
        StreamError,
        TransportError,
        Unauthorized,
    )
    from nevr_events.server.app import create_app
    from nevr_events.server.config import Settings


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nevr_events' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
