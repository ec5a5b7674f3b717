"""``.tape`` files: our writer in its three layouts, the bounded reader, and corrupt files."""

from __future__ import annotations

import io
import struct

import pytest
import zstandard

from nevr_events.testing.match import stored, v2_match
from nevr_events.wire.pb import capture_pb2
from nevr_events.wire.tape import (
    LAYOUTS,
    SEEK_FOOTER_MAGIC,
    SEEK_TABLE_MAGIC,
    Layout,
    TapeEncoder,
    event_type,
    prefixed,
    tape_chunks,
)
from nevr_events.wire.tapereader import TapeError, TapeLimits, TapeStats, read_tape
from nevr_events.wire.v2.tov1 import V2ToV1
from nevr_events.wire.v2.tov2 import V1ToV2, header_from_v1

MATCH = v2_match(frames=300, players=10)
HEADER = header_from_v1("capture", None, {}, MATCH[0])
_FORWARD = V1ToV2(HEADER)
FRAMES = [_FORWARD.frame(frame) for frame in MATCH]


def _tape(layout: Layout, frames: list[capture_pb2.Frame] = FRAMES) -> bytes:
    return b"".join(tape_chunks(HEADER, frames, layout))


def _read(data: bytes, limits: TapeLimits | None = None) -> tuple[list[object], TapeStats]:
    stats = TapeStats()
    return list(read_tape(io.BytesIO(data), limits, stats)), stats


def _decoded(data: bytes) -> bytes:
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    return reader.read()


def _message_at(data: bytes, offset: int) -> capture_pb2.Envelope:
    length, shift = 0, 0
    while True:
        byte = data[offset]
        offset += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            break
    return capture_pb2.Envelope.FromString(data[offset : offset + length])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_300_frames_v1_to_tape_to_v1_are_the_same_frames(layout: Layout) -> None:
    items, stats = _read(_tape(layout))
    header, *frames = items
    assert isinstance(header, capture_pb2.CaptureHeader)
    assert stats.compressed == (layout != "raw")
    rebuild = V2ToV1(header)
    back = [rebuild.frame(frame) for frame in frames if isinstance(frame, capture_pb2.Frame)]
    assert [stored(f) for f in back] == [stored(f) for f in MATCH]
    assert sum(1 for f in back if f.player_bones.user_bones) == 100


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_footer_indexes_point_at_their_frames(layout: Layout) -> None:
    data = _tape(layout)
    _, stats = _read(data)
    footer = stats.footer
    assert footer is not None
    assert footer.frame_count == 300 and footer.duration_ms == FRAMES[-1].timestamp_offset_ms
    decoded = data if layout == "raw" else _decoded(data)
    assert _message_at(decoded, footer.footer_offset).WhichOneof("message") == "footer"
    assert [k.frame_index for k in footer.keyframe_index] == [0, 100, 200]
    for entry in footer.keyframe_index:
        if layout == "blocks":  # the file offset of the block that starts at the keyframe
            block = zstandard.ZstdDecompressor().stream_reader(
                io.BytesIO(data[entry.byte_offset :])
            )
            first = _message_at(block.read(1 << 16), 0)
        else:
            first = _message_at(decoded, entry.byte_offset)
        assert first.frame.frame_index == entry.frame_index
    types = [entry.event_type for entry in footer.event_index]
    assert types == sorted(types) and len(types) == len(set(types))
    for entry in footer.event_index:
        expected = [
            f.frame_index
            for f in FRAMES
            if any(event_type(e) == entry.event_type for e in f.echo_arena.events)
        ]
        assert list(entry.frame_indices) == expected


def test_the_per_block_layout_ends_in_a_seek_table_of_every_block() -> None:
    data = b"".join(tape_chunks(HEADER, FRAMES + FRAMES[:100], "blocks"))
    (count, descriptor, magic) = struct.unpack("<IBI", data[-9:])
    assert (count, descriptor, magic) == (6, 0, SEEK_FOOTER_MAGIC)  # header, 4 blocks, footer
    table = 8 + 8 * count + 9
    assert struct.unpack("<II", data[-table : -table + 8]) == (SEEK_TABLE_MAGIC, 8 * count + 9)
    entries = [
        struct.unpack("<II", data[-table + 8 + 8 * i : -table + 16 + 8 * i]) for i in range(count)
    ]
    assert sum(packed for packed, _ in entries) == len(data) - table
    assert sum(raw for _, raw in entries) == len(_decoded(data))
    items, _ = _read(data)
    assert len(items) == 401


def test_frames_are_numbered_as_written() -> None:
    renumbered = [
        capture_pb2.Frame(frame_index=7 + i, echo_arena=f.echo_arena)
        for i, f in enumerate(FRAMES[:3])
    ]
    items, _ = _read(_tape("stream", renumbered))
    assert [f.frame_index for f in items[1:] if isinstance(f, capture_pb2.Frame)] == [0, 1, 2]


@pytest.mark.parametrize("layout", ["stream", "blocks"])
def test_a_file_cut_short_gives_its_good_frames_then_an_error_naming_the_frame(
    layout: Layout,
) -> None:
    data = _tape(layout)
    got: list[object] = []
    with pytest.raises(TapeError, match=r"frame \d+") as caught:
        got.extend(read_tape(io.BytesIO(data[: len(data) // 2])))
    assert 50 < len(got) - 1 < 300
    assert f"frame {len(got) - 1}" in str(caught.value)


def test_a_raw_file_cut_short_names_the_frame_too() -> None:
    data = _tape("raw")
    got: list[object] = []
    with pytest.raises(TapeError, match=r"frame \d+: the data ends inside a message"):
        got.extend(read_tape(io.BytesIO(data[: len(data) // 2 + 3])))
    assert len(got) > 100


@pytest.mark.parametrize("flip", range(0, 100, 7))
def test_a_flipped_byte_is_refused_after_the_good_blocks_and_no_damaged_frame_is_given(
    flip: int,
) -> None:
    for layout, whole_blocks in (("blocks", True), ("stream", False)):
        data = bytearray(_tape(layout))
        data[len(data) * flip // 100 + 5] ^= 0x10
        got: list[object] = []
        with pytest.raises(TapeError, match=r"frame \d+: "):
            got.extend(read_tape(io.BytesIO(bytes(data))))
        frames = got[1:]
        assert frames == FRAMES[: len(frames)]
        # Per block, every block before the damaged one; whole stream, checked at its end.
        assert len(frames) % 100 == 0 if whole_blocks else frames == []


def test_a_footer_counting_other_frames_is_refused() -> None:
    raw = bytearray()
    raw += prefixed(capture_pb2.Envelope(header=HEADER))
    for frame in FRAMES[:3]:
        raw += prefixed(capture_pb2.Envelope(frame=frame))
    raw += prefixed(capture_pb2.Envelope(footer=capture_pb2.CaptureFooter(frame_count=10)))
    with pytest.raises(TapeError, match="counts 10 frames, the file has 3"):
        _read(bytes(raw))


def _raw(*envelopes: bytes) -> bytes:
    return prefixed(capture_pb2.Envelope(header=HEADER)) + b"".join(envelopes)


def _footer(count: int) -> bytes:
    return prefixed(capture_pb2.Envelope(footer=capture_pb2.CaptureFooter(frame_count=count)))


def test_container_rules() -> None:
    frame = prefixed(capture_pb2.Envelope(frame=FRAMES[0]))
    unknown = b"\x04" + b"\x22\x02\x08\x01"  # an envelope case from a newer producer (field 4)
    items, stats = _read(_raw(unknown, frame, _footer(1)))
    assert (len(items), stats.skipped) == (2, 1)
    with pytest.raises(TapeError, match="second header"):
        _read(_raw(frame, prefixed(capture_pb2.Envelope(header=HEADER)), _footer(1)))
    with pytest.raises(TapeError, match="empty envelope"):
        _read(_raw(b"\x00", _footer(0)))
    with pytest.raises(TapeError, match="after the footer"):
        _read(_raw(_footer(0), frame))
    with pytest.raises(TapeError, match="without a footer"):
        _read(_raw(frame))
    newer = capture_pb2.CaptureHeader(format_version=3)
    with pytest.raises(TapeError, match="format version 3"):
        _read(prefixed(capture_pb2.Envelope(header=newer)) + _footer(0))
    with pytest.raises(TapeError, match=r"not a \.tape"):
        _read(b"PK\x03\x04 an echoreplay zip")


def test_budgets_refuse_decompression_bombs() -> None:
    data = _tape("stream")
    with pytest.raises(TapeError, match="decoded bytes"):
        _read(data, TapeLimits(max_decoded_bytes=100_000))
    with pytest.raises(TapeError, match="more than 10 frames"):
        _read(data, TapeLimits(max_frames=10))
    # A prefix announcing 200 MiB of which 3 bytes exist: refused, nothing that large held.
    liar = _raw(b"\x80\x80\x80\x64abc")
    with pytest.raises(TapeError, match="ends inside a message"):
        _read(liar)
    with pytest.raises(TapeError, match="a message of"):
        _read(liar, TapeLimits(max_message_bytes=1 << 20))
    # Zeros compress to almost nothing: a bomb's budget is counted on decoded bytes.
    bomb = zstandard.ZstdCompressor().compress(_raw(b"\x80\x80\x80\x02" + b"\x00" * (4 << 20)))
    with pytest.raises(TapeError, match="decoded bytes"):
        _read(bomb, TapeLimits(max_decoded_bytes=1 << 20))


def test_a_zstd_window_above_8_mib_is_refused() -> None:
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=24)
    packer = zstandard.ZstdCompressor(compression_params=params).compressobj()
    data = packer.compress(_tape("raw")) + packer.flush()
    with pytest.raises(TapeError, match="corrupt compressed data"):
        _read(data)


def test_the_encoder_streams() -> None:
    encoder = TapeEncoder("blocks")
    pieces = [encoder.header(HEADER)] + [encoder.frame(f) for f in FRAMES] + [encoder.finish()]
    # The header, two full blocks, then the last block with the footer and seek table.
    assert sum(1 for piece in pieces if piece) == 4
    with pytest.raises(ValueError, match="before its header"):
        TapeEncoder().frame(FRAMES[0])


def test_a_seek_table_that_does_not_match_its_blocks_is_refused() -> None:
    data = bytearray(_tape("blocks"))
    count = struct.unpack("<I", data[-9:-5])[0]
    first_entry = len(data) - (8 * count + 9)
    struct.pack_into("<I", data, first_entry, 12345)
    with pytest.raises(TapeError, match="seek table does not match"):
        _read(bytes(data))
    data[-1] ^= 0xFF  # the table's own magic number
    with pytest.raises(TapeError, match="corrupt seek table"):
        _read(bytes(data))


def test_a_file_cut_after_the_footer_but_before_its_checksum_is_refused() -> None:
    data = _tape("stream")
    with pytest.raises(TapeError, match="ends inside a zstd frame"):
        _read(data[:-4])  # the stream's checksum: the footer itself may be whole
