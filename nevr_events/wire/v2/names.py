"""The strings of v1 (the game's JSON) and the enums of telemetry v2, both ways.

One table per vocabulary, stated once; the reverse of each is derived from it,
so a value maps back to the string that produced it. A string the table does not
know becomes ``UNSPECIFIED`` (0), which maps back to the table's default.
"""

from __future__ import annotations

from typing import Generic, TypeVar, cast

from nevr_events.wire.pb import echo_arena_pb2 as ea
from nevr_events.wire.pb import telemetry_pb2

E = TypeVar("E", bound=int)


class Vocabulary(Generic[E]):
    """v1 strings and the v2 enum ``kind`` they stand for, both ways.

    The first string of a value is the one it maps back to; a value without a
    string maps back to ``unset``.
    """

    def __init__(self, kind: type[E], table: dict[str, int], unset: str = "") -> None:
        self.table = table
        self.unset = unset
        self.back: dict[int, str] = {}
        for text, value in table.items():
            self.back.setdefault(value, text)

    def enum(self, text: str) -> E:
        """The v2 value of a v1 string; 0 (UNSPECIFIED) when the table lacks it."""
        return cast(E, self.table.get(text, 0))

    def text(self, value: int) -> str:
        """The v1 string of a v2 value."""
        return self.back.get(value, self.unset)


def _lower(names: list[tuple[str, int]], prefix: str, above: int = 0) -> dict[str, int]:
    return {name.removeprefix(prefix).lower(): n for name, n in names if n > above}


GAME_STATUS = Vocabulary(ea.GameStatus, _lower(ea.GameStatus.items(), "GAME_STATUS_"))
MATCH_TYPE = Vocabulary(
    ea.MatchType,
    {
        "Echo_Arena": ea.MATCH_TYPE_ARENA,
        "Echo_Arena_Private": ea.MATCH_TYPE_PRIVATE,
        "Echo_Arena_Tournament": ea.MATCH_TYPE_TOURNAMENT,
        "Echo_Arena_FFA": ea.MATCH_TYPE_FFA,
        "Echo_Combat": ea.MATCH_TYPE_COMBAT,
        "Social_2.0": ea.MATCH_TYPE_SOCIAL_PUBLIC,
        "Social_2.0_Private": ea.MATCH_TYPE_SOCIAL_PRIVATE,
    },
)
# "unpaused" first: NOT_PAUSED maps back to it, not to the empty string.
PAUSE_STATE = Vocabulary(
    ea.PauseState,
    {
        "unpaused": ea.PAUSE_STATE_NOT_PAUSED,
        "": ea.PAUSE_STATE_NOT_PAUSED,
        **_lower(ea.PauseState.items(), "PAUSE_STATE_", ea.PAUSE_STATE_NOT_PAUSED),
    },
)
TEAM = Vocabulary(ea.Role, {"blue": ea.ROLE_BLUE_TEAM, "orange": ea.ROLE_ORANGE_TEAM}, "none")
GOAL_TYPE = Vocabulary(
    ea.GoalType,
    {
        "INSIDE SHOT": ea.GOAL_TYPE_INSIDE_SHOT,
        "LONG SHOT": ea.GOAL_TYPE_LONG_SHOT,
        "BOUNCE SHOT": ea.GOAL_TYPE_BOUNCE_SHOT,
        "LONG BOUNCE SHOT": ea.GOAL_TYPE_LONG_BOUNCE_SHOT,
        "SELF GOAL": ea.GOAL_TYPE_SELF_GOAL,
        "[NO GOAL]": ea.GOAL_TYPE_NO_GOAL,
        "SLAM DUNK": ea.GOAL_TYPE_SLAM_DUNK,
        "HEADBUTT": ea.GOAL_TYPE_HEADBUTT,
        "LONG HEADBUTT": ea.GOAL_TYPE_LONG_HEADBUTT,
        "BUMPER SHOT": ea.GOAL_TYPE_BUMPER_SHOT,
        "LONG BUMPER SHOT": ea.GOAL_TYPE_LONG_BUMPER_SHOT,
    },
    "[NO GOAL]",
)


def v2_role(value: int) -> ea.Role:
    """A v1 role as v2's (the same numbers in both schemas)."""
    return cast(ea.Role, value)


def v1_role(value: int) -> telemetry_pb2.Role:
    """A v2 role as v1's (the same numbers in both schemas)."""
    return cast(telemetry_pb2.Role, value)
