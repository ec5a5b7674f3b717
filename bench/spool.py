"""Cost of ``FrameStream.send`` with and without a spool, spool bytes per frame, drain rate.

One gunicorn server on a throw-away FerretDB (or MONGO_URI), realistic 10-player
frames (13.3 KB of JSON text, pre-encoded so that only the sending is timed):

1. ``send`` without a spool, server up (paced at ``--rate``);
2. ``send`` with a spool (fsync every 0.1 s), server up;
3. ``send`` with a spool while the server is stopped (the outage), then the spool's
   disk bytes per frame;
4. the drain: the server starts again and the spooled backlog is sent; frames/s,
   compared with sending the same number of frames without a spool, unpaced;
5. ``send`` with a spool that fsyncs every frame (``spool_fsync_interval=0``), outage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import database, machine, parse, percentile, server
from bench.ingest import INDEX_MARK, STAMP_MARK, frame_template
from nevr_events import FrameStream
from nevr_events.client.spool import spool_status


def frames(count: int, start: int = 0) -> list[str]:
    """``count`` distinct envelopes (own session, index and timestamp) as JSON text."""
    template = frame_template(str(uuid.uuid4()).upper(), bones=False)
    out = []
    for i in range(start, start + count):
        seconds, millis = divmod(i, 1000)
        stamp = f"2025-12-04T{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:" + (
            f"{seconds % 60:02d}.{millis:03d}Z"
        )
        out.append(template.replace(str(INDEX_MARK), str(i)).replace(STAMP_MARK, stamp))
    return out


def paced_sends(stream: FrameStream, payloads: list[str], rate: float) -> list[float]:
    """Seconds spent in each ``send`` call, at ``rate`` calls per second."""
    costs = []
    due = time.monotonic()
    for payload in payloads:
        started = time.perf_counter()
        stream.send(payload)
        costs.append(time.perf_counter() - started)
        due += 1 / rate
        time.sleep(max(0.0, due - time.monotonic()))
    return costs


def line(label: str, costs: list[float]) -> str:
    us = [c * 1e6 for c in costs]
    return (
        f"| {label} | {len(us)} | {percentile(us, 0.5):.0f} | {percentile(us, 0.99):.0f} | "
        f"{max(us):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=2000, help="frames per phase")
    parser.add_argument("--rate", type=float, default=200.0, help="send calls per second")
    parser.add_argument("--mongo-uri", default=None)
    args = parse(parser, smoke={"frames": 20, "rate": 1000.0})
    n, rate = args.frames, args.rate
    rows = []
    name = f"bench_spool_{uuid.uuid4().hex[:8]}"
    with (
        database(args.mongo_uri) as (uri, _pid),
        server(uri, name) as live,
        tempfile.TemporaryDirectory(prefix="nevr-bench-spool-") as tmp,
    ):
        token = live.token("bench-spool")
        work = Path(tmp)

        with FrameStream(live.url, token) as stream:
            rows.append(line("no spool, server up", paced_sends(stream, frames(n), rate)))
        with FrameStream(live.url, token, spool=work / "up") as stream:
            rows.append(line("spool, server up", paced_sends(stream, frames(n), rate)))

        stream = FrameStream(live.url, token, spool=work / "outage", backoff_max=1.0)
        live.stop()
        outage = frames(n)
        rows.append(line("spool, server stopped (outage)", paced_sends(stream, outage, rate)))
        time.sleep(0.3)  # one fsync round
        status = spool_status(work / "outage")
        payload = sum(len(p) for p in outage) / len(outage)
        live.start()
        restarted = time.perf_counter()
        result = stream.flush()
        drain = time.perf_counter() - restarted
        stream.close()
        assert result.stored == n and result.pending == 0, result

        direct_payloads = frames(n)
        with FrameStream(live.url, token) as stream:
            started = time.perf_counter()
            for payload_text in direct_payloads:
                stream.send(payload_text)
            stream.flush()
            direct = time.perf_counter() - started

        live.stop()
        stream = FrameStream(live.url, token, spool=work / "fsync", spool_fsync_interval=0)
        rows.append(
            line("spool, fsync every frame, outage", paced_sends(stream, frames(n // 4), rate))
        )
        stream.close(timeout=0)

    print(f"{machine()}; FerretDB store; {n} frames per phase at {rate:g} send/s\n")
    print("| `send` | calls | p50 µs | p99 µs | max µs |\n|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(
        f"\nspool on disk: {status.disk_bytes / status.frames:.0f} bytes per frame for "
        f"{payload:.0f} bytes of payload ({status.frames} frames, {status.segments} segments)"
    )
    print(
        f"drain after the outage: {n} frames in {drain:.1f}s = {n / drain:.0f} frames/s "
        f"(includes reconnect backoff); without spool, unpaced: {n / direct:.0f} frames/s"
    )


if __name__ == "__main__":
    main()
