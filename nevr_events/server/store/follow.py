"""Following what is stored: every new frame once, in arrival order, from any writer.

Live subscribers and event publishers must see frames that any worker of any
instance stored, so they read the store rather than listen inside one process.
``_id`` is fixed when a frame arrives, but batches from different workers (or
a batch retried while the database was away) commit late and out of order. A
follower therefore re-reads a look-back window behind the newest arrival it
has seen and skips the ``_id``s it already delivered: a frame committed up to
``commit_window`` seconds after a newer one is still delivered, exactly once.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from nevr_events.server.store.base import ArrivalLog


def lookback(commit_window: float, rescan_every: float) -> float:
    """Seconds a follower looks behind the newest arrival it has seen: a commit
    landing ``commit_window`` late is found by the next full re-read, which
    comes at most ``rescan_every`` later."""
    return commit_window + rescan_every


class StoreFollower:
    """Polls ``ArrivalLog.arrivals``; each ``poll()`` returns only frames not yet returned.

    A poll re-reads the whole look-back window once every ``rescan_every``
    seconds (0: every poll); the others read from the start of the second of
    the newest frame returned, as ``_id``s of different processes are not
    ordered within a second. With ``with_frame``, a poll first lists ``_id``s
    alone and reads frames only from the first one not yet returned, so a
    frame is read with its payload about once, not once per poll while it
    stays in the window.
    """

    def __init__(
        self,
        store: ArrivalLog,
        *,
        commit_window: float,
        rescan_every: float = 0.0,
        start: datetime | None = None,
        session_id: str | None = None,
        with_frame: bool = True,
        page_size: int = 500,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.session_id = session_id
        self.lookback = timedelta(seconds=lookback(commit_window, rescan_every))
        self.rescan_every = rescan_every
        self.with_frame = with_frame
        self.page_size = page_size
        self._clock = clock
        self._start = start or datetime.now(UTC)
        # Newest arrival time seen; the next full re-read starts ``lookback`` before it.
        self._newest = self._start
        self._newest_id: ObjectId | None = None
        # _id -> its arrival time, for every frame delivered inside the window.
        self._seen: dict[ObjectId, datetime] = {}
        self._next_rescan = float("-inf")

    @property
    def position(self) -> datetime:
        """Arrival time before which every stored frame has been returned
        (given commits land within ``commit_window``)."""
        return max(self._start, self._newest - self.lookback)

    def poll(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Frames stored since the last poll, in ``_id`` order, each returned once.

        With ``limit``, at most that many: the rest come with the next polls
        (a follower far behind, e.g. after an outage, catches up in steps).
        """
        fresh = list(itertools.islice(self._unseen(), limit))
        for document in fresh:
            oid: ObjectId = document["_id"]
            self._seen[oid] = oid.generation_time
            self._newest = max(self._newest, oid.generation_time)
            if self._newest_id is None or oid > self._newest_id:
                self._newest_id = oid
        horizon = self.position
        self._seen = {oid: at for oid, at in self._seen.items() if at >= horizon}
        return fresh

    def take(self, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Frames learned of otherwise (read by ``_id`` on a writer's notice): those not
        returned yet, now counted as returned, so that no poll returns them again."""
        fresh = [document for document in documents if document["_id"] not in self._seen]
        for document in fresh:
            self._seen[document["_id"]] = document["_id"].generation_time
        return fresh

    def _unseen(self) -> Iterator[dict[str, Any]]:
        since, after = self._since(), None
        if self.with_frame:
            first = next(self._pages(since, None, with_frame=False), None)
            if first is None:
                return
            # ``after_id`` is exclusive: start just before the first unseen arrival.
            after = ObjectId((int.from_bytes(first["_id"].binary, "big") - 1).to_bytes(12, "big"))
        yield from self._pages(since, after, with_frame=self.with_frame)

    def _since(self) -> datetime:
        """Where this poll reads from: the whole window when a re-read is due."""
        now = self._clock()
        if now >= self._next_rescan or self._newest_id is None:
            self._next_rescan = now + self.rescan_every
            return self.position
        return max(self.position, self._newest_id.generation_time)

    def _pages(
        self, since: datetime, after: ObjectId | None, *, with_frame: bool
    ) -> Iterator[dict[str, Any]]:
        """Arrivals from ``since`` (and after ``after``) not returned yet, page by page."""
        while True:
            page = self.store.arrivals(
                since,
                after_id=after,
                session_id=self.session_id,
                limit=self.page_size,
                with_frame=with_frame,
            )
            for document in page:
                if document["_id"] not in self._seen:
                    yield document
            if len(page) < self.page_size:
                return
            after = page[-1]["_id"]
