"""Following what is stored: every new frame once, in arrival order, from any writer.

Live subscribers and event publishers must see frames that any worker of any
instance stored, so they read the store rather than listen inside one process.
``_id`` is fixed when a frame arrives, but batches from different workers (or
a batch retried while the database was away) commit late and out of order. A
follower therefore re-reads a look-back window behind the newest arrival it
has seen and skips the ``_id``s it already delivered: a frame committed up to
``lookback`` seconds after a newer one is still delivered, exactly once.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from nevr_events.server.store import EventStore


class StoreFollower:
    """Polls ``EventStore.arrivals``; each ``poll()`` returns only frames not yet returned."""

    def __init__(
        self,
        store: EventStore,
        *,
        start: datetime | None = None,
        lookback: float = 5.0,
        session_id: str | None = None,
        with_frame: bool = True,
        page_size: int = 500,
        rescan_every: float | None = None,
    ) -> None:
        """``rescan_every``: read the whole look-back window only that often (seconds)
        and, in between, only what arrived after the newest frame returned, which
        costs the database far less. Then ``lookback`` must cover the longest
        commit delay *plus* ``rescan_every``. None: every poll reads the window."""
        self.store = store
        self.session_id = session_id
        self.with_frame = with_frame
        self.page_size = page_size
        self.lookback = timedelta(seconds=lookback)
        self._start = start or datetime.now(UTC)
        # Newest arrival time seen; the next poll reads from ``lookback`` before it.
        self._newest = self._start
        # _id -> its arrival time, for every frame delivered inside the window.
        self._seen: dict[ObjectId, datetime] = {}
        self.rescan_every = rescan_every
        self._rescanned_at = float("-inf")
        self._newest_id: ObjectId | None = None

    @property
    def position(self) -> datetime:
        """Arrival time before which every stored frame has been returned
        (given commits land within ``lookback``)."""
        return max(self._start, self._newest - self.lookback)

    def poll(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Frames stored since the last poll, in ``_id`` order, each returned once.

        With ``limit``, at most that many: the rest come with the next polls
        (a follower far behind, e.g. after an outage, catches up in steps).
        """
        fresh = list(itertools.islice(self._iter_window(), limit))
        for document in fresh:
            arrived = document["_id"].generation_time
            self._seen[document["_id"]] = arrived
            self._newest = max(self._newest, arrived)
            if self._newest_id is None or document["_id"] > self._newest_id:
                self._newest_id = document["_id"]
        horizon = self.position
        self._seen = {oid: at for oid, at in self._seen.items() if at >= horizon}
        return fresh

    def _iter_window(self) -> Iterator[dict[str, Any]]:
        since, after = self.position, None
        if self.rescan_every is not None:
            if time.monotonic() - self._rescanned_at < self.rescan_every:
                after = self._newest_id  # only what arrived after the newest returned
            else:
                self._rescanned_at = time.monotonic()
        while True:
            page = self.store.arrivals(
                since,
                after_id=after,
                session_id=self.session_id,
                limit=self.page_size,
                with_frame=self.with_frame,
            )
            for document in page:
                if document["_id"] not in self._seen:
                    yield document
            if len(page) < self.page_size:
                return
            after = page[-1]["_id"]
