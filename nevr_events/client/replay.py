"""Readers of recorded frames: ``.echoreplay``, ``.tape`` and ``.nevrcap`` recordings, NDJSON.

Both read lazily, one line at a time (constant memory whatever the file size),
and yield, in file order, either a :class:`ReplayFrame` (a message ready for
:meth:`nevr_events.FrameStream.send`) or a :class:`LineError` naming the file
and line of a line that could not be parsed. Nothing is skipped silently. A file
that cannot be read at all raises :class:`nevr_events.exceptions.ReplayFileError`.

``.echoreplay`` (format of the community recorders): a zip archive holding one
text entry (ending in ``.echoreplay`` or named like the archive); one frame per
CRLF-terminated line: ``YYYY/MM/DD HH:MM:SS.mmm`` TAB ``/session`` JSON,
optionally followed by TAB, a space and the ``/player_bones`` JSON. An
uncompressed text file in the same line format is read too.

Each good line becomes ``{"frame": {"frame_index": n, "timestamp": "<RFC 3339 Z>",
"session": {...}, "player_bones": {...}}}`` with ``n`` counting the good lines
of the file from 0. The session JSON is kept as recorded: the game's own names
(``sessionid``, ``userid``, ...) are the protojson names of the schema.

``.tape`` (telemetry v2, any of its three layouts) and ``.nevrcap`` (zstd,
telemetry v1) are read with the bounded readers of ``nevr_events.wire``; each
frame becomes ``{"frame": <stored v1 frame>}`` (a ``.tape`` through the SPARSE
reconstruction of ``nevr_events.wire.v2.tov1``), and its ``line`` is the frame's
1-based number in the file. A damaged or cut recording raises ``ValueError``
naming the frame, after every good frame before it.

:func:`read_frames` tells the format by the file's first bytes (a zip, the zstd
magic, a recording timestamp, JSON), so a renamed file still reads; only a file
it cannot tell falls back to its name.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import DecodeError

from nevr_events.exceptions import ReplayFileError
from nevr_events.wire import nevrcap, tape, tapereader
from nevr_events.wire.api import format_time
from nevr_events.wire.pb import capture_pb2, telemetry_pb2
from nevr_events.wire.v2.tov1 import V2ToV1

ECHOREPLAY_SUFFIX = ".echoreplay"
_STAMP = re.compile(rb"^(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$")


@dataclass(frozen=True, slots=True)
class ReplayFrame:
    """One frame read from ``source`` at 1-based ``line``.

    ``message`` is an Envelope or a bare frame as a dict; ``timestamp`` is the
    frame's time when known (used for ``--realtime`` pacing).
    """

    source: str
    line: int
    message: dict[str, Any]
    timestamp: datetime | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True, slots=True)
class LineError:
    """A line that could not be parsed; it is not sent."""

    source: str
    line: int
    reason: str

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


ReplayItem = ReplayFrame | LineError


def read_frames(path: str | Path) -> Iterator[ReplayItem]:
    """Frames of one file, its format told by content (see the module docstring).

    ``-`` reads NDJSON from standard input.
    """
    name = str(path)
    if name == "-":
        return read_ndjson_stream(sys.stdin.buffer, "<stdin>")
    kind = sniff(path)
    if kind == "tape":
        return read_tape_file(path)
    if kind == "nevrcap":
        return read_nevrcap_file(path)
    if kind == "echoreplay" or (kind is None and name.lower().endswith(ECHOREPLAY_SUFFIX)):
        return read_echoreplay(path)
    return read_ndjson(path)


def sniff(path: str | Path) -> str | None:
    """``"echoreplay"``, ``"tape"``, ``"nevrcap"``, ``"ndjson"``, or None (can't tell)."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(64)
            if head.startswith(b"PK\x03\x04") or _STAMP.match(head[:23]):
                return "echoreplay"
            if head.lstrip()[:1] == b"{":
                return "ndjson"
            stream.seek(0)
            first = tapereader.Source(stream, tapereader.TapeLimits()).message()
    except (OSError, tapereader.TapeError):
        return None
    if first and _is_tape_header(first):
        return "tape"
    return "nevrcap" if head.startswith(tape.ZSTD_MAGIC) else None


def _is_tape_header(data: bytes) -> bool:
    try:
        envelope = capture_pb2.Envelope.FromString(data)
    except DecodeError:
        return False
    return envelope.WhichOneof("message") == "header" and envelope.header.format_version in (0, 2)


def _opened(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise ReplayFileError(f"{path}: no such file")
    return p


def _replay_frame(
    source: str, number: int, frame: telemetry_pb2.LobbySessionStateFrame
) -> ReplayFrame:
    stamp = frame.timestamp.ToDatetime(tzinfo=UTC) if frame.HasField("timestamp") else None
    message = {"frame": MessageToDict(frame, preserving_proto_field_name=True)}
    return ReplayFrame(source, number, message, stamp)


def read_tape_file(path: str | Path) -> Iterator[ReplayItem]:
    """Frames of a ``.tape`` recording (telemetry v2), as v1 frames."""
    p = _opened(path)
    with open(p, "rb") as stream:
        items = tapereader.read_tape(stream)
        header = next(items)
        if not isinstance(
            header, capture_pb2.CaptureHeader
        ):  # pragma: no cover - read_tape's order
            raise ValueError(f"{path}: no capture header")
        rebuild = V2ToV1(header)
        for number, frame in enumerate(items, start=1):
            if isinstance(frame, capture_pb2.Frame):
                yield _replay_frame(str(path), number, rebuild.frame(frame))


def read_nevrcap_file(path: str | Path) -> Iterator[ReplayItem]:
    """Frames of a ``.nevrcap`` recording (zstd, telemetry v1)."""
    p = _opened(path)
    with open(p, "rb") as stream:
        number = 0
        for message in nevrcap.read_nevrcap(stream):
            if isinstance(message, telemetry_pb2.LobbySessionStateFrame):
                number += 1
                yield _replay_frame(str(path), number, message)


# -- .echoreplay ---------------------------------------------------------------------------


def read_echoreplay(path: str | Path) -> Iterator[ReplayItem]:
    """Frames of a ``.echoreplay`` recording (zip archive, or its text entry as is)."""
    source = str(path)
    p = Path(path)
    if not p.is_file():
        raise ReplayFileError(f"{source}: no such file")
    if not zipfile.is_zipfile(p):
        return _echoreplay_text(p, source)
    return _echoreplay_zip(p, source)


def _echoreplay_zip(p: Path, source: str) -> Iterator[ReplayItem]:
    with zipfile.ZipFile(p) as archive:
        entry = _pick_entry(archive, p)
        with archive.open(entry) as stream:
            yield from parse_echoreplay_lines(stream, f"{source}!{entry}")


def _echoreplay_text(p: Path, source: str) -> Iterator[ReplayItem]:
    with open(p, "rb") as stream:
        yield from parse_echoreplay_lines(stream, source)


def _pick_entry(archive: zipfile.ZipFile, p: Path) -> str:
    files = [i.filename for i in archive.infolist() if not i.is_dir()]
    for name in files:
        if name.lower().endswith(ECHOREPLAY_SUFFIX):
            return name
    for name in files:
        if Path(name).name == p.stem or Path(name).stem == p.stem:
            return name
    if len(files) == 1:
        return files[0]
    raise ReplayFileError(
        f"{p}: the archive holds no .echoreplay entry (entries: {', '.join(files) or 'none'})"
    )


def parse_echoreplay_lines(lines: Iterable[bytes], source: str) -> Iterator[ReplayItem]:
    """Parse recording lines (bytes, with or without their CRLF)."""
    index = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue  # blank lines (e.g. a trailing CRLF) carry nothing
        try:
            frame, stamp = _parse_echoreplay_line(line, index)
        except ValueError as exc:
            yield LineError(source, number, str(exc))
            continue
        yield ReplayFrame(source, number, {"frame": frame}, stamp)
        index += 1


def _parse_echoreplay_line(line: bytes, index: int) -> tuple[dict[str, Any], datetime]:
    parts = line.split(b"\t", 2)
    if len(parts) < 2:
        raise ValueError("expected `timestamp<TAB>session JSON`, found no TAB")
    stamp = parse_recorded_time(parts[0].strip())
    session = _json_object(parts[1], "session JSON")
    frame: dict[str, Any] = {
        "frame_index": index,
        "timestamp": format_time(stamp),
        "session": session,
    }
    # Writers put `{}` on lines without bones (three parts on every line).
    if (
        len(parts) == 3
        and parts[2].strip()
        and (bones := _json_object(parts[2], "player bones JSON"))
    ):
        frame["player_bones"] = bones
    return frame, stamp


def parse_recorded_time(raw: bytes) -> datetime:
    """``2025/12/04 03:10:22.123`` (UTC) as an aware datetime."""
    match = _STAMP.match(raw)
    if not match:
        shown = raw[:40].decode("utf-8", "replace")
        raise ValueError(f"bad timestamp {shown!r}: expected YYYY/MM/DD HH:MM:SS.mmm")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = (match.group(7) or b"0").decode()
    micros = int(fraction[:6].ljust(6, "0"))
    try:
        return datetime(year, month, day, hour, minute, second, micros, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"bad timestamp {raw.decode()!r}: {exc}") from None


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a JSON object")
    return value


# -- NDJSON --------------------------------------------------------------------------------


def read_ndjson(path: str | Path) -> Iterator[ReplayItem]:
    """Frames of an NDJSON file: one Envelope (``{"frame": ...}``) or bare frame per line."""
    p = Path(path)
    if not p.is_file():
        raise ReplayFileError(f"{path}: no such file")
    return _ndjson_file(p, str(path))


def _ndjson_file(p: Path, source: str) -> Iterator[ReplayItem]:
    with open(p, "rb") as stream:
        yield from read_ndjson_stream(stream, source)


def read_ndjson_stream(stream: IO[bytes] | Iterable[bytes], source: str) -> Iterator[ReplayItem]:
    for number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            message = _json_object(line, "line")
        except ValueError as exc:
            yield LineError(source, number, str(exc))
            continue
        frame = message.get("frame") if "frame" in message or "header" in message else message
        stamp = None
        if isinstance(frame, dict) and isinstance(frame.get("timestamp"), str):
            stamp = _rfc3339(frame["timestamp"])
        yield ReplayFrame(source, number, message, stamp)


def _rfc3339(value: str) -> datetime | None:
    text = value.strip().replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[: min(digits, 6)].ljust(6, '0')}{rest[digits:]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
