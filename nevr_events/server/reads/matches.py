"""Stored matches: list them newest first, summarise one, download one.

``GET /api/v3/matches`` pages the stored sessions, newest last frame first;
``GET /api/v3/matches/{id}`` summarises one; ``GET /api/v3/matches/{id}/download``
streams it as an ``.echoreplay`` archive or as NDJSON envelopes, with memory
flat in the match's length (the store is read a page at a time).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, NotFound

from nevr_events.exceptions import InvalidSessionId
from nevr_events.server import auth
from nevr_events.server.live.hub import to_json
from nevr_events.server.store import EventStore, PageCursor, get_store
from nevr_events.wire.echoreplay import ECHOREPLAY_SUFFIX, echoreplay_chunks
from nevr_events.wire.frames import canonical_session_id

bp = Blueprint("matches", __name__)
bp.before_request(auth.authenticate)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
FORMATS = ("echoreplay", "ndjson")
# Frames read from the store per query while downloading.
DOWNLOAD_PAGE = 200
_CHUNK_BYTES = 256 * 1024


def _match_id(raw: str) -> str:
    try:
        return canonical_session_id(raw)
    except InvalidSessionId as exc:
        raise BadRequest(str(exc)) from None


def _json(body: Any) -> Response:
    data = to_json(body)
    return Response(data, mimetype="application/json")


def _encode_cursor(summary: dict[str, Any]) -> str:
    micros = int(summary["last_timestamp"].timestamp() * 1_000_000)
    raw = orjson.dumps({"t": micros, "id": summary["lobby_session_id"]})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(token: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = orjson.loads(raw)
        return datetime.fromtimestamp(int(data["t"]) / 1_000_000, tz=UTC), str(data["id"])
    # OverflowError, OSError: a forged time beyond what a float or datetime can hold.
    except (binascii.Error, ValueError, TypeError, KeyError, OverflowError, OSError):
        raise BadRequest("cursor is not valid: pass the `next` value of a previous page") from None


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        return max(1, min(int(raw), MAX_LIMIT))
    except ValueError:
        raise BadRequest(f"limit must be a whole number, got {raw!r}") from None


def _match(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "match_id": summary["lobby_session_id"],
        "frames": summary["frame_count"],
        "users": summary.get("users", []),
        "first_timestamp": summary.get("first_timestamp"),
        "last_timestamp": summary.get("last_timestamp"),
        "created_at": summary.get("created_at"),
        "updated_at": summary.get("updated_at"),
    }


@bp.get("/api/v3/matches")
def list_matches() -> Response:
    """A page of stored matches, newest last frame first; ``next`` is the next page's cursor."""
    limit = _limit(request.args.get("limit"))
    before = _decode_cursor(token) if (token := request.args.get("cursor")) else None
    rows = get_store().recent_sessions(limit=limit + 1, before=before)
    more = len(rows) > limit
    rows = rows[:limit]
    return _json(
        {
            "matches": [_match(row) for row in rows],
            "limit": limit,
            "next": _encode_cursor(rows[-1]) if more else None,
        }
    )


@bp.get("/api/v3/matches/<match_id>")
def match_summary(match_id: str) -> Response:
    sid = _match_id(match_id)
    store = get_store()
    summary = store.session_summaries([sid]).get(sid)
    if summary is None:
        raise NotFound(f"unknown match: {sid}")
    return _json({**_match(summary), "event_types": store.event_type_counts(sid)})


@bp.get("/api/v3/matches/<match_id>/download")
def download(match_id: str) -> Response:
    sid = _match_id(match_id)
    fmt = request.args.get("format", "echoreplay")
    if fmt not in FORMATS:
        raise BadRequest(f"unsupported format {fmt!r}: supported formats are {', '.join(FORMATS)}")
    store = get_store()
    if not store.page(sid, limit=1, with_frame=False):
        raise NotFound(f"unknown match: {sid}")
    if fmt == "ndjson":
        body: Iterator[bytes] = _ndjson(store, sid)
        name, mimetype = f"{sid}.ndjson", "application/x-ndjson"
    else:
        frames = ((doc["timestamp"], doc.get("frame") or {}) for doc in iter_documents(store, sid))
        body = echoreplay_chunks(sid, frames)
        name, mimetype = f"{sid}{ECHOREPLAY_SUFFIX}", "application/zip"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def iter_documents(store: EventStore, sid: str) -> Iterator[dict[str, Any]]:
    """Every stored document of a session in session order, a page at a time."""
    page = store.page(sid, limit=DOWNLOAD_PAGE)
    while page:
        yield from page
        if len(page) < DOWNLOAD_PAGE:
            return
        page = store.page(sid, limit=DOWNLOAD_PAGE, after=PageCursor.after(page[-1]))


def _ndjson(store: EventStore, sid: str) -> Iterator[bytes]:
    """One Envelope per line (``{"frame": ...}``): ``nevr-events stream`` sends it back as is."""
    chunk = bytearray()
    for doc in iter_documents(store, sid):
        frame = doc.get("frame") or {}
        if "timestamp" not in frame:  # it was stored at its receive time
            frame = {**frame, "timestamp": doc["timestamp"]}
        chunk += to_json({"frame": frame})
        chunk += b"\n"
        if len(chunk) >= _CHUNK_BYTES:
            yield bytes(chunk)
            chunk.clear()
    if chunk:
        yield bytes(chunk)
