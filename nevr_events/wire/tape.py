"""Writing ``.tape`` recordings (telemetry v2); the reader is ``nevr_events.wire.tapereader``.

A ``.tape`` is a stream of envelopes (``telemetry.v2.Envelope``), each prefixed
by its length as an unsigned varint: one header, the frames, one footer. Three
layouts hold that stream, and readers tell them apart by content:

- ``stream``: one zstd stream of the whole envelope stream (the agent's layout);
- ``blocks``: one zstd frame for the header, one per 100 frames starting at a
  keyframe, one for the footer, then a zstd *skippable* frame holding the seek
  table (the tape library's default since v4.1.0), so a reader can seek to a
  keyframe's block;
- ``raw``: the envelope stream uncompressed.

The footer counts the frames, gives the last frame's offset as the duration,
the decompressed offset of its own prefix, a keyframe index (every 100th frame,
at the decompressed offset of its prefix; in ``blocks``, the file offset of its
block) and, per event type, the frames that have one. Frames are numbered
0, 1, 2, … as written, whatever index they had.

:class:`TapeEncoder` is streaming: it returns the bytes to write after each
call and holds at most one block of frames, so memory stays constant whatever
the capture's length (but for the footer's indexes, a few integers per keyframe
and per event).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from typing import Literal

import zstandard

from nevr_events.wire.pb import capture_pb2
from nevr_events.wire.pb import echo_arena_pb2 as ea

TAPE_SUFFIX = ".tape"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
SEEK_TABLE_MAGIC = 0x184D2A5E
SEEK_FOOTER_MAGIC = 0x8F92EAB1
KEYFRAME_INTERVAL = 100
# Level 3 is zstd's default: a window well under the readers' 8 MiB limit.
ZSTD_LEVEL = 3

Layout = Literal["stream", "blocks", "raw"]
LAYOUTS: tuple[Layout, ...] = ("stream", "blocks", "raw")

_EVENT_TYPES: dict[str, int] = {
    field.name: capture_pb2.EventType.Value(
        "EVENT_TYPE_GENERIC"
        if field.name == "generic_event"
        else "EVENT_TYPE_" + field.name.upper()
    )
    for field in ea.EchoEvent.DESCRIPTOR.oneofs_by_name["event"].fields
}


def uvarint(value: int) -> bytes:
    """The unsigned varint encoding of ``value``."""
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def prefixed(envelope: capture_pb2.Envelope) -> bytes:
    """An envelope with its length prefix, as the stream holds it."""
    data = envelope.SerializeToString()
    return uvarint(len(data)) + data


def event_type(event: ea.EchoEvent) -> int:
    """The footer's ``EventType`` of an event (0 for an empty one)."""
    kind = event.WhichOneof("event")
    return _EVENT_TYPES[kind] if kind else 0


class TapeEncoder:
    """One capture's ``.tape`` bytes, produced piece by piece.

    Call :meth:`header` once, :meth:`frame` per frame, :meth:`finish` once;
    each returns the bytes to append to the file (possibly none yet).
    """

    def __init__(self, layout: Layout = "stream", level: int = ZSTD_LEVEL) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown .tape layout {layout!r}; expected one of {LAYOUTS}")
        self.layout = layout
        self._cctx = zstandard.ZstdCompressor(level=level, write_checksum=True)
        self._stream = self._cctx.compressobj() if layout == "stream" else None
        self._decoded = 0  # decompressed bytes so far: the next envelope's offset
        self._written = 0  # file bytes so far (for the blocks layout's keyframe offsets)
        self._block = bytearray()
        self._seek: list[tuple[int, int]] = []
        self._count = 0
        self._last_offset = 0
        self._footer = capture_pb2.CaptureFooter()
        self._events: dict[int, list[int]] = {}
        self._started = False

    def _out(self, data: bytes) -> bytes:
        """Decompressed bytes in, file bytes out (the stream and raw layouts)."""
        self._decoded += len(data)
        if self._stream is not None:
            data = self._stream.compress(data)
        self._written += len(data)
        return data

    def _flush_block(self) -> bytes:
        if not self._block:
            return b""
        raw = bytes(self._block)
        self._block.clear()
        packed = self._cctx.compress(raw)
        self._seek.append((len(packed), len(raw)))
        self._written += len(packed)
        return packed

    def header(self, header: capture_pb2.CaptureHeader) -> bytes:
        if self._started:
            raise ValueError("a .tape holds one header")
        self._started = True
        data = prefixed(capture_pb2.Envelope(header=header))
        if self.layout != "blocks":
            return self._out(data)
        self._decoded += len(data)
        self._block += data
        return self._flush_block()

    def frame(self, frame: capture_pb2.Frame) -> bytes:
        if not self._started:
            raise ValueError("a .tape frame before its header")
        index = self._count
        if frame.frame_index != index:
            renumbered = capture_pb2.Frame()
            renumbered.CopyFrom(frame)
            renumbered.frame_index = index
            frame = renumbered
        self._count += 1
        self._last_offset = frame.timestamp_offset_ms
        for kind in {event_type(e) for e in frame.echo_arena.events} - {0}:
            self._events.setdefault(kind, []).append(index)
        data = prefixed(capture_pb2.Envelope(frame=frame))
        out = b""
        keyframe = index % KEYFRAME_INTERVAL == 0
        if self.layout == "blocks":
            if keyframe:
                out = self._flush_block()
                self._footer.keyframe_index.add(frame_index=index, byte_offset=self._written)
            self._decoded += len(data)
            self._block += data
            return out
        if keyframe:
            self._footer.keyframe_index.add(frame_index=index, byte_offset=self._decoded)
        return self._out(data)

    def finish(self) -> bytes:
        """The footer (and, in ``blocks``, the seek table): the file's last bytes."""
        footer = self._footer
        footer.frame_count = self._count
        footer.duration_ms = self._last_offset
        footer.footer_offset = self._decoded
        for kind in sorted(self._events):
            footer.event_index.add(event_type=kind, frame_indices=self._events[kind])
        data = prefixed(capture_pb2.Envelope(footer=footer))
        if self.layout == "raw":
            return self._out(data)
        if self.layout == "stream":
            assert self._stream is not None
            return self._out(data) + self._stream.flush()
        out = self._flush_block()
        self._decoded += len(data)
        self._block += data
        return out + self._flush_block() + seek_table(self._seek)


def seek_table(entries: list[tuple[int, int]]) -> bytes:
    """The skippable zstd frame of a per-block file's seek table."""
    body = b"".join(struct.pack("<II", packed, raw) for packed, raw in entries)
    body += struct.pack("<IBI", len(entries), 0, SEEK_FOOTER_MAGIC)
    return struct.pack("<II", SEEK_TABLE_MAGIC, len(body)) + body


def tape_chunks(
    header: capture_pb2.CaptureHeader,
    frames: Iterable[capture_pb2.Frame],
    layout: Layout = "stream",
) -> Iterator[bytes]:
    """A whole ``.tape`` file, piece by piece (empty pieces left out)."""
    encoder = TapeEncoder(layout)
    if data := encoder.header(header):
        yield data
    for frame in frames:
        if data := encoder.frame(frame):
            yield data
    yield encoder.finish()
