"""Publishing stored frames' events to RabbitMQ (AMQP), on only when ``AMQP_URL`` is set.

See docs/publishing.md for the messages and the guarantees.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from flask import Flask

from nevr_events.server.config import Settings
from nevr_events.server.store import EventStore

if TYPE_CHECKING:
    from nevr_events.server.publish.publisher import Publisher

STATUS = "amqp.status"  # the state the lease holder keeps for /health (publisher.STATUS)


def init_app(app: Flask, store: EventStore) -> Publisher | None:
    """Start this worker's publisher when ``AMQP_URL`` is set; without it nothing
    is imported or connected."""
    settings: Settings = app.config["SETTINGS"]
    if not settings.amqp_url:
        return None
    from nevr_events.server.publish.publisher import Publisher

    publisher = Publisher(store, settings)
    publisher.metrics = app.extensions.get("nevr_events.metrics")
    publisher.start()
    app.extensions["nevr_events.publisher"] = publisher
    return publisher


def health(settings: Settings, store: EventStore) -> dict[str, Any]:
    """``amqp``: off | connected | disconnected (as the lease holder last reported it),
    and ``amqp_lag_seconds``: how far publishing is behind the newest stored frame."""
    if not settings.amqp_url:
        return {"amqp": "off"}
    status = store.get_state(STATUS) or {}
    fresh = time.time() - float(status.get("at") or 0) < settings.amqp_lease
    latest = store.latest_arrival()
    through = status.get("published_through")
    lag: float | None = None
    if latest is None:
        lag = 0.0
    elif through is not None:
        lag = round(max(0.0, latest.timestamp() - float(through)), 3)
    return {
        "amqp": "connected" if fresh and status.get("connected") else "disconnected",
        "amqp_lag_seconds": lag,
    }
