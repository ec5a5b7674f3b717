"""Resolvers of the hand-written types; every read goes through the store module.

A page of events is one database query (``EventStore.page``);
``totalCount`` and the per-session figures are only queried when selected.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    StringValueNode,
)
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from nevr_events.exceptions import InvalidSessionId
from nevr_events.server.ops.health import check_health
from nevr_events.server.store import EventStore, PageCursor, get_store
from nevr_events.server.web import checked_session_id
from nevr_events.wire import api
from nevr_events.wire.frames import canonical_session_id, parse_timestamp

_ZONE = re.compile(r"([zZ]|[+-]\d\d:?\d\d)$")
# Fields of SessionEvent that need the stored frame itself.
FRAME_FIELDS = frozenset({"frameData", "frame"})


class UserError(GraphQLError):
    """A field error whose message is meant for the client."""


# --- scalars -----------------------------------------------------------------------------


def format_time(value: Any) -> str:
    if isinstance(value, datetime):
        return api.format_time(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"Time cannot represent {value!r}")


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("Time must be an RFC 3339 string, e.g. 2025-12-04T03:00:00Z")
    text = value.strip()
    if not _ZONE.search(text):
        text += "Z"  # no offset: UTC
    try:
        return parse_timestamp(text)
    except ValueError:
        raise ValueError(f"Time must be an RFC 3339 string, got {value!r}") from None


def _parse_literal(parse: Callable[[Any], Any]) -> Callable[..., Any]:
    def parse_literal(node: Any, _variables: Any = None) -> Any:
        if not isinstance(node, StringValueNode):
            raise TypeError("expected a string")
        return parse(node.value)

    return parse_literal


def _format_int64(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"Int64 cannot represent {value!r}")
    return str(int(value))


def _bind_scalars(schema: GraphQLSchema) -> None:
    time = schema.type_map["Time"]
    int64 = schema.type_map["Int64"]
    assert isinstance(time, GraphQLScalarType) and isinstance(int64, GraphQLScalarType)
    time.serialize = format_time  # type: ignore[method-assign]
    time.parse_value = parse_time  # type: ignore[method-assign]
    time.parse_literal = _parse_literal(parse_time)  # type: ignore[method-assign]
    int64.serialize = _format_int64  # type: ignore[method-assign]
    int64.parse_value = _format_int64  # type: ignore[method-assign]
    int64.parse_literal = _parse_literal(_format_int64)  # type: ignore[method-assign]
    # JSON keeps graphql-core's defaults for a custom scalar: values pass through.


# --- helpers -----------------------------------------------------------------------------


def _selects(info: GraphQLResolveInfo, names: frozenset[str]) -> bool:
    """Whether any field named in ``names`` is selected below the current field."""
    seen: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> bool:
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                if node.name.value in names or walk(node.selection_set):
                    return True
            elif isinstance(node, InlineFragmentNode):
                if walk(node.selection_set):
                    return True
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                seen.add(node.name.value)
                fragment = info.fragments.get(node.name.value)
                if fragment and walk(fragment.selection_set):
                    return True
        return False

    return any(walk(node.selection_set) for node in info.field_nodes)


def _event_node(doc: dict[str, Any]) -> dict[str, Any]:
    frame = doc.get("frame")
    return {
        "id": str(doc["_id"]),
        "lobbySessionId": doc.get("lobby_session_id"),
        "userId": doc.get("user_id"),
        "node": doc.get("node"),
        "frameIndex": doc.get("frame_index") or 0,
        "eventTypes": doc.get("event_types") or [],
        "frameData": frame,
        "frame": frame,
        "timestamp": doc.get("timestamp"),
        "createdAt": doc.get("created_at"),
        "updatedAt": doc.get("updated_at"),
    }


def events_connection(
    store: EventStore, sid: str, args: dict[str, Any], info: GraphQLResolveInfo
) -> dict[str, Any]:
    event_type = args.get("eventType") or None
    first, after_token = args.get("first"), args.get("after")
    offset = args.get("offset") or 0
    requested = first if first is not None else args.get("limit")
    size = api.page_size(requested, api.EVENTS_PAGE_DEFAULT, api.EVENTS_PAGE_MAX)
    if offset < 0:
        raise UserError("offset must not be negative")
    after = None
    if after_token:
        if offset:
            raise UserError("pass either offset or after, not both")
        try:
            after = PageCursor.decode(after_token)
        except ValueError:
            raise UserError(
                "after is not a valid cursor: pass an endCursor or edge cursor"
            ) from None
    with_frame = _selects(info, FRAME_FIELDS)
    docs = store.page(
        sid,
        limit=size + 1,
        offset=offset,
        after=after,
        event_type=event_type,
        with_frame=with_frame,
    )
    more, docs = len(docs) > size, docs[:size]
    edges = [{"node": _event_node(d), "cursor": PageCursor.after(d).encode()} for d in docs]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": more,
            "hasPreviousPage": bool(offset) or after is not None,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": lambda _info: store.count(sid, event_type),
    }


def _session_cursor(sid: str) -> str:
    return api.encode_cursor({"s": sid})


def _decode_session_cursor(token: str) -> str:
    try:
        return canonical_session_id(api.decode_cursor(token)["s"])
    except (ValueError, TypeError, KeyError, InvalidSessionId):
        raise UserError("after is not a valid lobbySessions cursor") from None


def lobby_session_object(
    store: EventStore, sid: str, summary: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A LobbySession: figures from ``summary`` when given, else queried when selected."""

    @functools.cache
    def ends() -> dict[str, Any]:
        if summary is not None:
            return summary
        return store.session_summaries([sid]).get(sid, {})

    def figure(key: str, default: Any = None) -> Callable[[GraphQLResolveInfo], Any]:
        return lambda _info: ends().get(key, default)

    return {
        "id": sid,
        "lobbySessionId": sid,
        "events": lambda info, **args: events_connection(store, sid, args, info),
        "totalEvents": lambda _info, eventType=None: store.count(sid, eventType or None),
        "frameCount": figure("frame_count", 0),
        "firstTimestamp": figure("first_timestamp"),
        "lastTimestamp": figure("last_timestamp"),
        "users": figure("users", []),
        "createdAt": figure("created_at"),
        "updatedAt": figure("updated_at"),
    }


# --- root fields -------------------------------------------------------------------------


def resolve_health(_root: Any, _info: GraphQLResolveInfo) -> dict[str, Any]:
    check = check_health()
    database = "connected" if check.healthy else "unreachable"
    return {"status": check.status, "timestamp": check.timestamp, "database": database}


def resolve_lobby_session(_root: Any, _info: GraphQLResolveInfo, id: str) -> Any:
    sid = checked_session_id(id, UserError)
    store = get_store()
    found = store.page(sid, limit=1, with_frame=False)
    return lobby_session_object(store, sid) if found else None


def resolve_session_events(
    _root: Any, info: GraphQLResolveInfo, lobbySessionId: str, **args: Any
) -> dict[str, Any]:
    return events_connection(get_store(), checked_session_id(lobbySessionId, UserError), args, info)


def resolve_lobby_sessions(
    _root: Any,
    _info: GraphQLResolveInfo,
    first: int | None = None,
    after: str | None = None,
    since: datetime | None = None,
) -> dict[str, Any]:
    store = get_store()
    size = api.page_size(first, api.SESSIONS_PAGE_DEFAULT, api.SESSIONS_PAGE_MAX)
    after_sid = _decode_session_cursor(after) if after else None
    rows = store.lobby_sessions(limit=size + 1, after=after_sid, since=since)
    more, rows = len(rows) > size, rows[:size]
    edges = [
        {
            "node": lobby_session_object(store, row["lobby_session_id"], row),
            "cursor": _session_cursor(row["lobby_session_id"]),
        }
        for row in rows
    ]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": more,
            "hasPreviousPage": after_sid is not None,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": lambda _info: store.count_lobby_sessions(since),
    }


def bind(schema: GraphQLSchema) -> None:
    _bind_scalars(schema)
    query = schema.query_type
    assert query is not None
    query.fields["health"].resolve = resolve_health
    query.fields["lobbySession"].resolve = resolve_lobby_session
    query.fields["sessionEvents"].resolve = resolve_session_events
    query.fields["lobbySessions"].resolve = resolve_lobby_sessions
