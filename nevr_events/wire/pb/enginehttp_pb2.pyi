from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Disc(_message.Message):
    __slots__ = ("position", "forward", "left", "up", "velocity", "bounce_count")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    FORWARD_FIELD_NUMBER: _ClassVar[int]
    LEFT_FIELD_NUMBER: _ClassVar[int]
    UP_FIELD_NUMBER: _ClassVar[int]
    VELOCITY_FIELD_NUMBER: _ClassVar[int]
    BOUNCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    position: _containers.RepeatedScalarFieldContainer[float]
    forward: _containers.RepeatedScalarFieldContainer[float]
    left: _containers.RepeatedScalarFieldContainer[float]
    up: _containers.RepeatedScalarFieldContainer[float]
    velocity: _containers.RepeatedScalarFieldContainer[float]
    bounce_count: int
    def __init__(self, position: _Optional[_Iterable[float]] = ..., forward: _Optional[_Iterable[float]] = ..., left: _Optional[_Iterable[float]] = ..., up: _Optional[_Iterable[float]] = ..., velocity: _Optional[_Iterable[float]] = ..., bounce_count: _Optional[int] = ...) -> None: ...

class BodyPart(_message.Message):
    __slots__ = ("position", "forward", "left", "up")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    FORWARD_FIELD_NUMBER: _ClassVar[int]
    LEFT_FIELD_NUMBER: _ClassVar[int]
    UP_FIELD_NUMBER: _ClassVar[int]
    position: _containers.RepeatedScalarFieldContainer[float]
    forward: _containers.RepeatedScalarFieldContainer[float]
    left: _containers.RepeatedScalarFieldContainer[float]
    up: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, position: _Optional[_Iterable[float]] = ..., forward: _Optional[_Iterable[float]] = ..., left: _Optional[_Iterable[float]] = ..., up: _Optional[_Iterable[float]] = ...) -> None: ...

class HandPart(_message.Message):
    __slots__ = ("pos", "forward", "left", "up")
    POS_FIELD_NUMBER: _ClassVar[int]
    FORWARD_FIELD_NUMBER: _ClassVar[int]
    LEFT_FIELD_NUMBER: _ClassVar[int]
    UP_FIELD_NUMBER: _ClassVar[int]
    pos: _containers.RepeatedScalarFieldContainer[float]
    forward: _containers.RepeatedScalarFieldContainer[float]
    left: _containers.RepeatedScalarFieldContainer[float]
    up: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, pos: _Optional[_Iterable[float]] = ..., forward: _Optional[_Iterable[float]] = ..., left: _Optional[_Iterable[float]] = ..., up: _Optional[_Iterable[float]] = ...) -> None: ...

class PlayerStats(_message.Message):
    __slots__ = ("possession_time", "points", "saves", "goals", "stuns", "passes", "catches", "steals", "blocks", "interceptions", "assists", "shots_taken")
    POSSESSION_TIME_FIELD_NUMBER: _ClassVar[int]
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
    possession_time: float
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
    def __init__(self, possession_time: _Optional[float] = ..., points: _Optional[int] = ..., saves: _Optional[int] = ..., goals: _Optional[int] = ..., stuns: _Optional[int] = ..., passes: _Optional[int] = ..., catches: _Optional[int] = ..., steals: _Optional[int] = ..., blocks: _Optional[int] = ..., interceptions: _Optional[int] = ..., assists: _Optional[int] = ..., shots_taken: _Optional[int] = ...) -> None: ...

class TeamMember(_message.Message):
    __slots__ = ("weapon", "ordnance", "tac_mod", "head", "body", "account_number", "display_name", "slot_number", "jersey_number", "level", "ping", "packet_loss_ratio", "is_stunned", "is_invulnerable", "left_holding_onto", "right_holding_onto", "is_blocking", "is_emote_playing", "has_possession", "left_hand", "right_hand", "velocity", "stats")
    WEAPON_FIELD_NUMBER: _ClassVar[int]
    ORDNANCE_FIELD_NUMBER: _ClassVar[int]
    TAC_MOD_FIELD_NUMBER: _ClassVar[int]
    HEAD_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    SLOT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    JERSEY_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    PING_FIELD_NUMBER: _ClassVar[int]
    PACKET_LOSS_RATIO_FIELD_NUMBER: _ClassVar[int]
    IS_STUNNED_FIELD_NUMBER: _ClassVar[int]
    IS_INVULNERABLE_FIELD_NUMBER: _ClassVar[int]
    LEFT_HOLDING_ONTO_FIELD_NUMBER: _ClassVar[int]
    RIGHT_HOLDING_ONTO_FIELD_NUMBER: _ClassVar[int]
    IS_BLOCKING_FIELD_NUMBER: _ClassVar[int]
    IS_EMOTE_PLAYING_FIELD_NUMBER: _ClassVar[int]
    HAS_POSSESSION_FIELD_NUMBER: _ClassVar[int]
    LEFT_HAND_FIELD_NUMBER: _ClassVar[int]
    RIGHT_HAND_FIELD_NUMBER: _ClassVar[int]
    VELOCITY_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    weapon: str
    ordnance: str
    tac_mod: str
    head: BodyPart
    body: BodyPart
    account_number: int
    display_name: str
    slot_number: int
    jersey_number: int
    level: int
    ping: int
    packet_loss_ratio: float
    is_stunned: bool
    is_invulnerable: bool
    left_holding_onto: str
    right_holding_onto: str
    is_blocking: bool
    is_emote_playing: bool
    has_possession: bool
    left_hand: HandPart
    right_hand: HandPart
    velocity: _containers.RepeatedScalarFieldContainer[float]
    stats: PlayerStats
    def __init__(self, weapon: _Optional[str] = ..., ordnance: _Optional[str] = ..., tac_mod: _Optional[str] = ..., head: _Optional[_Union[BodyPart, _Mapping]] = ..., body: _Optional[_Union[BodyPart, _Mapping]] = ..., account_number: _Optional[int] = ..., display_name: _Optional[str] = ..., slot_number: _Optional[int] = ..., jersey_number: _Optional[int] = ..., level: _Optional[int] = ..., ping: _Optional[int] = ..., packet_loss_ratio: _Optional[float] = ..., is_stunned: _Optional[bool] = ..., is_invulnerable: _Optional[bool] = ..., left_holding_onto: _Optional[str] = ..., right_holding_onto: _Optional[str] = ..., is_blocking: _Optional[bool] = ..., is_emote_playing: _Optional[bool] = ..., has_possession: _Optional[bool] = ..., left_hand: _Optional[_Union[HandPart, _Mapping]] = ..., right_hand: _Optional[_Union[HandPart, _Mapping]] = ..., velocity: _Optional[_Iterable[float]] = ..., stats: _Optional[_Union[PlayerStats, _Mapping]] = ...) -> None: ...

class TeamStats(_message.Message):
    __slots__ = ("possession_time", "points", "saves", "goals", "stuns", "passes", "catches", "steals", "blocks", "interceptions", "assists", "shots_taken")
    POSSESSION_TIME_FIELD_NUMBER: _ClassVar[int]
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
    possession_time: float
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
    def __init__(self, possession_time: _Optional[float] = ..., points: _Optional[int] = ..., saves: _Optional[int] = ..., goals: _Optional[int] = ..., stuns: _Optional[int] = ..., passes: _Optional[int] = ..., catches: _Optional[int] = ..., steals: _Optional[int] = ..., blocks: _Optional[int] = ..., interceptions: _Optional[int] = ..., assists: _Optional[int] = ..., shots_taken: _Optional[int] = ...) -> None: ...

class Team(_message.Message):
    __slots__ = ("players", "team_name", "has_possession", "stats")
    PLAYERS_FIELD_NUMBER: _ClassVar[int]
    TEAM_NAME_FIELD_NUMBER: _ClassVar[int]
    HAS_POSSESSION_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    players: _containers.RepeatedCompositeFieldContainer[TeamMember]
    team_name: str
    has_possession: bool
    stats: TeamStats
    def __init__(self, players: _Optional[_Iterable[_Union[TeamMember, _Mapping]]] = ..., team_name: _Optional[str] = ..., has_possession: _Optional[bool] = ..., stats: _Optional[_Union[TeamStats, _Mapping]] = ...) -> None: ...

class LastScore(_message.Message):
    __slots__ = ("disc_speed", "team", "goal_type", "point_amount", "distance_thrown", "person_scored", "assist_scored")
    DISC_SPEED_FIELD_NUMBER: _ClassVar[int]
    TEAM_FIELD_NUMBER: _ClassVar[int]
    GOAL_TYPE_FIELD_NUMBER: _ClassVar[int]
    POINT_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_THROWN_FIELD_NUMBER: _ClassVar[int]
    PERSON_SCORED_FIELD_NUMBER: _ClassVar[int]
    ASSIST_SCORED_FIELD_NUMBER: _ClassVar[int]
    disc_speed: float
    team: str
    goal_type: str
    point_amount: int
    distance_thrown: float
    person_scored: str
    assist_scored: str
    def __init__(self, disc_speed: _Optional[float] = ..., team: _Optional[str] = ..., goal_type: _Optional[str] = ..., point_amount: _Optional[int] = ..., distance_thrown: _Optional[float] = ..., person_scored: _Optional[str] = ..., assist_scored: _Optional[str] = ...) -> None: ...

class LastThrowInfo(_message.Message):
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

class PauseState(_message.Message):
    __slots__ = ("paused_state", "unpaused_team", "paused_requested_team", "unpaused_timer", "paused_timer")
    PAUSED_STATE_FIELD_NUMBER: _ClassVar[int]
    UNPAUSED_TEAM_FIELD_NUMBER: _ClassVar[int]
    PAUSED_REQUESTED_TEAM_FIELD_NUMBER: _ClassVar[int]
    UNPAUSED_TIMER_FIELD_NUMBER: _ClassVar[int]
    PAUSED_TIMER_FIELD_NUMBER: _ClassVar[int]
    paused_state: str
    unpaused_team: str
    paused_requested_team: str
    unpaused_timer: float
    paused_timer: float
    def __init__(self, paused_state: _Optional[str] = ..., unpaused_team: _Optional[str] = ..., paused_requested_team: _Optional[str] = ..., unpaused_timer: _Optional[float] = ..., paused_timer: _Optional[float] = ...) -> None: ...

class PlayerRoot(_message.Message):
    __slots__ = ("vr_left", "vr_position", "vr_forward", "vr_up")
    VR_LEFT_FIELD_NUMBER: _ClassVar[int]
    VR_POSITION_FIELD_NUMBER: _ClassVar[int]
    VR_FORWARD_FIELD_NUMBER: _ClassVar[int]
    VR_UP_FIELD_NUMBER: _ClassVar[int]
    vr_left: _containers.RepeatedScalarFieldContainer[float]
    vr_position: _containers.RepeatedScalarFieldContainer[float]
    vr_forward: _containers.RepeatedScalarFieldContainer[float]
    vr_up: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, vr_left: _Optional[_Iterable[float]] = ..., vr_position: _Optional[_Iterable[float]] = ..., vr_forward: _Optional[_Iterable[float]] = ..., vr_up: _Optional[_Iterable[float]] = ...) -> None: ...

class SessionResponse(_message.Message):
    __slots__ = ("orange_team_restart_request", "session_id", "game_clock_display", "game_status", "session_ip", "match_type", "map_name", "disc", "blue_round_score", "orange_points", "private_match", "blue_team_restart_request", "tournament_match", "orange_round_score", "total_round_count", "blue_points", "last_throw", "player", "pause", "possession", "left_shoulder_pressed", "right_shoulder_pressed", "left_shoulder_pressed2", "right_shoulder_pressed2", "rules_changed_by", "rules_changed_at", "client_name", "last_score", "teams", "payload_multiplier", "payload_checkpoint", "payload_distance", "payload_defenders", "payload_speed", "game_clock", "err_code")
    ORANGE_TEAM_RESTART_REQUEST_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    GAME_CLOCK_DISPLAY_FIELD_NUMBER: _ClassVar[int]
    GAME_STATUS_FIELD_NUMBER: _ClassVar[int]
    SESSION_IP_FIELD_NUMBER: _ClassVar[int]
    MATCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    MAP_NAME_FIELD_NUMBER: _ClassVar[int]
    DISC_FIELD_NUMBER: _ClassVar[int]
    BLUE_ROUND_SCORE_FIELD_NUMBER: _ClassVar[int]
    ORANGE_POINTS_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_MATCH_FIELD_NUMBER: _ClassVar[int]
    BLUE_TEAM_RESTART_REQUEST_FIELD_NUMBER: _ClassVar[int]
    TOURNAMENT_MATCH_FIELD_NUMBER: _ClassVar[int]
    ORANGE_ROUND_SCORE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROUND_COUNT_FIELD_NUMBER: _ClassVar[int]
    BLUE_POINTS_FIELD_NUMBER: _ClassVar[int]
    LAST_THROW_FIELD_NUMBER: _ClassVar[int]
    PLAYER_FIELD_NUMBER: _ClassVar[int]
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    POSSESSION_FIELD_NUMBER: _ClassVar[int]
    LEFT_SHOULDER_PRESSED_FIELD_NUMBER: _ClassVar[int]
    RIGHT_SHOULDER_PRESSED_FIELD_NUMBER: _ClassVar[int]
    LEFT_SHOULDER_PRESSED2_FIELD_NUMBER: _ClassVar[int]
    RIGHT_SHOULDER_PRESSED2_FIELD_NUMBER: _ClassVar[int]
    RULES_CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    RULES_CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_SCORE_FIELD_NUMBER: _ClassVar[int]
    TEAMS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_DISTANCE_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_DEFENDERS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_SPEED_FIELD_NUMBER: _ClassVar[int]
    GAME_CLOCK_FIELD_NUMBER: _ClassVar[int]
    ERR_CODE_FIELD_NUMBER: _ClassVar[int]
    orange_team_restart_request: int
    session_id: str
    game_clock_display: str
    game_status: str
    session_ip: str
    match_type: str
    map_name: str
    disc: Disc
    blue_round_score: int
    orange_points: int
    private_match: bool
    blue_team_restart_request: int
    tournament_match: bool
    orange_round_score: int
    total_round_count: int
    blue_points: int
    last_throw: LastThrowInfo
    player: PlayerRoot
    pause: PauseState
    possession: _containers.RepeatedScalarFieldContainer[int]
    left_shoulder_pressed: float
    right_shoulder_pressed: float
    left_shoulder_pressed2: float
    right_shoulder_pressed2: float
    rules_changed_by: str
    rules_changed_at: int
    client_name: str
    last_score: LastScore
    teams: _containers.RepeatedCompositeFieldContainer[Team]
    payload_multiplier: float
    payload_checkpoint: int
    payload_distance: float
    payload_defenders: int
    payload_speed: float
    game_clock: float
    err_code: int
    def __init__(self, orange_team_restart_request: _Optional[int] = ..., session_id: _Optional[str] = ..., game_clock_display: _Optional[str] = ..., game_status: _Optional[str] = ..., session_ip: _Optional[str] = ..., match_type: _Optional[str] = ..., map_name: _Optional[str] = ..., disc: _Optional[_Union[Disc, _Mapping]] = ..., blue_round_score: _Optional[int] = ..., orange_points: _Optional[int] = ..., private_match: _Optional[bool] = ..., blue_team_restart_request: _Optional[int] = ..., tournament_match: _Optional[bool] = ..., orange_round_score: _Optional[int] = ..., total_round_count: _Optional[int] = ..., blue_points: _Optional[int] = ..., last_throw: _Optional[_Union[LastThrowInfo, _Mapping]] = ..., player: _Optional[_Union[PlayerRoot, _Mapping]] = ..., pause: _Optional[_Union[PauseState, _Mapping]] = ..., possession: _Optional[_Iterable[int]] = ..., left_shoulder_pressed: _Optional[float] = ..., right_shoulder_pressed: _Optional[float] = ..., left_shoulder_pressed2: _Optional[float] = ..., right_shoulder_pressed2: _Optional[float] = ..., rules_changed_by: _Optional[str] = ..., rules_changed_at: _Optional[int] = ..., client_name: _Optional[str] = ..., last_score: _Optional[_Union[LastScore, _Mapping]] = ..., teams: _Optional[_Iterable[_Union[Team, _Mapping]]] = ..., payload_multiplier: _Optional[float] = ..., payload_checkpoint: _Optional[int] = ..., payload_distance: _Optional[float] = ..., payload_defenders: _Optional[int] = ..., payload_speed: _Optional[float] = ..., game_clock: _Optional[float] = ..., err_code: _Optional[int] = ...) -> None: ...

class UserBones(_message.Message):
    __slots__ = ("bone_t", "player_index", "bone_o")
    BONE_T_FIELD_NUMBER: _ClassVar[int]
    PLAYER_INDEX_FIELD_NUMBER: _ClassVar[int]
    BONE_O_FIELD_NUMBER: _ClassVar[int]
    bone_t: _containers.RepeatedScalarFieldContainer[float]
    player_index: int
    bone_o: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, bone_t: _Optional[_Iterable[float]] = ..., player_index: _Optional[int] = ..., bone_o: _Optional[_Iterable[float]] = ...) -> None: ...

class PlayerBonesResponse(_message.Message):
    __slots__ = ("user_bones", "err_code")
    USER_BONES_FIELD_NUMBER: _ClassVar[int]
    ERR_CODE_FIELD_NUMBER: _ClassVar[int]
    user_bones: _containers.RepeatedCompositeFieldContainer[UserBones]
    err_code: int
    def __init__(self, user_bones: _Optional[_Iterable[_Union[UserBones, _Mapping]]] = ..., err_code: _Optional[int] = ...) -> None: ...
