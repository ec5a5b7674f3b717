"""The in-flight window of a ``FrameStream``: frames written and not yet answered,
oldest first (the server answers in order), and what became of the answered ones."""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from nevr_events.client.framewire import MAX_REPORTED, FrameProblem, StreamResult
from nevr_events.client.spool import Spool

log = logging.getLogger("nevr_events.client.framestream")  # part of FrameStream


RATE_LIMITED = "rate limited"
#: Times one frame is re-sent after ``rate limited`` before it counts as rejected.
MAX_RATE_LIMITED = 100


class Entry:
    __slots__ = ("frame_index", "limited", "payload", "position", "tag")

    def __init__(self, position: int, payload: str | bytes, frame_index: int | None, tag: Any):
        self.position = position
        self.payload = payload
        self.frame_index = frame_index
        self.tag = tag
        self.limited = 0  # times answered "rate limited"


class Window:
    """Unanswered frames and the counts behind :class:`StreamResult`.

    Not locked: ``FrameStream`` calls every method with its condition held.
    With a spool, an answer also marks the frame answered in the spool, and
    frames are never counted lost (unanswered ones stay on disk).
    """

    def __init__(self, spool: Spool | None = None) -> None:
        self.entries: deque[Entry] = deque()
        # Answered "rate limited" (the server's MAX_STREAM_HZ), waiting to be sent again.
        self.limited: deque[Entry] = deque()
        self.spool = spool
        self.recovered = spool.waiting if spool is not None else 0
        self.sent = self.stored = self.duplicates = self.skipped = 0
        self.rejected = self.lost = self.reconnects = 0
        self.rejections: list[FrameProblem] = []
        self.losses: list[FrameProblem] = []

    def __len__(self) -> int:
        return len(self.entries) + len(self.limited)

    @property
    def settled(self) -> bool:
        """Nothing waits for an answer (with a spool: nothing waits in it)."""
        return self.spool.waiting == 0 if self.spool is not None else not len(self)

    def answer(self, reply: dict[str, Any]) -> float | None:
        """Match ``reply`` to the oldest unanswered frame and count it.

        Returns the seconds to wait when the frame was answered ``rate limited``
        and joined ``limited`` to be sent again; None otherwise.
        """
        if not self.entries:
            log.warning("reply without a frame waiting for it: %r", reply)
            return None
        entry = self.entries.popleft()
        retry_after = reply.get("retry_after")
        if (
            reply.get("error") == RATE_LIMITED
            and isinstance(retry_after, int | float)
            and entry.limited < MAX_RATE_LIMITED
        ):
            entry.limited += 1
            self.limited.append(entry)
            return min(max(float(retry_after), 0.001), 60.0)
        if self.spool is not None:
            self.spool.ack(entry.position)
        if reply.get("success") is True:
            if reply.get("skipped"):
                self.skipped += 1
            elif reply.get("duplicate"):
                self.duplicates += 1
            else:
                self.stored += 1
            return None
        self.rejected += 1
        if len(self.rejections) < MAX_REPORTED:
            index = reply.get("frame_index", entry.frame_index)
            reason = str(reply.get("error") or "rejected")
            self.rejections.append(FrameProblem(entry.position, index, reason, entry.tag))
        return None

    def lose_all(self, reason: str) -> None:
        """Count every unanswered frame lost (without a spool; with one they stay in it)."""
        if self.spool is not None:
            return
        self.entries.extend(self.limited)
        self.limited.clear()
        while self.entries:
            entry = self.entries.popleft()
            self.lost += 1
            if len(self.losses) < MAX_REPORTED:
                self.losses.append(
                    FrameProblem(entry.position, entry.frame_index, reason, entry.tag)
                )

    def result(self) -> StreamResult:
        spool = self.spool
        return StreamResult(
            sent=self.sent,
            stored=self.stored,
            duplicates=self.duplicates,
            skipped=self.skipped,
            rejected=self.rejected,
            # spooled frames that could not be read back are lost too
            lost=self.lost + (spool.corrupt if spool is not None else 0),
            pending=spool.waiting if spool is not None else len(self),
            reconnects=self.reconnects,
            rejections=tuple(self.rejections),
            losses=tuple(self.losses),
            recovered=self.recovered,
        )
