"""HTTP reads of stored sessions (token required, header or ``?token=``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest

from nevr_events.exceptions import InvalidSessionId
from nevr_events.server import auth
from nevr_events.server.store import EventStore, PageCursor, get_store
from nevr_events.wire.api import (
    EVENTS_PAGE_DEFAULT,
    EVENTS_PAGE_MAX,
    format_time,
    legacy_event_json,
    legacy_json,
    legacy_ndjson,
    page_size,
)
from nevr_events.wire.frames import canonical_session_id

bp = Blueprint("reads", __name__)
bp.before_request(auth.authenticate)

NDJSON = "application/x-ndjson"


def _session_id(raw: str) -> str:
    try:
        return canonical_session_id(raw)
    except InvalidSessionId as exc:
        raise BadRequest(str(exc)) from None


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    return str(value)  # ObjectId


def dumps(value: Any) -> bytes:
    """JSON for stored documents: ObjectIds as hex strings, times as ``format_time`` writes them."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


@bp.get("/lobby-session-events/<session_id>")
@bp.get("/v1/lobby-session-events/<session_id>")
def session_events(session_id: str) -> Response:
    """Every frame of a session, oldest first, streamed from the database cursor."""
    sid = _session_id(session_id)
    events = _legacy_events(get_store(), sid)
    if NDJSON in request.headers.get("Accept", ""):
        return Response(legacy_ndjson(events, dumps=_as_is), mimetype=NDJSON)
    return Response(legacy_json(sid, events, dumps=_as_is), mimetype="application/json")


def _legacy_events(store: EventStore, sid: str) -> Iterator[bytes]:
    """Each frame as a legacy event entry, spliced from the stored frame JSON
    rather than decoded and encoded again."""
    users: dict[str | None, bytes] = {}
    for user_id, frame in store.iter_session_json(sid):
        user = users.get(user_id)
        if user is None:
            user = users[user_id] = orjson.dumps(user_id)
        yield legacy_event_json(sid, user, frame)


def _as_is(entry: bytes) -> bytes:
    return entry


def parse_limit(raw: str | None) -> int:
    """Page size: default 100, clamped to 1..1000 like the reference."""
    if raw is None or raw == "":
        return EVENTS_PAGE_DEFAULT
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"limit must be a whole number, got {raw!r}") from None
    return page_size(value, EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX)


@bp.get("/v3/lobby-session-events/<session_id>")
def session_page(session_id: str) -> Response:
    """A page of full stored documents with a keyset ``next`` cursor."""
    sid = _session_id(session_id)
    limit = parse_limit(request.args.get("limit"))
    event_type = request.args.get("event_type") or None
    after = None
    if token := request.args.get("cursor") or request.args.get("after"):
        try:
            after = PageCursor.decode(token)
        except ValueError:
            raise BadRequest(
                "cursor is not valid: pass the `next` value of a previous page"
            ) from None
    store = get_store()
    docs = store.page(sid, limit=limit + 1, after=after, event_type=event_type)
    more = len(docs) > limit
    docs = docs[:limit]
    body = {
        "lobby_session_id": sid,
        "frames": docs,
        "total_count": store.count(sid, event_type),
        "limit": limit,
        "next": PageCursor.after(docs[-1]).encode() if more else None,
    }
    return Response(dumps(body), mimetype="application/json")
