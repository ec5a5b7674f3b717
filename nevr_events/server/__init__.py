"""The service: the Flask app factory, its settings, and one subpackage per concern."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nevr_events._exports import lazy_exports

EXPORTS, __getattr__ = lazy_exports(
    __name__,
    {
        "nevr_events.server.app": ("create_app",),
        "nevr_events.server.runtime": (
            "Runtime",
            "close_app",
        ),
        "nevr_events.server.config": ("Settings",),
    },
)
__all__ = sorted(EXPORTS)

if TYPE_CHECKING:
    from nevr_events.server.app import create_app as create_app
    from nevr_events.server.config import Settings as Settings
    from nevr_events.server.runtime import Runtime as Runtime
    from nevr_events.server.runtime import close_app as close_app
