"""`.echoreplay` and NDJSON readers, and a recording streamed end to end."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nevr_events.client.framestream import FrameStream
from nevr_events.client.http import Client
from nevr_events.client.replay import (
    LineError,
    ReplayFileError,
    ReplayFrame,
    read_echoreplay,
    read_frames,
    read_ndjson,
)
from tests.support import LiveServer, load_sample, new_session_id

START = datetime(2025, 12, 4, 3, 10, 0, tzinfo=UTC)


def bones(seed: int) -> dict[str, Any]:
    return {
        "user_bones": [
            {
                "bone_t": [round(0.01 * (seed + i), 3) for i in range(23 * 3)],
                "bone_o": [round(0.001 * (seed + i), 4) for i in range(23 * 4)],
                "playerid": 0,
            }
        ],
        "err_code": 0,
    }


def make_echoreplay(
    path: Path,
    session_id: str,
    *,
    lines: int = 300,
    corrupt: tuple[int, ...] = (150,),
    bones_every: int = 10,
    entry: str | None = None,
) -> Path:
    """A zip recording built from the shared sample: CRLF lines, some with bones.

    Line numbers in ``corrupt`` (1-based) hold truncated session JSON.
    """
    session = load_sample()
    session["sessionid"] = session_id
    text = json.dumps(session, separators=(",", ":"))
    rows = []
    for number in range(1, lines + 1):
        stamp = START + timedelta(milliseconds=33 * (number - 1))
        ts = stamp.strftime("%Y/%m/%d %H:%M:%S.") + f"{stamp.microsecond // 1000:03d}"
        body = text[: len(text) // 2] if number in corrupt else text
        row = f"{ts}\t{body}"
        if number % bones_every == 0:
            row += "\t " + json.dumps(bones(number), separators=(",", ":"))
        rows.append(row + "\r\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(entry or path.name, "".join(rows))
    return path


def test_echoreplay_lines_become_frames(tmp_path: Path) -> None:
    sid = new_session_id()
    path = make_echoreplay(tmp_path / "match.echoreplay", sid, lines=40, corrupt=(7,))
    items = list(read_echoreplay(path))
    errors = [i for i in items if isinstance(i, LineError)]
    frames = [i for i in items if isinstance(i, ReplayFrame)]
    assert len(frames) == 39
    assert [(e.line, "session JSON is not valid JSON" in e.reason) for e in errors] == [(7, True)]
    assert str(errors[0]).startswith(f"{path}!match.echoreplay:7: ")
    first = frames[0].message["frame"]
    assert first["frame_index"] == 0
    assert first["timestamp"] == "2025-12-04T03:10:00.000Z"
    assert first["session"]["sessionid"] == sid
    assert "player_bones" not in first
    # frame_index counts good lines; line numbers stay those of the file
    assert [f.message["frame"]["frame_index"] for f in frames] == list(range(39))
    assert frames[6].line == 8
    tenth = next(f for f in frames if f.line == 10).message["frame"]
    assert len(tenth["player_bones"]["user_bones"][0]["bone_t"]) == 69
    assert frames[1].timestamp == START + timedelta(milliseconds=33)


def test_echoreplay_entry_names_and_plain_text(tmp_path: Path) -> None:
    sid = new_session_id()
    # entry named like the archive without the suffix
    named = make_echoreplay(tmp_path / "rec.echoreplay", sid, lines=3, corrupt=(), entry="rec")
    assert sum(isinstance(i, ReplayFrame) for i in read_frames(named)) == 3
    # an uncompressed recording is read too
    plain = tmp_path / "plain.echoreplay"
    with zipfile.ZipFile(named) as archive:
        plain.write_bytes(archive.read("rec"))
    assert sum(isinstance(i, ReplayFrame) for i in read_frames(plain)) == 3
    # an archive without a recording is an error for the whole file
    empty = tmp_path / "empty.echoreplay"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("a.txt", "x")
        archive.writestr("b.txt", "y")
    with pytest.raises(ReplayFileError, match=r"no \.echoreplay entry"):
        list(read_frames(empty))


def test_echoreplay_bad_timestamps_and_missing_tab(tmp_path: Path) -> None:
    path = tmp_path / "bad.echoreplay"
    path.write_bytes(
        b"2025/12/04 03:10:00.000\t{}\r\n"
        b"yesterday\t{}\r\n"
        b"2025/13/04 03:10:00.000\t{}\r\n"
        b"no tab here\r\n"
        b"2025/12/04 03:10:00.100\t[1]\r\n"
        b"2025/12/04 03:10:00.200\t{}\t {bad bones\r\n"
        b"\r\n"
    )
    items = list(read_frames(path))
    assert isinstance(items[0], ReplayFrame)
    reasons = {i.line: i.reason for i in items if isinstance(i, LineError)}
    assert set(reasons) == {2, 3, 4, 5, 6}
    assert "bad timestamp" in reasons[2] and "bad timestamp" in reasons[3]
    assert "no TAB" in reasons[4]
    assert "not a JSON object" in reasons[5]
    assert "player bones JSON" in reasons[6]


def test_ndjson_reader_reports_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "frames.ndjson"
    path.write_text(
        '{"frame": {"frame_index": 1, "timestamp": "2025-12-04T03:10:00.5Z"}}\n'
        "\n"
        '{"frame_index": 2}\n'
        "{not json\n"
        "[]\n"
    )
    items = list(read_ndjson(path))
    assert [type(i).__name__ for i in items] == [
        "ReplayFrame",
        "ReplayFrame",
        "LineError",
        "LineError",
    ]
    assert items[0].timestamp == datetime(2025, 12, 4, 3, 10, 0, 500000, tzinfo=UTC)
    assert items[1].message == {"frame_index": 2} and items[1].line == 3
    assert items[2].where == f"{path}:4"
    with pytest.raises(ReplayFileError):
        read_ndjson(tmp_path / "missing.ndjson")


def test_echoreplay_streams_end_to_end(server: LiveServer, tmp_path: Path) -> None:
    sid = new_session_id()
    path = make_echoreplay(tmp_path / "match.echoreplay", sid, lines=400, corrupt=(123,))
    errors = []
    with FrameStream(server.url, server.token("replayer")) as stream:
        for item in read_frames(path):
            if isinstance(item, LineError):
                errors.append(item)
            else:
                stream.send(item.message, tag=item.where)
        result = stream.flush()
    assert [e.line for e in errors] == [123]
    assert result.ok, result
    assert (result.sent, result.stored) == (399, 399)
    assert len(server.stored(sid, with_frame=False)) == 399
    with Client(server.url, server.token("reader")) as client:
        events = list(client.iter_session_events(sid))
    assert len(events) == 399
    assert [e.frame_index for e in events] == list(range(399))
    with_bones = [e for e in events if "player_bones" in e.data]
    assert len(with_bones) == 40
    assert len(with_bones[0].data["player_bones"]["user_bones"][0]["bone_o"]) == 92
    assert {e.user_id for e in events} == {"replayer"}
