#!/usr/bin/env python3
"""Ingest benchmark: N agents x R Hz of realistic 10-player frames over WebSocket.

For each store (``--stores sqlite,mongo``, side by side in one run: the
embedded SQLite file, and FerretDB unless MONGO_URI is set) starts a gunicorn
+ gevent server on loopback, streams for a bounded time, and prints durable
frames/s (frames the server acknowledged, checked against the store), reply
latency p50/p99 and server CPU per frame. ``--open`` adds a run where every
agent sends as fast as its in-flight window allows, to find the maximum.

    python bench/ingest.py --agents 20 --rate 30 --duration 20 --open
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import harness  # bench/harness.py, beside this script
import websocket

from nevr_events.testing.frames import build_frame
from nevr_events.testing.live import LiveServer
from nevr_events.wire.api import format_time

INDEX_MARK = 987654321
STAMP_MARK = "2099-01-01T00:00:00Z"


def frame_template(session_id: str, bones: bool) -> str:
    frame = build_frame(
        n_players=10,
        bones=bones,
        frame_index=INDEX_MARK,
        session_id=session_id,
        timestamp=STAMP_MARK,
    )
    return json.dumps({"frame": frame}, separators=(",", ":"))


@dataclass
class Agent:
    """One WebSocket, a sender (paced or windowed) and a reply reader."""

    live: LiveServer
    rate: float | None
    duration: float
    bones: bool
    window: int = 200
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    sent_at: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    stored: int = 0
    errors: int = 0

    def run(self) -> None:
        template = frame_template(self.session_id, self.bones)
        ws = self.live.connect(self.live.token(f"agent-{self.session_id[:8]}"))
        inflight = threading.Semaphore(self.window)
        reader = threading.Thread(target=self._read, args=(ws, inflight), daemon=True)
        reader.start()
        start = time.perf_counter()
        base = 1_700_000_000_000 + hash(self.session_id) % 1000
        i = 0
        while (now := time.perf_counter()) - start < self.duration:
            if self.rate:
                due = start + i / self.rate
                if due > now:
                    time.sleep(due - now)
            else:
                inflight.acquire()
            millis = base + i * 33
            stamp = format_time(datetime.fromtimestamp(millis / 1000, UTC))
            message = template.replace(str(INDEX_MARK), str(i), 1).replace(STAMP_MARK, stamp, 1)
            self.sent_at.append(time.perf_counter())
            ws.send(message)
            i += 1
        reader.join(60)
        ws.close()

    def _read(self, ws: websocket.WebSocket, inflight: threading.Semaphore) -> None:
        received = 0
        deadline = None
        while True:
            try:
                message = ws.recv()
            except (websocket.WebSocketException, OSError):
                return
            if not message:  # closed by the server (stopped at the end of the run)
                return
            reply = json.loads(message)
            now = time.perf_counter()
            self.latencies.append(now - self.sent_at[received])
            received += 1
            inflight.release()
            if reply.get("stored"):
                self.stored += 1
            elif not reply.get("success"):
                self.errors += 1
            # Stop once every frame sent during the run was answered.
            if deadline is None and now - self.sent_at[0] >= self.duration:
                deadline = now
            if deadline is not None and received >= len(self.sent_at):
                return


def run(
    live: LiveServer,
    agents: int,
    rate: float | None,
    duration: float,
    bones: bool,
    db_pid: int | None = None,
) -> dict:
    """One run on a server with its own, empty database."""
    workers = harness.worker_pids(live.process.pid)  # type: ignore[union-attr]
    db_pids = [db_pid] if db_pid else []
    crowd = [Agent(live, rate, duration, bones) for _ in range(agents)]
    threads = [threading.Thread(target=a.run, daemon=True) for a in crowd]
    db_cpu_before = harness.cpu_seconds(db_pids)
    cpu_before = harness.cpu_seconds(workers)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 120)
    elapsed = time.perf_counter() - started
    cpu = harness.cpu_seconds(workers) - cpu_before
    db_cpu = harness.cpu_seconds(db_pids) - db_cpu_before
    stored = sum(a.stored for a in crowd)
    # The run's database holds only this run's frames: one count checks them all
    # (a count per session would make FerretDB decode the collection 20 times).
    in_db = harness.count_frames(live.store_url, live.database)
    latencies = [lat for a in crowd for lat in a.latencies]
    return {
        "store": "sqlite" if live.store_url.startswith("sqlite") else "mongo",
        "offered": f"{agents * rate:.0f}/s" if rate else "open",
        "sent": sum(len(a.sent_at) for a in crowd),
        "stored": stored,
        "in_db": in_db,
        "errors": sum(a.errors for a in crowd),
        "durable_fps": stored / elapsed,
        "p50_ms": harness.percentile(latencies, 0.50) * 1000,
        "p99_ms": harness.percentile(latencies, 0.99) * 1000,
        "cpu_us_per_frame": cpu / max(stored, 1) * 1e6,
        "db_cpu_us_per_frame": db_cpu / max(stored, 1) * 1e6 if db_pids else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--rate", type=float, default=30.0, help="frames/s per agent")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--open", action="store_true", help="also run with open throttle")
    parser.add_argument("--bones", action="store_true", help="frames carry player bones")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--mongo-uri", default=None)
    parser.add_argument("--stores", default="sqlite,mongo", help="comma-separated: sqlite,mongo")
    opts = harness.parse(parser, smoke={"agents": 1, "duration": 1.0, "stores": "sqlite"})
    stores = [name for name in opts.stores.split(",") if name]
    if not stores or not set(stores) <= set(harness.STORES):
        parser.error("--stores: sqlite, mongo or both")
    if opts.duration > 300 or opts.agents > 200:
        parser.error("bounded: --duration <= 300 and --agents <= 200")
    print(f"# {harness.machine()}")
    print(
        f"# agents={opts.agents} rate={opts.rate}/s duration={opts.duration}s "
        f"bones={opts.bones} workers={opts.workers}"
    )
    rates = [opts.rate, None] if opts.open else [opts.rate]
    runs = []
    for kind in stores:
        for rate in rates:
            with harness.store(kind, opts.mongo_uri) as (uri, db_pid):
                name = f"bench_ingest_{uuid.uuid4().hex[:8]}"
                with harness.server(uri, name, WORKERS=str(opts.workers)) as live:
                    runs.append(run(live, opts.agents, rate, opts.duration, opts.bones, db_pid))
                if kind == "mongo":
                    import pymongo

                    pymongo.MongoClient(uri).drop_database(name)
    header = (
        f"{'store':>6} {'offered':>8} {'sent':>7} {'stored':>7} {'in_db':>7} {'errors':>6} "
        f"{'durable/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'server cpu us/frame':>19} "
        f"{'db cpu us/frame':>15}"
    )
    print(header)
    for r in runs:
        print(
            f"{r['store']:>6} {r['offered']:>8} {r['sent']:>7} {r['stored']:>7} {r['in_db']:>7} "
            f"{r['errors']:>6} {r['durable_fps']:>9.0f} {r['p50_ms']:>7.1f} "
            f"{r['p99_ms']:>7.1f} {r['cpu_us_per_frame']:>19.0f} {r['db_cpu_us_per_frame']:>15.0f}"
        )


if __name__ == "__main__":
    main()
