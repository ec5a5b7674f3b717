"""Telemetry frames for tests and benchmarks, built from the real game sample.

``make_frame`` wraps the sample session as it is, with a chosen id and index.
``build_frame`` returns a ``LobbySessionStateFrame`` with ``n_players`` varied
players (and optionally bones), in protojson form: proto field names at the frame
level, the game's own custom JSON names inside ``session`` (as a raw ``/session``
snapshot has them). Wrap either as ``{"frame": ...}`` (``envelope``) for an
``Envelope``.
"""

from __future__ import annotations

import copy
import json
import random
import struct
import uuid
from functools import cache
from typing import Any

import orjson

from nevr_events.testing import FIXTURES

SAMPLE_PATH = FIXTURES / "session-pre-match.json"
DEFAULT_SESSION_ID = "8380FAE5-E20F-4B61-BEDA-B94E0811244F"
DEFAULT_TIMESTAMP = "2025-12-04T03:38:22.060Z"
BONES = 23  # bones per user: bone_t holds 3 floats per bone, bone_o 4


@cache
def _sample_text() -> str:
    return SAMPLE_PATH.read_text()


def load_sample() -> dict[str, Any]:
    """The raw game ``/session`` snapshot (custom JSON names; a valid ``SessionResponse``)."""
    sample: dict[str, Any] = orjson.loads(_sample_text())
    return sample


def new_session_id(upper: bool = True) -> str:
    """A fresh lobby session id; upper case as the game writes it."""
    sid = str(uuid.uuid4())
    return sid.upper() if upper else sid


def make_frame(
    session_id: str,
    index: int,
    *,
    timestamp: str | None = None,
    events: list[dict[str, Any]] | None = None,
    sample: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A protojson frame (proto field names) around the real sample session.

    Frame ``i`` is stamped ``2025-12-04T03:00:00Z`` plus ``i * 33`` ms unless
    ``timestamp`` is given; an empty ``timestamp`` leaves it out.
    """
    session = dict(sample or load_sample())
    session["sessionid"] = session_id
    frame: dict[str, Any] = {"frame_index": index, "session": session}
    if timestamp is None:
        minutes, millis = divmod(index * 33, 60_000)
        timestamp = f"2025-12-04T03:{minutes % 60:02d}:{millis // 1000:02d}.{millis % 1000:03d}Z"
    if timestamp:
        frame["timestamp"] = timestamp
    if events:
        frame["events"] = events
    return frame


def envelope(frame: dict[str, Any]) -> str:
    """The frame as the text of one stream message (an ``Envelope``)."""
    return json.dumps({"frame": frame})


def _f32(rng: random.Random, lo: float, hi: float) -> float:
    """A float32 value printed shortest, as a protojson encoder of a float field sends it."""
    value: float = struct.unpack("<f", struct.pack("<f", rng.uniform(lo, hi)))[0]
    for digits in range(6, 10):
        text = f"{value:.{digits}g}"
        if struct.unpack("<f", struct.pack("<f", float(text)))[0] == value:
            return float(text)
    return value  # pragma: no cover


def _vec(rng: random.Random, n: int = 3, scale: float = 1.0) -> list[float]:
    return [round(rng.uniform(-scale, scale), 6) for _ in range(n)]


def _player(template: dict[str, Any], rng: random.Random, slot: int, team: int) -> dict[str, Any]:
    p = copy.deepcopy(template)
    p["name"] = f"player{slot:02d}"
    p["playerid"] = slot
    p["userid"] = 3963667097037078 + slot * 7919
    p["number"] = rng.randint(0, 99)
    p["level"] = rng.randint(1, 50)
    p["ping"] = rng.randint(10, 120)
    p["packetlossratio"] = round(rng.random() * 0.01, 6)
    p["stunned"] = rng.random() < 0.1
    p["possession"] = slot == 3
    for part in ("head", "body"):
        p[part] = {k: _vec(rng, scale=40.0 if k == "position" else 1.0) for k in p[part]}
    for part in ("lhand", "rhand"):
        p[part] = {k: _vec(rng, scale=40.0 if k == "pos" else 1.0) for k in p[part]}
    p["velocity"] = _vec(rng, scale=5.0)
    stats = p["stats"]
    stats["possession_time"] = round(rng.random() * 60, 4)
    for key in ("points", "saves", "goals", "stuns", "passes", "catches", "steals"):
        stats[key] = rng.randint(0, 5) + team
    return p


def build_frame(
    n_players: int = 10,
    bones: bool = False,
    frame_index: int = 0,
    session_id: str = DEFAULT_SESSION_ID,
    timestamp: str = DEFAULT_TIMESTAMP,
) -> dict[str, Any]:
    """A frame with ``n_players`` (half blue, half orange) and optionally player bones."""
    rng = random.Random(frame_index * 7919 + n_players)
    session = load_sample()
    session["sessionid"] = session_id
    session["game_clock"] = round(600.0 - frame_index / 30.0, 3)
    template = session["teams"][1]["players"][0]
    blue = (n_players + 1) // 2
    teams = session["teams"]
    teams[0]["players"] = [_player(template, rng, i, 0) for i in range(blue)]
    teams[1]["players"] = [_player(template, rng, i, 1) for i in range(blue, n_players)]
    teams[0]["stats"] = copy.deepcopy(teams[1]["stats"])
    session["disc"]["position"] = _vec(rng, scale=20.0)
    session["disc"]["velocity"] = _vec(rng, scale=10.0)
    frame: dict[str, Any] = {"frame_index": frame_index, "timestamp": timestamp, "session": session}
    if bones:
        frame["player_bones"] = {
            "user_bones": [
                {
                    "bone_t": [_f32(rng, -3.0, 3.0) for _ in range(BONES * 3)],
                    "bone_o": [_f32(rng, -1.0, 1.0) for _ in range(BONES * 4)],
                    "playerid": i,
                }
                for i in range(n_players)
            ]
        }
    return frame
