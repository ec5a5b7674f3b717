#!/usr/bin/env python3
"""Recordings benchmark: .tape / .nevrcap / .echoreplay export and import, in process.

Runs the code a match download and `nevr-events stream FILE` run, without the
network: stored frames (protojson) to each file format, and each file back to
stored frames, on one synthetic match (``nevr_events.testing.match.v2_match``:
10 players, bones on a third of the frames, every event type; its floats are
random, so real matches compress better). Prints frames/s and CPU per frame of
each direction, and bytes per frame of each format for the same match.

    python bench/recordings.py --frames 3000
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from google.protobuf.json_format import MessageToDict

from bench import harness
from nevr_events.client.replay import parse_echoreplay_lines
from nevr_events.testing.match import stored, v2_match
from nevr_events.wire.echoreplay import echoreplay_chunks
from nevr_events.wire.nevrcap import read_nevrcap
from nevr_events.wire.pb import capture_pb2, telemetry_pb2
from nevr_events.wire.tape import Layout
from nevr_events.wire.tapereader import read_tape
from nevr_events.wire.v2.export import stored_nevrcap_chunks, stored_tape_chunks
from nevr_events.wire.v2.tov1 import V2ToV1

Pairs = list[tuple[datetime, dict[str, Any]]]


def _timed(work: Callable[[], int]) -> tuple[int, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    count = work()
    return count, time.perf_counter() - wall, time.process_time() - cpu


def _tape_in(data: bytes) -> int:
    items = read_tape(io.BytesIO(data))
    header = next(items)
    assert isinstance(header, capture_pb2.CaptureHeader)
    rebuild = V2ToV1(header)
    count = 0
    for frame in items:
        if isinstance(frame, capture_pb2.Frame):
            MessageToDict(rebuild.frame(frame), preserving_proto_field_name=True)
            count += 1
    return count


def _nevrcap_in(data: bytes) -> int:
    count = 0
    for message in read_nevrcap(io.BytesIO(data)):
        if isinstance(message, telemetry_pb2.LobbySessionStateFrame):
            MessageToDict(message, preserving_proto_field_name=True)
            count += 1
    return count


def _echoreplay_in(data: bytes) -> int:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(archive.namelist()[0]) as entry:
        return sum(1 for _ in parse_echoreplay_lines(entry, "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--players", type=int, default=10)
    args = harness.parse(parser, {"frames": 30})
    print(harness.machine())
    frames = v2_match(frames=args.frames, players=args.players)
    pairs: Pairs = [(f.timestamp.ToDatetime(tzinfo=UTC), stored(f)) for f in frames]
    match_id = "8380fae5-e20f-4b61-beda-b94e0811244f"
    exports: dict[str, Callable[[Pairs], Iterable[bytes]]] = {
        "echoreplay": lambda p: echoreplay_chunks(match_id, p),
        "nevrcap": lambda p: stored_nevrcap_chunks(match_id, p),
    }
    layouts: tuple[Layout, ...] = ("stream", "blocks", "raw")
    for layout in layouts:
        exports[f"tape ({layout})"] = lambda p, lay=layout: stored_tape_chunks(match_id, p, lay)
    imports: dict[str, Callable[[bytes], int]] = {
        "echoreplay": _echoreplay_in,
        "nevrcap": _nevrcap_in,
    }
    heads = ("bytes/frame", 12), ("out f/s", 10), ("out CPU µs/f", 14), ("in f/s", 10)
    print(f"{'format':<16}" + "".join(f"{h:>{w}}" for h, w in heads) + f"{'in CPU µs/f':>13}")
    for name, export in exports.items():
        out: list[bytes] = []

        def write(chunks: list[bytes] = out, e: Callable[[Pairs], Iterable[bytes]] = export) -> int:
            chunks.extend(e(pairs))
            return len(pairs)

        count, wall, cpu = _timed(write)
        data = b"".join(out)
        reader = imports.get(name, _tape_in)
        back, in_wall, in_cpu = _timed(lambda r=reader, d=data: r(d))
        assert back == count, (name, back, count)
        print(
            f"{name:<16}{len(data) / count:>12.0f}{count / wall:>10.0f}{cpu / count * 1e6:>14.0f}"
            f"{back / in_wall:>10.0f}{in_cpu / back * 1e6:>13.0f}"
        )


if __name__ == "__main__":
    main()
