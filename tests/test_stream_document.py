"""The stored form the stream builds (``build_document``) for each kind of store."""

from __future__ import annotations

from datetime import UTC, datetime

import bson
import orjson

from nevr_events.server.store.base import DECODE, frame_json
from nevr_events.server.store.sqlite_rows import ZSTD_LEVEL, decode_row, to_row
from nevr_events.server.stream import build_document
from nevr_events.testing.frames import build_frame
from nevr_events.wire.fastframe import FastFrameValidator

RECEIVED = datetime(2025, 12, 4, 3, 38, 22, 60000, tzinfo=UTC)


def _frame() -> dict:
    text = orjson.dumps({"frame": build_frame(n_players=2, frame_index=5)}).decode()
    frame = FastFrameValidator().parse(text).frame
    assert frame is not None
    return frame


def _build(frame: dict, keep_json: bool) -> bson.raw_bson.RawBSONDocument:
    return build_document(
        frame, session_id="s-1", user_id="u-1", node="n", received=RECEIVED, keep_json=keep_json
    )


def test_json_keeping_stores_get_a_head_without_the_frame_and_the_frames_json() -> None:
    frame = _frame()
    full = _build(frame, keep_json=False)
    split = _build(frame, keep_json=True)
    head = bson.decode(split.raw, codec_options=DECODE)
    assert head["frame"] is None  # the frame is not encoded twice
    assert split.frame_json == frame_json(frame)
    whole = bson.decode(full.raw, codec_options=DECODE)
    assert whole["frame"] == frame
    assert {k: v for k, v in head.items() if k not in ("_id", "frame")} == {
        k: v for k, v in whole.items() if k not in ("_id", "frame")
    }
    assert split.frame_json is not None and getattr(full, "frame_json", None) is None


def test_the_sqlite_row_of_the_split_form_reads_back_as_the_whole_document() -> None:
    import zstandard

    frame = _frame()
    split = _build(frame, keep_json=True)
    row = to_row(split)
    assert isinstance(row, tuple)
    head, frame_bytes = row[5], row[6]
    assert head == split.raw  # taken as it is, not decoded and encoded again
    packed = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(frame_bytes)
    stored = decode_row(head, packed)
    expected = bson.decode(split.raw, codec_options=DECODE) | {"frame": frame}
    assert stored == expected
    # The same row as from a plain document (the form other callers hand the store).
    plain_row = to_row(bson.decode(split.raw, codec_options=DECODE) | {"frame": frame})
    assert isinstance(plain_row, tuple)
    assert plain_row[:5] == row[:5] and plain_row[6] == frame_bytes
    assert bson.decode(plain_row[5], codec_options=DECODE) == bson.decode(
        head, codec_options=DECODE
    )
