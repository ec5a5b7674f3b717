"""The committed generated protobuf code matches the .proto files."""

from __future__ import annotations

import subprocess
import sys

from google.protobuf import json_format

from nevr_events.wire.pb import (
    capture_pb2,
    echo_arena_pb2,
    enginehttp_pb2,
    spatial_pb2,
    telemetry_pb2,
)
from tests.support import ROOT, load_sample


def test_generated_code_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/gen_proto.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sample_snapshot_is_a_valid_session_response() -> None:
    session = json_format.ParseDict(load_sample(), enginehttp_pb2.SessionResponse())
    assert session.session_id == "8380FAE5-E20F-4B61-BEDA-B94E0811244F"
    assert session.teams[1].players[0].account_number == 3963667097037078
    assert session.teams[1].players[0].display_name == "sprockee [BOT]"


def test_field_numbers_and_json_names_follow_the_wire_format() -> None:
    member = enginehttp_pb2.TeamMember.DESCRIPTOR.fields_by_name
    assert (member["account_number"].number, member["account_number"].json_name) == (7, "userid")
    assert (member["left_hand"].number, member["left_hand"].json_name) == (21, "lhand")
    event = telemetry_pb2.LobbySessionEvent.DESCRIPTOR
    assert event.fields_by_name["player_goal"].number == 41
    assert event.fields_by_name["player_goal"].containing_oneof.name == "event"
    frame = telemetry_pb2.LobbySessionStateFrame.DESCRIPTOR.fields_by_name
    assert frame["player_bones"].json_name == "playerBones"
    assert telemetry_pb2.Role.Value("ROLE_MODERATOR") == 5
    assert telemetry_pb2.EmotePlayed.EmoteType.Value("EMOTE_TYPE_SECONDARY") == 2


def test_binary_round_trip_is_wire_compatible() -> None:
    frame = telemetry_pb2.LobbySessionStateFrame(frame_index=9)
    frame.session.CopyFrom(json_format.ParseDict(load_sample(), enginehttp_pb2.SessionResponse()))
    data = telemetry_pb2.Envelope(frame=frame).SerializeToString()
    assert telemetry_pb2.Envelope.FromString(data).frame == frame


def test_v2_field_numbers_follow_the_pinned_schema() -> None:
    envelope = capture_pb2.Envelope.DESCRIPTOR.fields_by_name
    assert [envelope[n].number for n in ("header", "frame", "footer")] == [1, 2, 3]
    header = capture_pb2.CaptureHeader.DESCRIPTOR.fields_by_name
    assert (header["frame_encoding"].number, header["echo_arena"].number) == (7, 10)
    arena = echo_arena_pb2.EchoArenaFrame.DESCRIPTOR.fields_by_name
    assert (arena["pause_detail"].number, arena["disc_holder_slot"].has_presence) == (21, True)
    event = echo_arena_pb2.EchoEvent.DESCRIPTOR.fields_by_name
    assert event["player_stats_updated"].number == 58
    assert capture_pb2.EventType.Value("EVENT_TYPE_PLAYER_STATS_UPDATED") == 48
    assert capture_pb2.EventType.Value("EVENT_TYPE_GENERIC") == 50
    assert echo_arena_pb2.GoalType.Value("GOAL_TYPE_LONG_BUMPER_SHOT") == 11
    pose = spatial_pb2.Pose.DESCRIPTOR.fields_by_name
    assert (pose["position"].number, pose["orientation"].number) == (1, 2)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field: what a newer producer adds that we do not know."""
    return bytes([number << 3 | 2, len(payload)]) + payload


def test_v2_from_a_newer_producer_still_decodes() -> None:
    # Frame.echo_arena_dense (11) and a header field past ours (99 needs two key bytes).
    arena = echo_arena_pb2.EchoArenaFrame(game_clock=1.5, blue_points=2)
    frame = capture_pb2.Frame(frame_index=7, echo_arena=arena).SerializeToString()
    frame += _field(11, b"\x08\x01")
    envelope = _field(2, frame)
    decoded = capture_pb2.Envelope.FromString(envelope)
    assert decoded.frame.frame_index == 7
    assert decoded.frame.echo_arena.blue_points == 2
    header = capture_pb2.CaptureHeader(capture_id="c", format_version=2).SerializeToString()
    header += b"\x9a\x06\x03abc"  # field 99, length 3
    parsed = capture_pb2.CaptureHeader.FromString(header)
    assert parsed.capture_id == "c"
    # Unknown fields survive a re-encode: a relay does not drop what it cannot read.
    assert parsed.SerializeToString().endswith(b"\x9a\x06\x03abc")
