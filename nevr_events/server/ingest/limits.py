"""Limits that bad or runaway clients hit, each answered with a JSON error.

* ``MAX_STREAMS``: open streams per worker, counted by the runtime; one more
  is refused with 503 before the WebSocket upgrade (``ingest.routes``).
* ``GRAPHQL_MAX_BODY_BYTES``: the largest request body (only GraphQL takes
  one); larger gets 413. ``GRAPHQL_MAX_QUERY_BYTES`` is checked by the GraphQL
  view, ``MAX_HEADER_BYTES`` by gunicorn (``limit_request_field_size``),
  ``MAX_STREAM_HZ`` and ``STREAM_IDLE_TIMEOUT`` by the stream itself.
"""

from __future__ import annotations

from flask import Flask

from nevr_events.server.config import Settings


def init_app(app: Flask) -> None:
    settings: Settings = app.config["SETTINGS"]
    app.config["MAX_CONTENT_LENGTH"] = settings.graphql_max_body_bytes
