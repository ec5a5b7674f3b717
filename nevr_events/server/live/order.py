"""Game-time order for one session's live frames: a small reorder window.

Frames reach the store in arrival order, which is not the match's order when
they come over several connections (an agent that reconnected and re-sent,
several agents of one match, two workers committing side by side). The hub
passes each session's new frames through a ``Reorder``: a frame goes out in
``(timestamp, frame_index)`` order once it has waited ``window`` since it was
received, or at once when it directly follows the last one sent (the next
frame index, not older), so an agent streaming in order waits for nothing.
A frame older than one already sent missed its place: it goes out at once,
marked ``"late": true``.
"""

from __future__ import annotations

import dataclasses
import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta

from bson import ObjectId


@dataclass(frozen=True, slots=True)
class LiveFrame:
    """One stored frame, ready to send: its JSON message is encoded once for everyone."""

    id: ObjectId
    timestamp: datetime
    received: datetime
    message: str
    index: int = 0  # frame_index: ties on timestamp sort by it
    late: bool = False  # sent after a frame later in game time


def mark_late(frame: LiveFrame) -> LiveFrame:
    """The frame with ``"late": true`` in its message (a JSON object: one key added)."""
    return dataclasses.replace(frame, message=frame.message[:-1] + ',"late":true}', late=True)


class Reorder:
    """Holds one session's frames up to ``window`` seconds to send them in game-time order."""

    def __init__(self, window: float) -> None:
        self.window = timedelta(seconds=window)
        self._held: list[tuple[datetime, int, ObjectId, LiveFrame]] = []
        self._last: tuple[datetime, int] | None = None  # key of the last frame sent
        self.late = 0

    def __len__(self) -> int:
        return len(self._held)

    def add(self, frames: list[LiveFrame], now: datetime) -> list[LiveFrame]:
        """Take new frames; returns what goes out now, in order (late ones first)."""
        out = []
        for frame in frames:
            key = (frame.timestamp, frame.index)
            if self._last is not None and key < self._last:
                self.late += 1
                out.append(mark_late(frame))
            else:
                heapq.heappush(self._held, (*key, frame.id, frame))
        return out + self.due(now)

    def due(self, now: datetime) -> list[LiveFrame]:
        """The held frames whose turn has come, in ``(timestamp, frame_index)`` order."""
        out = []
        while self._held:
            stamp, index, _, frame = self._held[0]
            if not (self._follows(stamp, index) or now - frame.received >= self.window):
                break
            heapq.heappop(self._held)
            self._last = (stamp, index)
            out.append(frame)
        return out

    def next_due(self) -> datetime | None:
        """When the first held frame goes out at the latest (None: nothing held)."""
        return self._held[0][3].received + self.window if self._held else None

    def _follows(self, stamp: datetime, index: int) -> bool:
        return self._last is not None and index == self._last[1] + 1 and stamp >= self._last[0]
