"""The stream's WebSocket routes: who is connecting, and one ``StreamSession`` each."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, current_app, g, request
from flask_sock import Sock
from werkzeug.exceptions import ServiceUnavailable

from nevr_events.server import auth
from nevr_events.server.config import Settings
from nevr_events.server.ingest.session import Ingest, StreamObserver, StreamOptions, StreamSession
from nevr_events.server.ingest.wsconn import ServerSocket
from nevr_events.server.runtime import Runtime
from nevr_events.wire.frames import FrameValidator

log = logging.getLogger(__name__)

bp = Blueprint("stream", __name__)
sock = Sock()
bp.before_request(auth.authenticate)  # refused with 401 before the upgrade

_EXTENSION = "nevr_events.ingest"
# Complete messages simple-websocket may hold before it stops reading the socket.
INBOX_MESSAGES = 32


def init_app(
    app: Flask, runtime: Runtime, validator: FrameValidator, observer: StreamObserver
) -> Ingest:
    """What every stream of ``app`` is given (register ``bp`` to serve them)."""
    settings: Settings = app.config["SETTINGS"]
    ingest = Ingest(runtime, validator, observer, StreamOptions.from_settings(settings))
    app.extensions[_EXTENSION] = ingest
    return ingest


def _ingest() -> Ingest:
    ingest: Ingest = current_app.extensions[_EXTENSION]
    return ingest


@bp.before_request
def _open_stream() -> None:
    """Count the stream as open, or refuse it with 503 before the upgrade (MAX_STREAMS)."""
    if request.method == "OPTIONS":  # a CORS preflight opens nothing
        return
    runtime = _ingest().runtime
    if not runtime.try_open_stream():
        raise ServiceUnavailable(
            f"this worker already serves {runtime.max_streams} streams (MAX_STREAMS): "
            "try again later"
        )
    g.stream_open = True


@bp.teardown_request
def _close_stream(_exc: BaseException | None) -> None:
    # Teardown runs however the request ended, after the stream closed.
    if g.pop("stream_open", False):
        _ingest().runtime.close_stream()


@sock.route("/v3/stream", bp=bp)
def stream(ws: Any) -> None:
    _serve(ws)


@sock.route("/ws", bp=bp)
def stream_at_ws(ws: Any) -> None:
    # The path of the Go service's later versions.
    _serve(ws)


@sock.route("/", bp=bp)
def stream_at_root(ws: Any) -> None:
    # The reference agent dials the URL as given, often the bare host.
    _serve(ws)


def _serve(ws: Any) -> None:
    ingest = _ingest()
    claims = g.get("claims") or {}
    # Identity comes from the token; the header is a fallback for tokens without `sub`.
    user_id = str(claims.get("sub") or request.headers.get("X-User-ID", ""))
    node = request.headers.get("X-Node-ID") or "default-node"
    fields = {"user": user_id or "-", "node": node}
    with ServerSocket(ws, INBOX_MESSAGES) as socket:
        session = StreamSession(socket, ingest, user_id=user_id, node=node)
        log.info("stream opened user=%s node=%s", user_id or "-", node, extra=fields)
        session.run()
    log.info(
        "stream closed user=%s node=%s counts=%s%s",
        user_id or "-",
        node,
        session.counts,
        " (idle timeout)" if session.idle else "",
        extra={**fields, "counts": session.counts},
    )
