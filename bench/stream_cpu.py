#!/usr/bin/env python3
"""Server CPU per stored frame, end to end, against the floor measured in the same run.

N agents (default 4) each pipeline realistic 10-player text frames over their
own WebSocket (up to ``--window`` unanswered), for ``--duration`` seconds. They
write frames masked in C on the raw socket (``wsagent.LeanSocket``: ~12 µs of this
process's CPU a frame against ~60 with websocket-client's framing), so they leave
the cores to the server they measure; the last line says what they took. The
server's CPU is read from /proc for its processes (gunicorn workers) before and
after; the floor (``orjson.loads`` + ``bson.encode`` of the stored document,
as in ``frame_cpu.py``) is timed in this process, in CPU time, just before
and after the load, and the best of those is kept. Per-worker CPU is printed too
(``--workers 2``: do the workers share anything that serialises them?).

Without ``--target`` the script starts a gunicorn + gevent server of this
checkout on loopback, on a fresh store (``--store sqlite``, the default: the
embedded store, whose CPU is the server's own; ``--store mongo``: FerretDB,
or MONGO_URI, whose CPU is not counted), and checks afterwards that every
acknowledged frame is in the store. ``--target URL`` points the same load at any server that
speaks the stream protocol (the Go reference, another build): give a token
(``--token``, or ``--jwt-secret`` to mint one) and, to measure its CPU, its pid
(``--target-pid``; its child processes are counted too). A reply counts as
stored when it says ``"stored": true``, or ``"success": true`` without a
``stored`` field (the reference's reply).

``--profile FILE`` also samples a server worker with py-spy (the ``dev``
extra) during the load and writes its collapsed stacks to FILE
(``PYSPY_EXTRA="--gil"`` adds py-spy options: only the thread holding the GIL).
``--spelling agent`` sends what the reference agent sends (protojson with
proto field names, defaults left out) instead of the game's own JSON names.
``--churn N`` measures a server that has run for a while: it first gets N frames
of earlier matches whose players' flags and stats are drawn per frame (each
with key layouts of its own in the agent's spelling; ``layouts.py``), then the
load, whose layouts are new to it, after an unmeasured warm-up.
``--runs N`` measures the load N times on the same server and prints the
median ratio: on a shared machine one run's ratio moves by ±5 %. On a VM that
hands freed memory back to its host, a store growing into such memory costs
kernel time that is the VM's, not the server's (BENCHMARKS.md, section 10,
"Sixth round"): fill the page cache first.

    python bench/stream_cpu.py --agents 4 --duration 15
    python bench/stream_cpu.py --duration 12 --profile /tmp/worker.stacks
    python bench/stream_cpu.py --spelling agent --runs 5
    python bench/stream_cpu.py --target ws://127.0.0.1:8081/v3/stream \\
        --jwt-secret "$JWT_SECRET" --target-pid "$(pgrep -f nevr-agent)"
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

import harness  # bench/harness.py, beside this script
import orjson
import websocket
from frame_cpu import _store
from layouts import churn_frames, churned_frame, respelled, send_all
from wsagent import LeanSocket

from nevr_events.server.auth import mint_token
from nevr_events.testing.frames import build_frame
from nevr_events.wire.api import format_time

INDEX_MARK = 987654321
CHURN_WARMUP = 6.0  # s: new layouts get code one per message type every 0.5 s
STAMP_MARK = "2099-01-01T00:00:00Z"


def message_template(
    session_id: str, players: int = 10, spelling: str = "game", flags: int | None = None
) -> str:
    """One stream message: the game's own JSON names (``game``), or what the reference
    agent sends (``agent``: protojson with proto field names and defaults left out).
    ``flags``: the players' flags and packet loss drawn with that seed (``--churn``)."""
    build = {
        "n_players": players,
        "session_id": session_id,
        "frame_index": INDEX_MARK,
        "timestamp": STAMP_MARK,
    }
    frame = build_frame(**build) if flags is None else churned_frame(Random(flags), **build)
    return json.dumps({"frame": respelled(frame, spelling)}, separators=(",", ":"))


def floor_us(text: str, calls: int = 300, repeats: int = 5) -> float:
    """Best-of-``repeats`` CPU µs of ``orjson.loads`` + ``bson.encode`` of the stored form."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(calls):
            _store(orjson.loads(text)["frame"])
        best = min(best, (time.process_time() - start) / calls)
    return best * 1e6


@dataclass
class Target:
    """Where the agents connect, and with which token."""

    ws_url: str
    token: str
    pids: Callable[[], list[int]]

    def connect(self) -> websocket.WebSocket:
        header = [f"Authorization: Bearer {self.token}"]
        return websocket.create_connection(self.ws_url, header=header, timeout=60)


@dataclass
class Agent:
    """One WebSocket: a sender keeping ``window`` frames unanswered, and a reply reader."""

    target: Target
    duration: float
    window: int
    players: int = 10
    spelling: str = "game"
    flags: int | None = None
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    sent: int = 0
    stored: int = 0
    errors: int = 0
    failure: str = ""

    def run(self) -> None:
        before, middle, after = _split_template(
            message_template(self.session_id, self.players, self.spelling, self.flags)
        )
        try:
            conn = LeanSocket(self.target.connect())
        except (websocket.WebSocketException, OSError) as exc:
            self.failure = f"connect to {self.target.ws_url}: {exc}"
            return
        room = threading.Semaphore(self.window)
        done = threading.Event()
        reader = threading.Thread(target=self._read, args=(conn, room, done), daemon=True)
        reader.start()
        base = 1_700_000_000_000 + hash(self.session_id) % 1000
        start = time.perf_counter()
        try:
            while time.perf_counter() - start < self.duration:
                room.acquire()
                stamp = format_time(datetime.fromtimestamp((base + self.sent * 33) / 1000, UTC))
                conn.send_text(b"".join((before, b"%d" % self.sent, middle, stamp.encode(), after)))
                self.sent += 1
        except OSError as exc:
            self.failure = f"send: {exc}"
        done.set()
        reader.join(120)
        conn.close()

    def _read(self, conn: LeanSocket, room: threading.Semaphore, done: threading.Event) -> None:
        answered = 0
        while not (done.is_set() and answered >= self.sent):
            try:
                message = conn.recv()
            except OSError:
                return
            if not message:
                return
            reply = orjson.loads(message)
            answered += 1
            room.release()
            if reply.get("stored", reply.get("success") is True and "stored" not in reply):
                self.stored += 1
            elif not reply.get("success"):
                self.errors += 1


def _split_template(text: str) -> tuple[bytes, bytes, bytes]:
    """The message's bytes around its frame index and its timestamp, in that order."""
    data = text.encode()
    index, stamp = str(INDEX_MARK).encode(), STAMP_MARK.encode()
    at_index, at_stamp = data.index(index), data.index(stamp)
    if at_index > at_stamp:
        raise ValueError("the template's frame index must come before its timestamp")
    return (
        data[:at_index],
        data[at_index + len(index) : at_stamp],
        data[at_stamp + len(stamp) :],
    )


def run(
    target: Target,
    agents: int,
    duration: float,
    window: int,
    players: int,
    profile: str | None = None,
    spelling: str = "game",
    flags: int | None = None,
) -> dict[str, Any]:
    text = message_template(str(uuid.uuid4()), players, spelling, flags)
    floors = [floor_us(text)]
    pids = target.pids()
    before = {pid: harness.cpu_times([pid]) for pid in pids}
    idle_before, total_before = harness.machine_jiffies()
    agents_before = time.process_time()  # this process: the agents (and little else)
    spy = _profiler(pids, duration, profile) if profile else None
    crowd = [Agent(target, duration, window, players, spelling, flags) for _ in range(agents)]
    threads = [threading.Thread(target=a.run, daemon=True) for a in crowd]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 180)
    elapsed = time.perf_counter() - started
    after = {pid: harness.cpu_times([pid]) for pid in pids}
    agents_cpu = time.process_time() - agents_before
    idle_after, total_after = harness.machine_jiffies()
    per_process = {pid: sum(after[pid]) - sum(cpu) for pid, cpu in before.items()}
    system = sum(after[pid][1] - cpu[1] for pid, cpu in before.items())
    if spy is not None:
        spy.wait(60)
    floors.append(floor_us(text))
    stored = sum(a.stored for a in crowd)
    if failures := {a.failure for a in crowd if a.failure}:
        raise SystemExit("agents failed: " + "; ".join(sorted(failures)))
    cpu = sum(per_process.values())
    floor = min(floors)
    per_frame = cpu / max(stored, 1) * 1e6 if pids else float("nan")
    return {
        "sent": sum(a.sent for a in crowd),
        "stored": stored,
        "errors": sum(a.errors for a in crowd),
        "durable_fps": stored / elapsed,
        "floor_us": floor,
        "cpu_us_per_frame": per_frame,
        "ratio": per_frame / floor,
        "per_process_cpu_s": per_process,
        "system_share": system / cpu if cpu else float("nan"),
        # Is the machine the limit? Its idle share, and the cores the agents took.
        "machine_idle": (idle_after - idle_before) / max(total_after - total_before, 1),
        "agents_cores": agents_cpu / elapsed,
        "elapsed": elapsed,
    }


def _profiler(pids: list[int], duration: float, out: str) -> subprocess.Popen[bytes]:
    """py-spy (the ``dev`` extra) sampling the last server process while the agents send.

    Writes collapsed stacks (one line per stack and its sample count) to ``out``.
    """
    # The venv's py-spy when this script runs from the venv without it on PATH.
    beside = Path(sys.executable).with_name("py-spy")
    spy = str(beside) if beside.exists() else "py-spy"
    command = [spy, "record", "-p", str(pids[-1]), "-r", "250", "-f", "raw"]
    command += os.environ.get("PYSPY_EXTRA", "").split()
    command += ["-o", out, "-d", str(max(1, int(duration)))]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextlib.contextmanager
def local_server(workers: int, store: str) -> Iterator[tuple[Target, Callable[[], int]]]:
    """A gunicorn server of this checkout on a fresh store; also a count of its frames."""
    with harness.store(store) as (url, _db_pid):
        name = f"bench_stream_{uuid.uuid4().hex[:8]}"
        with harness.server(url, name, WORKERS=str(workers)) as live:
            master = live.process.pid  # type: ignore[union-attr]
            target = Target(
                live.ws_url + "/v3/stream", live.token("bench"), lambda: harness.worker_pids(master)
            )
            yield target, lambda: harness.count_frames(url, name)


def remote_target(opts: argparse.Namespace) -> Target:
    url = opts.target.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    token = opts.token or os.environ.get("TARGET_TOKEN")
    if not token and opts.jwt_secret:
        token = mint_token(opts.jwt_secret, "bench")
    if not token:
        raise SystemExit("--target needs --token, TARGET_TOKEN or --jwt-secret")
    roots = [int(pid) for pid in opts.target_pid]
    return Target(url, token, lambda: [*roots, *(c for p in roots for c in harness.worker_pids(p))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of sending")
    parser.add_argument("--window", type=int, default=200, help="unanswered frames per agent")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (local server)")
    parser.add_argument("--store", choices=harness.STORES, default="sqlite")
    parser.add_argument("--profile", metavar="FILE", help="py-spy collapsed stacks of a worker")
    parser.add_argument(
        "--players", type=int, default=10, help="players per frame (0: the fixed cost per message)"
    )
    parser.add_argument(
        "--spelling",
        choices=("game", "agent"),
        default="game",
        help="frame JSON: the game's own names, or the reference agent's protojson",
    )
    parser.add_argument(
        "--churn",
        type=int,
        default=0,
        metavar="N",
        help="first send N frames of earlier matches (flags and stats drawn per frame), then "
        f"load frames with layouts new to the server, after {CHURN_WARMUP:.0f} s unmeasured",
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="measured loads on the same server (median ratio)"
    )
    parser.add_argument("--target", help="stream URL of a running server (ws:// or http://)")
    parser.add_argument("--token", help="bearer token for --target (or TARGET_TOKEN)")
    parser.add_argument("--jwt-secret", help="HS256 secret to mint a token for --target")
    parser.add_argument(
        "--target-pid", action="append", default=[], help="pid of --target's server (repeatable)"
    )
    opts = harness.parse(parser, smoke={"agents": 1, "duration": 1.0, "window": 20})
    if opts.duration > 300 or opts.agents > 200 or opts.window > 5000 or not 0 < opts.runs <= 20:
        parser.error(
            "bounded: --duration <= 300, --agents <= 200, --window <= 5000, 1 <= --runs <= 20"
        )
    flags = 1 if opts.churn else None
    text = message_template(str(uuid.uuid4()), opts.players, opts.spelling, flags)
    print(f"# {harness.machine()}")
    print(
        f"# agents={opts.agents} window={opts.window} duration={opts.duration}s "
        f"message={len(text)} bytes spelling={opts.spelling} churn={opts.churn} "
        f"target={opts.target or f'local, workers={opts.workers}, store={opts.store}'}"
    )

    def load(target: Target) -> tuple[int, list[dict[str, Any]]]:
        """Frames stored before the measured loads (``--churn``), and each load's result."""
        crowd = {
            "agents": opts.agents,
            "window": opts.window,
            "players": opts.players,
            "spelling": opts.spelling,
            "flags": flags,
        }
        earlier = 0
        if opts.churn:
            conn = target.connect()
            earlier += send_all(conn, churn_frames(opts.churn, opts.spelling, start=10_000))
            conn.close()
            earlier += run(target, duration=CHURN_WARMUP, **crowd)["stored"]
        results = []
        for i in range(opts.runs):
            profile = opts.profile if i == 0 else None
            results.append(run(target, duration=opts.duration, profile=profile, **crowd))
            report(results[-1])
        return earlier, results

    if opts.target:
        _, results = load(remote_target(opts))
    else:
        with local_server(opts.workers, opts.store) as (target, count_frames):
            earlier, results = load(target)
            stored = sum(result["stored"] for result in results)
            print(f"in store {count_frames() - earlier} of {stored} stored")
    if len(results) > 1:
        ratios = sorted(result["ratio"] for result in results)
        print(
            f"median {statistics.median(ratios):.2f}x floor over {len(ratios)} runs "
            f"(min {ratios[0]:.2f}x, max {ratios[-1]:.2f}x)"
        )


def report(result: dict[str, Any]) -> None:
    """The lines of one measured load."""
    print(
        f"sent {result['sent']}  stored {result['stored']}  errors {result['errors']}  "
        f"durable {result['durable_fps']:.0f} frames/s"
    )
    print(
        f"floor {result['floor_us']:.1f} µs/frame   server CPU {result['cpu_us_per_frame']:.1f} "
        f"µs/stored frame   = {result['ratio']:.2f}x floor   "
        f"({result['system_share']:.0%} of it in the kernel)"
    )
    for pid, cpu in result["per_process_cpu_s"].items():
        print(f"  pid {pid}: {cpu:.2f} s CPU ({cpu / result['elapsed'] * 100:.0f}% of one core)")
    print(
        f"  machine: {os.cpu_count()} cores, {result['machine_idle']:.0%} idle; "
        f"the agents took {result['agents_cores']:.2f} cores"
    )


if __name__ == "__main__":
    main()
