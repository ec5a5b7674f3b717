"""The in-flight window of a ``FrameStream``: frames written and not yet answered,
oldest first (the server answers in order), and what became of the answered ones."""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

from nevr_events.client.framewire import MAX_REPORTED, FrameProblem, StreamResult
from nevr_events.client.spool import Spool

log = logging.getLogger("nevr_events.client.framestream")  # part of FrameStream


class Entry:
    __slots__ = ("frame_index", "payload", "position", "tag")

    def __init__(self, position: int, payload: str | bytes, frame_index: int | None, tag: Any):
        self.position = position
        self.payload = payload
        self.frame_index = frame_index
        self.tag = tag


class Window:
    """Unanswered frames and the counts behind :class:`StreamResult`.

    Not locked: ``FrameStream`` calls every method with its condition held.
    With a spool, an answer also marks the frame answered in the spool, and
    frames are never counted lost (unanswered ones stay on disk).
    """

    def __init__(self, spool: Spool | None = None) -> None:
        self.entries: deque[Entry] = deque()
        self.spool = spool
        self.recovered = spool.waiting if spool is not None else 0
        self.sent = self.stored = self.duplicates = self.skipped = 0
        self.rejected = self.lost = self.reconnects = 0
        self.rejections: list[FrameProblem] = []
        self.losses: list[FrameProblem] = []

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def settled(self) -> bool:
        """Nothing waits for an answer (with a spool: nothing waits in it)."""
        return self.spool.waiting == 0 if self.spool is not None else not self.entries

    def answer(self, reply: dict[str, Any]) -> None:
        """Match ``reply`` to the oldest unanswered frame and count it."""
        if not self.entries:
            log.warning("reply without a frame waiting for it: %r", reply)
            return
        entry = self.entries.popleft()
        if self.spool is not None:
            self.spool.ack(entry.position)
        if reply.get("success") is True:
            if reply.get("skipped"):
                self.skipped += 1
            elif reply.get("duplicate"):
                self.duplicates += 1
            else:
                self.stored += 1
            return
        self.rejected += 1
        if len(self.rejections) < MAX_REPORTED:
            index = reply.get("frame_index", entry.frame_index)
            reason = str(reply.get("error") or "rejected")
            self.rejections.append(FrameProblem(entry.position, index, reason, entry.tag))

    def lose_all(self, reason: str) -> None:
        """Count every unanswered frame lost (without a spool; with one they stay in it)."""
        if self.spool is not None:
            return
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
            pending=spool.waiting if spool is not None else len(self.entries),
            reconnects=self.reconnects,
            rejections=tuple(self.rejections),
            losses=tuple(self.losses),
            recovered=self.recovered,
        )
