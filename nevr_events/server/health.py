"""Liveness and readiness: ``GET /health`` (no auth) and a plain ``GET /``."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from nevr_events.exceptions import StoreUnavailable
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
    return jsonify(status="healthy", timestamp=_now())


@bp.get("/")
def index() -> ResponseReturnValue:
    return jsonify(
        service="nevr-events",
        stream="/v3/stream (WebSocket; also / on upgrade)",
        reads="/lobby-session-events/{id}, /v3/lobby-session-events/{id}",
        health="/health",
        live="/api/v3/stream, /api/v3/stream/{id} (WebSocket), /api/v3/stream/{id}/info",
        matches="/api/v3/matches, /api/v3/matches/{id}, /api/v3/matches/{id}/download",
    )
