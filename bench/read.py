#!/usr/bin/env python3
"""Read benchmark: one session of N frames read in full over HTTP.

Loads N realistic 10-player frames (default 18,000: a 10-minute match at 30 Hz)
straight into the database, then reads the whole session through
``/lobby-session-events/{id}`` as JSON and as NDJSON. Prints time to last byte,
frames/s and the server's peak RSS growth during each read (sampled every 10 ms).

    python bench/read.py --frames 18000
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import harness  # bench/harness.py, beside this script
import pymongo
import requests

from nevr_events.testing.frames import build_frame
from nevr_events.wire.api import format_time
from nevr_events.wire.frames import ProtobufFrameValidator, event_types


def load_session(collection: pymongo.collection.Collection, session_id: str, frames: int) -> None:
    """Insert the frames as the service would store them (bulk, for speed)."""
    validator = ProtobufFrameValidator()
    base = validator.parse(
        __import__("json").dumps({"frame": build_frame(n_players=10, session_id=session_id)})
    ).frame
    assert base is not None
    start = datetime(2025, 12, 4, 3, 0, tzinfo=UTC)
    batch = []
    for i in range(frames):
        stamp = start + timedelta(milliseconds=33 * i)
        frame = {**base, "frame_index": i, "timestamp": format_time(stamp)}
        batch.append(
            {
                "lobby_session_id": session_id.lower(),
                "user_id": "bench",
                "node": "bench",
                "frame_index": i,
                "frame": frame,
                "event_types": event_types(frame),
                "timestamp": stamp,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        if len(batch) == 1000:
            collection.insert_many(batch, ordered=False)
            batch = []
    if batch:
        collection.insert_many(batch, ordered=False)


def read(url: str, headers: dict[str, str], pids: list[int]) -> dict[str, float]:
    baseline = harness.rss_bytes(pids)
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, harness.rss_bytes(pids))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu_before = harness.cpu_seconds(pids)
    started = time.perf_counter()
    size = 0
    with requests.get(url, headers=headers, stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
    elapsed = time.perf_counter() - started
    cpu = harness.cpu_seconds(pids) - cpu_before
    done.set()
    sampler.join()
    return {
        "seconds": elapsed,
        "bytes": size,
        "cpu": cpu,
        "rss_growth_mb": (peak - baseline) / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=18_000)
    parser.add_argument("--mongo-uri", default=None)
    opts = parser.parse_args()
    if not 0 < opts.frames <= 100_000:
        parser.error("bounded: 0 < --frames <= 100000")
    print(f"# {harness.machine()}")
    session_id = str(uuid.uuid4()).upper()
    with harness.database(opts.mongo_uri) as (uri, _pid):
        name = f"bench_read_{uuid.uuid4().hex[:8]}"
        client: pymongo.MongoClient = pymongo.MongoClient(uri)
        started = time.perf_counter()
        load_session(client[name]["session_events"], session_id, opts.frames)
        print(f"# loaded {opts.frames} frames in {time.perf_counter() - started:.1f}s")
        with harness.server(uri, name) as live:
            pids = harness.worker_pids(live.process.pid)  # type: ignore[union-attr]
            url = f"{live.url}/lobby-session-events/{session_id}"
            print(
                f"{'form':>7} {'frames':>7} {'MB':>7} {'seconds':>8} {'frames/s':>9} "
                f"{'server cpu us/frame':>19} {'RSS growth MB':>13}"
            )
            for form, accept in (("json", "application/json"), ("ndjson", "application/x-ndjson")):
                result = read(url, {**live.auth(), "Accept": accept}, pids)
                print(
                    f"{form:>7} {opts.frames:>7} {result['bytes'] / 2**20:>7.1f} "
                    f"{result['seconds']:>8.2f} {opts.frames / result['seconds']:>9.0f} "
                    f"{result['cpu'] / opts.frames * 1e6:>19.0f} {result['rss_growth_mb']:>13.1f}"
                )
        client.drop_database(name)


if __name__ == "__main__":
    main()
