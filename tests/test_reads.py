"""HTTP reads of stored sessions, against a live server and a real database."""

from __future__ import annotations

import json
import re

import pytest

from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames

# Storage behaviour: every test runs on SQLite and on MongoDB.
pytestmark = pytest.mark.both_stores

GOAL = [{"player_goal": {"player_slot": 0, "total_goals": 1, "points": 2}}]


@pytest.fixture(scope="module")
def session(server: LiveServer) -> str:
    """A 25-frame session streamed in upper case; frames 3, 10 and 20 hold a goal."""
    sid = new_session_id(upper=True)
    ws = server.connect(server.token("streamer"))
    messages = [
        envelope(make_frame(sid, i, events=GOAL if i in (3, 10, 20) else None)) for i in range(25)
    ]
    assert all(r["success"] for r in send_frames(ws, messages))
    ws.close()
    return sid


@pytest.mark.parametrize("prefix", ["", "/v1"])
@pytest.mark.parametrize("case", ["upper", "lower"])
def test_whole_session_in_the_reference_shape(
    server: LiveServer, session: str, prefix: str, case: str
) -> None:
    sid = session.upper() if case == "upper" else session.lower()
    response = server.get(f"{prefix}/lobby-session-events/{sid}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"lobby_session_id", "count", "events"}
    assert body["lobby_session_id"] == session.lower()
    assert body["count"] == 25
    assert [e["data"].get("frame_index", 0) for e in body["events"]] == list(range(25))
    first = body["events"][0]
    assert set(first) == {"lobby_session_id", "user_id", "data"}
    assert first["user_id"] == "streamer"
    assert first["data"]["session"]["session_id"] == session


def test_whole_session_is_streamed_in_chunks(server: LiveServer, session: str) -> None:
    response = server.get(f"/lobby-session-events/{session}", stream=True)
    assert "Content-Length" not in response.headers
    assert response.headers.get("Transfer-Encoding") == "chunked"
    assert json.loads(b"".join(response.iter_content(None)))["count"] == 25


def test_whole_session_as_ndjson(server: LiveServer, session: str) -> None:
    headers = {**server.auth(), "Accept": "application/x-ndjson"}
    response = server.get(f"/lobby-session-events/{session}", headers=headers)
    assert response.headers["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["data"].get("frame_index", 0) for line in lines] == list(range(25))
    assert set(lines[0]) == {"lobby_session_id", "user_id", "data"}


def test_unknown_session_has_count_zero(server: LiveServer) -> None:
    body = server.get(f"/lobby-session-events/{new_session_id()}").json()
    assert (body["count"], body["events"]) == (0, [])


@pytest.mark.parametrize("path", ["/lobby-session-events/", "/v3/lobby-session-events/"])
def test_invalid_id_is_400_json(server: LiveServer, path: str) -> None:
    response = server.get(path + "not-a-uuid")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid match ID: not-a-uuid"


@pytest.mark.parametrize(
    "path",
    ["/lobby-session-events/{}", "/v1/lobby-session-events/{}", "/v3/lobby-session-events/{}"],
)
def test_reads_need_a_token(server: LiveServer, session: str, path: str) -> None:
    response = server.get(path.format(session), headers={})
    assert response.status_code == 401
    assert "token" in response.json()["error"]
    with_query = server.get(path.format(session) + f"?token={server.token()}", headers={})
    assert with_query.status_code == 200


def test_page_walk_with_cursor(server: LiveServer, session: str) -> None:
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        body = server.get(f"/v3/lobby-session-events/{session.lower()}", params=params).json()
        pages += 1
        assert body["total_count"] == 25 and body["limit"] == 10
        seen += [doc["frame_index"] for doc in body["frames"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(range(25))


def test_page_holds_full_documents(server: LiveServer, session: str) -> None:
    body = server.get(f"/v3/lobby-session-events/{session}", params={"limit": 1}).json()
    [doc] = body["frames"]
    assert {
        "_id",
        "lobby_session_id",
        "user_id",
        "node",
        "frame",
        "event_types",
        "timestamp",
    } <= set(doc)
    # Times as everywhere in the API (nevr_events.wire.api.format_time): UTC, ms, "Z".
    assert doc["timestamp"] == "2025-12-04T03:00:00.000Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", doc["created_at"])
    assert isinstance(doc["_id"], str) and len(doc["_id"]) == 24


def test_page_filter_by_event_type(server: LiveServer, session: str) -> None:
    params = {"event_type": "player_goal", "limit": 2}
    body = server.get(f"/v3/lobby-session-events/{session}", params=params).json()
    assert body["total_count"] == 3
    assert [d["frame_index"] for d in body["frames"]] == [3, 10]
    params["cursor"] = body["next"]
    body = server.get(f"/v3/lobby-session-events/{session}", params=params).json()
    assert [d["frame_index"] for d in body["frames"]] == [20]
    assert body["next"] is None


@pytest.mark.parametrize(("raw", "expected"), [("5000", 1000), ("0", 1), ("-3", 1), ("", 100)])
def test_page_limit_is_clamped(server: LiveServer, session: str, raw: str, expected: int) -> None:
    body = server.get(f"/v3/lobby-session-events/{session}", params={"limit": raw}).json()
    assert body["limit"] == expected


@pytest.mark.parametrize("params", [{"limit": "ten"}, {"cursor": "garbage!"}])
def test_page_bad_parameters_are_400(server: LiveServer, session: str, params: dict) -> None:
    response = server.get(f"/v3/lobby-session-events/{session}", params=params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_cursor_stays_correct_while_frames_arrive(server: LiveServer) -> None:
    sid = new_session_id()
    ws = server.connect()
    send_frames(ws, (envelope(make_frame(sid, i)) for i in range(10)))
    first = server.get(f"/v3/lobby-session-events/{sid}", params={"limit": 5}).json()
    # Frames arriving during the walk come later in time than what was read.
    send_frames(ws, (envelope(make_frame(sid, i)) for i in range(10, 15)))
    ws.close()
    rest = server.get(
        f"/v3/lobby-session-events/{sid}", params={"limit": 100, "cursor": first["next"]}
    ).json()
    walked = [d["frame_index"] for d in first["frames"] + rest["frames"]]
    assert walked == list(range(15))


def test_token_never_reaches_the_access_log(server: LiveServer, session: str) -> None:
    token = server.token("log-check")
    server.get(f"/lobby-session-events/{session}?token={token}", headers={})
    assert token not in server.logs()
    assert f"/lobby-session-events/{session}" in server.logs()
