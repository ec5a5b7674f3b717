from nevr_events.wire.pb import spatial_pb2 as _spatial_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GameStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GAME_STATUS_UNSPECIFIED: _ClassVar[GameStatus]
    GAME_STATUS_PRE_MATCH: _ClassVar[GameStatus]
    GAME_STATUS_ROUND_START: _ClassVar[GameStatus]
    GAME_STATUS_PLAYING: _ClassVar[GameStatus]
    GAME_STATUS_SCORE: _ClassVar[GameStatus]
    GAME_STATUS_ROUND_OVER: _ClassVar[GameStatus]
    GAME_STATUS_POST_MATCH: _ClassVar[GameStatus]
    GAME_STATUS_PRE_SUDDEN_DEATH: _ClassVar[GameStatus]
    GAME_STATUS_SUDDEN_DEATH: _ClassVar[GameStatus]
    GAME_STATUS_POST_SUDDEN_DEATH: _ClassVar[GameStatus]

class MatchType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MATCH_TYPE_UNSPECIFIED: _ClassVar[MatchType]
    MATCH_TYPE_SOCIAL_PUBLIC: _ClassVar[MatchType]
    MATCH_TYPE_SOCIAL_PRIVATE: _ClassVar[MatchType]
    MATCH_TYPE_ARENA: _ClassVar[MatchType]
    MATCH_TYPE_COMBAT: _ClassVar[MatchType]
    MATCH_TYPE_ECHO_PASS: _ClassVar[MatchType]
    MATCH_TYPE_FFA: _ClassVar[MatchType]
    MATCH_TYPE_PRIVATE: _ClassVar[MatchType]
    MATCH_TYPE_TOURNAMENT: _ClassVar[MatchType]

class PauseState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAUSE_STATE_UNSPECIFIED: _ClassVar[PauseState]
    PAUSE_STATE_NOT_PAUSED: _ClassVar[PauseState]
    PAUSE_STATE_PAUSED: _ClassVar[PauseState]
    PAUSE_STATE_UNPAUSING: _ClassVar[PauseState]
    PAUSE_STATE_AUTOPAUSE_REPLAY: _ClassVar[PauseState]
    PAUSE_STATE_NONE: _ClassVar[PauseState]
    PAUSE_STATE_PAUSED_REQUESTED: _ClassVar[PauseState]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_BLUE_TEAM: _ClassVar[Role]
    ROLE_ORANGE_TEAM: _ClassVar[Role]
    ROLE_SPECTATOR: _ClassVar[Role]
    ROLE_SOCIAL_PARTICIPANT: _ClassVar[Role]
    ROLE_MODERATOR: _ClassVar[Role]

class GoalType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GOAL_TYPE_UNSPECIFIED: _ClassVar[GoalType]
    GOAL_TYPE_INSIDE_SHOT: _ClassVar[GoalType]
    GOAL_TYPE_LONG_SHOT: _ClassVar[GoalType]
    GOAL_TYPE_BOUNCE_SHOT: _ClassVar[GoalType]
    GOAL_TYPE_LONG_BOUNCE_SHOT: _ClassVar[GoalType]
    GOAL_TYPE_SELF_GOAL: _ClassVar[GoalType]
    GOAL_TYPE_NO_GOAL: _ClassVar[GoalType]
    GOAL_TYPE_SLAM_DUNK: _ClassVar[GoalType]
    GOAL_TYPE_HEADBUTT: _ClassVar[GoalType]
    GOAL_TYPE_LONG_HEADBUTT: _ClassVar[GoalType]
    GOAL_TYPE_BUMPER_SHOT: _ClassVar[GoalType]
    GOAL_TYPE_LONG_BUMPER_SHOT: _ClassVar[GoalType]
GAME_STATUS_UNSPECIFIED: GameStatus
GAME_STATUS_PRE_MATCH: GameStatus
GAME_STATUS_ROUND_START: GameStatus
GAME_STATUS_PLAYING: GameStatus
GAME_STATUS_SCORE: GameStatus
GAME_STATUS_ROUND_OVER: GameStatus
GAME_STATUS_POST_MATCH: GameStatus
GAME_STATUS_PRE_SUDDEN_DEATH: GameStatus
GAME_STATUS_SUDDEN_DEATH: GameStatus
GAME_STATUS_POST_SUDDEN_DEATH: GameStatus
MATCH_TYPE_UNSPECIFIED: MatchType
MATCH_TYPE_SOCIAL_PUBLIC: MatchType
MATCH_TYPE_SOCIAL_PRIVATE: MatchType
MATCH_TYPE_ARENA: MatchType
MATCH_TYPE_COMBAT: MatchType
MATCH_TYPE_ECHO_PASS: MatchType
MATCH_TYPE_FFA: MatchType
MATCH_TYPE_PRIVATE: MatchType
MATCH_TYPE_TOURNAMENT: MatchType
PAUSE_STATE_UNSPECIFIED: PauseState
PAUSE_STATE_NOT_PAUSED: PauseState
PAUSE_STATE_PAUSED: PauseState
PAUSE_STATE_UNPAUSING: PauseState
PAUSE_STATE_AUTOPAUSE_REPLAY: PauseState
PAUSE_STATE_NONE: PauseState
PAUSE_STATE_PAUSED_REQUESTED: PauseState
ROLE_UNSPECIFIED: Role
ROLE_BLUE_TEAM: Role
ROLE_ORANGE_TEAM: Role
ROLE_SPECTATOR: Role
ROLE_SOCIAL_PARTICIPANT: Role
ROLE_MODERATOR: Role
GOAL_TYPE_UNSPECIFIED: GoalType
GOAL_TYPE_INSIDE_SHOT: GoalType
GOAL_TYPE_LONG_SHOT: GoalType
GOAL_TYPE_BOUNCE_SHOT: GoalType
GOAL_TYPE_LONG_BOUNCE_SHOT: GoalType
GOAL_TYPE_SELF_GOAL: GoalType
GOAL_TYPE_NO_GOAL: GoalType
GOAL_TYPE_SLAM_DUNK: GoalType
GOAL_TYPE_HEADBUTT: GoalType
GOAL_TYPE_LONG_HEADBUTT: GoalType
GOAL_TYPE_BUMPER_SHOT: GoalType
GOAL_TYPE_LONG_BUMPER_SHOT: GoalType

class EchoArenaHeader(_message.Message):
    __slots__ = ("session_id", "map_name", "match_type", "client_name", "private_match", "tournament_match", "total_round_count", "initial_roster", "skeleton", "session_ip", "rules_changed_by", "rules_changed_at", "team_names")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    MAP_NAME_FIELD_NUMBER: _ClassVar[int]
    MATCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_MATCH_FIELD_NUMBER: _ClassVar[int]
    TOURNAMENT_MATCH_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROUND_COUNT_FIELD_NUMBER: _ClassVar[int]
    INITIAL_ROSTER_FIELD_NUMBER: _ClassVar[int]
    SKELETON_FIELD_NUMBER: _ClassVar[int]
    SESSION_IP_FIELD_NUMBER: _ClassVar[int]
    RULES_CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    RULES_CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    TEAM_NAMES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    map_name: str
    match_type: MatchType
    client_name: str
    private_match: bool
    tournament_match: bool
    total_round_count: int
    initial_roster: _containers.RepeatedCompositeFieldContainer[PlayerInfo]
    skeleton: SkeletonLayout
    session_ip: str
    rules_changed_by: str
    rules_changed_at: int
    team_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, session_id: _Optional[str] = ..., map_name: _Optional[str] = ..., match_type: _Optional[_Union[MatchType, str]] = ..., client_name: _Optional[str] = ..., private_match: _Optional[bool] = ..., tournament_match: _Optional[bool] = ..., total_round_count: _Optional[int] = ..., initial_roster: _Optional[_Iterable[_Union[PlayerInfo, _Mapping]]] = ..., skeleton: _Optional[_Union[SkeletonLayout, _Mapping]] = ..., session_ip: _Optional[str] = ..., rules_changed_by: _Optional[str] = ..., rules_changed_at: _Optional[int] = ..., team_names: _Optional[_Iterable[str]] = ...) -> None: ...

class SkeletonLayout(_message.Message):
    __slots__ = ("bone_count", "transform_stride", "orientation_stride")
    BONE_COUNT_FIELD_NUMBER: _ClassVar[int]
    TRANSFORM_STRIDE_FIELD_NUMBER: _ClassVar[int]
    ORIENTATION_STRIDE_FIELD_NUMBER: _ClassVar[int]
    bone_count: int
    transform_stride: int
    orientation_stride: int
    def __init__(self, bone_count: _Optional[int] = ..., transform_stride: _Optional[int] = ..., orientation_stride: _Optional[int] = ...) -> None: ...

class PlayerInfo(_message.Message):
    __slots__ = ("slot", "account_number", "display_name", "role", "jersey_number", "level")
    SLOT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    JERSEY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    slot: int
    account_number: int
    display_name: str
    role: Role
    jersey_number: int
    level: int
    def __init__(self, slot: _Optional[int] = ..., account_number: _Optional[int] = ..., display_name: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., jersey_number: _Optional[int] = ..., level: _Optional[int] = ...) -> None: ...

class EchoArenaFrame(_message.Message):
    __slots__ = ("game_status", "game_clock", "pause_state", "disc", "players", "player_bones", "disc_holder_slot", "vr_root", "blue_points", "orange_points", "round_number", "events", "payload", "left_shoulder_pressed", "right_shoulder_pressed", "left_shoulder_pressed_2", "right_shoulder_pressed_2", "err_code", "blue_team_restart_request", "orange_team_restart_request", "pause_detail")
    GAME_STATUS_FIELD_NUMBER: _ClassVar[int]
    GAME_CLOCK_FIELD_NUMBER: _ClassVar[int]
    PAUSE_STATE_FIELD_NUMBER: _ClassVar[int]
    DISC_FIELD_NUMBER: _ClassVar[int]
    PLAYERS_FIELD_NUMBER: _ClassVar[int]
    PLAYER_BONES_FIELD_NUMBER: _ClassVar[int]
    DISC_HOLDER_SLOT_FIELD_NUMBER: _ClassVar[int]
    VR_ROOT_FIELD_NUMBER: _ClassVar[int]
    BLUE_POINTS_FIELD_NUMBER: _ClassVar[int]
    ORANGE_POINTS_FIELD_NUMBER: _ClassVar[int]
    ROUND_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    LEFT_SHOULDER_PRESSED_FIELD_NUMBER: _ClassVar[int]
    RIGHT_SHOULDER_PRESSED_FIELD_NUMBER: _ClassVar[int]
    LEFT_SHOULDER_PRESSED_2_FIELD_NUMBER: _ClassVar[int]
    RIGHT_SHOULDER_PRESSED_2_FIELD_NUMBER: _ClassVar[int]
    ERR_CODE_FIELD_NUMBER: _ClassVar[int]
    BLUE_TEAM_RESTART_REQUEST_FIELD_NUMBER: _ClassVar[int]
    ORANGE_TEAM_RESTART_REQUEST_FIELD_NUMBER: _ClassVar[int]
    PAUSE_DETAIL_FIELD_NUMBER: _ClassVar[int]
    game_status: GameStatus
    game_clock: float
    pause_state: PauseState
    disc: DiscState
    players: _containers.RepeatedCompositeFieldContainer[PlayerState]
    player_bones: _containers.RepeatedCompositeFieldContainer[PlayerBones]
    disc_holder_slot: int
    vr_root: _spatial_pb2.Pose
    blue_points: int
    orange_points: int
    round_number: int
    events: _containers.RepeatedCompositeFieldContainer[EchoEvent]
    payload: PayloadState
    left_shoulder_pressed: float
    right_shoulder_pressed: float
    left_shoulder_pressed_2: float
    right_shoulder_pressed_2: float
    err_code: int
    blue_team_restart_request: int
    orange_team_restart_request: int
    pause_detail: PauseDetail
    def __init__(self, game_status: _Optional[_Union[GameStatus, str]] = ..., game_clock: _Optional[float] = ..., pause_state: _Optional[_Union[PauseState, str]] = ..., disc: _Optional[_Union[DiscState, _Mapping]] = ..., players: _Optional[_Iterable[_Union[PlayerState, _Mapping]]] = ..., player_bones: _Optional[_Iterable[_Union[PlayerBones, _Mapping]]] = ..., disc_holder_slot: _Optional[int] = ..., vr_root: _Optional[_Union[_spatial_pb2.Pose, _Mapping]] = ..., blue_points: _Optional[int] = ..., orange_points: _Optional[int] = ..., round_number: _Optional[int] = ..., events: _Optional[_Iterable[_Union[EchoEvent, _Mapping]]] = ..., payload: _Optional[_Union[PayloadState, _Mapping]] = ..., left_shoulder_pressed: _Optional[float] = ..., right_shoulder_pressed: _Optional[float] = ..., left_shoulder_pressed_2: _Optional[float] = ..., right_shoulder_pressed_2: _Optional[float] = ..., err_code: _Optional[int] = ..., blue_team_restart_request: _Optional[int] = ..., orange_team_restart_request: _Optional[int] = ..., pause_detail: _Optional[_Union[PauseDetail, _Mapping]] = ...) -> None: ...

class PauseDetail(_message.Message):
    __slots__ = ("unpaused_team", "paused_requested_team", "unpaused_timer", "paused_timer")
    UNPAUSED_TEAM_FIELD_NUMBER: _ClassVar[int]
    PAUSED_REQUESTED_TEAM_FIELD_NUMBER: _ClassVar[int]
    UNPAUSED_TIMER_FIELD_NUMBER: _ClassVar[int]
    PAUSED_TIMER_FIELD_NUMBER: _ClassVar[int]
    unpaused_team: Role
    paused_requested_team: Role
    unpaused_timer: float
    paused_timer: float
    def __init__(self, unpaused_team: _Optional[_Union[Role, str]] = ..., paused_requested_team: _Optional[_Union[Role, str]] = ..., unpaused_timer: _Optional[float] = ..., paused_timer: _Optional[float] = ...) -> None: ...

class DiscState(_message.Message):
    __slots__ = ("pose", "velocity", "bounce_count")
    POSE_FIELD_NUMBER: _ClassVar[int]
    VELOCITY_FIELD_NUMBER: _ClassVar[int]
    BOUNCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    pose: _spatial_pb2.Pose
    velocity: _spatial_pb2.Vec3
    bounce_count: int
    def __init__(self, pose: _Optional[_Union[_spatial_pb2.Pose, _Mapping]] = ..., velocity: _Optional[_Union[_spatial_pb2.Vec3, _Mapping]] = ..., bounce_count: _Optional[int] = ...) -> None: ...

class PayloadState(_message.Message):
    __slots__ = ("multiplier", "checkpoint", "distance", "defenders", "speed")
    MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    DEFENDERS_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    multiplier: float
    checkpoint: int
    distance: float
    defenders: int
    speed: float
    def __init__(self, multiplier: _Optional[float] = ..., checkpoint: _Optional[int] = ..., distance: _Optional[float] = ..., defenders: _Optional[int] = ..., speed: _Optional[float] = ...) -> None: ...

class PlayerState(_message.Message):
    __slots__ = ("slot", "head", "body", "left_hand", "right_hand", "velocity", "flags", "ping", "packet_loss_ratio", "possession_time")
    SLOT_FIELD_NUMBER: _ClassVar[int]
    HEAD_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    LEFT_HAND_FIELD_NUMBER: _ClassVar[int]
    RIGHT_HAND_FIELD_NUMBER: _ClassVar[int]
    VELOCITY_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    PING_FIELD_NUMBER: _ClassVar[int]
    PACKET_LOSS_RATIO_FIELD_NUMBER: _ClassVar[int]
    POSSESSION_TIME_FIELD_NUMBER: _ClassVar[int]
    slot: int
    head: _spatial_pb2.Pose
    body: _spatial_pb2.Pose
    left_hand: _spatial_pb2.Pose
    right_hand: _spatial_pb2.Pose
    velocity: _spatial_pb2.Vec3
    flags: int
    ping: int
    packet_loss_ratio: float
    possession_time: float
    def __init__(self, slot: _Optional[int] = ..., head: _Optional[_Union[_spatial_pb2.Pose, _Mapping]] = ..., body: _Optional[_Union[_spatial_pb2.Pose, _Mapping]] = ..., left_hand: _Optional[_Union[_spatial_pb2.Pose, _Mapping]] = ..., right_hand: _Optional[_Union[_spatial_pb2.Pose, _Mapping]] = ..., velocity: _Optional[_Union[_spatial_pb2.Vec3, _Mapping]] = ..., flags: _Optional[int] = ..., ping: _Optional[int] = ..., packet_loss_ratio: _Optional[float] = ..., possession_time: _Optional[float] = ...) -> None: ...

class PlayerBones(_message.Message):
    __slots__ = ("slot", "transforms", "orientations", "skeleton_override")
    SLOT_FIELD_NUMBER: _ClassVar[int]
    TRANSFORMS_FIELD_NUMBER: _ClassVar[int]
    ORIENTATIONS_FIELD_NUMBER: _ClassVar[int]
    SKELETON_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    slot: int
    transforms: bytes
    orientations: bytes
    skeleton_override: SkeletonLayout
    def __init__(self, slot: _Optional[int] = ..., transforms: _Optional[bytes] = ..., orientations: _Optional[bytes] = ..., skeleton_override: _Optional[_Union[SkeletonLayout, _Mapping]] = ...) -> None: ...

class EchoEvent(_message.Message):
    __slots__ = ("round_started", "round_paused", "round_unpaused", "round_ended", "match_ended", "scoreboard_updated", "player_joined", "player_left", "player_switched_team", "emote_played", "loadout_changed", "grab_changed", "player_info_updated", "disc_possession_changed", "disc_thrown", "disc_caught", "goal_scored", "player_goal", "player_save", "player_stun", "player_pass", "player_steal", "player_block", "player_interception", "player_assist", "player_shot_taken", "player_stats_updated", "generic_event")
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
    LOADOUT_CHANGED_FIELD_NUMBER: _ClassVar[int]
    GRAB_CHANGED_FIELD_NUMBER: _ClassVar[int]
    PLAYER_INFO_UPDATED_FIELD_NUMBER: _ClassVar[int]
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
    PLAYER_STATS_UPDATED_FIELD_NUMBER: _ClassVar[int]
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
    loadout_changed: LoadoutChanged
    grab_changed: GrabChanged
    player_info_updated: PlayerInfoUpdated
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
    player_stats_updated: PlayerStatsUpdated
    generic_event: GenericEvent
    def __init__(self, round_started: _Optional[_Union[RoundStarted, _Mapping]] = ..., round_paused: _Optional[_Union[RoundPaused, _Mapping]] = ..., round_unpaused: _Optional[_Union[RoundUnpaused, _Mapping]] = ..., round_ended: _Optional[_Union[RoundEnded, _Mapping]] = ..., match_ended: _Optional[_Union[MatchEnded, _Mapping]] = ..., scoreboard_updated: _Optional[_Union[ScoreboardUpdated, _Mapping]] = ..., player_joined: _Optional[_Union[PlayerJoined, _Mapping]] = ..., player_left: _Optional[_Union[PlayerLeft, _Mapping]] = ..., player_switched_team: _Optional[_Union[PlayerSwitchedTeam, _Mapping]] = ..., emote_played: _Optional[_Union[EmotePlayed, _Mapping]] = ..., loadout_changed: _Optional[_Union[LoadoutChanged, _Mapping]] = ..., grab_changed: _Optional[_Union[GrabChanged, _Mapping]] = ..., player_info_updated: _Optional[_Union[PlayerInfoUpdated, _Mapping]] = ..., disc_possession_changed: _Optional[_Union[DiscPossessionChanged, _Mapping]] = ..., disc_thrown: _Optional[_Union[DiscThrown, _Mapping]] = ..., disc_caught: _Optional[_Union[DiscCaught, _Mapping]] = ..., goal_scored: _Optional[_Union[GoalScored, _Mapping]] = ..., player_goal: _Optional[_Union[PlayerGoal, _Mapping]] = ..., player_save: _Optional[_Union[PlayerSave, _Mapping]] = ..., player_stun: _Optional[_Union[PlayerStun, _Mapping]] = ..., player_pass: _Optional[_Union[PlayerPass, _Mapping]] = ..., player_steal: _Optional[_Union[PlayerSteal, _Mapping]] = ..., player_block: _Optional[_Union[PlayerBlock, _Mapping]] = ..., player_interception: _Optional[_Union[PlayerInterception, _Mapping]] = ..., player_assist: _Optional[_Union[PlayerAssist, _Mapping]] = ..., player_shot_taken: _Optional[_Union[PlayerShotTaken, _Mapping]] = ..., player_stats_updated: _Optional[_Union[PlayerStatsUpdated, _Mapping]] = ..., generic_event: _Optional[_Union[GenericEvent, _Mapping]] = ...) -> None: ...

class RoundStarted(_message.Message):
    __slots__ = ("round_number",)
    ROUND_NUMBER_FIELD_NUMBER: _ClassVar[int]
    round_number: int
    def __init__(self, round_number: _Optional[int] = ...) -> None: ...

class RoundPaused(_message.Message):
    __slots__ = ("pause_state", "requesting_team", "pause_timer")
    PAUSE_STATE_FIELD_NUMBER: _ClassVar[int]
    REQUESTING_TEAM_FIELD_NUMBER: _ClassVar[int]
    PAUSE_TIMER_FIELD_NUMBER: _ClassVar[int]
    pause_state: PauseState
    requesting_team: Role
    pause_timer: float
    def __init__(self, pause_state: _Optional[_Union[PauseState, str]] = ..., requesting_team: _Optional[_Union[Role, str]] = ..., pause_timer: _Optional[float] = ...) -> None: ...

class RoundUnpaused(_message.Message):
    __slots__ = ("pause_state",)
    PAUSE_STATE_FIELD_NUMBER: _ClassVar[int]
    pause_state: PauseState
    def __init__(self, pause_state: _Optional[_Union[PauseState, str]] = ...) -> None: ...

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
    __slots__ = ("slot", "account_number", "display_name", "role", "jersey_number", "level")
    SLOT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    JERSEY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    slot: int
    account_number: int
    display_name: str
    role: Role
    jersey_number: int
    level: int
    def __init__(self, slot: _Optional[int] = ..., account_number: _Optional[int] = ..., display_name: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., jersey_number: _Optional[int] = ..., level: _Optional[int] = ...) -> None: ...

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

class LoadoutChanged(_message.Message):
    __slots__ = ("player_slot", "weapon", "ordnance", "tac_mod")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    WEAPON_FIELD_NUMBER: _ClassVar[int]
    ORDNANCE_FIELD_NUMBER: _ClassVar[int]
    TAC_MOD_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    weapon: str
    ordnance: str
    tac_mod: str
    def __init__(self, player_slot: _Optional[int] = ..., weapon: _Optional[str] = ..., ordnance: _Optional[str] = ..., tac_mod: _Optional[str] = ...) -> None: ...

class GrabChanged(_message.Message):
    __slots__ = ("player_slot", "left_holding", "right_holding")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    LEFT_HOLDING_FIELD_NUMBER: _ClassVar[int]
    RIGHT_HOLDING_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    left_holding: str
    right_holding: str
    def __init__(self, player_slot: _Optional[int] = ..., left_holding: _Optional[str] = ..., right_holding: _Optional[str] = ...) -> None: ...

class PlayerInfoUpdated(_message.Message):
    __slots__ = ("player_slot", "jersey_number", "level")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    JERSEY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    jersey_number: int
    level: int
    def __init__(self, player_slot: _Optional[int] = ..., jersey_number: _Optional[int] = ..., level: _Optional[int] = ...) -> None: ...

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
    throw_details: ThrowDetails
    def __init__(self, player_slot: _Optional[int] = ..., throw_details: _Optional[_Union[ThrowDetails, _Mapping]] = ...) -> None: ...

class ThrowDetails(_message.Message):
    __slots__ = ("arm_speed", "total_speed", "off_axis_spin_deg", "wrist_throw_penalty", "rot_per_sec", "pot_speed_from_rot", "speed_from_arm", "speed_from_movement", "speed_from_wrist", "wrist_align_to_throw_deg", "throw_align_to_movement_deg", "off_axis_penalty", "throw_move_penalty")
    ARM_SPEED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SPEED_FIELD_NUMBER: _ClassVar[int]
    OFF_AXIS_SPIN_DEG_FIELD_NUMBER: _ClassVar[int]
    WRIST_THROW_PENALTY_FIELD_NUMBER: _ClassVar[int]
    ROT_PER_SEC_FIELD_NUMBER: _ClassVar[int]
    POT_SPEED_FROM_ROT_FIELD_NUMBER: _ClassVar[int]
    SPEED_FROM_ARM_FIELD_NUMBER: _ClassVar[int]
    SPEED_FROM_MOVEMENT_FIELD_NUMBER: _ClassVar[int]
    SPEED_FROM_WRIST_FIELD_NUMBER: _ClassVar[int]
    WRIST_ALIGN_TO_THROW_DEG_FIELD_NUMBER: _ClassVar[int]
    THROW_ALIGN_TO_MOVEMENT_DEG_FIELD_NUMBER: _ClassVar[int]
    OFF_AXIS_PENALTY_FIELD_NUMBER: _ClassVar[int]
    THROW_MOVE_PENALTY_FIELD_NUMBER: _ClassVar[int]
    arm_speed: float
    total_speed: float
    off_axis_spin_deg: float
    wrist_throw_penalty: float
    rot_per_sec: float
    pot_speed_from_rot: float
    speed_from_arm: float
    speed_from_movement: float
    speed_from_wrist: float
    wrist_align_to_throw_deg: float
    throw_align_to_movement_deg: float
    off_axis_penalty: float
    throw_move_penalty: float
    def __init__(self, arm_speed: _Optional[float] = ..., total_speed: _Optional[float] = ..., off_axis_spin_deg: _Optional[float] = ..., wrist_throw_penalty: _Optional[float] = ..., rot_per_sec: _Optional[float] = ..., pot_speed_from_rot: _Optional[float] = ..., speed_from_arm: _Optional[float] = ..., speed_from_movement: _Optional[float] = ..., speed_from_wrist: _Optional[float] = ..., wrist_align_to_throw_deg: _Optional[float] = ..., throw_align_to_movement_deg: _Optional[float] = ..., off_axis_penalty: _Optional[float] = ..., throw_move_penalty: _Optional[float] = ...) -> None: ...

class DiscCaught(_message.Message):
    __slots__ = ("player_slot",)
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    def __init__(self, player_slot: _Optional[int] = ...) -> None: ...

class GoalScored(_message.Message):
    __slots__ = ("disc_speed", "team", "goal_type", "point_amount", "distance_thrown", "scorer_slot", "assist_slot", "person_scored", "assist_scored")
    DISC_SPEED_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    GOAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    POINT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_THROWN_FIELD_NUMBER: _ClassVar[int]
    SCORER_SLOT_FIELD_NUMBER: _ClassVar[int]
    ASSIST_SLOT_FIELD_NUMBER: _ClassVar[int]
    PERSON_SCORED_FIELD_NUMBER: _ClassVar[int]
    ASSIST_SCORED_FIELD_NUMBER: _ClassVar[int]
    disc_speed: float
    team: Role
    goal_type: GoalType
    point_amount: int
    distance_thrown: float
    scorer_slot: int
    assist_slot: int
    person_scored: str
    assist_scored: str
    def __init__(self, disc_speed: _Optional[float] = ..., team: _Optional[_Union[Role, str]] = ..., goal_type: _Optional[_Union[GoalType, str]] = ..., point_amount: _Optional[int] = ..., distance_thrown: _Optional[float] = ..., scorer_slot: _Optional[int] = ..., assist_slot: _Optional[int] = ..., person_scored: _Optional[str] = ..., assist_scored: _Optional[str] = ...) -> None: ...

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

class PlayerStatsUpdated(_message.Message):
    __slots__ = ("player_slot", "points", "saves", "goals", "stuns", "passes", "catches", "steals", "blocks", "interceptions", "assists", "shots_taken")
    PLAYER_SLOT_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    SAVES_FIELD_NUMBER: _ClassVar[int]
    GOALS_FIELD_NUMBER: _ClassVar[int]
    STUNS_FIELD_NUMBER: _ClassVar[int]
    PASSES_FIELD_NUMBER: _ClassVar[int]
    CATCHES_FIELD_NUMBER: _ClassVar[int]
    STEALS_FIELD_NUMBER: _ClassVar[int]
    BLOCKS_FIELD_NUMBER: _ClassVar[int]
    INTERCEPTIONS_FIELD_NUMBER: _ClassVar[int]
    ASSISTS_FIELD_NUMBER: _ClassVar[int]
    SHOTS_TAKEN_FIELD_NUMBER: _ClassVar[int]
    player_slot: int
    points: int
    saves: int
    goals: int
    stuns: int
    passes: int
    catches: int
    steals: int
    blocks: int
    interceptions: int
    assists: int
    shots_taken: int
    def __init__(self, player_slot: _Optional[int] = ..., points: _Optional[int] = ..., saves: _Optional[int] = ..., goals: _Optional[int] = ..., stuns: _Optional[int] = ..., passes: _Optional[int] = ..., catches: _Optional[int] = ..., steals: _Optional[int] = ..., blocks: _Optional[int] = ..., interceptions: _Optional[int] = ..., assists: _Optional[int] = ..., shots_taken: _Optional[int] = ...) -> None: ...

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
