#!/usr/bin/env python3
"""Live view and download benchmark, on the embedded SQLite store and on FerretDB.

1. Delay from a frame's acknowledgement (agent side) to its delivery to live
   subscribers: one 30 Hz agent of realistic 10-player frames on a server with
   ``--workers`` workers, ``--subscribers`` subscribers (spread over the workers
   by the kernel). p50/p99/max over every (frame, subscriber); with ``--notify both``
   (the default) once polling only (``LIVE_NOTIFY=0``) and once with the workers'
   notices, one after the other; ``--beside N`` streams N more 30 Hz agents meanwhile.
2. A slow subscriber and ingest: an agent sending as fast as it can with no
   subscriber, with one that reads everything, with one that reads nothing, and
   with none again, in the same run: acknowledged frames per second.
3. An 18,000-frame match downloaded as ``.echoreplay`` and NDJSON (SQLite):
   seconds and the worker's RSS growth.

    python bench/live.py --frames 300 --subscribers 4 --workers 2
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from nevr_events.testing.frames import build_frame
from tests.live_support import PacedAgent, Watcher
from tests.support import LiveServer, new_session_id
from tests.test_matches import fill_sqlite, rss_kib

STORES = ("sqlite", "mongo")


def realistic(sid: str) -> Any:
    template = build_frame(n_players=10, bones=False, frame_index=0, session_id=sid)

    def make(_sid: str, index: int) -> dict[str, Any]:
        minutes, millis = divmod(index * 33, 60_000)
        stamp = f"2025-12-04T03:{minutes % 60:02d}:{millis // 1000:02d}.{millis % 1000:03d}Z"
        return {**template, "frame_index": index, "timestamp": stamp}

    return make


@contextlib.contextmanager
def store_server(
    store: str, mongo_uri: str | None, live_window: float, **env: str
) -> Iterator[LiveServer]:
    with contextlib.ExitStack() as stack:
        if store == "sqlite":
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="nevr-bench-"))
            url = f"sqlite:///{folder}/events.db"
        else:
            url, _pid = stack.enter_context(harness.database(mongo_uri))
        name = f"bench_live_{uuid.uuid4().hex[:8]}"
        live = stack.enter_context(harness.server(url, name, LIVE_WINDOW=f"{live_window}s", **env))
        yield live


def delivery(live: LiveServer, frames: int, subscribers: int, beside: int) -> dict[str, float]:
    sid = new_session_id()
    watchers = [Watcher(live, sid) for _ in range(subscribers)]
    for watcher in watchers:
        watcher.start()
    crowd = []
    for _ in range(beside):
        other = new_session_id()
        crowd.append(PacedAgent(live, other, frames + 60, hz=30, make=realistic(other)))
        crowd[-1].start()
    agent = PacedAgent(live, sid, frames, hz=30, make=realistic(sid))
    agent.run()
    for other in crowd:
        other.stop.set()
        other.join(60)
    for watcher in watchers:
        watcher.join(120)
    delays = [
        at - agent.acked[index]
        for watcher in watchers
        for index, at in watcher.delivered().items()
        if index in agent.acked
    ]
    received = sum(len(w.delivered()) for w in watchers)
    return {
        "acked": len(agent.acked),
        "delivered_share": received / max(len(agent.acked) * subscribers, 1),
        "p50_ms": harness.percentile(delays, 0.5) * 1000,
        "p99_ms": harness.percentile(delays, 0.99) * 1000,
        "max_ms": max(delays) * 1000 if delays else float("nan"),
    }


def ack_rate(live: LiveServer, frames: int, subscriber: str) -> float:
    """Acknowledged frames/s of an open-throttle agent with no subscriber (``none``), one
    that reads everything it gets (``reading``), or one that reads nothing (``stalled``)."""
    sid = new_session_id()
    watcher = None
    if subscriber != "none":
        stalled = subscriber == "stalled"
        watcher = Watcher(live, sid, receive_buffer=4096 if stalled else None, fps=60)
        if not stalled:
            watcher.start()
    agent = PacedAgent(live, sid, frames, hz=0, make=realistic(sid))
    started = time.monotonic()
    agent.run()
    elapsed = time.monotonic() - started
    if watcher is not None:
        watcher.close()
    return len(agent.acked) / elapsed


def downloads(frames: int) -> list[tuple[str, float, float, int]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="nevr-bench-") as folder:
        sid = new_session_id()
        db = Path(folder) / "events.db"
        fill_sqlite(db, sid, frames)
        live = LiveServer(f"sqlite:///{db}", LOG_LEVEL="warning").start()
        try:
            [worker] = live.worker_pids()
            live.get(f"/api/v3/matches/{sid}")
            for fmt in ("echoreplay", "ndjson"):
                before = rss_kib(worker, "VmRSS")
                started = time.monotonic()
                size = 0
                path = f"/api/v3/matches/{sid}/download?format={fmt}"
                with live.get(path, stream=True) as answer:
                    for chunk in answer.iter_content(256 * 1024):
                        size += len(chunk)
                seconds = time.monotonic() - started
                growth = max(0, rss_kib(worker, "VmHWM") - before) / 1024
                rows.append((fmt, seconds, growth, size))
        finally:
            live.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300, help="frames of the 30 Hz agent")
    parser.add_argument("--subscribers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--burst", type=int, default=2000, help="frames of the open-throttle agent")
    parser.add_argument("--download", type=int, default=18_000, help="frames of the download")
    parser.add_argument("--store", choices=[*STORES, "both"], default="both")
    parser.add_argument("--mongo-uri", default=None)
    parser.add_argument(
        "--notify",
        choices=("on", "off", "both"),
        default="both",
        help="LIVE_NOTIFY for the delay: on, off (polling only) or both, one after the other",
    )
    parser.add_argument(
        "--reorder-window", default="40ms", help="LIVE_REORDER_WINDOW of the servers"
    )
    parser.add_argument(
        "--beside", type=int, default=0, help="30 Hz agents on other sessions during the delay"
    )
    parser.add_argument(
        "--live-window", type=float, default=10.0, help="LIVE_WINDOW: a subscriber's end, seconds"
    )
    opts = harness.parse(
        parser,
        smoke={
            "frames": 30,
            "subscribers": 2,
            "burst": 60,
            "download": 200,
            "store": "sqlite",
            "live_window": 2.0,
            "notify": "both",
            "beside": 1,
        },
    )
    if opts.frames > 3000 or opts.subscribers > 50 or opts.burst > 20_000:
        parser.error("bounded: --frames <= 3000, --subscribers <= 50, --burst <= 20000")
    print(f"# {harness.machine()}")
    print(f"# frames={opts.frames} subscribers={opts.subscribers} workers={opts.workers}")
    stores = STORES if opts.store == "both" else (opts.store,)
    notices = ("0", "1") if opts.notify == "both" else ("1" if opts.notify == "on" else "0",)
    print(
        f"{'store':>8} {'notify':>6} {'beside':>6} {'acked':>6} {'delivered':>9} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    for store in stores:
        for notify in notices:
            env = {
                "WORKERS": str(opts.workers),
                "LIVE_NOTIFY": notify,
                "LIVE_REORDER_WINDOW": opts.reorder_window,
            }
            with store_server(store, opts.mongo_uri, opts.live_window, **env) as live:
                r = delivery(live, opts.frames, opts.subscribers, opts.beside)
            print(
                f"{store:>8} {notify:>6} {opts.beside:>6} {r['acked']:>6} "
                f"{r['delivered_share']:>9.3f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
                f"{r['max_ms']:>7.1f}"
            )
    if not opts.burst:
        stores = ()
    modes = ("none", "reading", "stalled", "none")
    if stores:
        print(f"{'store':>8} " + " ".join(f"{m + ' fps':>12}" for m in modes) + " stalled/reading")
    for store in stores:
        with store_server(
            store, opts.mongo_uri, opts.live_window, WORKERS=str(opts.workers)
        ) as live:
            rates = [ack_rate(live, opts.burst, mode) for mode in modes]
        cells = " ".join(f"{rate:>12.0f}" for rate in rates)
        print(f"{store:>8} {cells} {rates[2] / rates[1]:>15.2f}")
    if opts.download:
        print(f"{'format':>10} {'frames':>7} {'seconds':>8} {'rss growth MiB':>14} {'bytes':>11}")
        for fmt, seconds, growth, size in downloads(opts.download):
            print(f"{fmt:>10} {opts.download:>7} {seconds:>8.1f} {growth:>14.1f} {size:>11}")


if __name__ == "__main__":
    main()
