"""The `.echoreplay` writer: line format, game field names, zip streaming, and our reader."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nevr_events.client.replay import ReplayFrame, read_echoreplay
from nevr_events.wire.echoreplay import (
    echoreplay_chunks,
    echoreplay_line,
    format_recorded_time,
    session_to_game_json,
)
from nevr_events.wire.fastframe import FastFrameValidator
from tests.support import load_sample, new_session_id
from tests.test_replay import bones

START = datetime(2025, 12, 4, 3, 10, 0, 123000, tzinfo=UTC)


def stored_frame(sid: str, index: int, *, with_bones: bool = False) -> dict[str, Any]:
    """A frame in the stored form (canonical protojson, proto names), via the validator."""
    session = load_sample()
    session["sessionid"] = sid
    frame: dict[str, Any] = {
        "frame_index": index,
        "timestamp": (START + timedelta(milliseconds=33 * index)).isoformat(),
        "session": session,
    }
    if with_bones:
        frame["player_bones"] = bones(index)
    parsed = FastFrameValidator().parse(json.dumps({"frame": frame}))
    assert parsed.frame is not None
    return parsed.frame


def test_recorded_time_has_exactly_three_fractional_digits() -> None:
    text = format_recorded_time(START.replace(microsecond=123999))
    assert text == "2025/12/04 03:10:00.123"  # to the millisecond
    assert len(text) == 23
    assert format_recorded_time(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)).endswith("05.000")


def test_line_has_three_parts_crlf_and_game_field_names() -> None:
    sid = new_session_id()
    frame = stored_frame(sid, 0)
    assert "session_id" in frame["session"]  # the stored form uses proto names
    line = echoreplay_line(START, frame)
    assert line.endswith(b"\r\n") and line.count(b"\r\n") == 1
    stamp, session_json, bones_json = line[:-2].split(b"\t")
    assert stamp == b"2025/12/04 03:10:00.123"
    assert bones_json == b" {}"  # always three parts; `{}` when the frame has no bones
    session = json.loads(session_json)
    assert session["sessionid"] == sid and "session_id" not in session
    player = session["teams"][1]["players"][0]
    assert isinstance(player["userid"], int)  # 64-bit ints are JSON numbers, as the game writes
    assert player["userid"] == load_sample()["teams"][1]["players"][0]["userid"]
    assert session["client_name"] == ""  # unpopulated fields are written too


def contains(written: Any, sent: Any) -> bool:
    """Whether ``written`` holds everything of ``sent`` (it may add unpopulated fields)."""
    if isinstance(sent, dict):
        return isinstance(written, dict) and all(
            k in written and contains(written[k], v) for k, v in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(written, list)
            and len(written) == len(sent)
            and all(contains(w, s) for w, s in zip(written, sent, strict=True))
        )
    return type(written) is type(sent) and written == sent


def test_game_json_holds_everything_the_game_sent() -> None:
    sample = load_sample()
    game = session_to_game_json(stored_frame(sample["sessionid"], 0)["session"])
    assert contains(game, sample)
    assert game["teams"][0]["players"] == []  # added: the game left the empty list out


def test_lines_with_bones_carry_them_in_game_names() -> None:
    frame = stored_frame(new_session_id(), 4, with_bones=True)
    _, _, bones_json = echoreplay_line(START, frame)[:-2].split(b"\t")
    assert bones_json.startswith(b" {")
    assert json.loads(bones_json) == bones(4)


def test_archive_read_back_gives_the_stored_frames(tmp_path: Path) -> None:
    sid = new_session_id()
    frames = [stored_frame(sid, i, with_bones=i % 3 == 0) for i in range(30)]
    pairs = [(START + timedelta(milliseconds=33 * i), frame) for i, frame in enumerate(frames)]
    path = tmp_path / "download.echoreplay"
    path.write_bytes(b"".join(echoreplay_chunks(sid.lower(), pairs)))
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [f"{sid.lower()}.echoreplay"]
        text = archive.read(archive.namelist()[0])
    assert text.count(b"\r\n") == 30 and text.endswith(b"\r\n")
    items = list(read_echoreplay(path))
    assert all(isinstance(item, ReplayFrame) for item in items)
    validator = FastFrameValidator()
    again = [validator.parse(json.dumps(item.message)).frame for item in items]  # type: ignore[union-attr]
    assert again == frames  # session, bones and timestamps (ms) as stored


def test_archive_is_produced_in_bounded_chunks_with_flat_memory() -> None:
    """An 18,000-frame match: no chunk is large and memory does not follow the match length."""
    sid = new_session_id()
    frame = stored_frame(sid, 1, with_bones=True)
    pairs = ((START + timedelta(milliseconds=33 * i), frame) for i in range(18_000))
    tracemalloc.start()
    sink = io.BytesIO()
    largest = 0
    try:
        for chunk in echoreplay_chunks(sid, pairs):
            largest = max(largest, len(chunk))
            sink.write(chunk)
            sink.seek(0)
            sink.truncate()  # keep only the current chunk, as a socket would
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert largest < 2 * 1024 * 1024
    assert peak < 8 * 1024 * 1024  # ~200 MB of text went through
