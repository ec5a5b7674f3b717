"""HTTP reads of stored sessions (token required, header or ``?token=``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest

from nevr_events.exceptions import InvalidSessionId
from nevr_events.server import auth
from nevr_events.server.store import EventStore, PageCursor, get_store
from nevr_events.wire.frames import canonical_session_id

bp = Blueprint("reads", __name__)
bp.before_request(auth.authenticate)

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
NDJSON = "application/x-ndjson"
# Bytes gathered before a chunk goes out: fewer, larger writes than one per frame.
_CHUNK_BYTES = 256 * 1024
_JSON_OPTIONS = orjson.OPT_UTC_Z


def _session_id(raw: str) -> str:
    try:
        return canonical_session_id(raw)
    except InvalidSessionId as exc:
        raise BadRequest(str(exc)) from None


def dumps(value: Any) -> bytes:
    """JSON for stored documents: ObjectIds as hex strings, datetimes as RFC 3339 UTC."""
    return orjson.dumps(value, default=str, option=_JSON_OPTIONS)


@bp.get("/lobby-session-events/<session_id>")
@bp.get("/v1/lobby-session-events/<session_id>")
def session_events(session_id: str) -> Response:
    """Every frame of a session, oldest first, streamed from the database cursor.

    ``count`` is written after ``events`` so that it always equals the number
    of events actually sent, even while frames are still arriving.
    """
    sid = _session_id(session_id)
    store = get_store()
    if NDJSON in request.headers.get("Accept", ""):
        return Response(_ndjson(store, sid), mimetype=NDJSON)
    return Response(_legacy_json(store, sid), mimetype="application/json")


def _entries(store: EventStore, sid: str) -> Iterator[bytes]:
    """Each frame as a legacy event entry, ``{"lobby_session_id", "user_id", "data"}``,
    spliced from the stored frame JSON rather than decoded and encoded again."""
    head = b'{"lobby_session_id":' + orjson.dumps(sid) + b',"user_id":'
    users: dict[str | None, bytes] = {}
    for user_id, frame in store.iter_session_json(sid):
        user = users.get(user_id)
        if user is None:
            user = users[user_id] = orjson.dumps(user_id)
        yield b"".join((head, user, b',"data":', frame, b"}"))


def _legacy_json(store: EventStore, sid: str) -> Iterator[bytes]:
    prefix = b'{"lobby_session_id":' + orjson.dumps(sid) + b',"events":['
    chunk = bytearray(prefix)
    count = 0
    for entry in _entries(store, sid):
        if count:
            chunk += b","
        chunk += entry
        count += 1
        if len(chunk) >= _CHUNK_BYTES:
            yield bytes(chunk)
            chunk.clear()
    chunk += b'],"count":' + str(count).encode() + b"}"
    yield bytes(chunk)


def _ndjson(store: EventStore, sid: str) -> Iterator[bytes]:
    chunk = bytearray()
    for entry in _entries(store, sid):
        chunk += entry
        chunk += b"\n"
        if len(chunk) >= _CHUNK_BYTES:
            yield bytes(chunk)
            chunk.clear()
    if chunk:
        yield bytes(chunk)


def parse_limit(raw: str | None) -> int:
    """Page size: default 100, clamped to 1..1000 like the reference."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"limit must be a whole number, got {raw!r}") from None
    return max(1, min(value, MAX_LIMIT))


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
