"""Retention on both stores: whole matches by the server's arrival time, never a live one."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import struct
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gevent
import pytest
from bson import ObjectId
from click.testing import CliRunner

from nevr_events import Settings
from nevr_events.cli.main import main
from nevr_events.server.ops.retention import Policy, RetentionSweeper, sweep
from nevr_events.server.store import EventStore, SqliteEventStore, open_store
from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames, wait_until

pytestmark = pytest.mark.both_stores

NOW = datetime.now(UTC)  # set again before each test: "live" is judged by the real clock


@pytest.fixture(autouse=True)
def _now() -> None:
    global NOW
    NOW = datetime.now(UTC)


HOUR = timedelta(hours=1)
FRAMES = 20


def arrived(at: datetime) -> ObjectId:
    """An ``_id`` as the server would have given a frame arriving at ``at``."""
    return ObjectId(struct.pack(">I", int(at.timestamp())) + os.urandom(8))


def match(store: EventStore, session: str, *arrivals: datetime, frames: int = FRAMES) -> None:
    """A stored match whose frames arrived at ``arrivals`` (the last one gets the rest)."""
    docs = []
    for index in range(frames):
        at = arrivals[min(index, len(arrivals) - 1)]
        stamp = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(milliseconds=33 * index)
        docs.append(
            {
                "_id": arrived(at),
                "lobby_session_id": session,
                "user_id": "agent",
                "frame_index": index,
                "frame": {"frame_index": index, "pad": "x" * 2000 + str(index)},
                "event_types": ["player_goal"] if index == 3 else [],
                "timestamp": stamp,
                "created_at": at,
                "updated_at": at,
            }
        )
    outcomes = store.insert_frames(docs)
    assert {o.status for o in outcomes} == {"stored"}


@pytest.fixture
def store(settings: Settings) -> Iterator[EventStore]:
    with contextlib.closing(open_store(settings)) as opened:
        opened.ensure_indexes()
        yield opened


def counts(store: EventStore, *sessions: str) -> list[int]:
    return [store.count(sid) for sid in sessions]


def test_retention_deletes_old_matches_whole_and_never_a_live_one(store: EventStore) -> None:
    match(store, "old", NOW - 3 * HOUR)
    # Began as long ago, but a frame arrived a second ago: live.
    match(store, "live", NOW - 3 * HOUR, NOW - timedelta(seconds=1))
    match(store, "recent", NOW - timedelta(minutes=10))
    policy = Policy(retention=3600, max_store_bytes=0, live_window=30)

    dry = sweep(store, policy, dry_run=True)
    assert [(r.match.session_id, r.match.frames, r.reason) for r in dry.removed] == [
        ("old", FRAMES, "retention")
    ]
    assert counts(store, "old", "live", "recent") == [FRAMES, FRAMES, FRAMES]

    report = sweep(store, policy)
    assert [r.match.session_id for r in report.removed] == ["old"]
    assert report.frames == FRAMES
    assert counts(store, "old", "live", "recent") == [0, FRAMES, FRAMES]
    assert store.count("old", "player_goal") == 0
    assert store.count("live", "player_goal") == 1
    assert sweep(store, policy).removed == []


def test_a_match_with_a_frame_after_the_cutoff_is_not_deleted(store: EventStore) -> None:
    match(store, "m", NOW - 3 * HOUR, NOW - timedelta(seconds=5))
    assert store.delete_session("m", NOW - timedelta(seconds=30)) == 0
    assert store.count("m") == FRAMES
    assert store.delete_session("m", NOW) == FRAMES
    assert store.count("m") == 0


def test_size_cap_deletes_the_oldest_finished_matches_first(store: EventStore) -> None:
    for age, sid in ((5, "c1"), (4, "c2"), (3, "c3")):
        match(store, sid, NOW - age * HOUR)
    match(store, "live", NOW - timedelta(seconds=2))
    size = store.store_bytes()
    assert size > 0
    # Under the cap once 45 % of the frames are gone: two matches of four.
    policy = Policy(retention=0, max_store_bytes=int(size * 0.55), live_window=30)
    dry = sweep(store, policy, dry_run=True)
    assert [r.match.session_id for r in dry.removed] == ["c1", "c2"]
    assert counts(store, "c1", "c2", "c3", "live") == [FRAMES] * 4

    report = sweep(store, policy)
    assert [(r.match.session_id, r.reason) for r in report.removed] == [
        ("c1", "size"),
        ("c2", "size"),
    ]
    assert counts(store, "c1", "c2", "c3", "live") == [0, 0, FRAMES, FRAMES]
    # A cap nothing fits under still leaves the live match.
    sweep(store, Policy(retention=0, max_store_bytes=1, live_window=30))
    assert counts(store, "c3", "live") == [0, FRAMES]


def test_prune_command_dry_run_changes_nothing(store: EventStore, settings: Settings) -> None:
    match(store, "old-cli", NOW - 50 * HOUR)
    match(store, "new-cli", NOW - timedelta(seconds=1))
    env = {
        "STORE_URL": settings.store_url or settings.mongo_uri,
        "DATABASE_NAME": settings.database_name,
    }
    runner = CliRunner()
    dry = runner.invoke(main, ["prune", "--dry-run", "--retention", "48h"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "would remove old-cli: 20 frames" in dry.output
    assert "new-cli" not in dry.output
    assert counts(store, "old-cli", "new-cli") == [FRAMES, FRAMES]

    done = runner.invoke(main, ["prune", "--retention", "48h"], env=env)
    assert done.exit_code == 0, done.output
    assert "removed old-cli: 20 frames" in done.output
    assert "removed 1 matches, 20 frames" in done.output
    assert counts(store, "old-cli", "new-cli") == [0, FRAMES]


def test_prune_needs_a_policy(settings: Settings) -> None:
    env = {
        "STORE_URL": settings.store_url or settings.mongo_uri,
        "RETENTION": "",
        "MAX_STORE_BYTES": "",
    }
    result = CliRunner().invoke(main, ["prune"], env=env)
    assert result.exit_code == 2
    assert "RETENTION" in result.output


def test_the_sweeper_holds_the_lease_alone(store: EventStore) -> None:
    """Two workers' sweepers: one holds the lease and sweeps; stopping gives it up."""
    match(store, "old-lease", NOW - 3 * HOUR)
    policy = Policy(retention=3600, max_store_bytes=0, live_window=30)

    class Count:
        matches = frames = 0

        def pruned(self, matches: int, frames: int) -> None:
            self.matches += matches
            self.frames += frames

    def waited(condition: Callable[[], bool]) -> bool:
        for _ in range(200):  # the sweepers are greenlets of this process: yield to them
            if condition():
                return True
            gevent.sleep(0.05)
        return False

    first, second = Count(), Count()
    one = RetentionSweeper(store, policy, metrics=first, owner="one", interval=0.2).start()
    assert waited(lambda: one.sweeps >= 1)
    two = RetentionSweeper(store, policy, metrics=second, owner="two", interval=0.2).start()
    assert waited(lambda: one.sweeps >= 3)
    assert two.sweeps == 0
    assert (first.matches, first.frames) == (1, FRAMES)
    one.stop()
    assert waited(lambda: two.sweeps >= 1)
    two.stop()
    assert store.count("old-lease") == 0


def test_sqlite_gives_the_space_back(tmp_path: Path) -> None:
    path = tmp_path / "space.db"
    store = SqliteEventStore(str(path))
    store.ensure_indexes()
    for n in range(8):
        match(store, f"m{n}", NOW - (10 - n) * HOUR, frames=200)
    store.close()
    full = _checkpointed_size(path)
    store = SqliteEventStore(str(path))
    report = sweep(store, Policy(retention=3600 * 5.5, max_store_bytes=0, live_window=30))
    store.close()
    assert len(report.removed) == 5
    assert report.bytes_after < report.bytes_before
    assert _checkpointed_size(path) < full * 0.6


def test_a_file_made_before_auto_vacuum_is_pruned_and_reuses_its_pages(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA auto_vacuum=NONE")
    conn.execute("CREATE TABLE placeholder (x)")  # the file exists with auto_vacuum off
    conn.close()
    store = SqliteEventStore(str(path))
    store.ensure_indexes()
    match(store, "a", NOW - 10 * HOUR, frames=200)
    used = store.store_bytes()
    report = sweep(store, Policy(retention=3600, max_store_bytes=0, live_window=30))
    assert [r.match.session_id for r in report.removed] == ["a"]
    assert store.store_bytes() < used  # freed pages are free, to be reused
    store.close()


def _checkpointed_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.stat().st_size


def test_the_service_sweeps_at_start_and_keeps_the_live_match(
    settings: Settings, backend: str, tmp_path: Path, database_name: str
) -> None:
    url = settings.store_url or settings.mongo_uri
    seeded = open_store(settings)
    seeded.ensure_indexes()
    match(seeded, "served-old", NOW - 30 * HOUR)
    seeded.close()
    server = LiveServer(url, database_name, RETENTION="24h", MAX_STORE_BYTES="0").start()
    try:
        live = new_session_id()
        ws = server.connect()
        replies = send_frames(ws, [envelope(make_frame(live, i)) for i in range(10)])
        assert all(reply["stored"] for reply in replies)
        check = open_store(settings)
        try:
            assert wait_until(lambda: check.count("served-old") == 0, attempts=300)
            assert check.count(live.lower()) == 10
        finally:
            check.close()
        ws.close()
        metrics = server.get("/metrics").text
        assert "nevr_events_retention_deleted_matches_total 1.0" in metrics
        assert f"nevr_events_retention_deleted_frames_total {float(FRAMES)}" in metrics
        assert "nevr_events_store_bytes " in metrics
    finally:
        server.stop()
