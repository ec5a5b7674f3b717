"""The on-disk format of a ``FrameStream`` spool: layout, records, and a read-only status.

Directory layout (format 1)
---------------------------
``FORMAT``
    ``nevr-events spool 1``: the format version; a spool of another version is refused.
``lock``
    Locked (``flock``, exclusive) by the one process that owns the spool; holds its pid.
``acked``
    The sequence number of the oldest frame not yet answered, as decimal text
    (replaced atomically, at most every ``fsync_interval``; when it lags, the
    frames in between are sent again and answered ``duplicate``).
``<first sequence number, 20 digits>.seg``
    Segments: records appended in order. A segment is deleted once every record
    in it has been answered. Sequence numbers count from the creation of the
    spool; record *n* of a segment has the segment's number + *n*.

Record (little-endian): ``u32 body length | u32 CRC-32 of body | body`` where
body is ``u8 kind (0 JSON text, 1 binary protobuf) | f64 written (unix time) |
i64 frame_index (-1 unknown) | u16 tag length | tag (UTF-8) | payload``.

A record is written with one ``writev``; ``fsync`` runs in a background thread
every ``fsync_interval`` seconds (0: on every append), so a killed process
loses nothing and a power cut loses at most that interval. A torn last record
(length or CRC wrong at the end of the newest segment) is cut off with a warning.
"""

from __future__ import annotations

import contextlib
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from nevr_events.exceptions import SpoolError

FORMAT_VERSION = 1
FORMAT_TEXT = f"nevr-events spool {FORMAT_VERSION}\n"
HEADER = struct.Struct("<II")  # body length, CRC-32 of body
PREFIX = struct.Struct("<BdqH")  # kind, written, frame_index, tag length
TEXT, BINARY = 0, 1
MAX_BODY = 1 << 30  # a larger length field is garbage
SUFFIX = ".seg"
MAX_TAG_BYTES = 1024


@dataclass(frozen=True, slots=True)
class SpoolRecord:
    seq: int
    payload: str | bytes
    frame_index: int | None
    tag: str | None
    written: float


@dataclass(frozen=True, slots=True)
class SpoolStatus:
    """What ``nevr-events spool status`` prints: frames waiting and their size on disk."""

    frames: int
    bytes: int  # size of the waiting records
    disk_bytes: int  # size of every segment file
    segments: int
    oldest_written: float | None  # unix time the oldest waiting frame was spooled


class Segment:
    __slots__ = ("count", "first_seq", "path", "size")

    def __init__(self, path: Path, first_seq: int, count: int = 0, size: int = 0) -> None:
        self.path = path
        self.first_seq = first_seq
        self.count = count
        self.size = size

    @property
    def end_seq(self) -> int:
        return self.first_seq + self.count


def segment_path(directory: Path, first_seq: int) -> Path:
    return directory / f"{first_seq:020d}{SUFFIX}"


def list_segments(directory: Path) -> list[Segment]:
    found = []
    for path in directory.glob(f"*{SUFFIX}"):
        with contextlib.suppress(ValueError):
            found.append(Segment(path, int(path.stem)))
    return sorted(found, key=lambda s: s.first_seq)


def read_record(fd: int, offset: int, size: int) -> tuple[bytes | None, int]:
    """(body, record length) at ``offset``; body None when torn or corrupt, length 0 when
    the record does not fit in ``size`` bytes (an incomplete tail)."""
    header = os.pread(fd, HEADER.size, offset)
    if len(header) < HEADER.size:
        return None, 0
    length, crc = HEADER.unpack(header)
    if length < PREFIX.size or length > MAX_BODY or offset + HEADER.size + length > size:
        return None, 0
    body = os.pread(fd, length, offset + HEADER.size)
    return (body if zlib.crc32(body) == crc else None), HEADER.size + length


def walk_segment(segment: Segment, verify: bool) -> int:
    """Count the records of ``segment`` (sets count and size); returns the offset where the
    good records end. Without ``verify`` only lengths are checked, not CRCs."""
    fd = os.open(segment.path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        offset = count = 0
        while offset < size:
            if verify:
                body, length = read_record(fd, offset, size)
                if length and body is None and offset + length < size:
                    pass  # corrupt but framed, more records follow: drain skips it
                elif body is None:
                    break
            else:
                header = os.pread(fd, HEADER.size, offset)
                length = HEADER.size + (HEADER.unpack(header)[0] if len(header) == 8 else 0)
                if length < HEADER.size + PREFIX.size or offset + length > size:
                    break
            offset += length
            count += 1
        segment.count, segment.size = count, size
        return offset
    finally:
        os.close(fd)


def read_acked(directory: Path) -> int:
    try:
        return int((directory / "acked").read_text().strip() or 0)
    except (OSError, ValueError):
        return 0  # missing or torn: start from the oldest segment, re-sends are duplicates


def check_format(directory: Path, create: bool) -> None:
    path = directory / "FORMAT"
    try:
        text = path.read_text()
    except FileNotFoundError:
        if not create:
            raise SpoolError(f"{directory} is not a spool (no FORMAT file)") from None
        tmp = directory / "FORMAT.tmp"
        tmp.write_text(FORMAT_TEXT)
        os.replace(tmp, path)
        return
    if text != FORMAT_TEXT:
        raise SpoolError(
            f"spool {directory} has format {text.strip()!r}; this version reads "
            f"{FORMAT_TEXT.strip()!r}"
        )


def spool_status(directory: str | os.PathLike[str]) -> SpoolStatus:
    """Frames waiting in a spool, read without taking it (its owner may be running)."""
    path = Path(directory)
    if not path.is_dir():
        raise SpoolError(f"{path} is not a directory")
    check_format(path, create=False)
    acked = read_acked(path)
    frames = waiting_bytes = disk = 0
    oldest: float | None = None
    segments = list_segments(path)
    for segment in segments:
        with contextlib.suppress(FileNotFoundError):  # its owner deleted it meanwhile
            fd = os.open(segment.path, os.O_RDONLY)
            try:
                size = os.fstat(fd).st_size
                disk += size
                offset, seq = 0, segment.first_seq
                while offset < size:
                    header = os.pread(fd, HEADER.size, offset)
                    if len(header) < HEADER.size:
                        break
                    length = HEADER.size + HEADER.unpack(header)[0]
                    if length < HEADER.size + PREFIX.size or offset + length > size:
                        break  # a record being written, or a torn tail
                    if seq >= acked:
                        frames += 1
                        waiting_bytes += length
                        if oldest is None:
                            prefix = os.pread(fd, PREFIX.size, offset + HEADER.size)
                            oldest = PREFIX.unpack(prefix)[1]
                    offset += length
                    seq += 1
            finally:
                os.close(fd)
    return SpoolStatus(frames, waiting_bytes, disk, len(segments), oldest)
