"""The live view: each worker's hub following the store, its routes, one spectator a watcher."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nevr_events._exports import lazy_exports

EXPORTS, __getattr__ = lazy_exports(
    __name__,
    {
        "nevr_events.server.live.hub": (
            "LiveHub",
            "Subscription",
        ),
        "nevr_events.server.live.spectator": ("Spectator",),
    },
)
__all__ = sorted(EXPORTS)

if TYPE_CHECKING:
    from nevr_events.server.live.hub import LiveHub as LiveHub
    from nevr_events.server.live.hub import Subscription as Subscription
    from nevr_events.server.live.spectator import Spectator as Spectator
