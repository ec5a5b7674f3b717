"""Liveness and readiness: ``GET /health`` (no auth) and a plain ``GET /``."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify
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
    auth = current_app.config["SETTINGS"].auth
    try:
        get_store().ping(timeout=PING_TIMEOUT)
    except StoreUnavailable as exc:
        return jsonify(status="unhealthy", timestamp=_now(), error=str(exc), auth=auth), 503
    return jsonify(status="healthy", timestamp=_now(), auth=auth)


@bp.get("/")
def index() -> ResponseReturnValue:
    return jsonify(
        service="nevr-events",
        stream="/v3/stream (WebSocket; also /ws, and / on upgrade)",
        reads="/lobby-session-events/{id}, /v3/lobby-session-events/{id}",
        health="/health",
        metrics="/metrics",
        openapi="/openapi.json",
    )
