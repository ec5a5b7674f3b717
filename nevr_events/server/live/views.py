"""The live view: list live sessions, and watch one over a WebSocket.

``GET /api/v3/stream`` lists the sessions that received a frame within
``LIVE_WINDOW`` (asked of the store, so any worker or instance counts);
``GET /api/v3/stream/{id}/info`` describes one; ``WS /api/v3/stream/{id}``
sends its frames as they are stored, with pause, play, frame rate and seek.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask_sock import Sock
from simple_websocket import Server
from werkzeug.exceptions import BadRequest, NotFound, ServiceUnavailable
from wsproto.frame_protocol import CloseReason

from nevr_events.server import auth
from nevr_events.server.live.hub import HubFull, get_hub
from nevr_events.server.live.spectator import Spectator
from nevr_events.server.runtime import get_runtime
from nevr_events.server.store import get_store

log = logging.getLogger(__name__)

bp = Blueprint("live", __name__)
sock = Sock()
bp.before_request(auth.authenticate)

DEFAULT_FPS = 30


@bp.get("/api/v3/stream")
def list_streams() -> Response:
    """Sessions that received a frame within ``LIVE_WINDOW``, from any worker or instance."""
    settings = current_app.config["SETTINGS"]
    store, hub = get_store(), get_hub()
    since = datetime.now(UTC) - timedelta(seconds=settings.live_window)
    summaries = store.session_summaries(store.active_sessions(since))
    # The arrival query has second precision; the receive time of the last frame decides.
    summaries = {sid: s for sid, s in summaries.items() if _is_live(s, since)}
    subscribers = hub.subscribers() if summaries else {}
    streams = [
        {
            "match_id": sid,
            "subscribers": subscribers.get(sid, 0),
            "frames": summary["frame_count"],
            "start_time": summary.get("first_timestamp"),
            "last_frame_at": summary.get("updated_at"),
        }
        for sid, summary in sorted(summaries.items())
    ]
    return jsonify({"streams": streams})


@bp.get("/api/v3/stream/<session_id:match_id>/info")
def stream_info(match_id: str) -> Response:
    settings = current_app.config["SETTINGS"]
    store = get_store()
    summary = store.session_summaries([match_id]).get(match_id)
    if summary is None:
        raise NotFound(f"unknown match: {match_id}")
    since = datetime.now(UTC) - timedelta(seconds=settings.live_window)
    return jsonify(
        {
            "match_id": match_id,
            "status": "live" if _is_live(summary, since) else "completed",
            "frames": summary["frame_count"],
            "subscribers": get_hub().subscribers().get(match_id, 0),
            "start_time": summary.get("first_timestamp"),
            "last_frame_at": summary.get("updated_at"),
        }
    )


def _is_live(summary: dict[str, Any], since: datetime) -> bool:
    """Whether the session's newest frame was received at or after ``since``."""
    received = summary.get("updated_at")
    return received is not None and received >= since


def _parse_fps(raw: str | None, ceiling: int) -> int:
    if raw is None or raw == "":
        return min(DEFAULT_FPS, ceiling)
    fps = int(raw) if raw.strip().isdecimal() else 0
    if fps <= 0:
        raise BadRequest(f"fps must be a positive whole number, got {raw!r}")
    return min(fps, ceiling)


@bp.before_request
def _check_watch() -> None:
    """Refuse a bad or surplus subscription before the upgrade, with a JSON answer
    (a bad match id is refused earlier, by the URL converter)."""
    if request.endpoint != "live.watch" or request.method == "OPTIONS":
        return
    _parse_fps(request.args.get("fps"), current_app.config["SETTINGS"].max_subscriber_fps)
    if request.args.get("from", "start") != "start":
        raise BadRequest("from must be `start` (or left out to start live)")
    hub = get_hub()
    if hub.total() >= hub.max_subscribers:
        raise ServiceUnavailable(
            f"this worker already serves {hub.max_subscribers} live subscribers; try again later"
        )


@sock.route("/api/v3/stream/<session_id:match_id>", bp=bp)
def watch(ws: Server, match_id: str) -> None:
    settings = current_app.config["SETTINGS"]
    hub = get_hub()
    try:
        subscription = hub.subscribe(match_id)
    except HubFull as exc:  # filled up between the check and the upgrade
        ws.close(CloseReason.TRY_AGAIN_LATER, str(exc))
        return
    spectator = Spectator(
        ws,
        hub=hub,
        subscription=subscription,
        store=get_store(),
        metrics=hub.metrics,
        fps=_parse_fps(request.args.get("fps"), settings.max_subscriber_fps),
        max_fps=settings.max_subscriber_fps,
        live_window=settings.live_window,
        stopping=get_runtime().stopping,
    )
    log.info("live subscriber joined match=%s", subscription.session_id)
    try:
        spectator.run(from_start=request.args.get("from") == "start")
    finally:
        hub.unsubscribe(subscription)
        log.info(
            "live subscriber left match=%s sent=%d dropped=%d",
            subscription.session_id,
            spectator.sent,
            subscription.dropped,
        )
