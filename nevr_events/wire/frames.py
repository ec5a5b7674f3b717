"""Turning one stream message into the pieces of a stored document.

Every message goes through ``FrameValidator.parse``: text messages are
protojson (an ``Envelope`` or a bare ``LobbySessionStateFrame``), binary
messages are a protobuf-encoded ``Envelope``. The result holds the frame in
canonical protojson form with proto field names, exactly what
``json_format.MessageToDict(frame, preserving_proto_field_name=True)`` gives.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import orjson
from google.protobuf import json_format
from google.protobuf.message import DecodeError

from nevr_events.exceptions import InvalidFrame, InvalidSessionId
from nevr_events.wire.pb import telemetry_pb2
from nevr_events.wire.timestamps import is_canonical_stamp
from nevr_events.wire.unknown import (
    Unknown,
    binary_unknown_paths,
    put_back,
    take_unknown,
    unknown_root,
)

# Top-level keys that make a JSON message an Envelope rather than a bare frame.
ENVELOPE_KEYS = frozenset({"frame", "header"})


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """A valid stream message: a header envelope, an empty envelope, or a frame.

    ``frame`` is set only for kind ``"frame"``, as a canonical protojson dict (plus,
    verbatim, any keys the schema does not know). ``unknown`` names the fields the
    schema does not know, as paths (see ``wire.unknown``).
    """

    kind: Literal["header", "frame", "empty"]
    frame: dict[str, Any] | None = None
    unknown: tuple[str, ...] = ()


class FrameValidator(Protocol):
    """Accepts or rejects one stream message; the one place that decides validity."""

    def parse(self, data: str | bytes) -> ParsedMessage: ...


def load_json_object(data: str | bytes) -> dict[str, Any]:
    """The message's top-level JSON object, or InvalidFrame saying what is wrong."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidFrame(f"message is not valid JSON: {exc}") from None
    if type(obj) is not dict:
        raise InvalidFrame("message must be a JSON object (an Envelope or a frame)")
    return obj


def keep_unknown(data: str | bytes, parse_known: Callable[[str], ParsedMessage]) -> ParsedMessage:
    """A text message with keys the schema lacks: ``parse_known`` validates the rest,
    then the unknown keys go back into the frame, verbatim, and are named."""
    obj = load_json_object(data)
    envelope = bool(ENVELOPE_KEYS.intersection(obj))
    found: list[Unknown] = []
    take_unknown(obj, *unknown_root(envelope), (), found)
    parsed = parse_known(orjson.dumps(obj).decode())
    if parsed.frame is not None:
        # In an Envelope the frame is one step down; keys beside it have no place.
        put_back(parsed.frame, [u for u in found if u.at] if envelope else found, int(envelope))
    return ParsedMessage(parsed.kind, parsed.frame, tuple(u.path.lstrip(".") for u in found))


class ProtobufFrameValidator:
    """Validation by ``google.protobuf.json_format``: the reference behaviour, with
    unknown fields kept (``keep_unknown``) as protobuf's binary parser keeps them."""

    def parse(self, data: str | bytes) -> ParsedMessage:
        if isinstance(data, bytes | bytearray | memoryview):
            return self._parse_binary(bytes(data))
        try:
            return self._parse_text(data)
        except json_format.ParseError as exc:
            if " has no field named " not in str(exc):
                raise InvalidFrame(f"invalid telemetry message: {exc}") from None
        try:
            return keep_unknown(data, self._parse_text)
        except json_format.ParseError as exc:
            raise InvalidFrame(f"invalid telemetry message: {exc}") from None

    def _parse_text(self, data: str | bytes) -> ParsedMessage:
        obj = load_json_object(data)
        if ENVELOPE_KEYS.intersection(obj):
            return self._from_envelope(json_format.Parse(data, telemetry_pb2.Envelope()))
        frame = json_format.Parse(data, telemetry_pb2.LobbySessionStateFrame())
        return ParsedMessage("frame", _frame_dict(frame))

    def _parse_binary(self, data: bytes) -> ParsedMessage:
        return parse_binary(data, _frame_dict)

    @staticmethod
    def _from_envelope(envelope: telemetry_pb2.Envelope) -> ParsedMessage:
        return from_envelope(envelope, _frame_dict)


def decode_envelope(data: bytes) -> telemetry_pb2.Envelope:
    """A binary stream message as an ``Envelope``, or InvalidFrame."""
    envelope = telemetry_pb2.Envelope()
    try:
        envelope.ParseFromString(data)
    except DecodeError as exc:
        raise InvalidFrame(f"binary message is not a protobuf Envelope: {exc}") from None
    return envelope


def parse_binary(
    data: bytes,
    frame_to_dict: Callable[[telemetry_pb2.LobbySessionStateFrame], dict[str, Any]],
) -> ParsedMessage:
    """A binary message's ParsedMessage, naming any field numbers the schema lacks."""
    envelope = decode_envelope(data)
    parsed = from_envelope(envelope, frame_to_dict)
    # Without unknown fields a canonical encoding is exactly ByteSize() long; any
    # other length (unknown fields, or merely a non-canonical encoder) is looked at.
    envelope.DiscardUnknownFields()
    if envelope.ByteSize() == len(data):
        return parsed
    paths = binary_unknown_paths(decode_envelope(data))
    return ParsedMessage(parsed.kind, parsed.frame, tuple(paths)) if paths else parsed


def from_envelope(
    envelope: telemetry_pb2.Envelope,
    frame_to_dict: Callable[[telemetry_pb2.LobbySessionStateFrame], dict[str, Any]],
) -> ParsedMessage:
    """The ParsedMessage of a decoded Envelope; ``frame_to_dict`` makes the canonical dict."""
    which = envelope.WhichOneof("message")
    if which == "frame":
        return ParsedMessage("frame", frame_to_dict(envelope.frame))
    return ParsedMessage("header" if which == "header" else "empty")


def _frame_dict(frame: telemetry_pb2.LobbySessionStateFrame) -> dict[str, Any]:
    return json_format.MessageToDict(frame, preserving_proto_field_name=True)


def canonical_session_id(value: object) -> str:
    """The lower-case hyphenated form of a UUID given in any case or layout."""
    if value is None:
        raise InvalidSessionId("invalid match ID: the frame's session has no sessionid")
    if not isinstance(value, str) or not value:
        raise InvalidSessionId(f"invalid match ID: {value!r}")
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise InvalidSessionId(f"invalid match ID: {value}") from None


def event_types(frame: dict[str, Any]) -> list[str]:
    """Names of the set ``event`` oneof fields, e.g. ``["player_goal"]``."""
    return [name for event in frame.get("events", ()) for name in event]


def parse_timestamp(value: str) -> datetime:
    """An RFC 3339 protojson Timestamp as an aware UTC datetime (µs precision)."""
    if is_canonical_stamp(value):  # what agents send: read as is, no regex
        return datetime.fromisoformat(value)
    return parse_timestamp_general(value)


def parse_timestamp_general(value: str) -> datetime:
    """``parse_timestamp`` for every form RFC 3339 and protojson allow."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:
        # Python parses at most 6 fractional digits; protojson may send 9.
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[: min(digits, 6)].ljust(6, '0')}{rest[digits:]}"
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC)
