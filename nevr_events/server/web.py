"""What every blueprint answers through: one JSON encoding, one session-id URL converter,
and the parsing of the query arguments the read routes share.

``init_app`` installs them on the app before any blueprint is registered (a
rule's converters are looked up when the rule is added).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import orjson
from bson import ObjectId
from flask import Flask, Response
from flask.json.provider import JSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter

from nevr_events.exceptions import InvalidSessionId
from nevr_events.wire.api import format_time, page_size
from nevr_events.wire.frames import canonical_session_id

Position = TypeVar("Position")

INVALID_CURSOR = "cursor is not valid: pass the `next` value of a previous page"
_CONVERTER = re.compile(r"<[^:>]+:([^>]+)>")


def _encode_other(value: object) -> str:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, ObjectId):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(value: object) -> bytes:
    """The JSON of every answer and live message: times as ``format_time`` writes them,
    ObjectIds as hex, keys in the order given."""
    return orjson.dumps(value, default=_encode_other, option=orjson.OPT_PASSTHROUGH_DATETIME)


class OrjsonProvider(JSONProvider):
    """``jsonify``, ``request.get_json`` and the error answers on orjson, through ``to_json``."""

    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return to_json(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        body = to_json(self._prepare_response_obj(args, kwargs))
        return Response(body, mimetype=self.mimetype)


def checked_session_id(raw: object, error: Callable[[str], Exception] = BadRequest) -> str:
    """``canonical_session_id``, or ``error`` (a 400 unless told) with its message."""
    try:
        return canonical_session_id(raw)
    except InvalidSessionId as exc:
        raise error(str(exc)) from None


class SessionIdConverter(BaseConverter):
    """``<session_id:name>``: the view gets the canonical id; a bad one is a 400 before
    any view or before-request hook of its blueprint runs (so also before a WebSocket
    upgrade)."""

    def to_python(self, value: str) -> str:
        return checked_session_id(value)


@functools.cache
def route_template(rule: str) -> str:
    """A URL rule with its variables by name only: ``/api/v3/matches/<match_id>``."""
    return _CONVERTER.sub(r"<\1>", rule)


def parse_limit(raw: str | None, default: int, maximum: int) -> int:
    """The ``limit`` argument: ``default`` when absent, else a whole number clamped to
    ``1..maximum``."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"limit must be a whole number, got {raw!r}") from None
    return page_size(value, default, maximum)


def parse_cursor(token: str | None, decode: Callable[[str], Position]) -> Position | None:
    """The position a ``next`` cursor names (None when absent); a 400 when ``decode``
    refuses it with ValueError."""
    if not token:
        return None
    try:
        return decode(token)
    except ValueError:
        raise BadRequest(INVALID_CURSOR) from None


def init_app(app: Flask) -> None:
    app.json = OrjsonProvider(app)
    app.url_map.converters["session_id"] = SessionIdConverter
