"""``.tape`` and ``.nevrcap`` through the real service: download, stream back, import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from nevr_events.client.http import Client
from nevr_events.client.replay import ReplayFrame, read_frames
from nevr_events.testing.match import stored, v2_match
from nevr_events.wire.tape import Layout, tape_chunks
from nevr_events.wire.v2.tov2 import V1ToV2, header_from_v1
from tests.support import LiveServer, new_session_id
from tests.test_cli import client_env, run
from tests.test_matches import other_server, stream

__all__ = ["other_server"]  # the fixture, shared with test_matches

pytestmark = pytest.mark.both_stores


def _frames(live: LiveServer, sid: str) -> list[dict[str, Any]]:
    return [d["frame"] for d in live.stored(sid)]


def _match(sid: str) -> list[dict[str, Any]]:
    return [stored(frame) for frame in v2_match(frames=300, players=10, session_id=sid)]


@pytest.mark.parametrize("fmt", ["tape", "nevrcap"])
def test_a_match_downloaded_and_streamed_back_gives_the_same_frames(
    server: LiveServer, other_server: LiveServer, tmp_path: Path, fmt: str
) -> None:
    """300 frames, 10 players, bones on some, every event type: v1 in, the file out, v1 in."""
    sid = new_session_id()
    sent = _match(sid)
    stream(server, sent)
    path = tmp_path / f"match.{fmt}"
    result = run(
        "matches", "download", sid, "--format", fmt, "-o", str(path), env=client_env(server)
    )
    assert result.returncode == 0, result.stderr
    read = [item.message["frame"] for item in read_frames(path) if isinstance(item, ReplayFrame)]
    assert read == _frames(server, sid) == sent
    with Client(server.url, token=server.token("reader")) as client:
        copy = tmp_path / f"client.{fmt}"
        assert client.download(sid, copy, format=fmt) == path.stat().st_size
    assert copy.read_bytes() == path.read_bytes()
    back = run("stream", str(path), "--quiet", env=client_env(other_server))
    assert back.returncode == 0, back.stderr
    assert "sent 300, stored 300" in back.stderr
    assert _frames(other_server, sid) == sent


@pytest.mark.parametrize("layout", ["blocks", "raw"])
def test_our_per_block_and_uncompressed_tapes_import_whatever_their_name(
    other_server: LiveServer, tmp_path: Path, layout: Layout
) -> None:
    sid = new_session_id()
    frames = v2_match(frames=250, players=6, seed=5, session_id=sid)
    header = header_from_v1(sid, None, {}, frames[0])
    forward = V1ToV2(header)
    path = tmp_path / "recording.bin"
    path.write_bytes(b"".join(tape_chunks(header, (forward.frame(f) for f in frames), layout)))
    result = run("stream", str(path), "--quiet", env=client_env(other_server))
    assert result.returncode == 0, result.stderr
    assert _frames(other_server, sid) == [stored(f) for f in frames]


def test_a_tape_cut_short_sends_its_good_frames_then_names_where_it_broke(
    other_server: LiveServer, tmp_path: Path
) -> None:
    sid = new_session_id()
    frames = v2_match(frames=300, players=4, seed=9, session_id=sid)
    header = header_from_v1(sid, None, {}, frames[0])
    forward = V1ToV2(header)
    data = b"".join(tape_chunks(header, (forward.frame(f) for f in frames), "raw"))
    path = tmp_path / "cut.tape"
    path.write_bytes(data[: len(data) // 2])
    result = run("stream", str(path), "--quiet", env=client_env(other_server))
    assert result.returncode == 3, result.stderr  # delivered what was good; the file is broken
    broke = re.search(r"skipped the rest of .*cut\.tape: frame (\d+): ", result.stderr)
    assert broke, result.stderr
    good = int(broke.group(1))
    assert 100 < good < 200
    assert _frames(other_server, sid) == [stored(f) for f in frames[:good]]
