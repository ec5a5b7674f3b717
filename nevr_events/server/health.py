"""Liveness and readiness: ``GET /health`` (no auth) and a plain ``GET /``."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server import publish
from nevr_events.server.store import get_store

bp = Blueprint("health", __name__)

# A health probe must answer quickly even when the database hangs.
PING_TIMEOUT = 3.0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@bp.get("/health")
def health() -> ResponseReturnValue:
    try:
        get_store().ping(timeout=PING_TIMEOUT)
    except StoreUnavailable as exc:
        return jsonify(status="unhealthy", timestamp=_now(), error=str(exc)), 503
    return jsonify(status="healthy", timestamp=_now(), **_publishing())


def _publishing() -> dict[str, object]:
    try:
        return publish.health(current_app.config["SETTINGS"], get_store())
    except Exception:  # a health probe reports; it does not fail on this
        return {"amqp": "unknown"}


@bp.get("/")
def index() -> ResponseReturnValue:
    return jsonify(
        service="nevr-events",
        stream="/v3/stream (WebSocket; also / on upgrade)",
        reads="/lobby-session-events/{id}, /v3/lobby-session-events/{id}",
        health="/health",
    )
