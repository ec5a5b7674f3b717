"""The committed generated protobuf code matches the .proto files."""

from __future__ import annotations

import subprocess
import sys

from google.protobuf import json_format

from nevr_events.wire.pb import enginehttp_pb2, telemetry_pb2
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
