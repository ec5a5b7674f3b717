"""FastFrameValidator against the json_format reference (ProtobufFrameValidator).

Every test is differential: the same input goes to both validators and the
accept/reject decision and the output dict (compared as orjson bytes, so key
order and int/float types count) must be identical.
"""

from __future__ import annotations

import copy
import json
import random
import struct
from array import array
from typing import Any

import orjson
import pytest
from google.protobuf import json_format
from google.protobuf.internal import type_checkers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nevr_events.exceptions import InvalidFrame
from nevr_events.testing.frames import build_frame, load_sample
from nevr_events.wire.fastframe import FastFrameValidator
from nevr_events.wire.fastframe_floats import json_list, shortest_list
from nevr_events.wire.frames import ProtobufFrameValidator
from nevr_events.wire.pb import telemetry_pb2

FAST = FastFrameValidator()
REF = ProtobufFrameValidator()
FD = json_format.descriptor.FieldDescriptor
TS = "2025-12-04T03:38:22.060Z"


def outcome(validator: Any, data: str | bytes) -> Any:
    try:
        r = validator.parse(data)
    except InvalidFrame:
        return "invalid"
    return r.kind, None if r.frame is None else orjson.dumps(r.frame)


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


def test_raw_sample_inside_frame() -> None:
    sample = load_sample()
    assert (
        same(
            orjson.dumps({"frame": {"frame_index": 7, "timestamp": TS, "session": sample}}).decode()
        )[0]
        == "frame"
    )
    assert same(orjson.dumps(sample).decode()) == "invalid"  # a session is not a frame


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


# --------------------------------------------------------------- hypothesis
def scalar(fd: Any) -> st.SearchStrategy[Any]:
    t = fd.type
    if t == FD.TYPE_INT32:
        return st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, -1, 2**31 - 1]))
    if t == FD.TYPE_UINT32:
        return st.integers(0, 2**32 - 1)
    if t == FD.TYPE_UINT64:
        return st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 2**64 - 1, 2**53 + 1]))
    if t == FD.TYPE_DOUBLE:
        return st.floats(allow_nan=True, allow_infinity=True)
    if t == FD.TYPE_FLOAT:
        return st.floats(width=32, allow_nan=True, allow_infinity=True)
    if t == FD.TYPE_BOOL:
        return st.booleans()
    if t == FD.TYPE_STRING:
        return st.text(alphabet=st.sampled_from('ab:" \\é\n\U0001f600{}'), max_size=6)
    if t == FD.TYPE_ENUM:
        return st.integers(-2, 7)
    raise AssertionError(fd.full_name)


def fill(draw: Any, msg: Any, depth: int) -> None:
    for fd in msg.DESCRIPTOR.fields:
        if not draw(st.integers(0, 2)):
            continue
        if fd.containing_oneof is not None and msg.WhichOneof(fd.containing_oneof.name):
            continue
        sub = fd.message_type
        if sub is not None and sub.GetOptions().map_entry:
            getattr(msg, fd.name).update(
                draw(
                    st.dictionaries(
                        st.text(alphabet="ab:", max_size=3),
                        st.text(alphabet="ab:", max_size=3),
                        max_size=2,
                    )
                )
            )
        elif sub is not None and sub.full_name == "google.protobuf.Timestamp":
            ts = getattr(msg, fd.name)
            ts.seconds = draw(st.integers(-62135596800, 253402300799))
            ts.nanos = draw(st.sampled_from([0, 1, 1000, 1000000, 123456789, 999999999]))
        elif sub is not None:
            if depth > 4:
                continue
            if fd.is_repeated:
                for _ in range(draw(st.integers(0, 2))):
                    fill(draw, getattr(msg, fd.name).add(), depth + 1)
            else:
                getattr(msg, fd.name).SetInParent()
                fill(draw, getattr(msg, fd.name), depth + 1)
        elif fd.is_repeated:
            getattr(msg, fd.name).extend(draw(st.lists(scalar(fd), max_size=4)))
        else:
            setattr(msg, fd.name, draw(scalar(fd)))


@st.composite
def frames(draw: Any) -> telemetry_pb2.LobbySessionStateFrame:
    msg = telemetry_pb2.LobbySessionStateFrame()
    fill(draw, msg, 0)
    return msg


def loosen(draw: Any, obj: Any, desc: Any) -> Any:
    """Valid variations json_format accepts: spellings, numbers as strings, nulls."""
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        fd = desc.fields_by_name.get(key) or {f.json_name: f for f in desc.fields}[key]
        sub = fd.message_type
        if (
            sub is not None
            and not sub.GetOptions().map_entry
            and (sub.full_name != "google.protobuf.Timestamp")
        ):
            value = (
                [loosen(draw, v, sub) for v in value]
                if fd.is_repeated
                else loosen(draw, value, sub)
            )
        elif isinstance(value, int) and not isinstance(value, bool) and draw(st.booleans()):
            as_float = float(value) if abs(value) < 2**53 else value
            value = draw(st.sampled_from([str(value), as_float]))
        elif (
            (isinstance(value, str) and value.lstrip("-").isdigit())
            or (isinstance(value, float) and value.is_integer())
        ) and draw(st.booleans()):
            value = int(value)
        if fd.containing_oneof is None and draw(st.integers(0, 9)) == 0:
            out[fd.json_name if key == fd.name else fd.name] = None
        out[draw(st.sampled_from([fd.name, fd.json_name]))] = value
    return out


JUNK = st.sampled_from(
    [
        "abc",
        "",
        "1.5",
        1.5,
        -1,
        2**32,
        2**64,
        2**63,
        -(2**63) - 1,
        True,
        False,
        None,
        [],
        {},
        [None],
        [1, "x"],
        "NaN",
        "nan",
        "1e39",
        1e39,
        " 12",
        "\t7",
        "1_0",
        "ROLE_BLUE_TEAM",
        3000000000,
        "2025-12-04T03:38:22Z",
        "2025-13-04T03:38:22Z",
        {"x": 1},
        [{}],
        0.0,
        -0.0,
        "-0",
        1e300,
        "7",
    ]
)


def mutate(draw: Any, obj: Any) -> Any:
    """One random change somewhere in the tree: a junk value, an unknown key or null."""
    if isinstance(obj, dict) and obj and draw(st.integers(0, 3)):
        key = draw(st.sampled_from(sorted(obj)))
        return {**obj, key: mutate(draw, obj[key])}
    if isinstance(obj, list) and obj and draw(st.integers(0, 3)):
        i = draw(st.integers(0, len(obj) - 1))
        return [*obj[:i], mutate(draw, obj[i]), *obj[i + 1 :]]
    if isinstance(obj, dict) and draw(st.booleans()):
        return {**obj, draw(st.sampled_from(["unknown", "frameIndex", "sessionId", "player"])): 1}
    return draw(JUNK)


def envelope_text(frame: dict[str, Any], draw: Any) -> str:
    doc = {"frame": frame} if draw(st.booleans()) else frame
    return json.dumps(
        doc, indent=draw(st.sampled_from([None, 2])), ensure_ascii=draw(st.booleans())
    )


SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(frames(), st.booleans(), st.booleans())
def test_generated_frames(msg: Any, proto_names: bool, enum_ints: bool) -> None:
    text = json_format.MessageToJson(
        msg, preserving_proto_field_name=proto_names, use_integers_for_enums=enum_ints
    )
    expected = (
        "frame",
        orjson.dumps(json_format.MessageToDict(msg, preserving_proto_field_name=True)),
    )
    binary = telemetry_pb2.Envelope(frame=msg).SerializeToString()
    assert same(binary) == expected
    if "3.4028235e+38" in text:  # float32 max: json_format prints it so, then rejects it
        assert same(text) in ("invalid", expected)
    else:
        assert same(text) == expected


@SETTINGS
@given(frames(), st.data())
def test_loosened_frames(msg: Any, data: st.DataObject) -> None:
    obj = json_format.MessageToDict(msg, preserving_proto_field_name=data.draw(st.booleans()))
    same(envelope_text(loosen(data.draw, obj, FRAME_DESC), data.draw))


@SETTINGS
@given(frames(), st.data())
def test_mutated_frames(msg: Any, data: st.DataObject) -> None:
    obj = json_format.MessageToDict(msg, preserving_proto_field_name=data.draw(st.booleans()))
    same(envelope_text(mutate(data.draw, obj), data.draw))


@SETTINGS
@given(frames(), st.data())
def test_duplicate_keys(msg: Any, data: st.DataObject) -> None:
    text = json_format.MessageToJson(msg, preserving_proto_field_name=True, indent=None)
    starts = [i for i, ch in enumerate(text) if ch == "{" and text[i + 1] == '"']
    if not starts:
        return
    i = data.draw(st.sampled_from(starts)) + 1
    j = text.index(":", text.index('"', i + 1)) + 1
    key = text[i:j]
    value = data.draw(st.sampled_from(["1", '"x:y"', "null", "{}", "[]"]))
    same(text[:i] + key + value + "," + text[i:])  # the key twice in one object


@SETTINGS
@given(
    st.builds(
        telemetry_pb2.TelemetryHeader,
        capture_id=st.text(max_size=5),
        metadata=st.dictionaries(
            st.text(alphabet="ab:\\", max_size=3), st.text(max_size=3), max_size=3
        ),
    ),
    st.booleans(),
)
def test_headers(header: Any, proto_names: bool) -> None:
    header.created_at.FromJsonString(TS)
    text = json_format.MessageToJson(
        telemetry_pb2.Envelope(header=header), preserving_proto_field_name=proto_names
    )
    assert same(text) == ("header", None)
    assert same(telemetry_pb2.Envelope(header=header).SerializeToString()) == ("header", None)


def test_binary_edge_cases() -> None:
    assert same(b"") == ("empty", None)
    assert same(b"\xff\xff") == "invalid"
    assert same(bytearray(telemetry_pb2.Envelope(frame={}).SerializeToString()))[0] == "frame"


# ------------------------------------------------------------ float32 lists
def shortest_ref(f: float) -> Any:
    """What MessageToDict prints for a float32 value (``ToShortestFloat``)."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "Infinity" if f > 0 else "-Infinity"
    return type_checkers.ToShortestFloat(f)


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def from_bits(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def edge_f32() -> list[float]:
    """float32 values near every binade edge, near powers of ten, ties and random ones."""
    out = []
    for e in range(256):
        for m in (0, 1, 2, 3, 0x400000, 0x7FFFFD, 0x7FFFFE, 0x7FFFFF):
            out.append(from_bits(e << 23 | m))
    for k in range(-45, 39):
        for base in (1.0, 2.0, 5.0):
            try:
                bits = struct.unpack("<I", struct.pack("<f", base * 10.0**k))[0]
            except OverflowError:
                continue
            out += [from_bits(b) for b in range(max(bits - 3, 0), min(bits + 4, 0x7F800000))]
    out += [i + 0.5 for i in range(-40, 40)] + [float(i) for i in range(2**23 - 9, 2**23 + 9)]
    out += [float(i) for i in range(2**24 - 9, 2**24 + 9)] + [1234567.5, 8388607.5, 0.1, 0.2]
    rng = random.Random(7)
    out += [from_bits(rng.getrandbits(32)) for _ in range(4000)]
    out += [from_bits(rng.randrange(100, 150) << 23 | rng.getrandbits(23)) for _ in range(4000)]
    out = [f32(x) for x in out]
    return out + [-x for x in out]


def as_bits(values: list[Any]) -> list[Any]:
    return [struct.pack("<d", x) if type(x) is float else x for x in values]


def test_float32_lists_exact() -> None:
    values = edge_f32()
    expected = as_bits([shortest_ref(x) for x in values])
    assert as_bits(shortest_list(values)) == expected  # binary: exact float32 values
    finite = [x for x in values if abs(x) < type_checkers._FLOAT_MAX]
    texts = [
        finite,
        [shortest_ref(x) for x in finite],
        [float(f"{x:.9g}") for x in finite],
        [float(f"{x:.7g}") for x in finite],
        [float(f"{x:.5g}") for x in finite],
        [int(x) for x in finite if x.is_integer()],
        [True, False, 0, -0.0, 1e-50, -1e-50],
    ]
    for text in texts:  # text: doubles (or ints) rounded to float32 first
        assert as_bits(json_list(text)) == as_bits([shortest_ref(f32(x)) for x in text])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(width=32), max_size=40),
    st.lists(st.one_of(st.floats(allow_nan=False), st.integers(-(2**64), 2**64)), max_size=40),
)
def test_float32_lists_random(values: list[float], numbers: list[Any]) -> None:
    assert as_bits(shortest_list(values)) == as_bits([shortest_ref(x) for x in values])
    rounded = array("f", numbers).tolist()  # as json_format stores them (inf beyond range)
    got = json_list(numbers)
    if any(abs(x) >= type_checkers._FLOAT_MAX for x in rounded):
        assert got is None  # the caller lets json_format decide
    else:
        assert as_bits(got) == as_bits([shortest_ref(x) for x in rounded])


BONE_VALUES = st.one_of(
    st.floats(width=32, allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            0.0,
            -0.0,
            1.0,
            -1.0,
            1e-45,
            -1e-45,
            1.1754944e-38,
            3.4028235e38,
            3.4028234663852886e38,
            -3.4028234663852886e38,
            1e39,
            2**24 + 1,
            16777217,
            0.70710677,
            0.1,
            1e-50,
            True,
            7,
            -3,
            2**63,
        ]
    ),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "nan", "1e39", "-1e39", "0.5", "1"]),
)


@SETTINGS
@given(st.lists(st.lists(BONE_VALUES, max_size=8), min_size=1, max_size=3), st.booleans())
def test_bones_through_validator(lists: list[list[Any]], as_9g: bool) -> None:
    def dump(x: Any) -> str:
        if type(x) is float:
            return f"{x:.9g}" if as_9g and "e" not in f"{x:.9g}" else repr(x)
        return json.dumps(x)

    users = ",".join('{"bone_t": [' + ",".join(map(dump, xs)) + "]}" for xs in lists)
    text = '{"frame": {"player_bones": {"user_bones": [' + users + "]}}}"
    result = same(text)
    if result != "invalid":
        msg = json_format.Parse(text, telemetry_pb2.Envelope())
        assert same(msg.SerializeToString()) == result
