"""``.nevrcap`` recordings: one zstd stream of length-prefixed telemetry v1 messages.

The agent's other format: a bare ``telemetry.v1.TelemetryHeader`` (the agent's
converter from ``.echoreplay`` leaves it out), then bare
``LobbySessionStateFrame``s, each prefixed by its length as an unsigned varint;
no envelope and no footer. Always compressed (zstd magic ``28 B5 2F FD``).

The reader shares the ``.tape`` reader's budgets and checks
(:mod:`nevr_events.wire.tapereader`): a damaged zstd frame gives no frame, a
file cut short every frame decoded before the cut. The first message is the
header only if its top-level fields are the header's (1 to 3, all
length-delimited): a frame's ``frame_index`` is a varint and its session and
bones are fields 4 and 5.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import IO

import zstandard
from google.protobuf.message import DecodeError

from nevr_events.wire.pb import telemetry_pb2
from nevr_events.wire.tape import ZSTD_LEVEL, uvarint
from nevr_events.wire.tapereader import Source, TapeError, TapeLimits

NEVRCAP_SUFFIX = ".nevrcap"
_HEADER_FIELDS = {(1, 2), (2, 2), (3, 2)}


def top_level_fields(data: bytes) -> set[tuple[int, int]]:
    """The (number, wire type) pairs of a message's top-level fields; empty if malformed."""
    found: set[tuple[int, int]] = set()
    at = 0
    try:
        while at < len(data):
            key, at = _varint(data, at)
            number, wire = key >> 3, key & 7
            found.add((number, wire))
            if wire == 0:
                _, at = _varint(data, at)
            elif wire == 1:
                at += 8
            elif wire == 2:
                size, at = _varint(data, at)
                at += size
            elif wire == 5:
                at += 4
            else:
                return set()
    except IndexError:
        return set()
    return found if at == len(data) else set()


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def is_header(data: bytes) -> bool:
    fields = top_level_fields(data)
    return bool(fields) and fields <= _HEADER_FIELDS


def read_nevrcap(
    raw: IO[bytes], limits: TapeLimits | None = None
) -> Iterator[telemetry_pb2.TelemetryHeader | telemetry_pb2.LobbySessionStateFrame]:
    """The header (when the file has one), then every frame, of one ``.nevrcap``."""
    limits = limits or TapeLimits()
    source = Source(raw, limits)
    if not source.compressed:
        raise TapeError("not a .nevrcap: no zstd magic number")
    count = 0
    while True:
        where = f"frame {count}"
        try:
            data = source.message()
        except TapeError as error:
            raise TapeError(f"{where}: {error}") from None
        if data is None:
            try:
                source.check_end()
            except TapeError as error:
                raise TapeError(f"{where}: {error}") from None
            return
        try:
            if count == 0 and is_header(data):
                yield telemetry_pb2.TelemetryHeader.FromString(data)
                continue
            frame = telemetry_pb2.LobbySessionStateFrame.FromString(data)
        except DecodeError as error:
            raise TapeError(f"{where}: not a valid message ({error})") from None
        if count >= limits.max_frames:
            raise TapeError(f"more than {limits.max_frames} frames")
        count += 1
        yield frame


def nevrcap_chunks(
    header: telemetry_pb2.TelemetryHeader | None,
    frames: Iterable[telemetry_pb2.LobbySessionStateFrame],
    level: int = ZSTD_LEVEL,
) -> Iterator[bytes]:
    """A whole ``.nevrcap`` file, piece by piece, in constant memory."""
    packer = zstandard.ZstdCompressor(level=level, write_checksum=True).compressobj()
    messages: Iterable[telemetry_pb2.TelemetryHeader | telemetry_pb2.LobbySessionStateFrame]
    messages = frames if header is None else itertools.chain((header,), frames)
    for message in messages:
        data = message.SerializeToString()
        if piece := packer.compress(uvarint(len(data)) + data):
            yield piece
    yield packer.flush()
