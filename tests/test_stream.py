"""The WebSocket stream against a live gunicorn + gevent server and a real database."""

from __future__ import annotations

import json
import time

import jwt
import pytest
import websocket

from nevr_events.server.auth import mint_token
from tests.support import SECRET, LiveServer, envelope, make_frame, new_session_id, send_frames

# Storing, duplicates and document shapes are storage behaviour: both stores.
pytestmark = pytest.mark.both_stores


def stored(server: LiveServer, session_id: str) -> list[dict]:
    return server.stored(session_id)


def handshake_status(server: LiveServer, path: str = "/v3/stream", **kwargs: object) -> int:
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        websocket.create_connection(server.ws_url + path, timeout=10, **kwargs)
    return info.value.status_code


# --- authentication -------------------------------------------------------------------


def test_token_in_authorization_header_is_accepted(server: LiveServer) -> None:
    sid = new_session_id()
    ws = server.connect(server.token("header-user"))
    [reply] = send_frames(ws, [envelope(make_frame(sid, 1))])
    ws.close()
    assert reply["success"] is True and reply["stored"] is True
    assert [doc["user_id"] for doc in stored(server, sid)] == ["header-user"]


def test_token_in_query_string_is_accepted(server: LiveServer) -> None:
    sid = new_session_id()
    ws = websocket.create_connection(
        f"{server.ws_url}/v3/stream?token={server.token('query-user')}", timeout=10
    )
    [reply] = send_frames(ws, [envelope(make_frame(sid, 1))])
    ws.close()
    assert reply["success"] is True
    assert [doc["user_id"] for doc in stored(server, sid)] == ["query-user"]


def test_missing_token_is_refused_before_upgrade(server: LiveServer) -> None:
    assert handshake_status(server) == 401


def test_bad_signature_is_refused(server: LiveServer) -> None:
    forged = mint_token("another-secret-" + "y" * 40, "mallory")
    assert handshake_status(server, header=[f"Authorization: Bearer {forged}"]) == 401


def test_expired_token_is_refused(server: LiveServer) -> None:
    expired = jwt.encode({"sub": "late", "exp": int(time.time()) - 60}, SECRET, algorithm="HS256")
    assert handshake_status(server, header=[f"Authorization: Bearer {expired}"]) == 401


def test_token_not_yet_valid_is_refused(server: LiveServer) -> None:
    future = jwt.encode({"sub": "early", "nbf": int(time.time()) + 600}, SECRET, algorithm="HS256")
    assert handshake_status(server, header=[f"Authorization: Bearer {future}"]) == 401


@pytest.mark.parametrize("algorithm", ["HS512", "HS384"])
def test_other_algorithms_are_refused(server: LiveServer, algorithm: str) -> None:
    token = jwt.encode({"sub": "x"}, SECRET, algorithm=algorithm)
    assert handshake_status(server, header=[f"Authorization: Bearer {token}"]) == 401


def test_unsigned_token_is_refused(server: LiveServer) -> None:
    token = jwt.encode({"sub": "x"}, None, algorithm="none")
    assert handshake_status(server, header=[f"Authorization: Bearer {token}"]) == 401


def test_refusal_is_json(server: LiveServer) -> None:
    response = server.get("/v3/stream", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
    assert response.status_code == 401
    assert "token" in response.json()["error"]


def test_user_id_comes_from_token_not_header(server: LiveServer) -> None:
    sid = new_session_id()
    ws = server.connect(server.token("real-user"), headers=["X-User-ID: spoofed", "X-Node-ID: n7"])
    send_frames(ws, [envelope(make_frame(sid, 1))])
    ws.close()
    [doc] = stored(server, sid)
    assert (doc["user_id"], doc["node"]) == ("real-user", "n7")


def test_user_id_header_applies_when_token_has_no_sub(server: LiveServer) -> None:
    sid = new_session_id()
    token = jwt.encode({"iat": int(time.time())}, SECRET, algorithm="HS256")
    ws = server.connect(token, headers=["X-User-ID: header-user"])
    send_frames(ws, [envelope(make_frame(sid, 1))])
    ws.close()
    [doc] = stored(server, sid)
    assert (doc["user_id"], doc["node"]) == ("header-user", "default-node")


# --- messages -------------------------------------------------------------------------


def test_root_path_accepts_the_stream(server: LiveServer) -> None:
    sid = new_session_id()
    ws = server.connect(path="/")
    [reply] = send_frames(ws, [envelope(make_frame(sid, 3))])
    ws.close()
    assert reply["success"] is True and reply["frame_index"] == 3
    assert len(stored(server, sid)) == 1


def test_thousand_pipelined_frames_are_answered_in_order(server: LiveServer) -> None:
    sid = new_session_id()
    ws = server.connect()
    replies = send_frames(ws, (envelope(make_frame(sid, i)) for i in range(1000)))
    ws.close()
    assert [r["seq"] for r in replies] == list(range(1, 1001))
    assert [r["frame_index"] for r in replies] == list(range(1000))
    assert all(r["success"] and r["stored"] for r in replies)
    assert [d["frame_index"] for d in stored(server, sid)] == list(range(1000))


def test_stored_document_shape(server: LiveServer) -> None:
    sid = new_session_id(upper=True)
    frame = make_frame(sid, 5, events=[{"player_goal": {"player_slot": 2}}, {"round_started": {}}])
    ws = server.connect(server.token("shape"))
    [reply] = send_frames(ws, [envelope(frame)])
    ws.close()
    assert reply["lobby_session_id"] == sid.lower()
    [doc] = stored(server, sid)
    assert doc["lobby_session_id"] == sid.lower()
    assert doc["event_types"] == ["player_goal", "round_started"]
    assert doc["frame"]["frame_index"] == 5
    # Canonical protojson with proto field names: 64-bit integers as strings.
    player = doc["frame"]["session"]["teams"][1]["players"][0]
    assert player["account_number"] == "3963667097037078"
    assert player["display_name"] == "sprockee [BOT]"
    assert doc["frame"]["session"]["session_id"] == sid
    assert doc["timestamp"].isoformat().startswith("2025-12-04T03:00:00.165")
    assert {"created_at", "updated_at", "user_id", "node"} <= set(doc)


def test_frame_without_timestamp_gets_receive_time(server: LiveServer) -> None:
    sid = new_session_id()
    before = time.time()
    ws = server.connect()
    send_frames(ws, [envelope(make_frame(sid, 1, timestamp=""))])
    ws.close()
    [doc] = stored(server, sid)
    assert before - 1 <= doc["timestamp"].timestamp() <= time.time() + 1


def test_bare_frame_and_json_names_are_accepted(server: LiveServer) -> None:
    sid = new_session_id()
    bare = {"frameIndex": 4, "session": {"sessionid": sid, "game_status": "playing"}}
    ws = server.connect()
    [reply] = send_frames(ws, [json.dumps(bare)])
    ws.close()
    assert reply["success"] is True and reply["stored"] is True
    assert stored(server, sid)[0]["frame"]["session"]["game_status"] == "playing"


BAD_MESSAGES = {
    "invalid JSON": ("{not json", "not valid JSON"),
    "not an object": ("[1, 2]", "JSON object"),
    "wrong type": (json.dumps({"frame": {"frame_index": "many"}}), "frame_index"),
    # `sessionId` is not a spelling of `sessionid` (its JSON name): an unknown field,
    # kept, and the session is then without an id.
    "lowerCamel of a custom json name": (
        json.dumps({"frame": {"session": {"sessionId": "x"}}}),
        "the frame's session has no sessionid",
    ),
    "non-UUID session": (
        json.dumps({"frame": {"session": {"sessionid": "not-a-uuid"}}}),
        "invalid match ID: not-a-uuid",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_MESSAGES))
def test_bad_message_gets_clear_error_and_connection_stays_usable(
    server: LiveServer, case: str
) -> None:
    message, expected = BAD_MESSAGES[case]
    sid = new_session_id()
    ws = server.connect()
    replies = send_frames(ws, [envelope(make_frame(sid, 1)), message, envelope(make_frame(sid, 2))])
    ws.close()
    assert replies[0]["success"] is True
    assert replies[1]["success"] is False
    assert expected in replies[1]["error"]
    assert replies[2]["success"] is True and replies[2]["frame_index"] == 2
    assert [d["frame_index"] for d in stored(server, sid)] == [1, 2]


def test_unknown_field_is_named_not_refused(server: LiveServer) -> None:
    sid = new_session_id()
    ws = server.connect()
    frame = {**make_frame(sid, 1), "bogus_field": 1}
    replies = send_frames(ws, [json.dumps({"frame": {"bogus_field": 1}}), envelope(frame)])
    ws.close()
    assert replies[0]["success"] is True and replies[0]["stored"] is False
    assert replies[0]["skipped"] == "frame has no session: nothing to store"
    assert replies[0]["unknown_fields"] == ["frame.bogus_field"]
    assert replies[1]["stored"] is True and replies[1]["unknown_fields"] == ["frame.bogus_field"]
    assert [d["frame"]["bogus_field"] for d in stored(server, sid)] == [1]


def test_bad_message_does_not_disturb_other_connections(server: LiveServer) -> None:
    sid = new_session_id()
    good, bad = server.connect(), server.connect()
    good.send(envelope(make_frame(sid, 1)))
    bad.send("garbage")
    good.send(envelope(make_frame(sid, 2)))
    assert json.loads(bad.recv())["success"] is False
    assert [json.loads(good.recv())["success"] for _ in range(2)] == [True, True]
    good.close()
    bad.close()


def test_header_envelope_and_sessionless_frame_are_answered_not_stored(
    server: LiveServer,
) -> None:
    header = json.dumps({"header": {"capture_id": "cap-1", "metadata": {"k": "v"}}})
    ws = server.connect()
    replies = send_frames(ws, [header, json.dumps({"frame": {"frame_index": 9}}), "{}"])
    ws.close()
    assert [r["success"] for r in replies] == [True, True, True]
    assert [r["stored"] for r in replies] == [False, False, False]
    assert "header" in replies[0]["skipped"]
    assert "no session" in replies[1]["skipped"]


def test_resent_frame_is_recognised_not_stored_twice(server: LiveServer) -> None:
    sid = new_session_id()
    message = envelope(make_frame(sid, 7))
    ws = server.connect()
    first, second = send_frames(ws, [message, message])
    ws.close()
    assert (first["stored"], first["duplicate"]) == (True, False)
    assert (second["success"], second["stored"], second["duplicate"]) == (True, False, True)
    assert len(stored(server, sid)) == 1


def test_oversize_message_closes_with_1009(mongo_uri: str, database_name: str) -> None:
    live = LiveServer(mongo_uri, database_name, MAX_MESSAGE_BYTES="64KiB").start()
    try:
        sid = new_session_id()
        ws = live.connect()
        [reply] = send_frames(ws, [envelope(make_frame(sid, 1))])
        assert reply["success"] is True
        ws.send(json.dumps({"frame": {"session": {"client_name": "x" * 70_000}}}))
        opcode, data = ws.recv_data(control_frame=True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE
        assert int.from_bytes(data[:2], "big") == 1009
        ws.close()
        # The server goes on serving new connections.
        ws = live.connect()
        [reply] = send_frames(ws, [envelope(make_frame(sid, 2))])
        ws.close()
        assert reply["success"] is True
    finally:
        live.stop()


def test_binary_envelope_is_stored_like_its_json_form(server: LiveServer) -> None:
    from google.protobuf import json_format

    from nevr_events.wire.pb import telemetry_pb2

    json_sid, binary_sid = new_session_id(), new_session_id()
    events = [{"player_goal": {"player_slot": 1, "total_goals": 2}}]
    as_json = envelope(make_frame(json_sid, 11, events=events))
    message = json_format.Parse(
        envelope(make_frame(binary_sid, 11, events=events)), telemetry_pb2.Envelope()
    )
    ws = server.connect()
    replies = send_frames(ws, [as_json])
    ws.send_binary(message.SerializeToString())
    replies.append(json.loads(ws.recv()))
    ws.send_binary(b"\xff\xff\xff not protobuf")
    replies.append(json.loads(ws.recv()))
    ws.close()
    assert [r["success"] for r in replies] == [True, True, False]
    assert "protobuf" in replies[2]["error"]
    [from_json], [from_binary] = stored(server, json_sid), stored(server, binary_sid)
    from_binary["frame"]["session"]["session_id"] = json_sid
    assert from_binary["frame"] == from_json["frame"]
    assert from_binary["event_types"] == from_json["event_types"] == ["player_goal"]
    assert from_binary["timestamp"] == from_json["timestamp"]


def test_peer_that_stops_answering_pings_is_dropped(mongo_uri: str, database_name: str) -> None:
    live = LiveServer(mongo_uri, database_name, PING_INTERVAL="300ms").start()
    try:
        ws = live.connect()
        time.sleep(1.5)  # not reading: websocket-client answers pings only inside recv
        received = b""
        ws.sock.settimeout(10)
        while chunk := ws.sock.recv(65536):  # raw bytes: answering the pings now would fail
            received += chunk
        # Server frames are unmasked: 0x88 close, length, then code 1008 and the reason.
        assert b"\x88\x13\x03\xf0Ping/Pong timeout" in received
    finally:
        live.stop()
