"""Stored matches: list them newest first, summarise one, download one.

``GET /api/v3/matches`` pages the stored sessions, newest last frame first;
``GET /api/v3/matches/{id}`` summarises one; ``GET /api/v3/matches/{id}/download``
streams it as an ``.echoreplay`` archive, a ``.tape`` or ``.nevrcap`` recording
(see docs/recordings.md) or as NDJSON envelopes, with memory
flat in the match's length (the store is read a page at a time).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import BadRequest, NotFound

from nevr_events.server import auth
from nevr_events.server.reads.pager import iter_documents
from nevr_events.server.store import get_store
from nevr_events.server.web import parse_cursor, parse_limit, to_json
from nevr_events.wire import api
from nevr_events.wire.echoreplay import ECHOREPLAY_SUFFIX, echoreplay_chunks
from nevr_events.wire.nevrcap import NEVRCAP_SUFFIX
from nevr_events.wire.tape import TAPE_SUFFIX
from nevr_events.wire.v2.export import stored_nevrcap_chunks, stored_tape_chunks

bp = Blueprint("matches", __name__)
bp.before_request(auth.authenticate)

FORMATS = ("echoreplay", "ndjson", "tape", "nevrcap")
# Frames read from the store per query while downloading.
DOWNLOAD_PAGE = 200


def _match_cursor(summary: dict[str, Any]) -> str:
    """The ``next`` cursor after ``summary``: its last frame's time in microseconds and its id."""
    micros = int(summary["last_timestamp"].timestamp() * 1_000_000)
    return api.encode_cursor({"t": micros, "id": summary["lobby_session_id"]})


def _before(token: str) -> tuple[datetime, str]:
    """The position ``_match_cursor`` wrote; ValueError for anything else."""
    data = api.decode_cursor(token)
    try:
        return datetime.fromtimestamp(int(data["t"]) / 1_000_000, tz=UTC), str(data["id"])
    # OverflowError, OSError: a forged time beyond what a float or datetime can hold.
    except (ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
        raise ValueError("invalid cursor") from exc


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
    limit = parse_limit(request.args.get("limit"), api.MATCHES_PAGE_DEFAULT, api.MATCHES_PAGE_MAX)
    before = parse_cursor(request.args.get("cursor"), _before)
    rows = get_store().recent_sessions(limit=limit + 1, before=before)
    more = len(rows) > limit
    rows = rows[:limit]
    return jsonify(
        {
            "matches": [_match(row) for row in rows],
            "limit": limit,
            "next": _match_cursor(rows[-1]) if more else None,
        }
    )


@bp.get("/api/v3/matches/<session_id:match_id>")
def match_summary(match_id: str) -> Response:
    store = get_store()
    summary = store.session_summaries([match_id]).get(match_id)
    if summary is None:
        raise NotFound(f"unknown match: {match_id}")
    return jsonify({**_match(summary), "event_types": store.event_type_counts(match_id)})


@bp.get("/api/v3/matches/<session_id:match_id>/download")
def download(match_id: str) -> Response:
    fmt = request.args.get("format", "echoreplay")
    if fmt not in FORMATS:
        raise BadRequest(f"unsupported format {fmt!r}: supported formats are {', '.join(FORMATS)}")
    store = get_store()
    if not store.page(match_id, limit=1, with_frame=False):
        raise NotFound(f"unknown match: {match_id}")
    documents = iter_documents(store, match_id, page_size=DOWNLOAD_PAGE)
    if fmt == "ndjson":
        body: Iterator[bytes] = api.ndjson_chunks(map(_envelope, documents), dumps=to_json)
        name, mimetype = f"{match_id}.ndjson", "application/x-ndjson"
        return _attachment(body, name, mimetype)
    frames = ((doc["timestamp"], doc.get("frame") or {}) for doc in documents)
    if fmt == "tape":
        body = stored_tape_chunks(match_id, frames)
        name, mimetype = f"{match_id}{TAPE_SUFFIX}", "application/octet-stream"
    elif fmt == "nevrcap":
        body = stored_nevrcap_chunks(match_id, frames)
        name, mimetype = f"{match_id}{NEVRCAP_SUFFIX}", "application/octet-stream"
    else:
        body = echoreplay_chunks(match_id, frames)
        name, mimetype = f"{match_id}{ECHOREPLAY_SUFFIX}", "application/zip"
    return _attachment(body, name, mimetype)


def _attachment(body: Iterator[bytes], name: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _envelope(document: dict[str, Any]) -> dict[str, Any]:
    """One NDJSON line (``{"frame": ...}``): ``nevr-events stream`` sends it back as is."""
    frame = document.get("frame") or {}
    if "timestamp" not in frame:  # it was stored at its receive time
        frame = {**frame, "timestamp": document["timestamp"]}
    return {"frame": frame}
