"""Limits that bad or runaway clients hit, each answered with a JSON error.

* ``MAX_STREAMS``: open streams per worker; one more is refused with 503
  before the WebSocket upgrade.
* ``GRAPHQL_MAX_BODY_BYTES``: the largest request body (only GraphQL takes
  one); larger gets 413. ``GRAPHQL_MAX_QUERY_BYTES`` is checked by the GraphQL
  view, ``MAX_HEADER_BYTES`` by gunicorn (``limit_request_field_size``) and
  ``STREAM_IDLE_TIMEOUT`` by the stream itself.
"""

from __future__ import annotations

from flask import Flask, g, request
from gevent.lock import BoundedSemaphore
from werkzeug.exceptions import ServiceUnavailable

STREAM_BLUEPRINT = "stream"


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.config["MAX_CONTENT_LENGTH"] = settings.graphql_max_body_bytes
    slots = BoundedSemaphore(settings.max_streams)
    app.extensions["nevr_events.stream_slots"] = slots

    @app.before_request
    def _take_stream_slot() -> None:
        if request.blueprint != STREAM_BLUEPRINT or request.method == "OPTIONS":
            return
        if not slots.acquire(blocking=False):
            raise ServiceUnavailable(
                f"this worker already serves {settings.max_streams} streams (MAX_STREAMS): "
                "try again later"
            )
        g.stream_slot = True

    @app.teardown_request
    def _release_stream_slot(_exc: BaseException | None) -> None:
        # Teardown runs however the request ended, after the stream closed.
        if g.pop("stream_slot", False):
            slots.release()
