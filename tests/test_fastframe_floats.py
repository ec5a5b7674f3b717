"""float32 lists: ``fastframe_floats`` prints them exactly as ``MessageToDict`` does."""

from __future__ import annotations

import json
import random
import struct
from array import array
from typing import Any

from google.protobuf import json_format
from google.protobuf.internal import type_checkers
from hypothesis import given, settings
from hypothesis import strategies as st

from nevr_events.wire.fastframe_floats import json_list, shortest_list
from nevr_events.wire.pb import telemetry_pb2
from tests.test_fastframe import SETTINGS, same


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
