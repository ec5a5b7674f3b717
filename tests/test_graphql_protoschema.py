"""Unit tests of the GraphQL types generated from the protobuf descriptors (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import build_schema, graphql_sync

from nevr_events.server.graphql.protoschema import ProtoTypes, lower_camel, type_name
from nevr_events.wire.pb import telemetry_pb2

SCALARS = "scalar Time\nscalar JSON\nscalar Int64\n"


@pytest.fixture(scope="module")
def run() -> Any:
    generated = ProtoTypes(telemetry_pb2.LobbySessionStateFrame.DESCRIPTOR)
    sdl = SCALARS + "type Query { frame: LobbySessionStateFrame health: Int }\n" + generated.sdl
    schema = build_schema(sdl)
    generated.bind(schema)

    def run(query: str, frame: dict[str, Any]) -> dict[str, Any]:
        result = graphql_sync(schema, query, root_value={"frame": frame})
        assert not result.errors, result.errors
        return result.data["frame"]  # type: ignore[index]

    return run


def test_names() -> None:
    assert lower_camel("frame_index") == "frameIndex"
    assert lower_camel("left_shoulder_pressed2") == "leftShoulderPressed2"
    emote = telemetry_pb2.EmotePlayed.DESCRIPTOR.enum_types_by_name["EmoteType"]
    assert type_name(emote) == "EmotePlayedEmoteType"
    assert type_name(telemetry_pb2.LobbySessionStateFrame.DESCRIPTOR) == "LobbySessionStateFrame"


def test_sdl_types() -> None:
    sdl = ProtoTypes(telemetry_pb2.LobbySessionStateFrame.DESCRIPTOR).sdl
    assert "  frameIndex: Int!\n" in sdl
    assert "  timestamp: Time\n" in sdl
    assert "  accountNumber: Int64!\n" in sdl  # uint64
    assert "  position: [Float]!\n" in sdl
    assert "  teams: [Team!]!\n" in sdl
    assert "union LobbySessionEventEvent = RoundStarted | RoundPaused" in sdl
    assert "enum Role {\n  ROLE_UNSPECIFIED\n" in sdl


def test_clash_with_hand_written_types_is_refused() -> None:
    with pytest.raises(ValueError, match="clash"):
        ProtoTypes(telemetry_pb2.LobbySessionStateFrame.DESCRIPTOR, reserved={"Team"})


def test_defaults_for_missing_fields(run: Any) -> None:
    query = """{ frame { frameIndex timestamp events { eventType event { __typename } }
        playerBones { errCode } session { gameStatus privateMatch rulesChangedAt disc { position }
        pause { pausedTimer } } } }"""
    got = run(query, {"session": {"disc": {}}})
    assert got == {
        "frameIndex": 0,
        "timestamp": None,
        "events": [],
        "playerBones": None,
        "session": {
            "gameStatus": "",
            "privateMatch": False,
            "rulesChangedAt": "0",
            "disc": {"position": []},
            "pause": None,
        },
    }


def test_values_and_special_floats(run: Any) -> None:
    query = """{ frame { timestamp session { rulesChangedAt gameClock leftShoulderPressed
        disc { position } } events { eventType
        event { ... on RoundEnded { winningTeam roundNumber }
                ... on EmotePlayed { emote } } } } }"""
    frame = {
        "timestamp": "2025-12-04T03:00:00.033Z",
        "session": {
            "rules_changed_at": "18446744073709551615",
            "game_clock": "NaN",
            "left_shoulder_pressed": 0.5,
            "disc": {"position": [1.0, "Infinity", -2]},
        },
        "events": [
            {"round_ended": {"winning_team": "ROLE_ORANGE_TEAM"}},
            {"emote_played": {"emote": 9}},  # unknown enum number
            {"emote_played": {}},
        ],
    }
    assert run(query, frame) == {
        "timestamp": "2025-12-04T03:00:00.033Z",
        "session": {
            "rulesChangedAt": "18446744073709551615",
            "gameClock": None,
            "leftShoulderPressed": 0.5,
            "disc": {"position": [1.0, None, -2.0]},
        },
        "events": [
            {
                "eventType": "round_ended",
                "event": {"winningTeam": "ROLE_ORANGE_TEAM", "roundNumber": 0},
            },
            {"eventType": "emote_played", "event": {"emote": None}},
            {"eventType": "emote_played", "event": {"emote": "EMOTE_TYPE_UNSPECIFIED"}},
        ],
    }


def test_the_service_schema_builds() -> None:
    from nevr_events.server.graphql import get_schema

    schema = get_schema()
    assert schema.type_map["SessionEvent"].fields["frame"].type.name == "LobbySessionStateFrame"
    stamp = datetime(2025, 12, 4, 3, 0, 0, 33000, tzinfo=UTC)
    assert schema.type_map["Time"].serialize(stamp) == "2025-12-04T03:00:00.033Z"
    assert schema.type_map["Int64"].serialize(2**63) == str(2**63)
