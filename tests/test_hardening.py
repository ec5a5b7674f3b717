"""AUTH=none, the /ws path, MAX_STREAM_HZ and the limits that bad clients hit."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
import websocket

from nevr_events.client.framestream import FrameStream
from tests.support import (
    LiveServer,
    envelope,
    make_frame,
    new_session_id,
    send_frames,
    wait_until,
)

IDLE_SECONDS = 4


@pytest.fixture(scope="module")
def open_server(mongo_uri: str, _databases: list[str]) -> Iterator[LiveServer]:
    """AUTH=none (and no JWT secret at all), with small limits to run into."""
    name = f"nevr_open_{uuid.uuid4().hex[:12]}"
    _databases.append(name)
    live = LiveServer(
        mongo_uri,
        name,
        JWT_SECRET="",
        AUTH="none",
        MAX_STREAM_HZ="2",
        MAX_STREAMS="2",
        STREAM_IDLE_TIMEOUT=f"{IDLE_SECONDS}s",
        GRAPHQL_MAX_BODY_BYTES="4KiB",
        GRAPHQL_MAX_QUERY_BYTES="1000",
        MAX_HEADER_BYTES="2048",
    ).start()
    yield live
    live.stop()


def metric(server: LiveServer, name: str) -> float:
    for line in requests.get(server.url + "/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def streams_active(server: LiveServer) -> float:
    return metric(server, "nevr_events_streams_active")


def test_go_agent_without_token_under_auth_none(open_server: LiveServer) -> None:
    # `agent stream --events-stream --events-url http://localhost:8081 …` dials `/`
    # with no Authorization header.
    sid = new_session_id()
    ws = websocket.create_connection(open_server.ws_url + "/", timeout=20)
    [reply] = send_frames(ws, [envelope(make_frame(sid, 0))])
    ws.close()
    assert reply["success"] and reply["stored"], reply
    named = websocket.create_connection(
        open_server.ws_url + "/ws", header=["X-User-ID: rig-7"], timeout=20
    )
    [reply] = send_frames(named, [envelope(make_frame(sid, 1))])
    named.close()
    assert reply["success"] and reply["stored"], reply
    users = {d["user_id"] for d in open_server.collection.find({"lobby_session_id": sid.lower()})}
    assert users == {"anonymous", "rig-7"}
    # Reads need no token either.
    page = requests.get(f"{open_server.url}/v3/lobby-session-events/{sid}", timeout=10)
    assert page.status_code == 200 and page.json()["total_count"] == 2
    health = requests.get(open_server.url + "/health", timeout=10).json()
    assert health["auth"] == "none"
    # Warned at every start: by the master and by the worker.
    warnings = [line for line in open_server.logs().splitlines() if "AUTH=none" in line]
    assert len(warnings) >= 2 and all("WARNING" in line for line in warnings), warnings


def test_a_token_stays_required_without_auth_none(server: LiveServer) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(server.ws_url + "/", timeout=20)
    assert refused.value.status_code == 401
    with pytest.raises(websocket.WebSocketBadStatusException) as refused_ws:
        websocket.create_connection(server.ws_url + "/ws", header=["X-User-ID: rig-7"], timeout=20)
    assert refused_ws.value.status_code == 401
    sid = new_session_id()
    assert server.get(f"/v3/lobby-session-events/{sid}", headers={}).status_code == 401
    assert requests.get(server.url + "/health", timeout=10).json()["auth"] == "jwt"
    assert "AUTH=none" not in server.logs()


def test_ws_path_streams_with_a_token(server: LiveServer) -> None:
    sid = new_session_id()
    ws = server.connect(path="/ws")
    replies = send_frames(ws, [envelope(make_frame(sid, i)) for i in range(3)])
    ws.close()
    assert [r["stored"] for r in replies] == [True, True, True]
    assert [r["seq"] for r in replies] == [1, 2, 3]


def test_rate_limited_frames_are_refused_not_stored_and_can_be_resent(
    open_server: LiveServer,
) -> None:
    sid = new_session_id()
    messages = [envelope(make_frame(sid, i)) for i in range(20)]
    ws = websocket.create_connection(open_server.ws_url + "/v3/stream", timeout=20)
    replies = send_frames(ws, messages)  # 20 at once: far over 2 per second
    limited = [r for r in replies if r.get("error") == "rate limited"]
    accepted = [r for r in replies if r["success"]]
    assert limited and accepted and len(limited) + len(accepted) == 20
    assert all(r["retry_after"] > 0 and r["stored"] is False for r in limited)
    assert [r["seq"] for r in replies] == list(range(1, 21))
    stored = open_server.collection.count_documents({"lobby_session_id": sid.lower()})
    assert stored == len(accepted)
    # The connection stays open: after retry_after the agent re-sends, and it is stored.
    retry = limited[0]
    time.sleep(max(r["retry_after"] for r in limited))
    [again] = send_frames(ws, [messages[retry["seq"] - 1]])
    ws.close()
    assert again["success"] and again["stored"], again
    assert open_server.collection.count_documents({"lobby_session_id": sid.lower()}) == stored + 1


def test_streams_over_max_streams_get_503_json(open_server: LiveServer) -> None:
    assert wait_until(lambda: streams_active(open_server) == 0)
    held = [websocket.create_connection(open_server.ws_url + "/ws", timeout=20) for _ in range(2)]
    try:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(open_server.ws_url + "/ws", timeout=20)
        assert refused.value.status_code == 503
        body = json.loads(refused.value.resp_body)
        assert body["status"] == 503 and "MAX_STREAMS" in body["error"]
        # Held streams still work.
        [reply] = send_frames(held[0], [json.dumps({"header": {}})])
        assert reply["success"]
    finally:
        for ws in held:
            ws.close()
    # A closed stream frees its slot.
    assert wait_until(lambda: streams_active(open_server) == 0)
    ws = websocket.create_connection(open_server.ws_url + "/ws", timeout=20)
    ws.close()


def test_a_silent_stream_is_closed_after_the_idle_timeout(open_server: LiveServer) -> None:
    ws = websocket.create_connection(open_server.ws_url + "/ws", timeout=IDLE_SECONDS * 5)
    [reply] = send_frames(ws, [json.dumps({"header": {}})])
    assert reply["success"]
    opcode, data = ws.recv_data(control_frame=True)  # nothing more is sent: wait for the close
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(data[:2], "big") == 1001 and b"idle" in data[2:]
    ws.close()


def test_graphql_body_and_query_size_limits(open_server: LiveServer) -> None:
    url = open_server.url + "/v3/query"
    big_body = requests.post(
        url, json={"query": "{ __typename }", "variables": {"pad": "x" * 5000}}, timeout=10
    )
    assert big_body.status_code == 413 and big_body.json()["status"] == 413
    long_query = "{ __typename " + " " * 1100 + "}"
    too_long = requests.post(url, json={"query": long_query}, timeout=10)
    assert too_long.status_code == 400
    assert "GRAPHQL_MAX_QUERY_BYTES" in too_long.json()["errors"][0]["message"]
    fine = requests.post(url, json={"query": "{ __typename }"}, timeout=10)
    assert fine.status_code == 200, fine.text


def test_oversize_header_is_refused_and_the_server_keeps_going(open_server: LiveServer) -> None:
    response = requests.get(
        open_server.url + "/health", headers={"X-Padding": "x" * 3000}, timeout=10
    )
    assert response.status_code == 431  # gunicorn: Request Header Fields Too Large
    assert requests.get(open_server.url + "/health", timeout=10).status_code == 200


def test_frame_stream_resends_rate_limited_frames(open_server: LiveServer) -> None:
    sid = new_session_id()
    limited_before = metric(open_server, "nevr_events_rate_limited_total")
    with FrameStream(open_server.url) as stream:  # no token: AUTH=none
        for i in range(8):
            stream.send(make_frame(sid, i))  # at once: four times the 2 per second allowed
        result = stream.flush(timeout=60)
    assert (result.stored, result.rejected, result.lost, result.pending) == (8, 0, 0, 0)
    stored = open_server.collection.distinct("frame_index", {"lobby_session_id": sid.lower()})
    assert sorted(stored) == list(range(8))
    assert metric(open_server, "nevr_events_rate_limited_total") > limited_before
