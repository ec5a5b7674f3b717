#!/usr/bin/env python3
"""Parse CPU per frame in a worker that has run for a while: layout churn.

The reference agent leaves defaults out (protojson), so a player's key layout
changes whenever a bool flips or a stat leaves zero. ``stream_cpu.py`` sends one
frame over and over: one layout per message type, which gets code at once. Here:

- ``first match``: a fresh worker's first match (one set of layouts, values moving);
- ``after churn``: the frames of the current match (one set of layouts, values
  moving) measured after the worker has parsed ``--past`` frames of earlier
  matches, each frame with layouts of its own (stats, flags and packet loss
  drawn per frame). This is what a worker meets after hours of matches;
- ``churn``: frames that never repeat a layout (the worst case for any cache).

Each match is parsed for ``--warmup`` seconds before it is timed: layouts get
code on their 32nd use, one per message type every ``COMPILE_INTERVAL``.
Each figure is the validator's CPU µs per frame (``FastFrameValidator.parse``),
best of ``--repeats``; run it with ``PYTHONPATH`` at another checkout to compare.

``--compare`` times, in this one process, the validator with code per key layout
against the same validator with the generated converters alone
(``compile_converters(per_layout=False)``), and ``orjson.loads`` by itself (what
any validator pays), both spellings, alternating; it prints the medians of
``--repeats`` (the range in brackets) and the ratio of the two validators.

    python bench/layouts.py --spelling agent
    python bench/layouts.py --compare --repeats 15
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

import harness  # bench/harness.py, beside this script
import orjson
from google.protobuf import json_format

from nevr_events.testing.frames import build_frame
from nevr_events.wire.fastframe import FastFrameValidator, compile_converters
from nevr_events.wire.pb import telemetry_pb2

STAMP = "2026-11-27T10:00:00.123Z"


def respelled(frame: dict[str, Any], spelling: str) -> dict[str, Any]:
    """``frame`` (the game's JSON names) as ``spelling`` has it: ``game`` unchanged,
    ``agent`` what the reference agent sends (protojson with proto field names,
    defaults left out)."""
    if spelling == "game":
        return frame
    msg = json_format.ParseDict(frame, telemetry_pb2.LobbySessionStateFrame())
    return json_format.MessageToDict(
        msg, preserving_proto_field_name=True, use_integers_for_enums=True
    )


def spelled(frame: dict[str, Any], spelling: str) -> str:
    return orjson.dumps({"frame": respelled(frame, spelling)}).decode()


def match_frames(count: int, spelling: str, seed: int) -> list[str]:
    """One match: the layouts of one frame, positions and clocks moving."""
    base = churned_frame(random.Random(seed), frame_index=seed)
    frames = []
    for i in range(count):
        frame = orjson.loads(orjson.dumps(base))
        frame["frame_index"] = i + 1
        for team in frame["session"]["teams"]:
            for player in team.get("players", []):
                player["head"]["position"] = [x + i * 0.001 for x in player["head"]["position"]]
        frames.append(spelled(frame, spelling))
    return frames


# A player's flags that come and go in a match; with defaults left out, each one
# present or not is another key layout (``build_frame`` draws only ``stunned``).
FLAGS = ("stunned", "invulnerable", "blocking", "is_emote_playing", "possession")


def churned_frame(rng: random.Random, **build: Any) -> dict[str, Any]:
    """``build_frame(**build)`` with its players' flags and packet loss drawn too."""
    frame = build_frame(**{"n_players": 10, "timestamp": STAMP, **build})
    for team in frame["session"]["teams"]:
        for player in team.get("players", []):
            player.update({flag: rng.random() < 0.2 for flag in FLAGS})
            player["packetlossratio"] *= rng.random() < 0.5
    return frame


def churn_frames(count: int, spelling: str, start: int) -> list[str]:
    """Frames whose players' flags, packet loss and stats are drawn per frame."""
    rng = random.Random(start)
    return [spelled(churned_frame(rng, frame_index=start + i), spelling) for i in range(count)]


class Connection(Protocol):
    """A stream connection, as ``send_all`` uses it (websocket-client's, say)."""

    def send(self, text: str) -> object: ...

    def recv(self) -> str | bytes: ...


def send_all(conn: Connection, texts: list[str]) -> int:
    """Send ``texts`` on a stream connection one at a time; how many were stored."""
    stored = 0
    for text in texts:
        conn.send(text)
        stored += bool(orjson.loads(conn.recv()).get("stored"))
    return stored


def warm_up(validator: FastFrameValidator, texts: list[str], seconds: float) -> None:
    """Parse the match for ``seconds``: its layouts get code one by one (``COMPILE_INTERVAL``)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for text in texts[:30]:
            validator.parse(text)


def per_frame(validator: FastFrameValidator, texts: list[str], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for text in texts:
            validator.parse(text)
        best = min(best, (time.process_time() - start) / len(texts))
    return best * 1e6


def cpu_per_frame(parse: Callable[[str], object], texts: list[str], passes: int) -> float:
    """CPU µs per frame of ``passes`` passes of ``parse`` over ``texts``."""
    start = time.process_time()
    for _ in range(passes):
        for text in texts:
            parse(text)
    return (time.process_time() - start) / (passes * len(texts)) * 1e6


def compare(opts: argparse.Namespace) -> None:
    """Per-layout code against the generated converters alone, alternating."""
    plain = FastFrameValidator(compile_converters(per_layout=False))
    for spelling in ("agent", "game"):
        layered = FastFrameValidator()  # fresh tables: this spelling's layouts only
        texts = match_frames(opts.frames, spelling, seed=1)
        churn = churn_frames(opts.frames, spelling, start=100_000)
        assert all(plain.parse(t) == layered.parse(t) for t in texts + churn)
        warm_up(layered, texts, opts.warmup)
        for name, frames, passes in (("match", texts, 3), ("churn", churn, 1)):
            parsers = {"plain": plain.parse, "layered": layered.parse, "loads": orjson.loads}
            times: dict[str, list[float]] = {k: [] for k in parsers}
            for _ in range(opts.repeats):
                for k, parse in parsers.items():
                    times[k].append(cpu_per_frame(parse, frames, passes))
            med = {k: statistics.median(v) for k, v in times.items()}
            shown = [f"{k} {med[k]:6.1f} ({min(v):.1f}-{max(v):.1f})" for k, v in times.items()]
            ratio = med["plain"] / med["layered"]
            print(f"{spelling:<6} {name}  " + "  ".join(shown) + f"  plain/layered {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spelling", choices=("game", "agent"), default="agent")
    parser.add_argument("--past", type=int, default=2000, help="frames of earlier matches")
    parser.add_argument("--frames", type=int, default=300, help="frames of the current match")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--warmup", type=float, default=6.0, help="seconds each match is parsed before timing"
    )
    parser.add_argument(
        "--compare", action="store_true", help="per-layout code against the converters alone"
    )
    opts = harness.parse(parser, smoke={"past": 20, "frames": 10, "repeats": 1, "warmup": 0.05})
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if opts.compare:
        print(f"# {stamp}, Python {sys.version.split()[0]}, frames={opts.frames} (µs per frame)")
        compare(opts)
        return
    first = match_frames(opts.frames, opts.spelling, seed=2)
    current = match_frames(opts.frames, opts.spelling, seed=1)
    past = churn_frames(opts.past, opts.spelling, start=10_000)
    never_again = churn_frames(opts.frames, opts.spelling, start=100_000)

    validator = FastFrameValidator()
    print(f"# {stamp}, Python {sys.version.split()[0]}")
    print(f"# spelling={opts.spelling} past={opts.past} frames={opts.frames} (µs per frame)")
    warm_up(validator, first, opts.warmup)
    print(f"first match  {per_frame(validator, first, opts.repeats):6.1f}")
    for text in past:  # hours of earlier matches
        validator.parse(text)
    warm_up(validator, current, opts.warmup)
    print(f"after churn  {per_frame(validator, current, opts.repeats):6.1f}")
    print(f"churn        {per_frame(validator, never_again, 1):6.1f}")


if __name__ == "__main__":
    main()
