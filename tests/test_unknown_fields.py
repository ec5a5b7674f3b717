"""Frames newer than the server: the upstream schema's 2026 fields, and fields nobody
knows yet, stored and read back; the agent's exact encoding, every event type."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
import requests
from google.protobuf import json_format
from hypothesis import given
from hypothesis import strategies as st

from nevr_events.exceptions import InvalidFrame
from nevr_events.server.publish.messages import SessionTracker
from nevr_events.wire.echoreplay import echoreplay_line
from nevr_events.wire.fastframe import FastFrameValidator
from nevr_events.wire.frames import event_types
from nevr_events.wire.pb import telemetry_pb2
from nevr_events.wire.unknown import without_indexes
from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames
from tests.test_fastframe import SETTINGS, same
from tests.test_fastframe_generated import frames
from tests.test_publish import doc, keys

FAST = FastFrameValidator()
EVENT_FIELDS = telemetry_pb2.LobbySessionEvent.DESCRIPTOR.oneofs_by_name["event"].fields


def newer_frame(sid: str, index: int) -> dict[str, Any]:
    """A frame with made-up fields at four depths and an event type nobody knows."""
    frame = make_frame(sid, index)
    frame["zz_frame_field"] = {"nested": [1, "two", None]}
    frame["session"]["zz_session_field"] = 3.5
    frame["session"]["teams"][0]["zz_team_field"] = True
    frame["events"] = [
        {"player_steal": {"player_slot": 1, "victim_player_slot": 7, "zz_new": "x"}},
        {"zz_new_event": {"a": 1}},
    ]
    return frame


NEWER_PATHS = [
    "frame.zz_frame_field",
    "frame.session.zz_session_field",
    "frame.session.teams[0].zz_team_field",
    "frame.events[0].player_steal.zz_new",
    "frame.events[1].zz_new_event",
]


# ----------------------------------------------------------------- the validator
def test_unknown_fields_at_every_depth_are_kept_verbatim_and_named() -> None:
    frame = newer_frame(new_session_id(), 1)
    parsed = FAST.parse(envelope(frame))
    assert sorted(parsed.unknown) == sorted(NEWER_PATHS)
    out = parsed.frame
    assert out is not None
    assert out["zz_frame_field"] == {"nested": [1, "two", None]}
    assert out["session"]["zz_session_field"] == 3.5
    assert out["session"]["teams"][0]["zz_team_field"] is True
    assert out["events"] == frame["events"]
    # the reference (json_format) decides the same
    assert same(envelope(frame))[0] == "frame"


def test_known_fields_are_still_checked_beside_unknown_ones() -> None:
    frame = newer_frame(new_session_id(), 1)
    frame["events"][0]["player_steal"]["victim_player_slot"] = "seven"
    with pytest.raises(InvalidFrame, match=r"victim_player_slot: expected an int32"):
        FAST.parse(envelope(frame))
    frame = newer_frame(new_session_id(), 1)
    frame["frame_index"] = -1
    with pytest.raises(InvalidFrame, match="frame_index"):
        FAST.parse(envelope(frame))
    with pytest.raises(InvalidFrame, match="duplicate"):
        FAST.parse('{"frame": {"zz": {"a": 1, "a": 2}, "frame_index": 1}}')
    with pytest.raises(InvalidFrame, match="not valid JSON"):
        FAST.parse('{"frame": {"zz": ')


def test_envelope_keys_beside_the_frame_are_named() -> None:
    parsed = FAST.parse(json.dumps({"frame": {"frame_index": 2}, "zz_envelope": 1}))
    assert parsed.unknown == ("zz_envelope",) and parsed.frame == {"frame_index": 2}


def add_unknown(draw: Any, obj: Any) -> Any:
    """``obj`` with made-up keys added to some of its message objects."""
    if isinstance(obj, list):
        return [add_unknown(draw, x) for x in obj]
    if not isinstance(obj, dict):
        return obj
    out = {k: add_unknown(draw, v) for k, v in obj.items()}
    if draw(st.integers(0, 3)) == 0:
        out["zz_" + draw(st.text(alphabet="abc", min_size=1, max_size=3))] = draw(
            st.one_of(st.integers(), st.text(max_size=3), st.lists(st.booleans(), max_size=2))
        )
    return out


def drop_unknown(obj: Any) -> Any:
    if isinstance(obj, list):
        return [drop_unknown(x) for x in obj]
    if isinstance(obj, dict):
        return {k: drop_unknown(v) for k, v in obj.items() if not k.startswith("zz_")}
    return obj


@SETTINGS
@given(frames(), st.data())
def test_known_part_is_what_json_format_gives_ignoring_unknown_fields(
    msg: Any, data: st.DataObject
) -> None:
    obj = json_format.MessageToDict(msg, preserving_proto_field_name=True)
    obj.pop("session", None)  # map keys (metadata) are free text: no made-up keys there
    sent = add_unknown(data.draw, obj)
    text = json.dumps({"frame": sent})
    known = telemetry_pb2.Envelope()
    try:
        json_format.Parse(text, known, ignore_unknown_fields=True)
    except json_format.ParseError as refused:
        # json_format cannot read back all it writes (float32's largest value printed
        # shortest overflows float32): then the validator refuses the frame too.
        with pytest.raises(InvalidFrame) as ours:
            FAST.parse(text)
        assert str(refused).split(" at ")[0].rsplit(": ", 1)[-1] in str(ours.value)
        return
    expected = json_format.MessageToDict(known.frame, preserving_proto_field_name=True)
    parsed = FAST.parse(text)
    assert drop_unknown(parsed.frame) == expected
    assert all(p.rsplit(".", 1)[-1].startswith("zz_") for p in parsed.unknown)
    assert len(parsed.unknown) == json.dumps(sent).count('"zz_')


def test_float32_max_printed_shortest_is_refused_as_json_format_refuses_it() -> None:
    # What hypothesis found: MessageToDict prints float32's largest value as 3.4028235e+38,
    # which is above it once read as a double; json_format refuses it, and so do we.
    bones = {"user_bones": [{}, {"bone_o": [3.4028235e38]}], "zz_new": 1}
    text = json.dumps({"frame": {"events": [{}], "player_bones": bones}})
    with pytest.raises(json_format.ParseError, match="Float value too large"):
        json_format.Parse(text, telemetry_pb2.Envelope(), ignore_unknown_fields=True)
    with pytest.raises(InvalidFrame, match="Float value too large"):
        FAST.parse(text)


def test_binary_unknown_field_numbers_are_named_and_the_frame_kept() -> None:
    steal = telemetry_pb2.PlayerSteal(victim_player_slot=-1).SerializeToString()
    steal += bytes([0x98, 0x06, 0x05])  # field 99, varint 5: not in the schema
    event = telemetry_pb2.LobbySessionEvent()
    event.ParseFromString(bytes([0xAA, 0x03, len(steal)]) + steal)  # player_steal = 53
    env = telemetry_pb2.Envelope()
    env.frame.frame_index = 4
    env.frame.events.append(event)
    parsed = FAST.parse(env.SerializeToString())
    assert parsed.unknown == ("frame.events[0].player_steal.99",)
    assert parsed.frame == {
        "frame_index": 4,
        "events": [{"player_steal": {"victim_player_slot": -1}}],
    }
    assert same(env.SerializeToString())[2] == parsed.unknown


def test_metric_labels_have_no_indexes() -> None:
    assert without_indexes("frame.events[12].x.y[3].z") == "frame.events.x.y.z"


# ----------------------------------------------------------------- the agent's encoding
def agent_frame(sid: str, index: int, event: str) -> telemetry_pb2.LobbySessionStateFrame:
    """A frame as nevr-agent builds it, with one event of type ``event``, set non-empty."""
    frame = telemetry_pb2.LobbySessionStateFrame()
    json_format.ParseDict(make_frame(sid, index), frame)
    sub = getattr(frame.events.add(), event)
    for fd in sub.DESCRIPTOR.fields:
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            getattr(sub, fd.name)["round"] = str(index)
        elif fd.type == fd.TYPE_STRING:
            setattr(sub, fd.name, f"{event}-{index}")
        elif fd.type == fd.TYPE_BOOL:
            setattr(sub, fd.name, True)
        elif fd.enum_type is not None:
            setattr(sub, fd.name, 1)
        elif fd.type in (fd.TYPE_INT32, fd.TYPE_UINT32, fd.TYPE_INT64, fd.TYPE_UINT64):
            setattr(sub, fd.name, -1 if fd.name == "victim_player_slot" else index + 1)
        elif fd.type in (fd.TYPE_FLOAT, fd.TYPE_DOUBLE):
            setattr(sub, fd.name, 1.5)
        elif fd.message_type is not None and fd.message_type.fields:
            getattr(sub, fd.name).SetInParent()
    if not sub.ListFields():
        sub.SetInParent()
    return frame


def agent_text(frame: telemetry_pb2.LobbySessionStateFrame) -> str:
    # The agent's writer: Envelope{frame}, proto names, enums as numbers, defaults omitted.
    return json_format.MessageToJson(
        telemetry_pb2.Envelope(frame=frame),
        preserving_proto_field_name=True,
        use_integers_for_enums=True,
        indent=None,
    )


@pytest.mark.both_stores
def test_agent_encoding_of_every_event_type_is_stored_and_read_back(server: LiveServer) -> None:
    sid = new_session_id()
    sent = [agent_frame(sid, i, fd.name) for i, fd in enumerate(EVENT_FIELDS)]
    ws = server.connect()
    replies = send_frames(ws, [agent_text(f) for f in sent])
    ws.close()
    assert all(r["success"] and r["stored"] and "unknown_fields" not in r for r in replies)
    stored = server.stored(sid)
    assert [doc["frame"] for doc in stored] == [
        json_format.MessageToDict(f, preserving_proto_field_name=True) for f in sent
    ]
    steal = next(doc for doc in stored if "player_steal" in doc["frame"]["events"][0])
    assert steal["frame"]["events"][0]["player_steal"]["victim_player_slot"] == -1
    page = server.get(f"/v3/lobby-session-events/{sid}", params={"event_type": "generic_event"})
    [generic] = page.json()["frames"]
    assert generic["frame"]["events"][0]["generic_event"]["data"] == {
        "round": str(generic["frame_index"])
    }


@pytest.mark.both_stores
def test_newer_frames_are_stored_read_back_verbatim_and_counted(server: LiveServer) -> None:
    sid = new_session_id()
    frames_sent = [newer_frame(sid, 1), newer_frame(sid, 2)]
    frames_sent[1]["events"][0]["player_steal"]["victim_player_slot"] = -1
    ws = server.connect()
    replies = send_frames(ws, [envelope(f) for f in frames_sent])
    # binary: victim_player_slot, stored and read back
    binary = telemetry_pb2.Envelope()
    json_format.ParseDict({"frame": make_frame(sid, 3)}, binary)
    binary.frame.events.add().player_steal.victim_player_slot = 7
    [binary_reply] = send_frames_binary(ws, binary.SerializeToString())
    ws.close()
    for reply in replies:
        assert reply["success"] is True and reply["stored"] is True
        assert sorted(reply["unknown_fields"]) == sorted(NEWER_PATHS)
    assert binary_reply["stored"] is True and "unknown_fields" not in binary_reply
    stored = server.stored(sid)
    assert stored[0]["frame"]["zz_frame_field"] == {"nested": [1, "two", None]}
    assert stored[1]["frame"]["events"] == frames_sent[1]["events"]
    assert stored[1]["frame"]["session"]["zz_session_field"] == 3.5
    assert stored[2]["frame"]["events"] == [{"player_steal": {"victim_player_slot": 7}}]
    # the legacy read gives the frame as stored, unknown parts included
    legacy = server.get(f"/lobby-session-events/{sid}").json()
    datas = sorted((e["data"] for e in legacy["events"]), key=lambda d: d["frame_index"])
    assert datas[0]["zz_frame_field"] == {"nested": [1, "two", None]}
    assert datas[1]["session"]["teams"][0]["zz_team_field"] is True
    # GraphQL: the typed frame ignores the unknown parts, frameData has them
    query = """query ($id: ID!) { sessionEvents(lobbySessionId: $id, first: 3) {
      edges { node { frameIndex frameData frame { events { eventType
        event { __typename ... on PlayerSteal { playerSlot victimPlayerSlot } } } } } } } }"""
    answer = requests.post(
        server.url + "/v3/query",
        json={"query": query, "variables": {"id": sid}},
        headers=server.auth(),
        timeout=30,
    ).json()
    assert "errors" not in answer, answer
    nodes = {e["node"]["frameIndex"]: e["node"] for e in answer["data"]["sessionEvents"]["edges"]}
    assert nodes[2]["frame"]["events"] == [
        {
            "eventType": "player_steal",
            "event": {"__typename": "PlayerSteal", "playerSlot": 1, "victimPlayerSlot": -1},
        },
        {"eventType": None, "event": None},
    ]
    assert nodes[1]["frameData"]["zz_frame_field"] == {"nested": [1, "two", None]}
    metrics = server.get("/metrics").text
    assert (
        'nevr_events_unknown_fields_total{path="frame.events.player_steal.zz_new"} 2.0' in metrics
    )
    assert "does not know: frame.session.teams.zz_team_field" in server.logs()


def send_frames_binary(ws: Any, *messages: bytes) -> list[dict[str, Any]]:
    for message in messages:
        ws.send_binary(message)
    return [json.loads(ws.recv()) for _ in messages]


def test_downstream_carries_the_frame_as_stored() -> None:
    sid = new_session_id()
    frame = newer_frame(sid, 5)
    frame["events"].append({"generic_event": {"event_type": "boom", "data": {"k": "v"}}})
    stored = FAST.parse(envelope(frame)).frame
    assert stored is not None
    # AMQP: one message per event, routed by the event's name as stored
    document = {**doc(5), "frame": stored, "event_types": event_types(stored)}
    messages = SessionTracker(frames=False).messages_for(document)
    assert keys(messages) == [
        "session.started",
        "session.event.player_steal",
        "session.event.zz_new_event",
        "session.event.generic_event",
    ]
    assert messages[1].body["payload"]["zz_new"] == "x"
    # .echoreplay: the game's session JSON keeps what the schema does not know
    line = echoreplay_line(datetime(2026, 1, 1, tzinfo=UTC), stored)
    session = orjson.loads(line.split(b"\t")[1])
    assert session["zz_session_field"] == 3.5 and session["teams"][0]["zz_team_field"] is True
