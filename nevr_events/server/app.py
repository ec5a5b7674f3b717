"""The Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify
from flask_cors import CORS
from werkzeug.exceptions import HTTPException, InternalServerError

from nevr_events.server import graphql, publish, runtime, store, web
from nevr_events.server.config import AUTH_NONE_WARNING, Settings
from nevr_events.server.ingest import limits, routes, wsconn
from nevr_events.server.live import hub as live_hub
from nevr_events.server.live import views as live_views
from nevr_events.server.ops import health, logs, metrics, retention
from nevr_events.server.reads import matches, openapi, sessions
from nevr_events.wire.fastframe import FastFrameValidator
from nevr_events.wire.frames import FrameValidator

log = logging.getLogger(__name__)


def create_app(
    config: Settings | Mapping[str, Any] | None = None,
    *,
    event_store: store.EventStore | None = None,
    validator: FrameValidator | None = None,
) -> Flask:
    """Build the app from ``Settings``, or from the environment plus overrides."""
    settings = config if isinstance(config, Settings) else Settings.from_env(**dict(config or {}))
    settings.validate()

    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config["SOCK_SERVER_OPTIONS"] = {
        "ping_interval": settings.ping_interval,
        # Larger messages close the stream with 1009 (message too big).
        "max_message_size": settings.max_message_bytes,
        "receive_bytes": 64 * 1024,
        # Whole frames, unmasked in C: see nevr_events/server/ingest/wsconn.py.
        "thread_class": wsconn.frame_reader(),
    }
    web.init_app(app)
    CORS(
        app,
        origins=list(settings.cors_origins),
        allow_headers=["Authorization", "Content-Type", "X-User-ID", "X-Node-ID"],
        max_age=600,
    )
    # Made first: the writer, the runtime, the stream and the services report to it.
    app_metrics = metrics.init_app(app)
    event_store = store.init_app(app, event_store)
    app_runtime = runtime.init_app(app, event_store, app_metrics)
    logs.init_app(app)
    limits.init_app(app)
    routes.init_app(app, app_runtime, validator or FastFrameValidator(), app_metrics)
    hub = live_hub.init_app(app, event_store, metrics=app_metrics)
    app_runtime.on_close(hub.stop)
    app_runtime.notifier.listen(hub.wake)
    publisher = publish.init_app(app, event_store, metrics=app_metrics)
    if publisher is not None:
        app_runtime.on_close(publisher.stop)
        app_runtime.notifier.listen(publisher.wake)
    sweeper = retention.init_sweeper(settings, event_store, app_metrics)
    if sweeper is not None:
        app.extensions["nevr_events.retention"] = sweeper
        app_runtime.on_close(sweeper.stop)

    app.register_blueprint(health.bp)
    app.register_blueprint(sessions.bp)
    app.register_blueprint(routes.bp)
    app.register_blueprint(graphql.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(live_views.bp)
    app.register_blueprint(matches.bp)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    log.info("nevr-events ready: %s", store.describe(settings))
    if settings.auth == "none":
        log.warning(AUTH_NONE_WARNING)
    return app


def _http_error(exc: HTTPException) -> Response:
    """Every error answer is JSON: ``{"error": ..., "status": ...}``."""
    response = jsonify(error=exc.description, status=exc.code)
    response.status_code = exc.code or 500
    if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response


def _unexpected_error(exc: Exception) -> Response:
    log.exception("unhandled error")
    return _http_error(InternalServerError("internal server error"))
