"""The v1 ⇄ v2 mapping on its own: the reference sheet's test vectors and round trips."""

from __future__ import annotations

import math
import struct

import pytest
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given, settings
from hypothesis import strategies as st

from nevr_events.testing.match import stored, v2_match
from nevr_events.wire.pb import capture_pb2, enginehttp_pb2, spatial_pb2, telemetry_pb2
from nevr_events.wire.v2 import names as v2names
from nevr_events.wire.v2.geometry import axes_from_quat, pack_floats, quat_from_axes
from nevr_events.wire.v2.tov1 import V2ToV1
from nevr_events.wire.v2.tov2 import MappingError, V1ToV2, header_from_v1, offset_ms
from tests.support import load_sample


def _stamp(text: str) -> Timestamp:
    stamp = Timestamp()
    stamp.FromJsonString(text)
    return stamp


def _bits(value: float) -> int:
    found: int = struct.unpack("<I", struct.pack("<f", value))[0]
    return found


def test_offsets_are_whole_milliseconds_from_the_base_clamped_and_bounded() -> None:
    base = _stamp("2025-12-04T03:38:22.060Z")
    assert offset_ms(_stamp("2025-12-04T03:38:22.093Z"), base) == 33
    assert offset_ms(_stamp("2025-12-04T03:38:12.060Z"), base) == 0
    assert offset_ms(_stamp("2025-12-04T03:38:27.060Z"), base) == 5000
    late = Timestamp(seconds=base.seconds + (2**32 - 1) // 1000, nanos=base.nanos + 295_000_000)
    assert offset_ms(late, base) == 2**32 - 1
    with pytest.raises(MappingError):
        offset_ms(Timestamp(seconds=late.seconds, nanos=late.nanos + 1_000_000), base)


def _frame(session: dict[str, object]) -> telemetry_pb2.LobbySessionStateFrame:
    frame = telemetry_pb2.LobbySessionStateFrame(timestamp=_stamp("2025-12-04T03:38:22.060Z"))
    json_format.ParseDict(session, frame.session)
    return frame


def _v2(session: dict[str, object]) -> tuple[capture_pb2.CaptureHeader, capture_pb2.Frame]:
    frame = _frame(session)
    header = header_from_v1("capture", None, {}, frame)
    return header, V1ToV2(header).frame(frame)


def test_flags_hold_the_player_bits_and_the_team_index() -> None:
    teams = [
        {"players": [{"playerid": 0, "possession": True}]},
        {"players": [{"playerid": 1, "blocking": True}]},
        {"players": [{"playerid": 2, "stunned": True}]},
    ]
    header, frame = _v2({"teams": teams})
    assert [p.flags for p in frame.echo_arena.players] == [8, 36, 65]
    assert frame.echo_arena.disc_holder_slot == 0
    assert [e.role for e in header.echo_arena.initial_roster] == [1, 2, 3]
    back = V2ToV1(header).frame(frame)
    assert list(back.session.possession) == [0, 0]


def test_orientations_become_the_reference_quaternions() -> None:
    identity = quat_from_axes([1, 0, 0], [0, 1, 0], [0, 0, 1])
    assert (identity.x, identity.y, identity.z, identity.w) == (0, 0, 0, 1)
    yaw = quat_from_axes([0, 0, -1], [0, 1, 0], [1, 0, 0])
    assert (yaw.x, yaw.z) == (0, 0)
    assert _bits(yaw.y) == _bits(yaw.w) == 0x3F3504F3


def test_the_real_sample_maps_as_the_reference_does() -> None:
    header, frame = _v2(load_sample())
    head = frame.echo_arena.players[0].head.orientation
    assert [round(v, 7) for v in (head.x, head.y, head.z, head.w)] == [
        -0.0005,
        1.0,
        0.0005,
        -0.0005,
    ]
    assert frame.echo_arena.players[0].flags == 32
    entry = header.echo_arena.initial_roster[0]
    assert (entry.slot, entry.account_number, entry.display_name) == (
        0,
        3963667097037078,
        "sprockee [BOT]",
    )
    assert (entry.role, entry.jersey_number, entry.level) == (2, 1, 1)
    back = V2ToV1(header).frame(frame).session
    assert back.game_clock_display == "10:00.00"
    assert back.teams[1].players[0].head.left[0] == pytest.approx(-1.0000005, abs=1e-9)


def test_bones_are_little_endian_float32_bytes() -> None:
    assert pack_floats([1, 2, 3]).hex() == "0000803f0000004000004040"


def test_dense_captures_and_frames_without_a_session_are_refused() -> None:
    with pytest.raises(MappingError):
        V2ToV1(capture_pb2.CaptureHeader(frame_encoding=capture_pb2.FRAME_ENCODING_DENSE))
    header, _ = _v2(load_sample())
    with pytest.raises(MappingError):
        V1ToV2(header).frame(telemetry_pb2.LobbySessionStateFrame(frame_index=3))


def test_every_goal_type_and_game_status_maps_back_to_its_string() -> None:
    for table in (v2names.GOAL_TYPE, v2names.GAME_STATUS, v2names.MATCH_TYPE):
        for text in table.table:
            assert table.text(table.enum(text)) == text
    assert v2names.GOAL_TYPE.enum("NOT A GOAL") == 0


_COMPONENT = st.one_of(
    st.just(0.0),
    st.floats(-1.0, -0.009999999776482582, width=32),
    st.floats(0.009999999776482582, 1.0, width=32),
)


@settings(max_examples=500, deadline=None)
@given(
    st.tuples(_COMPONENT, _COMPONENT, _COMPONENT, _COMPONENT).filter(
        lambda q: sum(c * c for c in q) > 0.1
    )
)
def test_a_float32_quaternion_survives_axes_and_back(q: tuple[float, float, float, float]) -> None:
    norm = math.sqrt(sum(c * c for c in q))
    quat = spatial_pb2.Quat(x=q[0] / norm, y=q[1] / norm, z=q[2] / norm, w=q[3] / norm)
    back = quat_from_axes(*axes_from_quat(quat))
    given_q = (quat.x, quat.y, quat.z, quat.w)
    found = (back.x, back.y, back.z, back.w)
    # q and -q are one rotation: v1's axes cannot tell them apart.
    assert found == given_q or found == tuple(-c for c in given_q)


def _round_trip(
    frames: list[telemetry_pb2.LobbySessionStateFrame],
) -> tuple[
    capture_pb2.CaptureHeader, list[capture_pb2.Frame], list[telemetry_pb2.LobbySessionStateFrame]
]:
    header = header_from_v1("capture", None, {"agent": "test"}, frames[0])
    forward, backward = V1ToV2(header), V2ToV1(header)
    v2 = [forward.frame(frame) for frame in frames]
    return header, v2, [backward.frame(frame) for frame in v2]


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    frames=st.integers(1, 90),
    players=st.integers(1, 10),
)
def test_v1_to_v2_to_v1_gives_the_same_frames(seed: int, frames: int, players: int) -> None:
    match = v2_match(frames=frames, players=players, seed=seed)
    _, _, back = _round_trip(match)
    assert [stored(f) for f in back] == [stored(f) for f in match]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), frames=st.integers(1, 90), players=st.integers(1, 10))
def test_v2_to_v1_to_v2_is_exact(seed: int, frames: int, players: int) -> None:
    header, v2, v1 = _round_trip(v2_match(frames=frames, players=players, seed=seed))
    again = header_from_v1("capture", header.created_at, {"agent": "test"}, v1[0])
    assert again.SerializeToString(deterministic=True) == header.SerializeToString(
        deterministic=True
    )
    forward = V1ToV2(again)
    for frame, v1_frame in zip(v2, v1, strict=True):
        assert forward.frame(v1_frame) == frame


def test_the_match_has_every_v1_event_type_and_its_v2_events_carry_state() -> None:
    match = v2_match()
    kinds = {event.WhichOneof("event") for frame in match for event in frame.events}
    oneof = telemetry_pb2.LobbySessionEvent.DESCRIPTOR.oneofs_by_name["event"]
    assert kinds == {field.name for field in oneof.fields}
    _, v2, back = _round_trip(match)
    v2_kinds = {e.WhichOneof("event") for f in v2 for e in f.echo_arena.events}
    assert {"loadout_changed", "grab_changed", "player_stats_updated"} <= v2_kinds
    assert sum(1 for f in back if f.HasField("player_bones")) == 100
    member = enginehttp_pb2.TeamMember()
    json_format.ParseDict(stored(back[-1])["session"]["teams"][1]["players"][-1], member)
    assert member.display_name == "newcomer"
