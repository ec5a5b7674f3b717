"""nevr-events: stores and serves Echo VR lobby session telemetry."""

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
__version__ = "0.1.0"
