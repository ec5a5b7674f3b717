"""Shared plumbing of the benchmark scripts: stores, server, process CPU and RSS.

Benchmarks run only against loopback: an embedded SQLite file in a temporary
folder, a FerretDB they start (or MONGO_URI), and a gunicorn server they
start and stop.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nevr_events.testing.ferretdb import LocalFerretDB
from nevr_events.testing.live import LiveServer

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the context managers: nothing is left running


signal.signal(signal.SIGTERM, _exit_on_sigterm)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@contextlib.contextmanager
def database(uri: str | None = None) -> Iterator[tuple[str, int | None]]:
    """``(uri, pid)``: MONGO_URI when given (pid None), else a throw-away FerretDB."""
    uri = uri or os.environ.get("MONGO_URI")
    if uri:
        yield uri, None
        return
    with LocalFerretDB() as db:
        assert db.process is not None
        yield db.uri, db.process.pid


STORES = ("sqlite", "mongo")


@contextlib.contextmanager
def store(kind: str, mongo_uri: str | None = None) -> Iterator[tuple[str, int | None]]:
    """``(store URL, database pid or None)`` of a fresh store of ``kind`` for one run."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="nevr-bench-") as folder:
            yield f"sqlite:///{folder}/events.db", None
        return
    with database(mongo_uri) as found:
        yield found


def count_frames(url: str, database_name: str) -> int:
    """Every frame in the store (the run's store holds only the run's frames)."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path)) as db:
            return db.execute("SELECT count(*) FROM frames").fetchone()[0]
    import pymongo

    client: pymongo.MongoClient = pymongo.MongoClient(url)
    try:
        return client[database_name]["session_events"].count_documents({})
    finally:
        client.close()


def store_bytes(url: str) -> int:
    """Size of the SQLite store's files (database + WAL); 0 for MongoDB."""
    if not url.startswith("sqlite:///"):
        return 0
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


@contextlib.contextmanager
def server(uri: str, database_name: str, **env: str) -> Iterator[LiveServer]:
    live = LiveServer(uri, database_name, LOG_LEVEL="warning", **env).start()
    try:
        yield live
    finally:
        live.stop()


def worker_pids(master_pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True
    ).stdout
    return [int(pid) for pid in out.split()]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes so far."""
    return sum(cpu_times(pids))


def cpu_times(pids: list[int]) -> tuple[float, float]:
    """User and system CPU time of the processes so far, apart."""
    user = system = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            user += int(fields[11])
            system += int(fields[12])
    return user / CLOCK_TICKS, system / CLOCK_TICKS


def machine_jiffies() -> tuple[int, int]:
    """Idle (idle + iowait) and total CPU time of the whole machine so far, in ticks."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[3] + fields[4], sum(fields[:8])  # without guest time, counted in user


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    return total


def machine() -> str:
    cpu = "unknown cpu"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def parse(parser: argparse.ArgumentParser, smoke: dict[str, Any]) -> argparse.Namespace:
    """Parse the command line, with ``--smoke``: the smallest run that still goes through
    every phase of the script (``tests/test_bench_smoke.py`` runs each script so)."""
    tiny = " ".join(f"--{name.replace('_', '-')} {value}" for name, value in smoke.items())
    parser.add_argument(
        "--smoke", action="store_true", help=f"smallest run, loopback only ({tiny or 'as is'})"
    )
    opts = parser.parse_args()
    if opts.smoke:
        for name, value in smoke.items():
            setattr(opts, name, value)
    return opts
