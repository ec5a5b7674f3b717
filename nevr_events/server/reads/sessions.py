"""HTTP reads of stored sessions (token required, header or ``?token=``)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, jsonify, request

from nevr_events.server import auth
from nevr_events.server.store import EventStore, PageCursor, get_store
from nevr_events.server.web import parse_cursor, parse_limit, to_json
from nevr_events.wire.api import (
    EVENTS_PAGE_DEFAULT,
    EVENTS_PAGE_MAX,
    legacy_event_json,
    legacy_json,
    ndjson_chunks,
)

bp = Blueprint("reads", __name__)
bp.before_request(auth.authenticate)

NDJSON = "application/x-ndjson"


@bp.get("/lobby-session-events/<session_id:session_id>")
@bp.get("/v1/lobby-session-events/<session_id:session_id>")
def session_events(session_id: str) -> Response:
    """Every frame of a session, oldest first, streamed from the database cursor."""
    events = _legacy_events(get_store(), session_id)
    if NDJSON in request.headers.get("Accept", ""):
        return Response(ndjson_chunks(events, dumps=_as_is), mimetype=NDJSON)
    return Response(legacy_json(session_id, events, dumps=_as_is), mimetype="application/json")


def _legacy_events(store: EventStore, sid: str) -> Iterator[bytes]:
    """Each frame as a legacy event entry, spliced from the stored frame JSON
    rather than decoded and encoded again."""
    users: dict[str | None, bytes] = {}
    for user_id, frame in store.iter_session_json(sid):
        user = users.get(user_id)
        if user is None:
            user = users[user_id] = to_json(user_id)
        yield legacy_event_json(sid, user, frame)


def _as_is(entry: bytes) -> bytes:
    return entry


@bp.get("/v3/lobby-session-events/<session_id:session_id>")
def session_page(session_id: str) -> Response:
    """A page of full stored documents with a keyset ``next`` cursor."""
    limit = parse_limit(request.args.get("limit"), EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX)
    event_type = request.args.get("event_type") or None
    token = request.args.get("cursor") or request.args.get("after")
    after = parse_cursor(token, PageCursor.decode)
    store = get_store()
    docs = store.page(session_id, limit=limit + 1, after=after, event_type=event_type)
    more = len(docs) > limit
    docs = docs[:limit]
    return jsonify(
        {
            "lobby_session_id": session_id,
            "frames": docs,
            "total_count": store.count(session_id, event_type),
            "limit": limit,
            "next": PageCursor.after(docs[-1]).encode() if more else None,
        }
    )
