"""nevr-events: stores and serves Echo VR lobby session telemetry.

The public names are imported on first use, so that importing a light module
such as ``nevr_events.config`` (gunicorn does, before gevent patches the
standard library) does not drag in pymongo, Flask and the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "create_app": "nevr_events.app",
    "Settings": "nevr_events.config",
    "AuthError": "nevr_events.exceptions",
    "ConfigError": "nevr_events.exceptions",
    "InvalidFrame": "nevr_events.exceptions",
    "InvalidSessionId": "nevr_events.exceptions",
    "NevrEventsError": "nevr_events.exceptions",
    "StoreUnavailable": "nevr_events.exceptions",
}

__all__ = [
    "AuthError",
    "ConfigError",
    "InvalidFrame",
    "InvalidSessionId",
    "NevrEventsError",
    "Settings",
    "StoreUnavailable",
    "create_app",
]

if TYPE_CHECKING:
    from nevr_events.app import create_app
    from nevr_events.config import Settings
    from nevr_events.exceptions import (
        AuthError,
        ConfigError,
        InvalidFrame,
        InvalidSessionId,
        NevrEventsError,
        StoreUnavailable,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nevr_events' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
