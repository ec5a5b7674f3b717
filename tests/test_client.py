"""The HTTP client against the live server: what the stream wrote, read back in every shape."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from nevr_events import (
    BadRequestError,
    Client,
    ClientError,
    ConnectError,
    FrameStream,
    NotFoundError,
    ServerError,
    SessionEvent,
    SessionEvents,
    TransportError,
    UnauthorizedError,
)
from nevr_events.testing.ferretdb import free_port
from tests.support import LiveServer, make_frame, new_session_id

GOAL = {"player_goal": {"player_slot": 1, "total_goals": 2, "points": 3}}


def write_session(server: LiveServer, frames: int, *, goal_every: int = 0, sub: str = "writer"):
    sid = new_session_id()
    with FrameStream(server.url, server.token(sub)) as stream:
        for i in range(frames):
            events = [GOAL] if goal_every and i % goal_every == 0 else None
            stream.send(make_frame(sid, i, events=events))
        result = stream.flush()
    assert result.ok and result.stored == frames, result
    return sid


def test_get_session_events_reads_what_the_stream_wrote(server: LiveServer) -> None:
    sid = write_session(server, 25, goal_every=10)
    with Client(server.url, token=server.token("reader")) as client:
        result = client.get_session_events(sid)
    assert isinstance(result, SessionEvents)
    assert result.lobby_session_id == sid.lower()
    assert result.count == len(result) == len(result.events) == 25
    first = result.events[0]
    assert isinstance(first, SessionEvent)
    assert (first.lobby_session_id, first.user_id) == (sid.lower(), "writer")
    assert [e.data.get("frame_index", 0) for e in result] == list(range(25))
    assert first.data["session"]["session_id"] == sid
    assert result.events[10].data["events"] == [GOAL]


def test_read_shapes_agree(server: LiveServer) -> None:
    """Legacy JSON, NDJSON and v3 pages give the same frames."""
    sid = write_session(server, 30, goal_every=7)
    with Client(server.url, token=server.token()) as client:
        legacy = client.get_session_events(sid.lower())
        ndjson = list(client.iter_ndjson(sid))
        paged = list(client.iter_session_events(sid, page_size=8))
        page = client.get_page(sid, limit=8)
    assert [e.data for e in legacy] == [line["data"] for line in ndjson] == [e.data for e in paged]
    assert {line["user_id"] for line in ndjson} == {"writer"}
    assert (page.total_count, page.limit, len(page.events)) == (30, 8, 8)
    assert page.next is not None
    stored = paged[3]
    assert stored.frame_index == 3 and stored.node == "default-node"
    assert isinstance(stored.timestamp, datetime) and stored.id
    assert paged[0].event_types == ("player_goal",)


def test_iter_session_events_walks_many_pages(server: LiveServer) -> None:
    sid = write_session(server, 230, goal_every=100)
    pages = []

    def count_pages(request: httpx.Request) -> None:
        if "/v3/lobby-session-events/" in request.url.path:
            pages.append(request.url.params.get("cursor"))

    with Client(server.url, token=server.token()) as client:
        client._http.event_hooks["request"].append(count_pages)
        iterator = client.iter_session_events(sid, page_size=100)
        first = next(iterator)  # lazy: one page fetched so far
        assert first.frame_index == 0 and len(pages) == 1
        rest = list(iterator)
        goals = list(client.iter_session_events(sid, event_type="player_goal", page_size=2))
    assert [e.frame_index for e in [first, *rest]] == list(range(230))
    assert len(pages) == 3 + 2  # 100 + 100 + 30, then 3 goals in pages of 2
    assert pages[0] is None and pages[1] and pages[2] != pages[1]
    assert [e.frame_index for e in goals] == [0, 100, 200]


def test_unknown_session_is_empty(server: LiveServer) -> None:
    with Client(server.url, token=server.token()) as client:
        result = client.get_session_events(new_session_id())
        assert (result.count, result.events) == (0, ())
        assert list(client.iter_session_events(result.lobby_session_id)) == []


def test_health(server: LiveServer) -> None:
    with Client(server.url) as client:
        health = client.health()
    assert health.healthy and health.status == "healthy" and health.timestamp


def test_error_401(server: LiveServer) -> None:
    sid = new_session_id()
    with Client(server.url) as client, pytest.raises(UnauthorizedError) as info:
        client.get_session_events(sid)
    assert info.value.status == 401 and "missing token" in info.value.message
    bad = server.token().replace(".", ".x", 1)
    with Client(server.url, token=bad) as client, pytest.raises(UnauthorizedError) as info:
        list(client.iter_session_events(sid))
    assert isinstance(info.value, ClientError) and info.value.status == 401


def test_error_400(server: LiveServer) -> None:
    with Client(server.url, token=server.token()) as client:
        with pytest.raises(BadRequestError) as info:
            client.get_session_events("not-a-uuid")
        assert info.value.status == 400 and "invalid match ID" in info.value.message
        with pytest.raises(BadRequestError, match="cursor"):
            client.get_page(new_session_id(), cursor="garbage")


def test_error_404(server: LiveServer) -> None:
    client = Client(server.url + "/wrong-prefix", token=server.token())
    with client, pytest.raises(NotFoundError) as info:
        client.get_session_events(new_session_id())
    assert info.value.status == 404


def test_error_5xx() -> None:
    """A 5xx with the server's JSON error body (the live server cannot be made to fail)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(503, json={"status": "unhealthy", "error": "db down"})
        return httpx.Response(500, json={"error": "internal server error", "status": 500})

    with Client("http://test", token="t", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ServerError) as info:
            client.get_session_events(new_session_id())
        assert (info.value.status, info.value.message) == (500, "internal server error")
        health = client.health()  # 503 is an answer, not an error
    assert (health.healthy, health.error) == (False, "db down")


def test_connection_refused() -> None:
    with Client(f"http://127.0.0.1:{free_port()}", timeout=2) as client:
        with pytest.raises(ConnectError) as info:
            client.health()
        assert isinstance(info.value, TransportError) and info.value.status is None
        with pytest.raises(ConnectError):
            list(client.iter_ndjson(new_session_id()))


def test_connections_are_reused(server: LiveServer) -> None:
    opened = []

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            opened.append(len(self._pool.connections))
            return response

    with Client(server.url, token=server.token(), transport=Counting()) as client:
        for _ in range(5):
            client.health()
        client.get_session_events(new_session_id())
    assert max(opened) == 1
