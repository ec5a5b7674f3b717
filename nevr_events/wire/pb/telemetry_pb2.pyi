import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from nevr_events.wire.pb import enginehttp_pb2 as _enginehttp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_BLUE_TEAM: _ClassVar[Role]
    ROLE_ORANGE_TEAM: _ClassVar[Role]
    ROLE_SPECTATOR: _ClassVar[Role]
    ROLE_SOCIAL_PARTICIPANT: _ClassVar[Role]
    ROLE_MODERATOR: _ClassVar[Role]
ROLE_UNSPECIFIED: Role
ROLE_BLUE_TEAM: Role
ROLE_ORANGE_TEAM: Role
ROLE_SPECTATOR: Role
ROLE_SOCIAL_PARTICIPANT: Role
ROLE_MODERATOR: Role

class TelemetryHeader(_message.Message):
    __slots__ = ("capture_id", "created_at", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CAPTURE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    capture_id: str
    created_at: _timestamp_pb2.Timestamp
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, capture_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Envelope(_message.Message):
    __slots__ = ("header", "frame")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    header: TelemetryHeader
    frame: LobbySessionStateFrame
    def __init__(self, header: _Optional[_Union[TelemetryHeader, _Mapping]] = ..., frame: _Optional[_Union[LobbySessionStateFrame, _Mapping]] = ...) -> None: ...

class LobbySessionStateFrame(_message.Message):
    __slots__ = ("frame_index", "timestamp", "events", "session", "player_bones")
    FRAME_INDEX_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    PLAYER_BONES_FIELD_NUMBER: _ClassVar[int]
    frame_index: int
    timestamp: _timestamp_pb2.Timestamp
    events: _containers.RepeatedCompositeFieldContainer[LobbySessionEvent]
    session: _enginehttp_pb2.SessionResponse
    player_bones: _enginehttp_pb2.PlayerBonesResponse
    def __init__(self, frame_index: _Optional[int] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., events: _Optional[_Iterable[_Union[LobbySessionEvent, _Mapping]]] = ..., session: _Optional[_Union[_enginehttp_pb2.SessionResponse, _Mapping]] = ..., player_bones: _Optional[_Union[_enginehttp_pb2.PlayerBonesResponse, _Mapping]] = ...) -> None: ...

class LobbySessionEvent(_message.Message):
    __slots__ = ("round_started", "round_paused", "round_unpaused", "round_ended", "match_ended", "scoreboard_updated", "player_joined", "player_left", "player_switched_team", "emote_played", "disc_possession_changed", "disc_thrown", "disc_caught", "goal_scored", "player_goal", "player_save", "player_stun", "player_pass", "player_steal", "player_block", "player_interception", "player_assist", "player_shot_taken", "generic_event")
    ROUND_STARTED_FIELD_NUMBER: _ClassVar[int]
    ROUND_PAUSED_FIELD_NUMBER: _ClassVar[int]
    ROUND_UNPAUSED_FIELD_NUMBER: _ClassVar[int]
    ROUND_ENDED_FIELD_NUMBER: _ClassVar[int]
    MATCH_ENDED_FIELD_NUMBER: _ClassVar[int]
    SCOREBOARD_UPDATED_FIELD_NUMBER: _ClassVar[int]
    PLAYER_JOINED_FIELD_NUMBER: _ClassVar[int]
    PLAYER_LEFT_FIELD_NUMBER: _ClassVar[int]
    PLAYER_SWITCHED_TEAM_FIELD_NUMBER: _ClassVar[int]
    EMOTE_PLAYED_FIELD_NUMBER: _ClassVar[int]
    DISC_POSSESSION_CHANGED_FIELD_NUMBER: _ClassVar[int]
    DISC_THROWN_FIELD_NUMBER: _ClassVar[int]
    DISC_CAUGHT_FIELD_NUMBER: _ClassVar[int]
    GOAL_SCORED_FIELD_NUMBER: _ClassVar[int]
    PLAYER_GOAL_FIELD_NUMBER: _ClassVar[int]
    PLAYER_SAVE_FIELD_NUMBER: _ClassVar[int]
    PLAYER_STUN_FIELD_NUMBER: _ClassVar[int]
    PLAYER_PASS_FIELD_NUMBER: _ClassVar[int]
    PLAYER_STEAL_FIELD_NUMBER: _ClassVar[int]
    PLAYER_BLOCK_FIELD_NUMBER: _ClassVar[int]
    PLAYER_INTERCEPTION_FIELD_NUMBER: _ClassVar[int]
    PLAYER_ASSIST_FIELD_NUMBER: _ClassVar[int]
    PLAYER_SHOT_TAKEN_FIELD_NUMBER: _ClassVar[int]
    GENERIC_EVENT_FIELD_NUMBER: _ClassVar[int]
    round_started: RoundStarted
    round_paused: RoundPaused
    round_unpaused: RoundUnpaused
    round_ended: RoundEnded
    match_ended: MatchEnded
    scoreboard_updated: ScoreboardUpdated
    player_joined: PlayerJoined
    player_left: PlayerLeft
    player_switched_team: PlayerSwitchedTeam
    emote_played: EmotePlayed
    disc_possession_changed: DiscPossessionChanged
    disc_thrown: DiscThrown
    disc_caught: DiscCaught
    goal_scored: GoalScored
    player_goal: PlayerGoal
    player_save: PlayerSave
    player_stun: PlayerStun
    player_pass: PlayerPass
    player_steal: PlayerSteal
    player_block: PlayerBlock
    player_interception: PlayerInterception
    player_assist: PlayerAssist
    player_shot_taken: PlayerShotTaken
    generic_event: GenericEvent
    def __init__(self, round_started: _Optional[_Union[RoundStarted, _Mapping]] = ..., round_paused: _Optional[_Union[RoundPaused, _Mapping]] = ..., round_unpaused: _Optional[_Union[RoundUnpaused, _Mapping]] = ..., round_ended: _Optional[_Union[RoundEnded, _Mapping]] = ..., match_ended: _Optional[_Union[MatchEnded, _Mapping]] = ..., scoreboard_updated: _Optional[_Union[ScoreboardUpdated, _Mapping]] = ..., player_joined: _Optional[_Union[PlayerJoined, _Mapping]] = ..., player_left: _Optional[_Union[PlayerLeft, _Mapping]] = ..., player_switched_team: _Optional[_Union[PlayerSwitchedTeam, _Mapping]] = ..., emote_played: _Optional[_Union[EmotePlayed, _Mapping]] = ..., disc_possession_changed: _Optional[_Union[DiscPossessionChanged, _Mapping]] = ..., disc_thrown: _Optional[_Union[DiscThrown, _Mapping]] = ..., disc_caught: _Optional[_Union[DiscCaught, _Mapping]] = ..., goal_scored: _Optional[_Union[GoalScored, _Mapping]] = ..., player_goal: _Optional[_Union[PlayerGoal, _Mapping]] = ..., player_save: _Optional[_Union[PlayerSave, _Mapping]] = ..., player_stun: _Optional[_Union[PlayerStun, _Mapping]] = ..., player_pass: _Optional[_Union[PlayerPass, _Mapping]] = ..., player_steal: _Optional[_Union[PlayerSteal, _Mapping]] = ..., player_block: _Optional[_Union[PlayerBlock, _Mapping]] = ..., player_interception: _Optional[_Union[PlayerInterception, _Mapping]] = ..., player_assist: _Optional[_Union[PlayerAssist, _Mapping]] = ..., player_shot_taken: _Optional[_Union[PlayerShotTaken, _Mapping]] = ..., generic_event: _Optional[_Union[GenericEvent, _Mapping]] = ...) -> None: ...

class RoundStarted(_message.Message):
    __slots__ = ("round_number",)
    ROUND_NUMBER_FIELD_NUMBER: _ClassVar[int]
    round_number: int
    def __init__(self, round_number: _Optional[int] = ...) -> None: ...

class RoundPaused(_message.Message):
    __slots__ = ("pause_state",)
    PAUSE_STATE_FIELD_NUMBER: _ClassVar[int]
    pause_state: _enginehttp_pb2.PauseState
    def __init__(self, pause_state: _Optional[_Union[_enginehttp_pb2.PauseState, _Mapping]] = ...) -> None: ...

class RoundUnpaused(_message.Message):
    __slots__ = ("pause_state",)
    PAUSE_STATE_FIELD_NUMBER: _ClassVar[int]
    pause_state: _enginehttp_pb2.PauseState
    def __init__(self, pause_state: _Optional[_Union[_enginehttp_pb2.PauseState, _Mapping]] = ...) -> None: ...

class RoundEnded(_message.Message):
    __slots__ = ("round_number", "winning_team")
    ROUND_NUMBER_FIELD_NUMBER: _ClassVar[int]
    WINNING_TEAM_FIELD_NUMBER: _ClassVar[int]
    round_number: int
    winning_team: Role
    def __init__(self, round_number: _Optional[int] = ..., winning_team: _Optional[_Union[Role, str]] = ...) -> None: ...

class MatchEnded(_message.Message):
    __slots__ = ("winning_team",)
    WINNING_TEAM_FIELD_NUMBER: _ClassVar[int]
    winning_team: Role
    def __init__(self, winning_team: _Optional[_Union[Role, str]] = ...) -> None: ...

class ScoreboardUpdated(_message.Message):
    __slots__ = ("blue_points", "orange_points", "blue_round_score", "orange_round_score", "game_clock_display")
    BLUE_POINTS_FIELD_NUMBER: _ClassVar[int]
    ORANGE_POINTS_FIELD_NUMBER: _ClassVar[int]
    BLUE_ROUND_SCORE_FIELD_NUMBER: _ClassVar[int]
    ORANGE_ROUND_SCORE_FIELD_NUMBER: _ClassVar[int]
    GAME_CLOCK_DISPLAY_FIELD_NUMBER: _ClassVar[int]
    blue_points: int
    orange_points: int
    blue_round_score: int
    orange_round_score: int
    game_clock_display: str
    def __init__(self, blue_points: _Optional[int] = ..., orange_points: _Optional[int] = ..., blue_round_score: _Optional[int] = ..., orange_round_score: _Optional[int] = ..., game_clock_display: _Optional[str] = ...) -> None: ...

class PlayerJoined(_message.Message):
    __slots__ = ("player", "role")
    PLAYER_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    player: _enginehttp_pb2.TeamMember
    role: Role
    def __init__(self, player: _Optional[_Union[_enginehttp_pb2.TeamMember, _Mapping]] = ..., role: _Optional[_Union[Role, str]] = ...) -> None: ...

class PlayerLeft(_message.Message):
    __slots__ = ("player_slot", "display_name")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    display_name: str
    def __init__(self, player_slot: _Optional[int] = ..., display_name: _Optional[str] = ...) -> None: ...

class PlayerSwitchedTeam(_message.Message):
    __slots__ = ("player_slot", "new_role", "prev_role")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    NEW_ROLE_FIELD_NUMBER: _ClassVar[int]
    PREV_ROLE_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    new_role: Role
    prev_role: Role
    def __init__(self, player_slot: _Optional[int] = ..., new_role: _Optional[_Union[Role, str]] = ..., prev_role: _Optional[_Union[Role, str]] = ...) -> None: ...

class EmotePlayed(_message.Message):
    __slots__ = ("player_slot", "emote")
    class EmoteType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        EMOTE_TYPE_UNSPECIFIED: _ClassVar[EmotePlayed.EmoteType]
        EMOTE_TYPE_PRIMARY: _ClassVar[EmotePlayed.EmoteType]
        EMOTE_TYPE_SECONDARY: _ClassVar[EmotePlayed.EmoteType]
    EMOTE_TYPE_UNSPECIFIED: EmotePlayed.EmoteType
    EMOTE_TYPE_PRIMARY: EmotePlayed.EmoteType
    EMOTE_TYPE_SECONDARY: EmotePlayed.EmoteType
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    EMOTE_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    emote: EmotePlayed.EmoteType
    def __init__(self, player_slot: _Optional[int] = ..., emote: _Optional[_Union[EmotePlayed.EmoteType, str]] = ...) -> None: ...

class DiscPossessionChanged(_message.Message):
    __slots__ = ("player_slot", "previous_player_slot")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    previous_player_slot: int
    def __init__(self, player_slot: _Optional[int] = ..., previous_player_slot: _Optional[int] = ...) -> None: ...

class DiscThrown(_message.Message):
    __slots__ = ("player_slot", "throw_details")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    THROW_DETAILS_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    throw_details: _enginehttp_pb2.LastThrowInfo
    def __init__(self, player_slot: _Optional[int] = ..., throw_details: _Optional[_Union[_enginehttp_pb2.LastThrowInfo, _Mapping]] = ...) -> None: ...

class DiscCaught(_message.Message):
    __slots__ = ("player_slot",)
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    def __init__(self, player_slot: _Optional[int] = ...) -> None: ...

class GoalScored(_message.Message):
    __slots__ = ("score_details",)
    SCORE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    score_details: _enginehttp_pb2.LastScore
    def __init__(self, score_details: _Optional[_Union[_enginehttp_pb2.LastScore, _Mapping]] = ...) -> None: ...

class PlayerGoal(_message.Message):
    __slots__ = ("player_slot", "total_goals", "points")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_GOALS_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    total_goals: int
    points: int
    def __init__(self, player_slot: _Optional[int] = ..., total_goals: _Optional[int] = ..., points: _Optional[int] = ...) -> None: ...

class PlayerSave(_message.Message):
    __slots__ = ("player_slot", "total_saves")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SAVES_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    total_saves: int
    def __init__(self, player_slot: _Optional[int] = ..., total_saves: _Optional[int] = ...) -> None: ...

class PlayerStun(_message.Message):
    __slots__ = ("player_slot", "total_stuns")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_STUNS_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    total_stuns: int
    def __init__(self, player_slot: _Optional[int] = ..., total_stuns: _Optional[int] = ...) -> None: ...

class PlayerPass(_message.Message):
    __slots__ = ("player_slot", "total_passes")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PASSES_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    total_passes: int
    def __init__(self, player_slot: _Optional[int] = ..., total_passes: _Optional[int] = ...) -> None: ...

class PlayerSteal(_message.Message):
    __slots__ = ("player_slot", "total_steals", "victim_player_slot")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_STEALS_FIELD_NUMBER: _ClassVar[int]
    VICTIM_PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    total_steals: int
    victim_player_slot: int
    def __init__(self, player_slot: _Optional[int] = ..., total_steals: _Optional[int] = ..., victim_player_slot: _Optional[int] = ...) -> None: ...

class PlayerBlock(_message.Message):
    __slots__ = ("player_slot", "total_blocks")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    total_blocks: int
    def __init__(self, player_slot: _Optional[int] = ..., total_blocks: _Optional[int] = ...) -> None: ...

class PlayerInterception(_message.Message):
    __slots__ = ("player_slot", "total_interceptions")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_INTERCEPTIONS_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    total_interceptions: int
    def __init__(self, player_slot: _Optional[int] = ..., total_interceptions: _Optional[int] = ...) -> None: ...

class PlayerAssist(_message.Message):
    __slots__ = ("player_slot", "total_assists")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ASSISTS_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    total_assists: int
    def __init__(self, player_slot: _Optional[int] = ..., total_assists: _Optional[int] = ...) -> None: ...

class PlayerShotTaken(_message.Message):
    __slots__ = ("player_slot", "total_shots")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SHOTS_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    total_shots: int
    def __init__(self, player_slot: _Optional[int] = ..., total_shots: _Optional[int] = ...) -> None: ...

class GenericEvent(_message.Message):
    __slots__ = ("event_type", "data", "payload")
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    event_type: str
    data: _containers.ScalarMap[str, str]
    payload: str
    def __init__(self, event_type: _Optional[str] = ..., data: _Optional[_Mapping[str, str]] = ..., payload: _Optional[str] = ...) -> None: ...
