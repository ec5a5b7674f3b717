#!/usr/bin/env python3
"""Stream fuzz: 10,000 hostile messages while a well-behaved agent streams beside them.

The messages (``tests/fuzzing.py``) are hypothesis-generated envelopes, byte- and
character-level mutations of real frames (text and protobuf), deep nesting, huge and
non-finite numbers, invalid UTF-8, binary garbage, oversize strings and arrays,
messages over MAX_MESSAGE_BYTES, and duplicate keys. Reports: replies and closes per
hostile message (each must get one or the other), worker crashes (worker pids before
and after), the good agent's acknowledgements (each must be a stored success, in
order, and be in the database), and the workers' RSS before, during and after.

    python bench/fuzz.py --messages 10000
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness
from tests.fuzzing import MAX_MESSAGE_BYTES, GoodAgent, HostileAgent, hostile_messages
from tests.support import new_session_id

MIB = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=1_000, help="hostile messages first")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--chunk", type=int, default=1_000, help="RSS sampled after each")
    args = harness.parse(parser, smoke={"messages": 40, "warmup": 10, "chunk": 40})

    print(harness.machine())
    with (
        harness.database() as (uri, _db_pid),
        harness.server(
            uri, f"nevr_fuzz_{uuid.uuid4().hex[:8]}", MAX_MESSAGE_BYTES=str(MAX_MESSAGE_BYTES)
        ) as live,
    ):
        assert live.process is not None
        workers = harness.worker_pids(live.process.pid)
        # "Before" is the steady state: after a warm-up with both agents running.
        good = GoodAgent(live, new_session_id())
        good.start()
        warm = HostileAgent(live).run(hostile_messages(args.warmup, seed=args.seed + 1))
        rss_before = harness.rss_bytes(workers)
        print(f"warm-up: {warm.sent} hostile messages, lost {len(warm.lost)}")
        messages = hostile_messages(args.messages, seed=args.seed)
        kinds: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        sent = replies = closes = 0
        lost: list[str] = []
        samples = []
        started = time.monotonic()
        while sent < args.messages:
            chunk = [m for _, m in zip(range(args.chunk), messages, strict=False)]
            result = HostileAgent(live).run(iter(chunk))
            sent += result.sent
            replies += result.replies
            closes += result.closes
            lost += result.lost
            kinds += result.kinds
            outcomes += result.outcomes
            samples.append(harness.rss_bytes(workers))
            print(f"  {sent:6d} sent, RSS {samples[-1] / MIB:.1f} MiB", flush=True)
        elapsed = time.monotonic() - started
        good.stop.set()
        good.join(timeout=60)
        rss_after = harness.rss_bytes(workers)
        crashed = harness.worker_pids(live.process.pid) != workers
        stored = live.collection.count_documents({"lobby_session_id": good.session_id.lower()})

    print()
    print("| kind | messages |\n|---|---:|")
    for kind, count in kinds.most_common():
        print(f"| {kind} | {count:,} |")
    print()
    print(f"hostile messages: {sent:,} in {elapsed:.1f} s ({sent / elapsed:.0f}/s)")
    print(f"  replies {replies:,} + documented closes {closes:,}; without either: {len(lost)}")
    print(f"  outcomes: {dict(outcomes)}")
    for line in lost[:10]:
        print("   ", line)
    print(f"worker crashes: {int(crashed)}")
    print(
        f"good agent: {good.sent:,} sent, {good.acknowledged:,} acknowledged stored in order, "
        f"{stored:,} in the database, {len(good.failures)} failures"
    )
    for line in good.failures[:5]:
        print("   ", line)
    growth = (rss_after - rss_before) / MIB
    print(
        f"worker RSS: before {rss_before / MIB:.1f} MiB, peak {max(samples) / MIB:.1f} MiB, "
        f"after {rss_after / MIB:.1f} MiB ({growth:+.1f} MiB)"
    )
    ok = (
        not lost
        and not crashed
        and not good.failures
        and good.acknowledged == good.sent == stored
        and abs(growth) < 20
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
