"""The GraphQL API against a live server and a real database: queries and their answers.

HTTP rules (paths, GET, request errors, limits, auth, the playground) are in
``test_graphql_http.py``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests

from tests.support import LiveServer, envelope, load_sample, make_frame, new_session_id, send_frames

# Storage behaviour: every test runs on SQLite and on MongoDB.
pytestmark = pytest.mark.both_stores

GOAL = [{"player_goal": {"player_slot": 2, "total_goals": 1, "points": 3}}]
ROUND = [{"round_started": {"round_number": 1}}]
EVENTS = {0: ROUND, 3: GOAL, 7: GOAL}
FRAMES = 12


def gql(
    server: LiveServer,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    operation: str | None = None,
    path: str = "/v3/query",
    headers: dict[str, str] | None = None,
) -> requests.Response:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation is not None:
        body["operationName"] = operation
    return requests.post(
        server.url + path,
        json=body,
        headers=server.auth() if headers is None else headers,
        timeout=30,
    )


def data(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def stream(server: LiveServer, sid: str, indices: range, user: str = "agent-1", **kw: Any) -> None:
    ws = server.connect(server.token(user))
    messages = [envelope(make_frame(sid, i, events=EVENTS.get(i), **kw)) for i in indices]
    replies = send_frames(ws, messages)
    ws.close()
    assert all(r["success"] for r in replies), replies


def stream_session(server: LiveServer) -> str:
    """12 frames (upper-case id): 0-9 from agent-1, 10-11 from agent-2; events at 0, 3, 7."""
    sid = new_session_id(upper=True)
    stream(server, sid, range(10))
    stream(server, sid, range(10, FRAMES), user="agent-2")
    return sid


@pytest.fixture(scope="module")
def session(server: LiveServer) -> str:
    return stream_session(server)


# --- queries ----------------------------------------------------------------------------


def test_health(server: LiveServer) -> None:
    health = data(gql(server, "{ health { status database timestamp } }"))["health"]
    assert health["status"] == "healthy"
    assert health["database"] == "connected"
    assert health["timestamp"].endswith("Z")


def test_lobby_session_in_any_case(server: LiveServer, session: str) -> None:
    query = """query ($id: ID!) { lobbySession(id: $id) {
        id lobbySessionId totalEvents goals: totalEvents(eventType: "player_goal")
        frameCount firstTimestamp lastTimestamp users createdAt updatedAt } }"""
    for sid in (session, session.lower()):
        got = data(gql(server, query, {"id": sid}))["lobbySession"]
        assert got["id"] == got["lobbySessionId"] == session.lower()
        assert (got["totalEvents"], got["goals"], got["frameCount"]) == (FRAMES, 2, FRAMES)
        assert got["firstTimestamp"] == "2025-12-04T03:00:00.000Z"
        assert got["lastTimestamp"] == "2025-12-04T03:00:00.363Z"
        assert got["users"] == ["agent-1", "agent-2"]
        assert got["createdAt"].endswith("Z") and got["updatedAt"] >= got["createdAt"]


def test_unknown_and_invalid_session(server: LiveServer) -> None:
    query = "query ($id: ID!) { lobbySession(id: $id) { id } }"
    assert data(gql(server, query, {"id": new_session_id()})) == {"lobbySession": None}
    response = gql(server, query, {"id": "not-a-uuid"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"lobbySession": None}
    assert "invalid match ID" in body["errors"][0]["message"]
    assert body["errors"][0]["path"] == ["lobbySession"]


def test_session_events_reference_defaults_and_offsets(server: LiveServer, session: str) -> None:
    query = """query ($id: ID!, $limit: Int, $offset: Int) {
      sessionEvents(lobbySessionId: $id, limit: $limit, offset: $offset) {
        totalCount edges { cursor node { frameIndex userId } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
    whole = data(gql(server, query, {"id": session}))["sessionEvents"]
    assert whole["totalCount"] == FRAMES
    assert [e["node"]["frameIndex"] for e in whole["edges"]] == list(range(FRAMES))
    assert whole["pageInfo"]["hasNextPage"] is False
    assert whole["pageInfo"]["hasPreviousPage"] is False
    page = data(gql(server, query, {"id": session, "limit": 5, "offset": 5}))["sessionEvents"]
    assert [e["node"]["frameIndex"] for e in page["edges"]] == [5, 6, 7, 8, 9]
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is True
    assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    assert [e["node"]["userId"] for e in page["edges"]] == ["agent-1"] * 5
    # The limit is clamped to 1..1000 as in the reference.
    one = data(gql(server, query, {"id": session, "limit": 0}))["sessionEvents"]
    assert len(one["edges"]) == 1
    many = data(gql(server, query, {"id": session, "limit": 10**6}))["sessionEvents"]
    assert len(many["edges"]) == FRAMES


def test_keyset_pages_and_event_type_filter(server: LiveServer, session: str) -> None:
    query = """query Page($id: ID!, $after: String, $type: String) {
      lobbySession(id: $id) { events(first: 2, after: $after, eventType: $type) {
        totalCount edges { node { frameIndex eventTypes } }
        pageInfo { hasNextPage endCursor } } } }"""
    seen, after = [], None
    while True:
        events = data(gql(server, query, {"id": session, "after": after, "type": "player_goal"}))
        conn = events["lobbySession"]["events"]
        assert conn["totalCount"] == 2
        seen += [(e["node"]["frameIndex"], e["node"]["eventTypes"]) for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == [(3, ["player_goal"]), (7, ["player_goal"])]


def test_selection_subset_with_fragments_aliases_and_variables(
    server: LiveServer, session: str
) -> None:
    query = """
    fragment Brief on SessionEvent { index: frameIndex ...Who }
    fragment Who on SessionEvent { userId }
    query Subset($id: ID!, $n: Int!) {
      first: sessionEvents(lobbySessionId: $id, first: $n) { edges { node { ...Brief } } }
      later: sessionEvents(lobbySessionId: $id, limit: 1, offset: 11) {
        edges { node { ... on SessionEvent { lobbySessionId } } } }
    }
    query Other { health { status } }"""
    response = gql(server, query, {"id": session, "n": 2}, operation="Subset")
    assert response.json() == {
        "data": {
            "first": {
                "edges": [
                    {"node": {"index": 0, "userId": "agent-1"}},
                    {"node": {"index": 1, "userId": "agent-1"}},
                ]
            },
            "later": {"edges": [{"node": {"lobbySessionId": session.lower()}}]},
        }
    }


def test_typed_frame_holds_exactly_the_selection(server: LiveServer, session: str) -> None:
    query = """query ($id: ID!) { sessionEvents(lobbySessionId: $id, limit: 1, offset: 3) {
      edges { node { frame { frameIndex playerBones { errCode }
        session { gameStatus bluePoints teams { players {
          displayName accountNumber stats { goals } } } } } } } } }"""
    node = data(gql(server, query, {"id": session}))["sessionEvents"]["edges"][0]["node"]
    sample = load_sample()
    teams = [
        {
            "players": [
                {
                    "displayName": p["name"],
                    "accountNumber": str(p["userid"]),
                    "stats": {"goals": p["stats"]["goals"]},
                }
                for p in team.get("players", [])
            ]
        }
        for team in sample["teams"]
    ]
    assert node == {
        "frame": {
            "frameIndex": 3,
            "playerBones": None,  # absent message
            # bluePoints is 0, left out of the stored protojson: the proto3 default
            "session": {"gameStatus": "pre_match", "bluePoints": 0, "teams": teams},
        }
    }
    assert teams[1]["players"][0]["displayName"] == "sprockee [BOT]"


def test_typed_events_union(server: LiveServer, session: str) -> None:
    query = """query ($id: ID!) { sessionEvents(lobbySessionId: $id, first: 4) {
      edges { node { frameIndex frame { events {
        eventType
        event { __typename
          ... on PlayerGoal { playerSlot totalGoals points }
          ... on RoundStarted { roundNumber } }
        playerGoal { playerSlot } } } } } } }"""
    edges = data(gql(server, query, {"id": session}))["sessionEvents"]["edges"]
    events = {e["node"]["frameIndex"]: e["node"]["frame"]["events"] for e in edges}
    assert events[1] == events[2] == []
    assert events[0] == [
        {
            "eventType": "round_started",
            "event": {"__typename": "RoundStarted", "roundNumber": 1},
            "playerGoal": None,
        }
    ]
    assert events[3] == [
        {
            "eventType": "player_goal",
            "event": {"__typename": "PlayerGoal", "playerSlot": 2, "totalGoals": 1, "points": 3},
            "playerGoal": {"playerSlot": 2},
        }
    ]


def test_frame_data_is_the_stored_protojson(server: LiveServer, session: str) -> None:
    query = """query ($id: ID!) {
      sessionEvents(lobbySessionId: $id, first: 1, eventType: "player_goal") {
        edges { node { id timestamp frameData } } } }"""
    node = data(gql(server, query, {"id": session}))["sessionEvents"]["edges"][0]["node"]
    [stored] = [doc for doc in server.stored(session) if doc["frame_index"] == 3]
    assert node["id"] == str(stored["_id"])
    assert node["frameData"] == stored["frame"]
    assert node["timestamp"] == "2025-12-04T03:00:00.099Z"


def test_lobby_sessions_since_and_cursor(server: LiveServer) -> None:
    sids = sorted(new_session_id(upper=False) for _ in range(3))
    for n, sid in enumerate(sids):
        stamps = [f"2031-0{n + 1}-01T00:00:0{i}.500Z" for i in range(n + 1)]
        ws = server.connect(server.token("agent-1"))
        msgs = [envelope(make_frame(sid.upper(), i, timestamp=t)) for i, t in enumerate(stamps)]
        assert all(r["success"] for r in send_frames(ws, msgs))
        ws.close()
    stream(server, sids[2], range(5, 6), user="agent-0", timestamp="2031-03-01T00:01:00Z")
    query = """query Sessions($since: Time, $after: String) {
      lobbySessions(first: 2, since: $since, after: $after) {
        totalCount
        edges { cursor node { id frameCount users firstTimestamp lastTimestamp } }
        pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
    page1 = data(gql(server, query, {"since": "2031-01-01T00:00:00Z"}))["lobbySessions"]
    assert page1["totalCount"] == 3
    assert [e["node"]["id"] for e in page1["edges"]] == sids[:2]
    assert page1["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "endCursor": page1["edges"][1]["cursor"],
    }
    assert page1["edges"][1]["node"] == {
        "id": sids[1],
        "frameCount": 2,
        "users": ["agent-1"],
        "firstTimestamp": "2031-02-01T00:00:00.500Z",
        "lastTimestamp": "2031-02-01T00:00:01.500Z",
    }
    after = page1["pageInfo"]["endCursor"]
    page2 = data(gql(server, query, {"since": "2031-01-01T00:00:00Z", "after": after}))
    last = page2["lobbySessions"]
    assert [e["node"]["id"] for e in last["edges"]] == [sids[2]]
    assert last["pageInfo"]["hasNextPage"] is False
    assert last["edges"][0]["node"]["frameCount"] == 4
    assert last["edges"][0]["node"]["users"] == ["agent-0", "agent-1"]
    assert last["edges"][0]["node"]["lastTimestamp"] == "2031-03-01T00:01:00.000Z"
    # `since` narrows the sessions (an offset is accepted), but figures cover whole sessions.
    later = data(gql(server, query, {"since": "2031-02-15T01:00:00+01:00"}))["lobbySessions"]
    assert [e["node"]["id"] for e in later["edges"]] == [sids[2]]
    assert later["edges"][0]["node"]["frameCount"] == 4


def test_keyset_walk_while_frames_keep_arriving(server: LiveServer) -> None:
    """A session receives frames during the walk: each frame is seen exactly once."""
    sid = new_session_id()
    total = 60
    stream(server, sid, range(10))
    done = threading.Event()
    failures: list[BaseException] = []

    def streamer() -> None:
        try:
            ws = server.connect(server.token("agent-live"))
            for i in range(10, total):
                assert send_frames(ws, [envelope(make_frame(sid, i))])[0]["success"]
                time.sleep(0.01)
            ws.close()
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            done.set()

    query = """query ($id: ID!, $after: String) {
      sessionEvents(lobbySessionId: $id, first: 4, after: $after) {
        edges { node { frameIndex } } pageInfo { hasNextPage endCursor } } }"""
    thread = threading.Thread(target=streamer, daemon=True)
    thread.start()
    walked: list[int] = []
    after, pages, finished = None, 0, False
    while True:
        conn = data(gql(server, query, {"id": sid, "after": after}))["sessionEvents"]
        pages += 1
        walked += [e["node"]["frameIndex"] for e in conn["edges"]]
        after = conn["pageInfo"]["endCursor"] or after
        if conn["pageInfo"]["hasNextPage"]:
            continue
        if finished:
            break
        finished = done.is_set()  # one more page after the streamer stopped
        if not finished:
            time.sleep(0.02)
    thread.join(30)
    assert not failures, failures
    assert walked == list(range(total)), "a frame was skipped or repeated"
    assert pages > total // 4  # the walk really interleaved with the inserts
