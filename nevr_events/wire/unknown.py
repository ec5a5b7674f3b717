"""Fields a message carries that this schema does not know: kept, not refused.

Protobuf's own rule is that a parser keeps the fields it does not know, so an agent
newer than the server never loses a frame. Text: the unknown keys are taken out of
the parsed JSON (``take_unknown``), the rest is validated as usual, and the keys are
put back verbatim into the validated frame at the same place (``put_back``), so the
stored frame holds them. Keys of the ``Envelope`` itself (outside ``frame``) are
reported but have nowhere to be stored. Binary: the unknown field numbers are
reported (``binary_unknown_paths``); their bytes are not kept, since a frame is
stored as protojson.

Paths are written as the validator writes them in its error messages
(``frame.events[0].player_steal.zz_new``; binary: the field number in place of the
name).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet

from nevr_events.wire.pb import message_descriptor, telemetry_pb2

_INDEXES = re.compile(r"\[[^\]]*\]")
# Messages that protojson writes as a single JSON value, not as an object of fields.
_JSON_SCALARS = frozenset({"google.protobuf.Timestamp"})


@dataclass(frozen=True, slots=True)
class Unknown:
    """One unknown key: where it goes in the validated dict, and its value as sent."""

    at: tuple[str | int, ...]
    key: str
    value: Any
    path: str


def take_unknown(
    d: dict[str, Any], desc: Descriptor, shown: str, at: tuple[str | int, ...], found: list[Unknown]
) -> None:
    """Removes from ``d`` (and every known message below it) the keys ``desc`` lacks."""
    keys = _keys(desc)
    for k in list(d):
        fd = keys.get(k)
        if fd is None:
            found.append(Unknown(at, k, d.pop(k), f"{shown}.{k}"))
            continue
        sub = fd.message_type
        if sub is None or sub.GetOptions().map_entry or sub.full_name in _JSON_SCALARS:
            continue
        v = d[k]
        if fd.is_repeated:
            if type(v) is list:
                for i, x in enumerate(v):
                    if type(x) is dict:
                        take_unknown(x, sub, f"{shown}.{k}[{i}]", (*at, fd.name, i), found)
        elif type(v) is dict:
            take_unknown(v, sub, f"{shown}.{k}", (*at, fd.name), found)


@functools.cache
def _keys(desc: Descriptor) -> dict[str, FieldDescriptor]:
    """Both spellings protojson accepts for each field of ``desc``."""
    return {**{f.json_name: f for f in desc.fields}, **{f.name: f for f in desc.fields}}


def put_back(out: dict[str, Any], found: list[Unknown], skip: int = 0) -> None:
    """Puts each unknown key into ``out`` at its place, minus the first ``skip`` steps."""
    for u in found:
        target: Any = out
        for step in u.at[skip:]:
            target = target[step] if type(step) is int else target.setdefault(step, {})
        target[u.key] = u.value


def binary_unknown_paths(message: Message, shown: str = "") -> list[str]:
    """The paths of the unknown field numbers in ``message`` and every message below it."""
    paths: list[str] = []
    _walk(message, shown, paths)
    return list(dict.fromkeys(p.lstrip(".") for p in paths))


def _walk(message: Message, shown: str, paths: list[str]) -> None:
    unknown = UnknownFieldSet(message)
    paths.extend(f"{shown}.{unknown[i].field_number}" for i in range(len(unknown)))
    for fd, value in message.ListFields():
        mt = fd.message_type
        if mt is None or mt.GetOptions().map_entry:
            continue
        if fd.is_repeated:
            for i, item in enumerate(value):
                _walk(item, f"{shown}.{fd.name}[{i}]", paths)
        else:
            _walk(value, f"{shown}.{fd.name}", paths)


def without_indexes(path: str) -> str:
    """The path with its list indexes removed: one metric label per field."""
    return _INDEXES.sub("", path)


def unknown_root(envelope: bool) -> tuple[Descriptor, str]:
    """(descriptor, shown path) of a text message's top level: an Envelope or a frame."""
    if envelope:
        return message_descriptor(telemetry_pb2.Envelope), ""
    return message_descriptor(telemetry_pb2.LobbySessionStateFrame), "frame"
