#!/usr/bin/env python3
"""Read benchmark: one session of N frames read in full over HTTP, on each store.

For each store (``--stores sqlite,mongo``, side by side in one run) loads N
realistic 10-player frames (default 18,000: a 10-minute match at 30 Hz)
straight through the store's ``insert_frames`` (batches of 256, as the
service's writer does; the load time is the store's own ingest cost), then
reads the whole session through ``/lobby-session-events/{id}`` as JSON and as
NDJSON. Prints time to last byte, frames/s, server CPU per frame and the
server's peak RSS growth during each read (sampled every 10 ms); for SQLite
also the file size per stored frame and what compressing frames would save
and cost. ``--sessions N`` stores N sessions of ``--frames`` each, interleaved
frame by frame as N agents streaming at once would (the rows of one session
spread among the others'), and reads the first.

    python bench/read.py --frames 18000
    python bench/read.py --frames 18000 --sessions 4 --stores sqlite
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import bson
import harness  # bench/harness.py, beside this script
import requests
from bson.raw_bson import RawBSONDocument

from nevr_events.server.config import Settings
from nevr_events.server.store import EventStore, open_store
from nevr_events.testing.frames import build_frame
from nevr_events.wire.api import format_time
from nevr_events.wire.frames import ProtobufFrameValidator, event_types

BATCH = 256


def load_session(
    store: EventStore, session_id: str, frames: int, others: int = 0
) -> tuple[float, bytes]:
    """Insert the frames as the service stores them (BSON, batches of 256), each one
    followed by the same frame of ``others`` other sessions (as from other agents).

    Returns the seconds spent in ``insert_frames`` (the store's own cost) and
    one stored document's BSON.
    """
    validator = ProtobufFrameValidator()
    base = validator.parse(
        __import__("json").dumps({"frame": build_frame(n_players=10, session_id=session_id)})
    ).frame
    assert base is not None
    start = datetime(2025, 12, 4, 3, 0, tzinfo=UTC)
    batch: list[RawBSONDocument] = []  # StoredDocuments
    spent = 0.0
    sample = b""
    sessions = [session_id.lower()] + [str(uuid.uuid4()) for _ in range(others)]
    for i, sid in ((i, sid) for i in range(frames) for sid in sessions):
        stamp = start + timedelta(milliseconds=33 * i)
        frame = {**base, "frame_index": i, "timestamp": format_time(stamp)}
        document = {
            "_id": bson.ObjectId(),
            "lobby_session_id": sid,
            "user_id": "bench",
            "node": "bench",
            "frame_index": i,
            "frame": frame,
            "event_types": event_types(frame),
            "timestamp": stamp,
            "created_at": stamp,
            "updated_at": stamp,
        }
        sample = bson.encode(document)
        # As the stream hands documents over (nevr_events.server.ingest.documents.build_document).
        batch.append(store.stored_form(document))
        if len(batch) == BATCH or (i == frames - 1 and sid == sessions[-1]):
            started = time.perf_counter()
            outcomes = store.insert_frames(batch)
            spent += time.perf_counter() - started
            assert all(o.status == "stored" for o in outcomes)
            batch = []
    return spent, sample


def compression(document: bytes) -> list[tuple[str, int, float, float]]:
    """``(codec, bytes, compress µs, decompress µs)`` of one stored document."""
    import zlib

    codecs = [
        (f"zlib-{level}", lambda b, lv=level: zlib.compress(b, lv), zlib.decompress)
        for level in (1, 6)
    ]
    try:
        import zstandard

        for level in (1, 3):
            codecs.append(
                (
                    f"zstd-{level}",
                    zstandard.ZstdCompressor(level=level).compress,
                    zstandard.ZstdDecompressor().decompress,
                )
            )
    except ImportError:
        pass
    rows = [("none", len(document), 0.0, 0.0)]
    for name, pack, unpack in codecs:
        packed = pack(document)
        started = time.perf_counter()
        for _ in range(200):
            pack(document)
        packing = (time.perf_counter() - started) / 200
        started = time.perf_counter()
        for _ in range(200):
            unpack(packed)
        unpacking = (time.perf_counter() - started) / 200
        rows.append((name, len(packed), packing * 1e6, unpacking * 1e6))
    return rows


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
    parser.add_argument("--stores", default="sqlite,mongo", help="comma-separated: sqlite,mongo")
    parser.add_argument("--sessions", type=int, default=1, help="sessions stored interleaved")
    opts = harness.parse(parser, smoke={"frames": 50, "stores": "sqlite"})
    if not 0 < opts.frames <= 100_000:
        parser.error("bounded: 0 < --frames <= 100000")
    if not 0 < opts.sessions <= 8 or opts.frames * opts.sessions > 200_000:
        parser.error("bounded: 0 < --sessions <= 8, --frames x --sessions <= 200000")
    stores = [name for name in opts.stores.split(",") if name]
    if not stores or not set(stores) <= set(harness.STORES):
        parser.error("--stores: sqlite, mongo or both")
    print(f"# {harness.machine()}")
    print(
        f"{'store':>6} {'form':>7} {'frames':>7} {'MB':>7} {'seconds':>8} {'frames/s':>9} "
        f"{'server cpu us/frame':>19} {'RSS growth MB':>13}"
    )
    notes = []
    sample = b""
    for kind in stores:
        session_id = str(uuid.uuid4()).upper()
        with harness.store(kind, opts.mongo_uri) as (uri, _pid):
            name = f"bench_read_{uuid.uuid4().hex[:8]}"
            store = open_store(Settings(database_name=name), uri)
            store.ensure_indexes()
            started = time.perf_counter()
            spent, sample = load_session(store, session_id, opts.frames, opts.sessions - 1)
            loaded = opts.frames * opts.sessions
            notes.append(
                f"# {kind}: loaded {loaded} frames ({opts.sessions} sessions interleaved) in "
                f"{time.perf_counter() - started:.1f}s; insert_frames {spent / loaded * 1e6:.0f} "
                f"us/frame ({loaded / spent:.0f} frames/s, batches of {BATCH})"
            )
            if size := harness.store_bytes(uri):
                notes.append(
                    f"# {kind}: {size / 2**20:.1f} MiB on disk, {size / loaded:.0f} "
                    f"bytes/frame (BSON document {len(sample)} bytes)"
                )
            with harness.server(uri, name) as live:
                pids = harness.worker_pids(live.process.pid)  # type: ignore[union-attr]
                url = f"{live.url}/lobby-session-events/{session_id}"
                forms = (("json", "application/json"), ("ndjson", "application/x-ndjson"))
                for form, accept in forms:
                    result = read(url, {**live.auth(), "Accept": accept}, pids)
                    print(
                        f"{kind:>6} {form:>7} {opts.frames:>7} {result['bytes'] / 2**20:>7.1f} "
                        f"{result['seconds']:>8.2f} {opts.frames / result['seconds']:>9.0f} "
                        f"{result['cpu'] / opts.frames * 1e6:>19.0f} "
                        f"{result['rss_growth_mb']:>13.1f}"
                    )
            if kind == "mongo":
                store.collection.database.client.drop_database(name)  # type: ignore[attr-defined]
            store.close()
    print("\n".join(notes))
    print("# compressing one stored document (codec, bytes, compress us, decompress us):")
    for codec, size, pack, unpack in compression(sample):
        print(f"#   {codec:>7} {size:>7} {pack:>8.1f} {unpack:>8.1f}")


if __name__ == "__main__":
    main()
