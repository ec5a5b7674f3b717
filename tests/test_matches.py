"""Stored matches over HTTP, the client and the CLI: list, summary, download, round trip."""

from __future__ import annotations

import base64
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from nevr_events.client.http import Client
from nevr_events.exceptions import BadRequest, NotFound
from tests.conftest import _store_url, new_database_name
from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames
from tests.test_cli import client_env, run
from tests.test_replay import bones

GOAL = {"player_goal": {"player_slot": 1, "total_goals": 1, "points": 2}}


def stream(server: LiveServer, frames: list[dict], sub: str = "agent-1") -> None:
    ws = server.connect(server.token(sub))
    replies = send_frames(ws, [envelope(frame) for frame in frames])
    ws.close()
    assert all(reply.get("stored") for reply in replies), replies


def stamp(year: int, index: int) -> str:
    return f"{year}-01-01T00:00:{index // 30:02d}.{(index % 30) * 33:03d}Z"


pytestmark = pytest.mark.both_stores


@pytest.fixture(scope="module")
def other_server(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A second service on a store of its own: where downloads are streamed back."""
    url = _store_url(request, backend, tmp_path_factory.mktemp("other"))
    live = LiveServer(url, new_database_name("nevr_other")).start()
    yield live
    live.stop()


def test_matches_are_listed_newest_first_a_page_at_a_time(server: LiveServer) -> None:
    # Far-future match times put these three at the top of the shared database.
    sids = {year: new_session_id() for year in (2091, 2092, 2093)}
    for year, sid in sids.items():
        stream(server, [make_frame(sid, i, timestamp=stamp(year, i)) for i in range(3)])
    first = server.get("/api/v3/matches?limit=2").json()
    assert [m["match_id"] for m in first["matches"]] == [sids[2093].lower(), sids[2092].lower()]
    assert first["limit"] == 2 and first["next"]
    assert first["matches"][0]["frames"] == 3
    assert first["matches"][0]["last_timestamp"] == "2093-01-01T00:00:00.066Z"
    second = server.get(f"/api/v3/matches?limit=2&cursor={first['next']}").json()
    assert second["matches"][0]["match_id"] == sids[2091].lower()
    bad = server.get("/api/v3/matches?cursor=nope")
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]
    # Well-formed but forged: a time no float or datetime holds is a 400, not a 500.
    forged = base64.urlsafe_b64encode(json.dumps({"t": "9" * 400, "id": "x"}).encode()).decode()
    assert server.get(f"/api/v3/matches?cursor={forged.rstrip('=')}").status_code == 400


def test_summary_counts_frames_users_and_event_types(server: LiveServer) -> None:
    sid = new_session_id()
    # Frame 5 holds two goals: it counts once (frames holding the event).
    frames = [make_frame(sid, i, events={2: [GOAL], 5: [GOAL, GOAL]}.get(i)) for i in range(8)]
    stream(server, frames[:4], sub="agent-a")
    stream(server, frames[4:], sub="agent-b")
    body = server.get(f"/api/v3/matches/{sid}").json()
    assert body["match_id"] == sid.lower()
    assert body["frames"] == 8
    assert body["users"] == ["agent-a", "agent-b"]
    assert body["event_types"] == {"player_goal": 2}
    assert body["first_timestamp"] == "2025-12-04T03:00:00.000Z"
    assert body["last_timestamp"] == "2025-12-04T03:00:00.231Z"


def test_unknown_match_bad_id_and_unsupported_format(server: LiveServer) -> None:
    unknown = str(uuid.uuid4())
    for path in (f"/api/v3/matches/{unknown}", f"/api/v3/matches/{unknown}/download"):
        answer = server.get(path)
        assert answer.status_code == 404 and "unknown match" in answer.json()["error"]
    assert server.get("/api/v3/matches/not-a-uuid").status_code == 400
    sid = new_session_id()
    stream(server, [make_frame(sid, 0)])
    for fmt in ("mp4", "zip"):
        answer = server.get(f"/api/v3/matches/{sid}/download?format={fmt}")
        assert answer.status_code == 400
        assert "echoreplay, ndjson" in answer.json()["error"]
    assert server.get(f"/api/v3/matches/{sid}", headers={}).status_code == 401


def test_ndjson_download_is_one_envelope_per_frame(server: LiveServer) -> None:
    sid = new_session_id()
    stream(server, [make_frame(sid, i) for i in range(5)])
    answer = server.get(f"/api/v3/matches/{sid}/download?format=ndjson")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines()]
    assert [line["frame"].get("frame_index", 0) for line in lines] == [0, 1, 2, 3, 4]
    assert lines[1]["frame"]["timestamp"] == "2025-12-04T03:00:00.033Z"


def test_download_streamed_back_gives_the_same_frames(
    server: LiveServer, other_server: LiveServer, tmp_path: Path
) -> None:
    """Round trip: download .echoreplay with the CLI, `nevr-events stream` it into another
    database; session content, bones and timestamps (ms) come back the same."""
    sid = new_session_id()
    frames = []
    for i in range(45):
        frame = make_frame(sid, i)
        frame["session"]["game_clock"] = 300.0 - i * 0.033
        if i % 4 == 0:
            frame["player_bones"] = bones(i)
        frames.append(frame)
    stream(server, frames)
    path = tmp_path / "match.echoreplay"
    result = run("matches", "download", sid, "-o", str(path), env=client_env(server))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [f"{sid.lower()}.echoreplay"]
    sent = run("stream", str(path), "--quiet", env=client_env(other_server))
    assert sent.returncode == 0, sent.stderr

    def stored(live: LiveServer) -> list[dict]:
        return [
            {
                "session": d["frame"]["session"],
                "bones": d["frame"].get("player_bones"),
                "timestamp": d["timestamp"],
            }
            for d in live.stored(sid)
        ]

    original, copy = stored(server), stored(other_server)
    assert len(original) == 45
    assert copy == original


def test_client_lists_summarises_and_downloads(server: LiveServer) -> None:
    sid = new_session_id()
    stream(server, [make_frame(sid, i, timestamp=stamp(2099, i)) for i in range(4)])
    with Client(server.url, token=server.token("reader")) as client:
        newest = next(client.iter_matches(page_size=1))
        assert newest.match_id == sid.lower() and newest.frames == 4
        assert client.get_match(sid)["frames"] == 4
        out = io.BytesIO()
        chunks: list[int] = []
        size = client.download(sid, out, on_chunk=chunks.append)
        assert size == len(out.getvalue()) == sum(chunks) > 0
        with zipfile.ZipFile(out) as archive:
            text = archive.read(f"{sid.lower()}.echoreplay")
        assert text.count(b"\r\n") == 4
        with pytest.raises(BadRequest, match="echoreplay, ndjson"):
            client.download(sid, io.BytesIO(), format="mp4")
        with pytest.raises(NotFound):
            client.get_match(str(uuid.uuid4()))


def test_cli_lists_matches(server: LiveServer) -> None:
    sid = new_session_id()
    stream(server, [make_frame(sid, 0, timestamp=stamp(2100, 0))])
    result = run("matches", "list", "--limit", "1", env=client_env(server))
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(line) for line in result.stdout.splitlines()]
    assert line["match_id"] == sid.lower() and line["frames"] == 1


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def fill_sqlite(path: Path, sid: str, count: int) -> None:
    """``count`` stored frames (with bones) written straight into a SQLite store file."""
    from datetime import UTC, datetime, timedelta

    from nevr_events.server.ingest.documents import build_document
    from nevr_events.server.store import SqliteEventStore
    from nevr_events.wire.fastframe import FastFrameValidator

    template = make_frame(sid, 0)
    template["player_bones"] = bones(1)
    stored = FastFrameValidator().parse(envelope(template)).frame
    assert stored is not None
    store = SqliteEventStore(str(path))
    start = datetime(2025, 12, 4, 3, 0, tzinfo=UTC)
    try:
        for first in range(0, count, 500):
            batch = []
            for i in range(first, min(first + 500, count)):
                stamp = start + timedelta(milliseconds=33 * i)
                frame = {**stored, "frame_index": i, "timestamp": stamp.isoformat()}
                batch.append(
                    build_document(
                        frame,
                        session_id=sid.lower(),
                        user_id="agent-1",
                        node="n",
                        received=stamp,
                        stored_form=store.stored_form,
                    )
                )
            assert all(o.status == "stored" for o in store.insert_frames(batch))
    finally:
        store.close()


def test_download_of_an_18000_frame_match_keeps_memory_flat(tmp_path: Path) -> None:
    """Embedded store (FerretDB would need minutes to take 18,000 frames): the worker's
    peak RSS while it streams the whole match stays within 50 MB of where it started."""
    sid = new_session_id()
    db = tmp_path / "events.db"
    fill_sqlite(db, sid, 18_000)
    server = LiveServer(f"sqlite:///{db}").start()
    try:
        [worker] = server.worker_pids()
        assert server.get(f"/api/v3/matches/{sid}").json()["frames"] == 18_000  # warmed up
        before = rss_kib(worker, "VmRSS")
        out = tmp_path / "match.echoreplay"
        with server.get(f"/api/v3/matches/{sid}/download", stream=True) as answer:
            assert answer.status_code == 200
            with open(out, "wb") as sink:
                for chunk in answer.iter_content(256 * 1024):
                    sink.write(chunk)
        peak = rss_kib(worker, "VmHWM")
    finally:
        server.stop()
    growth_mib = max(0, peak - before) / 1024
    print(f"\n18,000-frame .echoreplay download (SQLite): worker RSS growth {growth_mib:.1f} MiB")
    assert growth_mib < 50
    with zipfile.ZipFile(out) as archive, archive.open(f"{sid.lower()}.echoreplay") as entry:
        lines = sum(1 for _ in entry)
    assert lines == 18_000
