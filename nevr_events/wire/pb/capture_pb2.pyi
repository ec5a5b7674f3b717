import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from nevr_events.wire.pb import echo_arena_pb2 as _echo_arena_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FrameEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FRAME_ENCODING_UNSPECIFIED: _ClassVar[FrameEncoding]
    FRAME_ENCODING_SPARSE: _ClassVar[FrameEncoding]
    FRAME_ENCODING_DENSE: _ClassVar[FrameEncoding]

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_ROUND_STARTED: _ClassVar[EventType]
    EVENT_TYPE_ROUND_PAUSED: _ClassVar[EventType]
    EVENT_TYPE_ROUND_UNPAUSED: _ClassVar[EventType]
    EVENT_TYPE_ROUND_ENDED: _ClassVar[EventType]
    EVENT_TYPE_MATCH_ENDED: _ClassVar[EventType]
    EVENT_TYPE_SCOREBOARD_UPDATED: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_JOINED: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_LEFT: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_SWITCHED_TEAM: _ClassVar[EventType]
    EVENT_TYPE_EMOTE_PLAYED: _ClassVar[EventType]
    EVENT_TYPE_LOADOUT_CHANGED: _ClassVar[EventType]
    EVENT_TYPE_GRAB_CHANGED: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_INFO_UPDATED: _ClassVar[EventType]
    EVENT_TYPE_DISC_POSSESSION_CHANGED: _ClassVar[EventType]
    EVENT_TYPE_DISC_THROWN: _ClassVar[EventType]
    EVENT_TYPE_DISC_CAUGHT: _ClassVar[EventType]
    EVENT_TYPE_GOAL_SCORED: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_GOAL: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_SAVE: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_STUN: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_PASS: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_STEAL: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_BLOCK: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_INTERCEPTION: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_ASSIST: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_SHOT_TAKEN: _ClassVar[EventType]
    EVENT_TYPE_PLAYER_STATS_UPDATED: _ClassVar[EventType]
    EVENT_TYPE_GENERIC: _ClassVar[EventType]
FRAME_ENCODING_UNSPECIFIED: FrameEncoding
FRAME_ENCODING_SPARSE: FrameEncoding
FRAME_ENCODING_DENSE: FrameEncoding
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_ROUND_STARTED: EventType
EVENT_TYPE_ROUND_PAUSED: EventType
EVENT_TYPE_ROUND_UNPAUSED: EventType
EVENT_TYPE_ROUND_ENDED: EventType
EVENT_TYPE_MATCH_ENDED: EventType
EVENT_TYPE_SCOREBOARD_UPDATED: EventType
EVENT_TYPE_PLAYER_JOINED: EventType
EVENT_TYPE_PLAYER_LEFT: EventType
EVENT_TYPE_PLAYER_SWITCHED_TEAM: EventType
EVENT_TYPE_EMOTE_PLAYED: EventType
EVENT_TYPE_LOADOUT_CHANGED: EventType
EVENT_TYPE_GRAB_CHANGED: EventType
EVENT_TYPE_PLAYER_INFO_UPDATED: EventType
EVENT_TYPE_DISC_POSSESSION_CHANGED: EventType
EVENT_TYPE_DISC_THROWN: EventType
EVENT_TYPE_DISC_CAUGHT: EventType
EVENT_TYPE_GOAL_SCORED: EventType
EVENT_TYPE_PLAYER_GOAL: EventType
EVENT_TYPE_PLAYER_SAVE: EventType
EVENT_TYPE_PLAYER_STUN: EventType
EVENT_TYPE_PLAYER_PASS: EventType
EVENT_TYPE_PLAYER_STEAL: EventType
EVENT_TYPE_PLAYER_BLOCK: EventType
EVENT_TYPE_PLAYER_INTERCEPTION: EventType
EVENT_TYPE_PLAYER_ASSIST: EventType
EVENT_TYPE_PLAYER_SHOT_TAKEN: EventType
EVENT_TYPE_PLAYER_STATS_UPDATED: EventType
EVENT_TYPE_GENERIC: EventType

class Envelope(_message.Message):
    __slots__ = ("header", "frame", "footer")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    FOOTER_FIELD_NUMBER: _ClassVar[int]
    header: CaptureHeader
    frame: Frame
    footer: CaptureFooter
    def __init__(self, header: _Optional[_Union[CaptureHeader, _Mapping]] = ..., frame: _Optional[_Union[Frame, _Mapping]] = ..., footer: _Optional[_Union[CaptureFooter, _Mapping]] = ...) -> None: ...

class CaptureHeader(_message.Message):
    __slots__ = ("capture_id", "created_at", "format_version", "metadata", "format_minor", "format_patch", "frame_encoding", "echo_arena")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CAPTURE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_VERSION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    FORMAT_MINOR_FIELD_NUMBER: _ClassVar[int]
    FORMAT_PATCH_FIELD_NUMBER: _ClassVar[int]
    FRAME_ENCODING_FIELD_NUMBER: _ClassVar[int]
    ECHO_ARENA_FIELD_NUMBER: _ClassVar[int]
    capture_id: str
    created_at: _timestamp_pb2.Timestamp
    format_version: int
    metadata: _containers.ScalarMap[str, str]
    format_minor: int
    format_patch: int
    frame_encoding: FrameEncoding
    echo_arena: _echo_arena_pb2.EchoArenaHeader
    def __init__(self, capture_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., format_version: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ..., format_minor: _Optional[int] = ..., format_patch: _Optional[int] = ..., frame_encoding: _Optional[_Union[FrameEncoding, str]] = ..., echo_arena: _Optional[_Union[_echo_arena_pb2.EchoArenaHeader, _Mapping]] = ...) -> None: ...

class Frame(_message.Message):
    __slots__ = ("frame_index", "timestamp_offset_ms", "echo_arena")
    FRAME_INDEX_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_OFFSET_MS_FIELD_NUMBER: _ClassVar[int]
    ECHO_ARENA_FIELD_NUMBER: _ClassVar[int]
    frame_index: int
    timestamp_offset_ms: int
    echo_arena: _echo_arena_pb2.EchoArenaFrame
    def __init__(self, frame_index: _Optional[int] = ..., timestamp_offset_ms: _Optional[int] = ..., echo_arena: _Optional[_Union[_echo_arena_pb2.EchoArenaFrame, _Mapping]] = ...) -> None: ...

class KeyframeEntry(_message.Message):
    __slots__ = ("frame_index", "byte_offset")
    FRAME_INDEX_FIELD_NUMBER: _ClassVar[int]
    BYTE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    frame_index: int
    byte_offset: int
    def __init__(self, frame_index: _Optional[int] = ..., byte_offset: _Optional[int] = ...) -> None: ...

class EventIndexEntry(_message.Message):
    __slots__ = ("event_type", "frame_indices")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FRAME_INDICES_FIELD_NUMBER: _ClassVar[int]
    event_type: EventType
    frame_indices: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, event_type: _Optional[_Union[EventType, str]] = ..., frame_indices: _Optional[_Iterable[int]] = ...) -> None: ...

class CaptureFooter(_message.Message):
    __slots__ = ("frame_count", "duration_ms", "footer_offset", "keyframe_index", "event_index")
    FRAME_COUNT_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    FOOTER_OFFSET_FIELD_NUMBER: _ClassVar[int]
    KEYFRAME_INDEX_FIELD_NUMBER: _ClassVar[int]
    EVENT_INDEX_FIELD_NUMBER: _ClassVar[int]
    frame_count: int
    duration_ms: int
    footer_offset: int
    keyframe_index: _containers.RepeatedCompositeFieldContainer[KeyframeEntry]
    event_index: _containers.RepeatedCompositeFieldContainer[EventIndexEntry]
    def __init__(self, frame_count: _Optional[int] = ..., duration_ms: _Optional[int] = ..., footer_offset: _Optional[int] = ..., keyframe_index: _Optional[_Iterable[_Union[KeyframeEntry, _Mapping]]] = ..., event_index: _Optional[_Iterable[_Union[EventIndexEntry, _Mapping]]] = ...) -> None: ...
