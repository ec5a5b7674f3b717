"""Frames shaped like a real match (issue 24, item 5), for bytes-per-frame figures.

``RealisticMatch(n_players).frame(i)`` gives frame ``i`` of one match at 30 Hz:
every tracked point (heads, bodies, hands, the disc) moves smoothly, its
position integrating a velocity that changes a little each tick; positions
are float32 values printed shortest, as the game prints them (``77.559006``);
orientation vectors turn slowly and are rounded to three decimals, as in the
real sample (tests/fixtures/session-pre-match.json); pings change now and then,
stats rarely, the clock every frame. Deterministic for a seed. The random
frames of ``nevr_events.testing.frames.build_frame`` stay the CPU worst case.
"""

from __future__ import annotations

import copy
import math
import random
from typing import Any

import numpy
import orjson

from nevr_events.testing.frames import DEFAULT_SESSION_ID, load_sample

HZ = 30.0
ARENA = (15.0, 8.0, 40.0)  # half extents: points bounce back inside


def float32(value: float) -> float:
    """``value`` as a float32 printed shortest (what the game's JSON holds): numpy
    prints a float32 with the fewest digits that read back as it."""
    return float(str(numpy.float32(value)))


class _Point:
    """A position moving smoothly, and a heading turning slowly about the vertical."""

    def __init__(self, rng: random.Random, near: list[float] | None = None) -> None:
        self.rng = rng
        base = near or [rng.uniform(-e, e) for e in ARENA]
        self.position = [c + rng.uniform(-0.3, 0.3) if near else c for c in base]
        self.velocity = [rng.uniform(-2, 2) for _ in range(3)]
        self.yaw = rng.uniform(0, 2 * math.pi)
        self.turn = rng.uniform(-0.5, 0.5)  # radians per second

    def step(self) -> None:
        for axis in range(3):
            self.velocity[axis] += self.rng.gauss(0, 0.15)
            self.velocity[axis] *= 0.995
            self.position[axis] += self.velocity[axis] / HZ
            if abs(self.position[axis]) > ARENA[axis]:
                self.velocity[axis] = -self.velocity[axis]
        self.turn += self.rng.gauss(0, 0.02)
        self.yaw += self.turn / HZ

    def pos(self) -> list[float]:
        return [float32(c) for c in self.position]

    def axes(self) -> dict[str, list[float]]:
        s, c = math.sin(self.yaw), math.cos(self.yaw)
        return {
            "forward": [round(s, 3), 0.001, round(c, 3)],
            "left": [round(c, 3), -0.001, round(-s, 3)],
            "up": [-0.001, 1.0, 0.001],
        }


class RealisticMatch:
    """One match's frames; ``frame(i)`` must be asked for in order (it advances time)."""

    def __init__(
        self, n_players: int = 10, seed: int = 1, session_id: str = DEFAULT_SESSION_ID
    ) -> None:
        self.rng = random.Random(seed)
        self.session = load_sample()
        self.session["sessionid"] = session_id
        template = self.session["teams"][1]["players"][0]
        blue = (n_players + 1) // 2
        self.players: list[tuple[dict[str, Any], list[_Point]]] = []
        for slot in range(n_players):
            player = copy.deepcopy(template)
            player.update(name=f"player{slot:02d}", playerid=slot, number=slot * 7 % 100)
            player["userid"] = 3963667097037078 + slot * 7919
            body = _Point(self.rng)
            points = [body, _Point(self.rng, body.position), _Point(self.rng, body.position)]
            points.append(_Point(self.rng, body.position))
            self.players.append((player, points))
        teams = self.session["teams"]
        teams[0]["players"] = [p for p, _ in self.players[:blue]]
        teams[1]["players"] = [p for p, _ in self.players[blue:]]
        teams[0]["stats"] = copy.deepcopy(teams[1]["stats"])
        self.disc = _Point(self.rng)
        self.index = 0

    def frame(self, index: int) -> dict[str, Any]:
        while self.index <= index:
            self._tick()
            self.index += 1
        minutes, millis = divmod(index * 33, 60_000)
        stamp = f"2025-12-04T03:{minutes % 60:02d}:{millis // 1000:02d}.{millis % 1000:03d}Z"
        session = orjson.loads(orjson.dumps(self.session))
        return {"frame_index": index, "timestamp": stamp, "session": session}

    def _tick(self) -> None:
        rng = self.rng
        for player, (body, head, lhand, rhand) in self.players:
            for point in (body, head, lhand, rhand):
                point.step()
            player["body"] = {"position": body.pos(), **body.axes()}
            player["head"] = {"position": head.pos(), **head.axes()}
            player["lhand"] = {"pos": lhand.pos(), **lhand.axes()}
            player["rhand"] = {"pos": rhand.pos(), **rhand.axes()}
            player["velocity"] = [float32(v) for v in body.velocity]
            if rng.random() < 0.02:
                player["ping"] = max(5, player["ping"] + rng.randint(-3, 3))
            if rng.random() < 0.001:
                stat = rng.choice(["passes", "catches", "saves", "stuns", "steals"])
                player["stats"][stat] += 1
        self.disc.step()
        self.session["disc"]["position"] = self.disc.pos()
        self.session["disc"]["velocity"] = [float32(v) for v in self.disc.velocity]
        self.session["disc"].update(self.disc.axes())
        self.session["game_clock"] = round(max(600.0 - self.index / HZ, 0.0), 3)


def main() -> None:
    import argparse

    import zstandard

    parser = argparse.ArgumentParser(
        description="Print the JSON and zstd sizes of a realistic match's frames."
    )
    parser.add_argument("--frames", type=int, default=900)
    parser.add_argument("--players", type=int, default=10)
    import harness  # bench/harness.py, beside this script

    args = harness.parse(parser, {"frames": 30})
    match = RealisticMatch(args.players)
    pack = zstandard.ZstdCompressor(level=3).compress
    raw = packed = 0
    for index in range(args.frames):
        text = orjson.dumps(match.frame(index))
        raw += len(text)
        packed += len(pack(text))
    print(
        f"{args.frames} frames, {args.players} players: JSON {raw / args.frames:.0f} B/frame, "
        f"zstd-3 per frame {packed / args.frames:.0f} B/frame"
    )


if __name__ == "__main__":
    main()
