"""Writing ``.echoreplay`` recordings (the reader is ``nevr_events.client.replay``).

The format, as the community recorders write it and their readers expect it:

- a zip archive holding one text entry, ``<match_id>.echoreplay``;
- one frame per CRLF-terminated line: the frame's UTC time as
  ``YYYY/MM/DD HH:MM:SS.mmm`` (23 characters), a TAB, the ``/session`` JSON, a
  TAB, a space, and the ``/player_bones`` JSON (``{}`` when the frame has no
  bones: the reference's strict reader rejects a line with fewer than three parts);
- the JSON uses the game's own field names (``sessionid``, ``userid``, ...), enums
  as numbers, 64-bit integers as JSON numbers, and writes unpopulated fields too
  (zeros, empty strings, empty lists), as the game does.

Stored frames are canonical protojson with proto field names and defaults left
out, so each line is a translation driven by the protobuf descriptors: no
``json_format`` round trip through message objects, which would cost several
times as much per frame on an 18,000-frame download.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from nevr_events.wire.pb import enginehttp_pb2, message_descriptor

ECHOREPLAY_SUFFIX = ".echoreplay"
# Bytes gathered before a chunk of the zip goes out.
CHUNK_BYTES = 256 * 1024
# Fast deflate: game JSON is very repetitive, and level 1 already shrinks it
# several times while keeping a download CPU-light.
COMPRESS_LEVEL = 1

_FD = FieldDescriptor
_INT64 = {_FD.TYPE_INT64, _FD.TYPE_UINT64, _FD.TYPE_SINT64, _FD.TYPE_FIXED64, _FD.TYPE_SFIXED64}
_FLOATS = {_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT}
_INTS = {
    _FD.TYPE_INT32,
    _FD.TYPE_UINT32,
    _FD.TYPE_SINT32,
    _FD.TYPE_FIXED32,
    _FD.TYPE_SFIXED32,
    *_INT64,
}

Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _int64(value: Any) -> Any:
    # protojson writes 64-bit integers as strings; the game writes numbers.
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _scalar_default(field: FieldDescriptor) -> Any:
    if field.type in _FLOATS:
        return 0.0
    if field.type in _INTS or field.type == _FD.TYPE_ENUM:
        return 0
    if field.type == _FD.TYPE_BOOL:
        return False
    return ""


class _MessagePlan:
    """How to turn one message type's stored dict into the game's JSON object."""

    def __init__(self, descriptor: Descriptor, plans: dict[str, _MessagePlan]) -> None:
        plans[descriptor.full_name] = self
        # (proto name, game name, convert, default factory or None when omitted if absent)
        self.fields: list[tuple[str, str, Convert, Callable[[], Any] | None]] = []
        for field in descriptor.fields:
            self.fields.append(_field_plan(field, plans))
        self.names = frozenset(name for name, *_ in self.fields)

    def convert(self, stored: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        known = 0
        for name, game_name, convert, default in self.fields:
            value = stored.get(name, _ABSENT)
            if value is _ABSENT:
                if default is not None:
                    out[game_name] = default()
                continue
            known += 1
            out[game_name] = convert(value)
        if known < len(stored):  # keys the schema does not know: carried as stored
            out.update((k, v) for k, v in stored.items() if k not in self.names)
        return out


_ABSENT = object()


def _value_converter(field: FieldDescriptor, plans: dict[str, _MessagePlan]) -> Convert:
    message = field.message_type
    if message is not None:
        if message.full_name.startswith("google.protobuf."):
            return _identity  # well-known types keep their JSON form
        plan = plans.get(message.full_name) or _MessagePlan(message, plans)
        return lambda value: plan.convert(value) if isinstance(value, dict) else value
    enum = field.enum_type
    if enum is not None:
        numbers = {v.name: v.number for v in enum.values}
        return lambda value: numbers.get(value, value) if isinstance(value, str) else value
    if field.type in _INT64:
        return _int64
    return _identity


def _field_plan(
    field: FieldDescriptor, plans: dict[str, _MessagePlan]
) -> tuple[str, str, Convert, Callable[[], Any] | None]:
    message = field.message_type
    if message is not None and message.GetOptions().map_entry:
        convert_value = _value_converter(message.fields_by_name["value"], plans)
        return (
            field.name,
            field.json_name,
            lambda value: {k: convert_value(v) for k, v in value.items()},
            dict,
        )
    convert = _value_converter(field, plans)
    if field.is_repeated:
        return field.name, field.json_name, lambda value: [convert(v) for v in value], list
    if field.has_presence:
        return field.name, field.json_name, convert, None
    default = _scalar_default(field)
    return field.name, field.json_name, convert, lambda: default


_PLANS: dict[str, _MessagePlan] = {}
SESSION_PLAN = _MessagePlan(message_descriptor(enginehttp_pb2.SessionResponse), _PLANS)
BONES_PLAN = _MessagePlan(message_descriptor(enginehttp_pb2.PlayerBonesResponse), _PLANS)


def session_to_game_json(session: dict[str, Any]) -> dict[str, Any]:
    """A stored ``session`` as the game's ``/session`` endpoint returns it."""
    return SESSION_PLAN.convert(session)


def bones_to_game_json(bones: dict[str, Any]) -> dict[str, Any]:
    """A stored ``player_bones`` as the game's ``/player_bones`` endpoint returns it."""
    return BONES_PLAN.convert(bones)


def format_recorded_time(stamp: datetime) -> str:
    """``2025/12/04 03:10:22.123``: UTC, exactly three fractional digits."""
    utc = stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return f"{utc:%Y/%m/%d %H:%M:%S}.{utc.microsecond // 1000:03d}"


def echoreplay_line(stamp: datetime, frame: dict[str, Any]) -> bytes:
    """One recording line (with its CRLF) for a stored frame taken at ``stamp``."""
    session = session_to_game_json(frame.get("session") or {})
    bones = frame.get("player_bones")
    bones_json = bones_to_game_json(bones) if isinstance(bones, dict) else {}
    return b"".join(
        (
            format_recorded_time(stamp).encode(),
            b"\t",
            orjson.dumps(session),
            b"\t ",
            orjson.dumps(bones_json),
            b"\r\n",
        )
    )


class _Sink:
    """A write-only, unseekable file: ``zipfile`` then streams (data descriptors)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def write(self, data: bytes, /) -> int:
        self.buffer += data
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def zip_entry_chunks(
    entry_name: str, lines: Iterable[bytes], chunk_bytes: int = CHUNK_BYTES
) -> Iterator[bytes]:
    """A zip archive holding ``lines`` as one entry, produced chunk by chunk.

    Memory stays at about one chunk whatever the number of lines: the archive
    is written to an unseekable sink, so sizes go in data descriptors after
    the entry and the central directory at the end.
    """
    sink = _Sink()
    archive = zipfile.ZipFile(
        sink,
        "w",
        compression=zipfile.ZIP_DEFLATED,
        compresslevel=COMPRESS_LEVEL,
    )
    with archive, archive.open(entry_name, "w", force_zip64=True) as entry:
        for line in lines:
            entry.write(line)
            if len(sink.buffer) >= chunk_bytes:
                yield sink.take()
    if sink.buffer:
        yield sink.take()


def echoreplay_chunks(
    match_id: str, frames: Iterable[tuple[datetime, dict[str, Any]]]
) -> Iterator[bytes]:
    """The ``.echoreplay`` archive of ``(timestamp, stored frame)`` pairs, chunk by chunk."""
    lines = (echoreplay_line(stamp, frame) for stamp, frame in frames)
    return zip_entry_chunks(match_id + ECHOREPLAY_SUFFIX, lines)
