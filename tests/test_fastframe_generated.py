"""FastFrameValidator against the json_format reference on generated frames (hypothesis).

Random valid frames, then loosened (other spellings, numbers as strings...),
mutated into invalid ones, with duplicate keys, and headers: both validators
must decide and output the same.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from google.protobuf import json_format
from hypothesis import given
from hypothesis import strategies as st

from nevr_events.wire.pb import telemetry_pb2
from tests.test_fastframe import FD, FRAME_DESC, SETTINGS, TS, same


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
