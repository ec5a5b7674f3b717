#!/usr/bin/env python3
"""Publishing benchmark: ingest reply latency with AMQP off, broker up, broker down.

Starts FerretDB (unless MONGO_URI is set), a throw-away RabbitMQ and gunicorn
servers on loopback. Runs the ingest load of ``bench/ingest.py`` three times,
each on a fresh database: without AMQP_URL, with the broker up, and with the
broker stopped; then restarts the broker and times how long the publisher
takes to publish the backlog (with ``--frames`` every frame is a message).

    python bench/amqp.py --agents 10 --rate 30 --duration 15 --frames
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, ingest
from tests.rabbitmq import Consumer, LocalRabbitMQ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--rate", type=float, default=30.0, help="frames/s per agent")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per run")
    parser.add_argument("--frames", action="store_true", help="AMQP_FRAMES=1: a message per frame")
    parser.add_argument("--store", default="sqlite", choices=harness.STORES)
    parser.add_argument("--mongo-uri", default=None)
    args = harness.parse(
        parser, smoke={"agents": 1, "rate": 10.0, "duration": 1.0, "store": "sqlite"}
    )
    print(harness.machine(), "store:", args.store)
    rows = []
    with LocalRabbitMQ() as broker:
        amqp = {"AMQP_URL": broker.url, "AMQP_FRAMES": "1" if args.frames else "0"}
        for phase, env in (("AMQP off", {}), ("broker up", amqp), ("broker down", amqp)):
            consumer = Consumer(broker.url) if env else None
            if phase == "broker down":
                broker.stop()
            print(f"{phase}: streaming", file=sys.stderr, flush=True)
            name = f"bench_amqp_{uuid.uuid4().hex[:8]}"
            with (
                harness.store(args.store, args.mongo_uri) as (uri, db_pid),
                harness.server(uri, name, **env) as live,
            ):
                result = ingest.run(live, args.agents, args.rate, args.duration, False, db_pid)
                catch_up = float("nan")
                if phase == "broker down":
                    restarted = time.perf_counter()
                    broker.start()
                    expected = result["in_db"] if args.frames else args.agents
                    expected += args.agents if args.frames else 0
                    deadline = restarted + 300
                    while len(consumer.drain()) < expected and time.perf_counter() < deadline:
                        time.sleep(0.05)
                    if len(consumer.received) >= expected:
                        catch_up = time.perf_counter() - restarted
                rows.append((phase, result, catch_up))
                print(phase, result, f"backlog published in {catch_up:.1f} s", flush=True)
            if consumer is not None:
                consumer.close()
    print(
        f"\n{args.agents} agents x {args.rate:.0f} Hz, {args.duration:.0f}s, frames={args.frames}"
    )
    print(
        "| phase | stored / sent | p50 ms | p99 ms | server CPU us/frame | backlog published in |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for phase, r, catch_up in rows:
        print(
            f"| {phase} | {r['stored']} / {r['sent']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} "
            f"| {r['cpu_us_per_frame']:.0f} | {catch_up:.1f} s |"
        )


if __name__ == "__main__":
    main()
