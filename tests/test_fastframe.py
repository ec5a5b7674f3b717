"""FastFrameValidator against the json_format reference (ProtobufFrameValidator).

Every test is differential: the same input goes to both validators and the
accept/reject decision and the output dict (compared as orjson bytes, so key
order and int/float types count) must be identical. This module: the real sample
in every spelling and hand-written edge cases; generated frames are in
``test_fastframe_generated.py``, float32 lists in ``test_fastframe_floats.py``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import orjson
import pytest
from google.protobuf import json_format
from hypothesis import HealthCheck, settings

from nevr_events.exceptions import InvalidFrame
from nevr_events.testing.frames import build_frame, load_sample
from nevr_events.wire.fastframe import FastFrameValidator
from nevr_events.wire.frames import ProtobufFrameValidator
from nevr_events.wire.pb import telemetry_pb2

FAST = FastFrameValidator()
REF = ProtobufFrameValidator()
FD = json_format.descriptor.FieldDescriptor
TS = "2025-12-04T03:38:22.060Z"
# Hypothesis settings of the generated tests (test_fastframe_generated.py, _floats.py).
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def outcome(validator: Any, data: str | bytes) -> Any:
    try:
        r = validator.parse(data)
    except InvalidFrame:
        return "invalid"
    frame = None if r.frame is None else orjson.dumps(r.frame)
    return (r.kind, frame, r.unknown) if r.unknown else (r.kind, frame)


def same(data: str | bytes) -> Any:
    fast, ref = outcome(FAST, data), outcome(REF, data)
    assert fast == ref, data
    return fast


# ------------------------------------------------------------------ samples
def respell(obj: Any, desc: Any, to_json: bool) -> Any:
    """``obj`` (a message dict) with every key in the proto or the json spelling."""
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key, value in obj.items():
        fd = desc.fields_by_name.get(key) or {f.json_name: f for f in desc.fields}[key]
        if (
            fd.message_type is not None
            and not fd.message_type.GetOptions().map_entry
            and (fd.message_type.full_name != "google.protobuf.Timestamp")
        ):
            sub = fd.message_type
            value = (
                [respell(v, sub, to_json) for v in value]
                if fd.is_repeated
                else respell(value, sub, to_json)
            )
        out[fd.json_name if to_json else fd.name] = value
    return out


FRAME_DESC = telemetry_pb2.LobbySessionStateFrame.DESCRIPTOR
EVENTS = [
    {"player_goal": {"player_slot": 3, "total_goals": 2, "points": 2}},
    {"round_ended": {"round_number": 1, "winning_team": 2}},
    {"emote_played": {"emote": "EMOTE_TYPE_PRIMARY"}},
    {"round_started": {}},
]


@pytest.mark.parametrize("players", [0, 1, 10])
@pytest.mark.parametrize("bones", [False, True])
@pytest.mark.parametrize("spelling", ["game", "proto", "json"])
def test_sample_frames(players: int, bones: bool, spelling: str) -> None:
    frame = build_frame(n_players=players, bones=bones, frame_index=7, timestamp=TS)
    frame["events"] = copy.deepcopy(EVENTS)
    if spelling != "game":
        frame = respell(frame, FRAME_DESC, spelling == "json")
    for text in (
        orjson.dumps({"frame": frame}).decode(),
        orjson.dumps(frame).decode(),
        json.dumps({"frame": frame}, indent=2),
    ):
        kind, out = same(text)
        assert kind == "frame"
    binary = json_format.Parse(text, telemetry_pb2.Envelope()).SerializeToString()
    assert same(binary) == (kind, out)


@pytest.mark.parametrize(
    "where", ['"frame_index":', '"ping":', '"points":', '"sessionid":', '"name":']
)
def test_duplicate_key_in_a_large_frame(where: str) -> None:
    """In a full-size frame a duplicate key is found anywhere, and colons and non-ASCII
    text inside strings are not taken for keys (the colon count of the check)."""
    frame = build_frame(n_players=10, frame_index=7, timestamp=TS)
    frame["session"]["teams"][0]["players"][3]["name"] = "ñame: \u00e9 : 🎮:"
    text = orjson.dumps({"frame": frame}).decode()
    assert len(text) > 4096
    assert same(text)[0] == "frame"
    at = text.index(where) + len(where)
    value_end = min(i for i in (text.find(",", at), text.find("}", at)) if i > 0)
    twice = text[:value_end] + "," + where + text[at:value_end] + text[value_end:]
    assert same(twice) == "invalid"


def test_raw_sample_inside_frame() -> None:
    sample = load_sample()
    assert (
        same(
            orjson.dumps({"frame": {"frame_index": 7, "timestamp": TS, "session": sample}}).decode()
        )[0]
        == "frame"
    )
    # A bare session is a frame of fields the schema does not know: kept, named, and
    # (having no `session`) skipped by the stream, not refused.
    kind, frame, unknown = same(orjson.dumps(sample).decode())
    assert kind == "frame" and "frame.sessionid" in unknown
    assert "session" not in orjson.loads(frame) and orjson.loads(frame)["sessionid"]


def test_error_message_has_a_path() -> None:
    frame = build_frame(n_players=4)
    frame["session"]["teams"][0]["players"][1]["ping"] = "abc"
    with pytest.raises(
        InvalidFrame,
        match=r"frame\.session\.teams\[0\]\.players\[1\]\.ping: "
        r'expected an int32, got "abc"',
    ):
        FAST.parse(orjson.dumps({"frame": frame}).decode())


CASES = [
    '{"frame_index": 1, "frameIndex": 2}',
    '{"frameIndex": 2, "frame_index": null}',
    '{"frame_index": "12"}',
    '{"frame_index": 1.0}',
    '{"frame_index": "1.0"}',
    '{"frame_index": 1.5}',
    '{"frame_index": -1}',
    '{"frame_index": 4294967296}',
    '{"frame_index": " 12"}',
    '{"frame_index": "\\t12"}',
    '{"frame_index": "1e3"}',
    '{"frame_index": "1_0"}',
    '{"frame_index": true}',
    '{"frame_index": "0x10"}',
    '{"frame_index": "1e400"}',
    '{"frame_index": "inf"}',
    '{"frame_index": []}',
    '{"session": []}',
    '{"session": ""}',
    '{"session": "ab"}',
    '{"session": 5}',
    '{"session": {}}',
    '{"session": [{}]}',
    '{"session": true}',
    '{"session": {"teams":[{"players":[{"lhand":{"pos":[1]},"left_hand":{"forward":[2]}}]}]}}',
    '{"session": {"teams":[{"players":[{"lhand":{"pos":[1]},"left_hand":null}]}]}}',
    '{"session": {"teams":[{"players":[{"packetlossratio": -0.0, "ping": -0}]}]}}',
    '{"session": {"teams":[{"players":[{"velocity": [-0.0, true, "1.5", "NaN", "Infinity",'
    ' "inf", "-inf", "1_0", 7, " 2 "]}]}]}}',
    '{"session": {"teams":[{"players":[{"velocity": ["nan"]}]}]}}',
    '{"session": {"teams":[{"players":[{"velocity": [null]}]}]}}',
    '{"session": {"teams":[{"players":[{"velocity": [[]]}]}]}}',
    '{"session": {"teams":[{"players":[{"velocity": {}}]}]}}',
    '{"session": {"teams":[{"players":[{"userid": "18446744073709551615"}]}]}}',
    '{"session": {"teams":[{"players":[{"userid": "18446744073709551616"}]}]}}',
    '{"session": {"teams":[{"players":[{"userid": 1e3, "name": 5}]}]}}',
    '{"session": {"teams":[{"players":[{"userid": "-1"}]}]}}',
    '{"session": {"teams":[{"players":[{"userid": 18446744073709551616}]}]}}',
    '{"session": {"teams":[{"players":[{"userid": "007"}]}]}}',
    '{"session": {"teams":[{"players":[{"userid": "\\u0661"}]}]}}',
    '{"session": {"game_clock": 600, "err_code": 2147483648}}',
    '{"session": {"game_clock": "1e400", "possession": [1, "2", null]}}',
    '{"session": {"game_clock": 1e308, "possession": [1, "2", 3.0]}}',
    '{"session": {"private_match": "true"}}',
    '{"session": {"private_match": 1}}',
    '{"session": {"sessionId": "x"}}',
    '{"session": {"session_id": "x", "sessionid": "y"}}',
    '{"player_bones": {"user_bones":[{"bone_t":[1e39]}]}}',
    '{"player_bones": {"user_bones":[{"bone_t":["1e39", "-1e39"]}]}}',
    '{"player_bones": {"user_bones":[{"bone_t":[1000000000000000000000000000000000000000000]}]}}',
    '{"player_bones": {"user_bones":[{"bone_t":[3.4028235e38]}]}}',
    '{"player_bones": {"user_bones":[{"bone_t":[0.1, -0.0, 3.4028234663852886e38, 1e-50, 2,'
    " true, -1e-50, 16777217, 0.70710677]}]}}",
    '{"events":[{"round_ended":{"winning_team": 1.5}}]}',
    '{"events":[{"round_ended":{"winning_team": true}}]}',
    '{"events":[{"round_ended":{"winning_team": 7}}]}',
    '{"events":[{"round_ended":{"winning_team": "7"}}]}',
    '{"events":[{"round_ended":{"winning_team": "ROLE_BLUE_TEAM"}}]}',
    '{"events":[{"round_ended":{"winning_team": "role_blue_team"}}]}',
    '{"events":[{"round_ended":{"winning_team": 0, "round_number": 0}}]}',
    '{"events":[{"round_ended":{"winning_team": "ROLE_UNSPECIFIED"}}]}',
    '{"events":[{"round_ended":{"winning_team": -1}}]}',
    '{"events":[{"round_ended":{"winning_team": 3000000000}}]}',
    '{"events":[{"round_ended":{"winning_team": [1]}}]}',
    '{"events":[{"round_started":{}, "player_goal": null}]}',
    '{"events":[{"player_goal": null, "round_started":{}}]}',
    '{"events":[{"round_started":{}, "roundStarted": null}]}',
    '{"events":[{"round_started":{}, "roundStarted": {}}]}',
    '{"events":[{"round_started":{}, "player_goal": {}}]}',
    '{"events":[[]]}',
    '{"events":[""]}',
    '{"events":[null]}',
    '{"events":null}',
    '{"events":{}}',
    '{"events":[{"unknown": 1}]}',
    '{"timestamp":"2025-12-04T03:38:22.060Z"}',
    '{"timestamp":"2025-12-04T03:38:22.060+05:30"}',
    '{"timestamp":"2025-12-04T03:38:22.0601Z"}',
    '{"timestamp":"2025-12-04T03:38:22z"}',
    '{"timestamp":"2025-1-4T3:8:2Z"}',
    '{"timestamp":"0001-01-01T00:00:00Z"}',
    '{"timestamp":"1970-01-01T00:00:00Z"}',
    '{"timestamp":"2025-12-04 03:38:22Z"}',
    '{"timestamp":"2025-12-04T03:38:60Z"}',
    '{"timestamp":"2025-12-04T03:38:22.123456789Z"}',
    '{"timestamp":"2025-12-04T03:38:22.Z"}',
    '{"timestamp":"2025-12-04T03:38:22.1234567891Z"}',
    '{"timestamp":"2025-02-30T03:38:22Z"}',
    '{"timestamp":"0000-01-01T00:00:00Z"}',
    '{"timestamp":"9999-12-31T23:59:59.999999999Z"}',
    '{"timestamp":"2025-12-04T24:00:00Z"}',
    '{"timestamp":"0001-01-01T00:00:00+01:00"}',
    '{"timestamp":"2025-12-04T03:38:22.5-01:30"}',
    '{"timestamp":1}',
    '{"timestamp":{}}',
    '{"timestamp":"2025-12-04T03:38:22.100000Z"}',
    '{"frame": null, "header": {}}',
    '{"header": {}, "frame": null}',
    '{"frame": null}',
    '{"header": {"metadata": {"a": null}}}',
    '{"header": {"metadata": {"a": 1}}}',
    '{"header": {"metadata": []}}',
    '{"frame": []}',
    '{"header": {"metadata": {"a:b": "c:d"}}}',
    '{"header":{"capture_id":"x","createdAt":"2025-12-04T03:38:22Z","created_at":null}}',
    '{"header":{"captureId":"x","created_at":"2025-12-04T03:38:22Z","x":1}}',
    '{"frame_index": 1, "frame_index": 2}',
    '{"session": {"sessionid": "a:b", "sessionid": "c"}}',
    '{"header":{"metadata":{"a:":"b","a:":"c"}}}',
    '{"frame" : {"frame_index" : 1, "frame_index": 2}}',
    '{"session": {"sessionid": "a\\u003ab", "session_id": "c"}}',
    '{"session": {"sessionid": "a\\"b:", "session_id": "c"}}',
    '{"session": {"sessionid": "a\\u003ab", "sessionid": "c"}}',
    '{"session": {"sessionid": "\\ud83d\\ude00", "map_name": "\\u00e9"}}',
    '{"a": 1, "a": 2}',
    '{"frame": {}, "frame": {}}',
    "[1]",
    '"frame"',
    "1",
    "null",
    '{"frame":1}',
    "{}",
    '{"frame":{}, "header":{}}',
    '{"sessionId": "x"}',
    '{"frame": {"a": NaN}}',
    '{"frame_index": NaN}',
    '{"frame_index": 1',
    "",
    ' {"frame_index": 1} ',
    '{"frame_index": 1}\n',
    "\ufeff{}",
    '{"frame_index": 01}',
]


@pytest.mark.parametrize("text", CASES)
def test_edge_cases(text: str) -> None:
    same(text)
