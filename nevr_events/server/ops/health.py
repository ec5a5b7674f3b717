"""Liveness and readiness: ``GET /health`` (no auth) and a plain ``GET /``.

``check_health`` is the one health check; GraphQL's ``health`` field uses it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server import publish
from nevr_events.server.store import get_store

bp = Blueprint("health", __name__)

# A health probe must answer quickly even when the database hangs.
PING_TIMEOUT = 3.0


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """The outcome of pinging the database; ``error`` says why when not healthy."""

    healthy: bool
    timestamp: datetime
    error: str | None = None

    @property
    def status(self) -> str:
        return "healthy" if self.healthy else "unhealthy"


def check_health() -> HealthCheck:
    """Ping the app's store within ``PING_TIMEOUT`` seconds."""
    try:
        get_store().ping(timeout=PING_TIMEOUT)
    except StoreUnavailable as exc:
        return HealthCheck(False, datetime.now(UTC), str(exc))
    return HealthCheck(True, datetime.now(UTC))


@bp.get("/health")
def health() -> ResponseReturnValue:
    check = check_health()
    body = {
        "status": check.status,
        "timestamp": check.timestamp,
        "auth": current_app.config["SETTINGS"].auth,
    }
    if check.error is not None:
        return jsonify(**body, error=check.error), 503
    return jsonify(**body, **_publishing())


def _publishing() -> dict[str, object]:
    try:
        return publish.health(current_app.config["SETTINGS"], get_store())
    except Exception:  # a health probe reports; it does not fail on this
        return {"amqp": "unknown"}


@bp.get("/")
def index() -> ResponseReturnValue:
    return jsonify(
        service="nevr-events",
        stream="/v3/stream (WebSocket; also /ws, and / on upgrade)",
        reads="/lobby-session-events/{id}, /v3/lobby-session-events/{id}",
        health="/health",
        metrics="/metrics",
        openapi="/openapi.json",
        live="/api/v3/stream, /api/v3/stream/{id} (WebSocket), /api/v3/stream/{id}/info",
        matches="/api/v3/matches, /api/v3/matches/{id}, /api/v3/matches/{id}/download",
    )
