"""The fast recognition of canonical timestamps gives exactly what the general path gives."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from nevr_events.wire.fastframe_compile import Invalid, ts_general, ts_value
from nevr_events.wire.frames import parse_timestamp, parse_timestamp_general
from nevr_events.wire.timestamps import is_canonical_stamp
from tests.test_fastframe import SETTINGS

DIGIT = st.sampled_from("0123456789")
NEAR = st.sampled_from("0123456789:.-TZz+ ٣")


@st.composite
def stamps(draw: Any) -> str:
    """Strings of a timestamp's shape: mostly valid, often not (bad dates, odd characters)."""
    parts = [
        draw(st.sampled_from(["2025", "2024", "0000", "9999", "1970", "2100"])),
        "-",
        draw(st.sampled_from(["01", "02", "12", "13", "00"])),
        "-",
        draw(st.sampled_from(["01", "28", "29", "30", "31", "32"])),
        "T",
        draw(st.sampled_from(["00", "23", "24"])),
        ":",
        draw(st.sampled_from(["00", "59", "60", "5x"])),
        ":",
        draw(st.sampled_from(["00", "59", "60", "61"])),
        draw(st.sampled_from(["", ".060", ".000", ".1", ".123456", ".123456789", ".12a", ".٣٣٣"])),
        draw(st.sampled_from(["Z", "z", "+01:00", ""])),
    ]
    text = "".join(parts)
    if draw(st.booleans()):  # a random character changed somewhere
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + draw(NEAR) + text[i + 1 :]
    return text


def outcome(fn: Any, v: str) -> Any:
    c = [0]
    try:
        return fn(v, c), c[0]
    except Invalid:
        return "invalid", c[0]


@SETTINGS
@given(stamps())
def test_fast_and_general_paths_agree(v: str) -> None:
    fast, general = outcome(ts_value, v), outcome(ts_general, v)
    assert fast[0] == general[0], v
    if fast[0] != "invalid":
        assert fast[1] == general[1], v  # the colon count of the duplicate-key check
    if is_canonical_stamp(v):
        assert general[0] == v  # recognised: already exactly what the general path prints


@SETTINGS
@given(stamps())
def test_parse_timestamp_fast_path_gives_the_general_datetime(v: str) -> None:
    """The stream reads a canonical stamp with ``fromisoformat`` as is: the same datetime."""
    try:
        general: Any = parse_timestamp_general(v)
    except ValueError:
        general = "invalid"
    try:
        fast: Any = parse_timestamp(v)
    except ValueError:
        fast = "invalid"
    assert fast == general, v
    if fast != "invalid":
        assert fast.tzinfo is UTC and fast.utcoffset() == timedelta(0), v
    if is_canonical_stamp(v):
        assert fast != "invalid", v


def test_common_forms_are_recognised_and_others_are_not() -> None:
    assert is_canonical_stamp("2025-12-04T03:38:22.060Z")
    assert is_canonical_stamp("2025-12-04T03:38:22Z")
    for v in [
        "2025-12-04T03:38:22.000Z",  # printed without the fraction
        "2025-02-30T03:38:22Z",  # no such day
        "2025-12-04T24:00:00Z",
        "2025-12-04T03:60:22Z",
        "2025-12-04T03:38:60Z",
        "2025-12-04T03:38:22.06Z",
        "2025-12-04T03:38:22+00:00",
        "2025-12-04 03:38:22Z",
    ]:
        assert not is_canonical_stamp(v), v
