"""The stored form the stream builds (``build_document``) for each kind of store."""

from __future__ import annotations

from datetime import UTC, datetime

import bson
import orjson
import pytest
from bson.raw_bson import RawBSONDocument

from nevr_events.server.ingest.documents import build_document
from nevr_events.server.store.base import DECODE, StoredDocument, bson_form, frame_json
from nevr_events.server.store.sqlite_rows import (
    decode_row,
    millis,
    new_compressor,
    split_document,
    to_row,
)
from nevr_events.testing.frames import build_frame
from nevr_events.wire.fastframe import FastFrameValidator

RECEIVED = datetime(2025, 12, 4, 3, 38, 22, 60000, tzinfo=UTC)
GOAL = {"player_goal": {"player_slot": 2, "total_goals": 1, "points": 2}}


def _frame() -> dict:
    text = orjson.dumps({"frame": build_frame(n_players=2, frame_index=5)}).decode()
    frame = FastFrameValidator().parse(text).frame
    assert frame is not None
    return frame


def _build(frame: dict, keep_json: bool) -> bson.raw_bson.RawBSONDocument:
    return build_document(
        frame,
        session_id="s-1",
        user_id="u-1",
        node="n",
        received=RECEIVED,
        stored_form=split_document if keep_json else bson_form,
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

    frame = _frame()
    split = _build(frame, keep_json=True)
    row = to_row(split)
    assert isinstance(row, tuple)
    head, frame_bytes = row[5], row[6]
    assert head == split.raw  # taken as it is, not decoded and encoded again
    packed = new_compressor().compress(frame_bytes)
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


def _row_from_bson(document: StoredDocument) -> tuple:
    """What ``to_row`` computes by decoding the head, without the stream's row."""
    row = to_row(StoredDocument(document.raw, document.frame_json))
    assert isinstance(row, tuple)
    return row


@pytest.mark.parametrize(
    ("timestamp", "frame_index", "events"),
    [
        ("2025-12-04T03:38:22.123456789Z", 5, []),  # 9 digits: BSON keeps milliseconds
        ("2025-12-04T05:38:22.999999+02:00", 7, [GOAL, {"round_started": {}}]),
        ("1969-12-31T23:59:59.9995Z", 0, [GOAL]),  # before the epoch: truncated the same way
        ("", 3, []),  # no timestamp: the arrival time
    ],
)
def test_the_streams_precomputed_row_is_the_row_to_row_computes_from_the_bson(
    timestamp: str, frame_index: int, events: list
) -> None:
    frame = {**_frame(), "frame_index": frame_index, "timestamp": timestamp, "events": events}
    split = _build(frame, keep_json=True)
    assert isinstance(split, StoredDocument) and split.row is not None
    assert to_row(split) is split.row  # taken as it is: the head is not decoded again
    assert split.row == _row_from_bson(split)
    assert split.row[3] == millis(bson.decode(split.raw, codec_options=DECODE)["timestamp"])
    assert split.row[7] == [name for event in events for name in event]


def test_a_stored_document_without_a_row_and_other_forms_are_converted_as_before() -> None:
    frame = _frame()
    split = _build(frame, keep_json=True)
    head = bson.decode(split.raw, codec_options=DECODE)
    expected = split.row
    assert expected is not None
    # From elsewhere (bench/read.py, other callers): a StoredDocument without a row,
    # a RawBSONDocument of the whole document, a plain dict.
    assert _row_from_bson(split) == expected
    whole = RawBSONDocument(bson.encode(head | {"frame": frame}))
    for document in (whole, head | {"frame": frame}):
        row = to_row(document)
        assert isinstance(row, tuple)
        assert row[:5] == expected[:5] and row[6:] == expected[6:]
        assert bson.decode(row[5], codec_options=DECODE) == head


def test_stored_frames_are_standard_zstd_and_well_compressed() -> None:
    import zstandard

    frame_bytes = frame_json(build_frame(n_players=10, frame_index=4))
    packed = new_compressor().compress(frame_bytes)
    assert zstandard.ZstdDecompressor().decompress(packed) == frame_bytes  # any decoder
    assert len(packed) < len(frame_bytes) * 0.45  # ~35 % of the JSON for a 10-player frame
