"""``.nevrcap`` files, and telling every recording format by its content."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zstandard

from nevr_events.client.replay import ReplayFrame, read_frames, sniff
from nevr_events.testing.match import stored, v2_match
from nevr_events.wire.nevrcap import is_header, nevrcap_chunks, read_nevrcap
from nevr_events.wire.pb import telemetry_pb2
from nevr_events.wire.tape import LAYOUTS, Layout, tape_chunks, uvarint
from nevr_events.wire.tapereader import TapeError
from nevr_events.wire.v2.tov2 import V1ToV2, header_from_v1
from tests.test_replay import make_echoreplay

FRAMES = v2_match(frames=120, players=4, seed=3)
HEADER = telemetry_pb2.TelemetryHeader(capture_id="c", metadata={"agent": "test"})


def _nevrcap(header: telemetry_pb2.TelemetryHeader | None = HEADER) -> bytes:
    return b"".join(nevrcap_chunks(header, FRAMES))


def test_a_nevrcap_reads_back_its_header_and_frames() -> None:
    header, *frames = read_nevrcap(io.BytesIO(_nevrcap()))
    assert header == HEADER
    assert frames == FRAMES


def test_a_nevrcap_without_a_header_is_all_frames() -> None:
    # The agent's converter from .echoreplay writes none: frame 0's fields tell it apart.
    assert list(read_nevrcap(io.BytesIO(_nevrcap(None)))) == FRAMES
    assert is_header(HEADER.SerializeToString())
    assert not is_header(FRAMES[0].SerializeToString())
    assert not is_header(telemetry_pb2.LobbySessionStateFrame(frame_index=3).SerializeToString())


def test_a_nevrcap_must_be_compressed_and_whole() -> None:
    data = HEADER.SerializeToString()
    with pytest.raises(TapeError, match="no zstd magic"):
        list(read_nevrcap(io.BytesIO(uvarint(len(data)) + data)))
    cut = _nevrcap()[: len(_nevrcap()) // 2]
    got: list[object] = []
    with pytest.raises(TapeError, match=r"frame \d+: "):
        got.extend(read_nevrcap(io.BytesIO(cut)))
    assert got[1:] == FRAMES[: len(got) - 1]


def _tape(path: Path, layout: Layout = "stream") -> Path:
    header = header_from_v1("c", None, {}, FRAMES[0])
    forward = V1ToV2(header)
    path.write_bytes(b"".join(tape_chunks(header, (forward.frame(f) for f in FRAMES), layout)))
    return path


def test_formats_are_told_by_content_not_name(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(_nevrcap())
    assert sniff(tmp_path / "a.bin") == "nevrcap"
    for layout in LAYOUTS:
        assert sniff(_tape(tmp_path / f"{layout}.dat", layout)) == "tape"
    recording = make_echoreplay(
        tmp_path / "m.echoreplay", "8380FAE5-E20F-4B61-BEDA-B94E0811244F", lines=3
    )
    renamed = tmp_path / "m.zip"
    renamed.write_bytes(recording.read_bytes())
    assert sniff(renamed) == "echoreplay"
    (tmp_path / "f.txt").write_text('{"frame": {"frame_index": 1}}\n')
    assert sniff(tmp_path / "f.txt") == "ndjson"
    (tmp_path / "empty.tape").write_bytes(b"")
    assert sniff(tmp_path / "empty.tape") is None
    (tmp_path / "junk").write_bytes(zstandard.ZstdCompressor().compress(b"\x05hello"))
    assert sniff(tmp_path / "junk") == "nevrcap"  # zstd, but not a v2 capture: read as v1


def test_read_frames_gives_stored_frames_of_either_recording(tmp_path: Path) -> None:
    (tmp_path / "x").write_bytes(_nevrcap())
    expected = [stored(f) for f in FRAMES]
    for path in (tmp_path / "x", _tape(tmp_path / "y", "blocks")):
        items = list(read_frames(path))
        assert all(isinstance(item, ReplayFrame) for item in items)
        assert [
            item.message["frame"] for item in items if isinstance(item, ReplayFrame)
        ] == expected
        first = items[0]
        assert isinstance(first, ReplayFrame) and first.line == 1 and first.timestamp is not None
