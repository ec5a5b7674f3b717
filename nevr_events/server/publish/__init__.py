"""Publishing stored frames' events to RabbitMQ (AMQP), on only when ``AMQP_URL`` is set.

See docs/publishing.md for the messages and the guarantees.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from flask import Flask

from nevr_events.server.config import Settings

if TYPE_CHECKING:
    from nevr_events.server.publish.publisher import OutboxStore, Publisher, PublishMetrics


def init_app(app: Flask, store: OutboxStore, *, metrics: PublishMetrics) -> Publisher | None:
    """Start this worker's publisher when ``AMQP_URL`` is set and return it (the
    caller stops it); without ``AMQP_URL`` nothing is imported or connected."""
    settings: Settings = app.config["SETTINGS"]
    if not settings.amqp_url:
        return None
    from nevr_events.server.publish.publisher import Publisher

    publisher = Publisher(store, settings, metrics=metrics).start()
    app.extensions["nevr_events.publisher"] = publisher
    return publisher


def health(settings: Settings, store: OutboxStore) -> dict[str, Any]:
    """``amqp``: off | connected | disconnected (as the lease holder last reported it),
    and ``amqp_lag_seconds``: how far publishing is behind the newest stored frame."""
    if not settings.amqp_url:
        return {"amqp": "off"}
    from nevr_events.server.publish.publisher import STATUS

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
