#!/usr/bin/env python3
"""Data over months (issue 24): migrate SQLite -> FerretDB with a kill -9 and resume,
backup of the embedded store, retention and the space SQLite gives back.

Seeds a SQLite store with ``--frames`` 10-player frames over ``--sessions``
sessions (``--shape realistic``: each session a match of bench/realistic.py;
``random``: one random frame, indexes and timestamps varied, as bench/read.py
loads them), each session's frames given arrival times an hour
apart from the next session's, so that retention has whole old matches to take.
Then, each printed with its figures:

1. ``nevr-events migrate`` to a FerretDB it starts (or MONGO_URI): time and frames/s;
2. the same into a second database, killed with SIGKILL after a third, and run again:
   the count copied before the kill, the second run's output, the verified counts;
3. ``nevr-events backup`` of the file: time and size;
4. ``nevr-events prune --retention`` taking the older sessions (about half): sweep time, the file's
   size before and after (WAL checkpointed), bytes per frame before.

    python bench/data.py --frames 100000 --sessions 10
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bson
import harness  # bench/harness.py, beside this script
import pymongo
from realistic import RealisticMatch  # bench/realistic.py

from nevr_events.server.config import Settings
from nevr_events.server.store import open_store
from nevr_events.testing import ROOT
from nevr_events.testing.frames import build_frame
from nevr_events.wire.api import format_time
from nevr_events.wire.fastframe import FastFrameValidator
from nevr_events.wire.frames import event_types

BATCH = 256


def seed(url: str, frames: int, sessions: int, shape: str = "realistic") -> None:
    """The frames, as the service stores them, session after session: each session a
    ``RealisticMatch``, or (``random``) one random frame with its index and time varied."""
    store = open_store(Settings(), url)
    store.ensure_indexes()
    validator = FastFrameValidator()
    base = validator.parse(json.dumps({"frame": build_frame(n_players=10)})).frame
    assert base is not None
    now = datetime.now(UTC)
    per_session = frames // sessions
    batch = []
    for s in range(sessions):
        sid = str(uuid.uuid4())
        arrived = now - timedelta(hours=sessions - s)  # session 0 the oldest
        match = RealisticMatch(10, seed=s, session_id=sid)
        for i in range(per_session):
            stamp = datetime(2025, 12, 4, tzinfo=UTC) + timedelta(milliseconds=33 * i)
            if shape == "realistic":
                frame = validator.parse(json.dumps({"frame": match.frame(i)})).frame
                assert frame is not None
                frame["timestamp"] = format_time(stamp)
            else:
                frame = {**base, "frame_index": i, "timestamp": format_time(stamp)}
            oid = bson.ObjectId(
                int(arrived.timestamp() + i / 30).to_bytes(4, "big") + os.urandom(8)
            )
            # As the service stores a frame (ingest/documents.py), arrival from the seed.
            document = dict(_id=oid, lobby_session_id=sid, user_id="bench", node="bench")
            document.update(frame_index=i, frame=frame, event_types=event_types(frame))
            document.update(timestamp=stamp, created_at=arrived, updated_at=arrived)
            batch.append(store.stored_form(document))
            if len(batch) == BATCH:
                store.insert_frames(batch)
                batch = []
    if batch:
        store.insert_frames(batch)
    store.close()


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from nevr_events.cli.main import main; main()", *args]


def checkpointed_size(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--batch", type=int, default=500, help="migrate's --batch")
    parser.add_argument(
        "--no-migrate", action="store_true", help="Only backup and prune (no FerretDB)."
    )
    parser.add_argument(
        "--shape",
        choices=["realistic", "random"],
        default="realistic",
        help="Frames shaped like a match (bench/realistic.py), or one random frame.",
    )
    args = harness.parse(parser, {"frames": 400, "sessions": 2, "batch": 100})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print(f"machine: {harness.machine()}")
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="nevr-bench-"))
        mongo = "" if args.no_migrate else stack.enter_context(harness.database())[0]
        path = Path(folder) / "events.db"
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        seed(url, args.frames, args.sessions, args.shape)
        frames = args.frames // args.sessions * args.sessions
        size = checkpointed_size(path)
        print(
            f"seeded {frames} {args.shape} frames in {time.perf_counter() - started:.1f} s: file "
            f"{size / 1024**2:.1f} MiB, {size / frames:.0f} B/frame"
        )

        if mongo:
            migrate_to_mongo(url, mongo, frames, args.batch, env)
        backup_and_prune(url, path, folder, size, args.sessions, env)


def migrate_to_mongo(url: str, mongo: str, frames: int, batch: int, env: dict[str, str]) -> None:
    database = f"bench_{uuid.uuid4().hex[:8]}"
    migrate = ["migrate", "--from", url, "--to", mongo, "--batch", str(batch)]
    started = time.perf_counter()
    done = subprocess.run(
        cli(*migrate, "--to-database", database), env=env, capture_output=True, text=True
    )
    took = time.perf_counter() - started
    print(f"1. migrate SQLite -> FerretDB: {took:.1f} s, {frames / took:.0f} frames/s")
    print("   " + done.stdout.strip().replace("\n", "\n   "))

    second = f"bench_{uuid.uuid4().hex[:8]}"
    killed = subprocess.Popen(
        cli(*migrate, "--to-database", second),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client: pymongo.MongoClient = pymongo.MongoClient(mongo)
    # The position migrate records after each batch: one small document (counting the
    # copied frames would scan them all on FerretDB and overshoot the third).
    state = client[second]["session_events_state"]
    while True:
        record = state.find_one({"_id": {"$regex": "^state:migrate:"}}) or {}
        if record.get("value", {}).get("copied", 0) >= frames // 3:
            break
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    before = client[second]["session_events"].count_documents({})
    rerun = subprocess.run(
        cli(*migrate, "--to-database", second), env=env, capture_output=True, text=True
    )
    after = client[second]["session_events"].count_documents({})
    print(f"2. killed (SIGKILL) with {before} frames copied; run again (exit {rerun.returncode}):")
    print("   " + rerun.stdout.strip().replace("\n", "\n   "))
    print(f"   frames in the target: {after} (source {frames})")
    for name in (database, second):
        client.drop_database(name)
    client.close()


def backup_and_prune(
    url: str, path: Path, folder: str, size: int, sessions: int, env: dict[str, str]
) -> None:
    copy = Path(folder) / "copy.db"
    started = time.perf_counter()
    subprocess.run(cli("backup", str(copy), "--store", url), env=env, check=True)
    took = time.perf_counter() - started
    print(f"3. backup: {took:.1f} s, {copy.stat().st_size / 1024**2:.1f} MiB")
    copy.unlink()

    keep = sessions // 2
    if not keep:
        return  # one session: nothing old beside it to prune
    retention = f"{(sessions - keep) * 3600 + 1800}s"  # the older half are past it
    started = time.perf_counter()
    pruned = subprocess.run(
        cli("prune", "--store", url, "--retention", retention),
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - started
    after_size = checkpointed_size(path)
    print(f"4. prune --retention {retention}: {took:.1f} s (command included)")
    print("   " + pruned.stdout.strip().splitlines()[-1])
    print(
        f"   file {size / 1024**2:.1f} MiB before, {after_size / 1024**2:.1f} MiB after "
        f"({after_size / size:.0%})"
    )


if __name__ == "__main__":
    main()
