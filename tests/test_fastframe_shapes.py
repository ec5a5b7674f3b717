"""Code per key layout (``fastframe_shapes``) against the json_format reference.

A layout's code is compiled from a frame that has it, on its ``COMPILE_AFTER``-th
use, and then serves every later frame with the same keys, whatever their values:
a frame whose values differ (junk, nulls, other types, other nested layouts) must
still get exactly the reference's decision and output. The validator here has
the production settings and a clock that lets every compile through, so each
layout sent often enough gets code (a worker's clock spaces them out).
"""

from __future__ import annotations

import itertools
from typing import Any

import orjson
import pytest
from google.protobuf import json_format
from hypothesis import given
from hypothesis import strategies as st

from nevr_events.testing.frames import build_frame
from nevr_events.wire.fastframe import FastFrameValidator, compile_converters
from nevr_events.wire.fastframe_layouts import (
    COMPILE_AFTER,
    COMPILE_INTERVAL,
    COMPILED_PER_MESSAGE,
    LAYOUTS_PER_MESSAGE,
)
from nevr_events.wire.pb import telemetry_pb2
from tests.test_fastframe import FRAME_DESC, REF, SETTINGS, outcome
from tests.test_fastframe_generated import envelope_text, frames, loosen, mutate

CONVERTERS = compile_converters(clock=itertools.count(0.0, COMPILE_INTERVAL).__next__)
LEARNING = FastFrameValidator(CONVERTERS)
FRAME = CONVERTERS.frame
MEMBER = CONVERTERS.specs["enginehttp.TeamMember"]
TABLE = MEMBER.layouts
assert TABLE is not None


def same(data: str | bytes) -> Any:
    fast, ref = outcome(LEARNING, data), outcome(REF, data)
    assert fast == ref, data
    return fast


def learnt(text: str) -> Any:
    """Sends ``text`` until its layouts have code; the first and the last answers checked."""
    same(text)
    for _ in range(COMPILE_AFTER - 2):
        outcome(LEARNING, text)
    return same(text)


def member_layouts(n: int) -> list[bytes]:
    """Frames of one player each, with 2**n - 1 different key layouts of ``TeamMember``."""
    value = {"i32": 5, "bool": True, "string": "x"}
    fields = [f for f in MEMBER.fields if f.kind in value and not f.repeated][:n]
    assert len(fields) == n
    players = [
        {f.name: value[f.kind] for i, f in enumerate(fields) if mask >> i & 1}
        for mask in range(1, 2**n)
    ]
    return [
        orjson.dumps({"frame": {"session": {"teams": [{"players": [player]}]}}})
        for player in players
    ]


def canonical(msg: Any) -> dict[str, Any]:
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


@SETTINGS
@given(frames(), st.data())
def test_a_layout_learnt_from_one_frame_serves_the_next(msg: Any, data: st.DataObject) -> None:
    obj = json_format.MessageToDict(msg, preserving_proto_field_name=data.draw(st.booleans()))
    CONVERTERS.forget_layouts()
    first = envelope_text(obj, data.draw)
    assert learnt(first) == same(first)  # compiles this frame's layouts, then runs them
    same(envelope_text(mutate(data.draw, obj), data.draw))
    same(envelope_text(loosen(data.draw, obj, FRAME_DESC), data.draw))


@SETTINGS
@given(st.integers(0, 10), st.booleans(), st.data())
def test_sample_layouts_with_other_values(players: int, proto: bool, data: st.DataObject) -> None:
    frame = build_frame(n_players=players, frame_index=7, timestamp="2025-12-04T03:38:22.060Z")
    msg = json_format.ParseDict(frame, telemetry_pb2.LobbySessionStateFrame())
    obj = json_format.MessageToDict(msg, preserving_proto_field_name=True) if proto else frame
    CONVERTERS.forget_layouts()
    learnt(orjson.dumps({"frame": obj}).decode())
    same(envelope_text(mutate(data.draw, obj), data.draw))


def test_a_canonical_frame_is_checked_and_kept_not_rebuilt() -> None:
    frame = build_frame(n_players=2, frame_index=3, timestamp="2025-12-04T03:38:22.060Z")
    msg = json_format.ParseDict(frame, telemetry_pb2.LobbySessionStateFrame())
    text = json_format.MessageToJson(msg, preserving_proto_field_name=True)
    CONVERTERS.forget_layouts()
    for _ in range(COMPILE_AFTER - 1):  # the layouts' uses before they get code
        assert FRAME.conv(orjson.loads(text), [0]) is not None
    obj = orjson.loads(text)
    assert FRAME.conv(obj, [0]) is obj
    assert orjson.dumps(obj) == orjson.dumps(canonical(msg))
    # Values that differ from the canonical form are fixed in place, keys keep their order.
    obj = orjson.loads(text)
    member = obj["session"]["teams"][0]["players"][0]
    member["account_number"] = int(member["account_number"])
    member["head"]["position"] = [0, 1, 2]
    member["level"] = 0
    assert FRAME.conv(obj, [0]) is obj
    expected = canonical(msg)
    expected_member = expected["session"]["teams"][0]["players"][0]
    expected_member["head"]["position"] = [0.0, 1.0, 2.0]
    expected_member.pop("level", None)
    assert orjson.dumps(obj) == orjson.dumps(expected)


def test_hostile_layouts_are_bounded() -> None:
    CONVERTERS.forget_layouts()
    texts = [text.decode() for text in member_layouts(7)]  # 127 layouts of one message type
    for text in texts:
        learnt(text)
        assert len(TABLE.shapes) <= LAYOUTS_PER_MESSAGE
        assert len(TABLE.code) <= COMPILED_PER_MESSAGE
    assert len(TABLE.code) > 0
    for text in texts[::9]:  # past the bounds: still the reference's answers
        same(text)
    CONVERTERS.forget_layouts()


def test_fast_validator_still_parses_after_forgetting() -> None:
    frame = build_frame(n_players=1, frame_index=1, timestamp="2025-12-04T03:38:22.060Z")
    text = orjson.dumps({"frame": frame}).decode()
    learnt(text)
    assert TABLE.code
    CONVERTERS.forget_layouts()
    assert not TABLE.code and not TABLE.shapes
    parsed = LEARNING.parse(text)
    assert parsed.kind == "frame" and parsed.frame is not None
    assert parsed.frame["frame_index"] == 1


def test_the_empty_layout_is_not_taken_by_an_empty_string_or_list() -> None:
    # tuple("") == tuple([]) == (): the code learnt from {} must not accept them as is.
    CONVERTERS.forget_layouts()
    learnt('{"playerBones": {"user_bones": [{}]}}')
    for other in ('""', "[]", "null", "0"):
        same('{"playerBones": {"user_bones": [' + other + "]}}")
        same('{"frame": {"playerBones": ' + other + "}}")


SWAPS = ["", [], {}, None, 0, 1.5, -0.0, True, "x", [None], [{}], {"x": 1}, [1, 2.5]]
# What unpacks into three values without being three floats (the vector code's one unpack).
SWAPS += ["abc", {"a": 1.5, "b": 1.5, "c": 1.5}, [1.5, 2.5, 3], [1.5, "x", 2.5], [1.5] * 4]


def _paths(obj: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = []
    items = (
        obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    )
    for key, value in items:
        found.append((*path, key))
        found += _paths(value, (*path, key))
    return found


def _swapped(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(obj, dict):
        return {**obj, head: _swapped(obj[head], rest, value)}
    return [_swapped(x, rest, value) if i == head else x for i, x in enumerate(obj)]


@pytest.mark.parametrize("proto", [False, True])
def test_every_value_of_a_learnt_layout_swapped_for_another_type(proto: bool) -> None:
    """Exhaustive, not random: each value of a learnt frame in turn becomes each of SWAPS."""
    frame = build_frame(n_players=1, frame_index=7, timestamp="2025-12-04T03:38:22.060Z")
    if proto:
        frame = canonical(json_format.ParseDict(frame, telemetry_pb2.LobbySessionStateFrame()))
    CONVERTERS.forget_layouts()
    learnt(orjson.dumps({"frame": frame}).decode())  # learn its layouts
    for path in _paths(frame):
        for value in SWAPS:
            same(orjson.dumps({"frame": _swapped(frame, path, value)}).decode())
