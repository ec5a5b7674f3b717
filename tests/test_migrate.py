"""``nevr-events migrate``: every frame, between both stores, resumable after kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pymongo
import pytest
from bson import ObjectId
from click.testing import CliRunner, Result
from pymongo import monitoring

from nevr_events import Settings
from nevr_events.cli.main import main
from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.store import EventStore, MongoEventStore, open_store
from nevr_events.server.store.mongo import ZSTD_COLLECTION
from nevr_events.testing import ROOT
from tests.conftest import new_database_name
from tests.support import wait_until
from tests.test_retention import match

NOW = datetime.now(UTC)


def opened(url: str, database: str = "nakama") -> EventStore:
    store = open_store(Settings(database_name=database), url)
    store.ensure_indexes()
    return store


def seed(url: str, database: str = "nakama", sessions: int = 3, frames: int = 20) -> None:
    store = opened(url, database)
    for n in range(sessions):
        match(store, f"session-{n}", NOW - timedelta(minutes=n + 1), frames=frames)
    store.close()


def run(*args: str, database: str = "nakama") -> Result:
    env = {"DATABASE_NAME": database}
    return CliRunner().invoke(main, ["migrate", *args], env=env, catch_exceptions=False)


def documents(url: str, session: str, database: str = "nakama") -> list[dict[str, Any]]:
    store = opened(url, database)
    try:
        return store.page(session, limit=1000)
    finally:
        store.close()


def test_sqlite_to_sqlite_copies_every_frame_and_verifies(tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    seed(source)
    result = run("--from", source, "--to", target)
    assert result.exit_code == 0, result.output
    assert "copied 60 frames, 0 already there in " in result.output
    assert "verified: 3 sessions" in result.output
    for n in range(3):
        assert documents(target, f"session-{n}") == documents(source, f"session-{n}")
    again = run("--from", source, "--to", target)
    assert "copied 0 frames" in again.output
    assert "verified: 3 sessions" in again.output


def test_sqlite_to_mongodb_and_back(tmp_path: Path, mongo_uri: str, database_name: str) -> None:
    source, back = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'back.db'}"
    seed(source)
    there = CliRunner().invoke(
        main,
        ["migrate", "--from", source, "--to", mongo_uri, "--to-database", database_name],
    )
    assert there.exit_code == 0, there.output
    assert "verified: 3 sessions" in there.output
    home = CliRunner().invoke(
        main,
        ["migrate", "--from", mongo_uri, "--from-database", database_name, "--to", back],
    )
    assert home.exit_code == 0, home.output
    assert "copied 60 frames" in home.output
    assert documents(mongo_uri, "session-1", database_name) == documents(source, "session-1")
    assert documents(back, "session-1") == documents(source, "session-1")


def test_a_go_service_collection_gets_our_fields(
    tmp_path: Path, mongo_uri: str, database_name: str
) -> None:
    """Documents as the Go service wrote them: no created_at, string ids, upper-case ids."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(mongo_uri, tz_aware=True)
    stamp = datetime(2025, 12, 4, 3, 0, tzinfo=UTC)
    hex_id = str(ObjectId())
    legacy = [
        {"_id": ObjectId(), "frame": {"frame_index": 1}, "timestamp": stamp},
        {"_id": hex_id, "frame": {"frame_index": 2}, "timestamp": stamp + timedelta(seconds=1)},
        {
            "_id": "go-frame-3",
            "frame": {"frameIndex": 3},
            "timestamp": stamp + timedelta(seconds=2),
        },
        {"_id": "go-frame-0", "frame": {}, "timestamp": stamp - timedelta(seconds=1)},
    ]
    for doc in legacy:
        doc.update(lobby_session_id="ABCDEF00-0000-4000-8000-000000000001", user_id="go-agent")
    client[database_name]["session_events"].insert_many(legacy)
    client.close()
    target = f"sqlite:///{tmp_path / 'from-go.db'}"
    args = ["--from", mongo_uri, "--from-database", database_name, "--to", target]
    result = CliRunner().invoke(main, ["migrate", *args])
    assert result.exit_code == 0, result.output
    assert "copied 4 frames" in result.output
    assert "verified: 1 sessions" in result.output
    docs = documents(target, "abcdef00-0000-4000-8000-000000000001")
    assert [d["frame_index"] for d in docs] == [0, 1, 2, 3]
    assert str(docs[2]["_id"]) == hex_id
    for doc in docs:
        assert isinstance(doc["_id"], ObjectId)
        assert doc["created_at"] == doc["updated_at"]
        assert doc["event_types"] == []
    assert docs[1]["created_at"] == docs[1]["_id"].generation_time  # an ObjectId's own time
    assert docs[3]["created_at"] == stamp + timedelta(seconds=2)  # else the timestamp
    again = CliRunner().invoke(main, ["migrate", *args, "--restart"])
    assert "copied 0 frames, 4 already there in " in again.output  # the same ids every run


@pytest.mark.parametrize("to", ["sqlite", "mongo"])
def test_kill_9_then_rerun_completes_without_duplicates(
    tmp_path: Path, to: str, request: pytest.FixtureRequest
) -> None:
    source = f"sqlite:///{tmp_path / 'a.db'}"
    seed(source, sessions=10, frames=300)
    if to == "sqlite":
        target, database = f"sqlite:///{tmp_path / 'b.db'}", "nakama"
    else:
        target, database = request.getfixturevalue("mongo_uri"), new_database_name("migrate")
    argv = [sys.executable, "-m", "nevr_events.cli.main", "migrate", "--from", source]
    argv += ["--to", target, "--to-database", database, "--batch", "10"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def copied() -> dict[str, int]:
        if to == "sqlite" and not (tmp_path / "b.db").exists():
            return {}
        store = open_store(Settings(database_name=database), target)
        try:
            return store.session_counts()
        except StoreUnavailable:  # the schema is not there yet
            return {}
        finally:
            store.close()

    assert wait_until(lambda: sum(copied().values()) >= 500, attempts=600)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert 500 <= sum(copied().values()) < 3000
    second = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "resumed after" in second.stdout
    assert "verified: 10 sessions" in second.stdout
    assert copied() == {f"session-{n}": 300 for n in range(10)}
    # Nothing twice: the frame key and the ids are unique.
    frames = documents(target, "session-4", database)
    assert len({d["frame_index"] for d in frames}) == len({d["_id"] for d in frames}) == 300


class _Creates(monitoring.CommandListener):
    """Records the ``create`` commands a client sends."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "create":
            self.sent.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def test_the_collection_is_created_with_zstd_blocks(mongo_uri: str, database_name: str) -> None:
    creates = _Creates()
    monitoring.register(creates)  # clients made from now on report to it
    store = open_store(Settings(database_name=database_name), mongo_uri)
    try:
        store.ensure_indexes()
        store.ensure_indexes()  # an existing collection is left as it is
        assert isinstance(store, MongoEventStore)
        [info] = store.collection.database.list_collections(filter={"name": "session_events"})
    finally:
        store.close()
    # Asked for once, with WiredTiger's zstd blocks (FerretDB accepts and ignores the
    # option; a MongoDB keeps it in the collection's options).
    [create] = [c for c in creates.sent if c["create"] == "session_events"]
    assert create["storageEngine"] == ZSTD_COLLECTION
    assert info["options"].get("storageEngine", ZSTD_COLLECTION) == ZSTD_COLLECTION
