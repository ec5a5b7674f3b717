"""Reading ``.tape`` recordings (telemetry v2) with bounded memory; the writer is ``wire.tape``.

The layout is told by content, not by the file's name: a zstd magic number
opens a compressed file (the whole-stream and the per-block layouts read the
same way: the seek table is a skippable frame), anything else is read as an
uncompressed envelope stream.

The reader refuses what could exhaust memory or never end: more decoded bytes
or frames than :class:`TapeLimits` allows, a message longer than its limit, a
zstd window above 8 MiB. Its buffers grow a chunk at a time, so a length prefix
that lies costs no more than the bytes really there. It checks the container
as the reference reader does: one header first (format version 0 or 2), frames,
one footer whose frame count matches, nothing after it; the whole zstd stream
is read so its checksum is checked, and a per-block file's seek table must
list its compressed blocks as they are. An envelope of a kind it does not know (a
newer producer's) is skipped and counted.

A broken file raises :class:`TapeError` naming the frame where it broke, after
every good frame before it has been yielded. Good means checked: a zstd frame
is given only once its checksum has passed (up to ``HOLD`` decoded bytes), so a
per-block file with a flipped byte gives the frames of every block before the
damaged one, and a whole-stream file (one zstd frame) of up to ``HOLD`` bytes
gives none. A file cut short gives every frame decoded before the cut.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import zstandard
from google.protobuf.message import DecodeError

from nevr_events.wire.pb import capture_pb2
from nevr_events.wire.tape import SEEK_FOOTER_MAGIC, SEEK_TABLE_MAGIC, ZSTD_MAGIC

# Small reads: a corrupt block is found close to the frames it holds, so the
# good frames before it are still given.
CHUNK = 64 << 10
# Skippable zstd frames (magic 0x184D2A50 to 0x184D2A5F) and the largest one read:
# a seek table of ten million frames is under a megabyte.
SKIPPABLE_MAGIC = 0x184D2A50
MAX_SKIPPABLE = 1 << 20
# The decoded bytes of one zstd frame held back until its checksum is checked.
HOLD = 64 << 20
MAX_WINDOW = 8 << 20


@dataclass(frozen=True, slots=True)
class TapeLimits:
    """The decompression-bomb budget of one file."""

    max_decoded_bytes: int = 8 << 30
    max_frames: int = 10_000_000
    max_message_bytes: int = 256 << 20


class TapeError(ValueError):
    """A ``.tape`` that is not well formed, or over budget."""


class Source:
    """Decoded bytes read a chunk at a time, with the decoded-bytes budget.

    Compressed data is decoded one zstd frame at a time, and a frame's bytes
    are given only once its checksum has passed, up to ``HOLD`` bytes (a whole
    block of the per-block layout): a damaged block then yields no frame at all.
    A file cut short gives what was decoded before the cut.
    """

    def __init__(self, raw: IO[bytes], limits: TapeLimits) -> None:
        self._raw = raw
        self.limits = limits
        self._buffer = bytearray(raw.read(4))
        self.compressed = bytes(self._buffer) == ZSTD_MAGIC
        self._dctx = zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW)
        self._dobj = self._dctx.decompressobj()
        self._held = bytearray()  # decoded, its checksum not yet seen
        self._input = b""  # compressed bytes at a frame boundary, too few to tell its kind
        self._fed = 0  # compressed bytes of the current zstd frame so far (0: at a boundary)
        self._made = 0  # decoded bytes of the current zstd frame so far
        self.blocks: list[tuple[int, int]] = []  # (compressed, decoded) of each zstd frame
        self.seek_table: bytes | None = None
        self.truncated = False  # the data ended inside a zstd frame
        self._seen = len(self._buffer)
        if self.compressed:
            head = bytes(self._buffer)
            self._buffer.clear()
            self._seen = 0
            self._decode(head)

    def _decode(self, data: bytes) -> None:
        if self._input:
            data, self._input = self._input + data, b""
        while data:
            if not self._fed:
                data = self._skip(data)
                if not data:
                    return
            try:
                out = self._dobj.decompress(data)
            except zstandard.ZstdError as error:
                raise TapeError(f"corrupt compressed data ({error})") from error
            self._held += out
            self._made += len(out)
            if not self._dobj.eof:
                self._fed += len(data)
                break
            rest = self._dobj.unused_data
            self.blocks.append((self._fed + len(data) - len(rest), self._made))
            self._release()
            self._dobj, self._fed, self._made = self._dctx.decompressobj(), 0, 0
            data = rest
        if len(self._held) > HOLD:
            self._release()

    def _skip(self, data: bytes) -> bytes:
        """At a frame boundary: skippable frames taken off (the seek table kept)."""
        while len(data) >= 8:
            magic, size = struct.unpack_from("<II", data)
            if magic & 0xFFFFFFF0 != SKIPPABLE_MAGIC:
                return data
            if size > MAX_SKIPPABLE:
                raise TapeError(f"a skippable frame of {size} bytes")
            if len(data) < 8 + size:
                break
            if magic == SEEK_TABLE_MAGIC:
                self.seek_table = data[8 : 8 + size]
            data = data[8 + size :]
        self._input = data
        return b""

    def _release(self) -> None:
        self._seen += len(self._held)
        if self._seen > self.limits.max_decoded_bytes:
            raise TapeError(f"more than {self.limits.max_decoded_bytes} decoded bytes")
        self._buffer += self._held
        self._held.clear()

    def _fill(self, need: int) -> bool:
        """At least ``need`` bytes buffered; False at the end of the data."""
        while len(self._buffer) < need:
            chunk = self._raw.read(CHUNK)
            if not chunk:
                self._release()  # a file cut short: what decoded before the cut
                self.truncated = self._fed > 0 or bool(self._input)
                return len(self._buffer) >= need
            if self.compressed:
                self._decode(chunk)
            else:
                self._seen += len(chunk)
                if self._seen > self.limits.max_decoded_bytes:
                    raise TapeError(f"more than {self.limits.max_decoded_bytes} decoded bytes")
                self._buffer += chunk
        return True

    def check_end(self) -> None:
        """At the end of the data: the last zstd frame whole, the seek table true."""
        if self.truncated:
            raise TapeError("the compressed data ends inside a zstd frame (cut short?)")
        table = self.seek_table
        if table is None:
            return  # the whole-stream layout, or a per-block file not finished
        if len(table) < 9:
            raise TapeError("a corrupt seek table (too short)")
        count, descriptor, magic = struct.unpack_from("<IBI", table, len(table) - 9)
        width = 12 if descriptor & 0x80 else 8  # bit 7: a checksum per entry
        if magic != SEEK_FOOTER_MAGIC or descriptor & 0x7C or len(table) != width * count + 9:
            raise TapeError("a corrupt seek table")
        entries = [struct.unpack_from("<II", table, i * width) for i in range(count)]
        if entries != self.blocks:
            raise TapeError("the seek table does not match the file's compressed blocks")

    def message(self) -> bytes | None:
        """The next length-prefixed message; None at a clean end of the data."""
        length, shift, used = 0, 0, 0
        while True:
            if not self._fill(used + 1):
                if used == 0:
                    return None
                raise TapeError("the data ends inside a length prefix")
            byte = self._buffer[used]
            used += 1
            length |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
            if shift > 63:
                raise TapeError("a length prefix longer than 10 bytes")
        if length > self.limits.max_message_bytes:
            raise TapeError(
                f"a message of {length} bytes (the limit is {self.limits.max_message_bytes})"
            )
        if not self._fill(used + length):
            raise TapeError(f"the data ends inside a message ({length} bytes announced)")
        data = bytes(self._buffer[used : used + length])
        del self._buffer[: used + length]
        return data


@dataclass(slots=True)
class TapeStats:
    """What a read found, filled in as it goes."""

    compressed: bool = False
    frames: int = 0
    skipped: int = 0
    footer: capture_pb2.CaptureFooter | None = None


def read_tape(
    raw: IO[bytes], limits: TapeLimits | None = None, stats: TapeStats | None = None
) -> Iterator[capture_pb2.CaptureHeader | capture_pb2.Frame]:
    """The header, then every frame, of one ``.tape``; the footer is checked at the end."""
    limits = limits or TapeLimits()
    stats = stats if stats is not None else TapeStats()
    source = Source(raw, limits)
    stats.compressed = source.compressed
    try:
        header = _envelope(source, "frame 0")
    except TapeError as error:
        if source.compressed:
            raise
        raise TapeError(f"not a .tape ({error})") from None
    if header is None or header.WhichOneof("message") != "header":
        raise TapeError("not a .tape: the first message is not a capture header")
    if header.header.format_version not in (0, 2):
        raise TapeError(f"unsupported .tape format version {header.header.format_version}")
    yield header.header
    while True:
        where = f"frame {stats.frames}"
        envelope = _envelope(source, where)
        if envelope is None:
            raise TapeError(f"{where}: the file ends without a footer (cut short?)")
        kind = envelope.WhichOneof("message")
        if kind == "frame":
            if stats.frames >= limits.max_frames:
                raise TapeError(f"more than {limits.max_frames} frames")
            stats.frames += 1
            yield envelope.frame
        elif kind == "footer":
            _check_footer(envelope.footer, stats.frames)
            stats.footer = envelope.footer
            if _envelope(source, "after the footer") is not None:
                raise TapeError("data after the footer")
            source.check_end()
            return
        elif kind == "header":
            raise TapeError(f"{where}: a second header")
        else:
            stats.skipped += 1


def _envelope(source: Source, where: str) -> capture_pb2.Envelope | None:
    try:
        data = source.message()
    except TapeError as error:
        raise TapeError(f"{where}: {error}") from None
    if data is None:
        return None
    if not data:
        raise TapeError(f"{where}: an empty envelope")
    try:
        return capture_pb2.Envelope.FromString(data)
    except DecodeError as error:
        raise TapeError(f"{where}: not a valid envelope ({error})") from None


def _check_footer(footer: capture_pb2.CaptureFooter, frames: int) -> None:
    if footer.frame_count != frames:
        raise TapeError(f"the footer counts {footer.frame_count} frames, the file has {frames}")
