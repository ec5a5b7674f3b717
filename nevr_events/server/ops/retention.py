"""Retention: whole stored matches deleted by age (``RETENTION``) and size (``MAX_STORE_BYTES``).

Age and liveness are the server's clock: a frame's ``_id`` is fixed when it
arrives, so "the last frame of a match arrived before T" needs no trust in
the agents' or the recordings' timestamps. A match with a frame within
``LIVE_WINDOW`` is never deleted, and a match is deleted whole (see each
store's ``delete_session``).

``sweep`` is one pass (what ``nevr-events prune`` runs); ``RetentionSweeper``
runs it in the service, in one worker of all at a time: the workers compete
for a lease in the store, as the AMQP publisher does. Matches go one at a
time with a pause between them, so the writer's batches get the file's lock
in between.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

import gevent
from gevent.event import Event
from pymongo.errors import PyMongoError

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.config import Settings
from nevr_events.server.store.base import Pruning, PublisherState, StoredMatch

log = logging.getLogger(__name__)

LEASE = "retention"
SWEEP_INTERVAL = 30.0  # twice a minute: a lease holder that died is replaced within a minute
BATCH = 50  # matches looked at per query
PAUSE = 0.05  # between two deleted matches, so ingest's commits get the lock


class RetentionStore(Pruning, PublisherState, Protocol):
    """What retention needs: the pruning queries and the lease."""


class RetentionMetrics(Protocol):
    """What retention counts (``nevr_events.server.ops.metrics.Metrics`` is one)."""

    def pruned(self, matches: int, frames: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Policy:
    """What may be deleted: by age, by size, never what is live (seconds, bytes; 0 is off)."""

    retention: float
    max_store_bytes: int
    live_window: float

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(settings.retention, settings.max_store_bytes, settings.live_window)

    @property
    def active(self) -> bool:
        return bool(self.retention or self.max_store_bytes)


@dataclass(frozen=True, slots=True)
class Removed:
    """One match a sweep deleted (or, dry, would delete), and why."""

    match: StoredMatch
    reason: str  # "retention" or "size"


@dataclass(slots=True)
class SweepReport:
    removed: list[Removed] = field(default_factory=list)
    bytes_before: int = 0
    bytes_after: int = 0  # a dry run's is the estimate
    dry_run: bool = False

    @property
    def frames(self) -> int:
        return sum(item.match.frames for item in self.removed)


def sweep(
    store: Pruning,
    policy: Policy,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    pause: Callable[[], None] = lambda: None,
    on_removed: Callable[[Removed], None] = lambda _removed: None,
) -> SweepReport:
    """One pass: the matches past ``RETENTION``, then the oldest finished ones while
    the store is over ``MAX_STORE_BYTES``; ``dry_run`` deletes nothing."""
    now = now or datetime.now(UTC)
    live_cut = now - timedelta(seconds=policy.live_window)
    report = SweepReport(dry_run=dry_run, bytes_before=store.store_bytes())
    # Freed bytes are estimated from the frames deleted: a MongoDB collection's
    # storage size does not drop at once, so measuring again could delete everything.
    # Counting the frames costs a scan: only when the estimate is needed.
    per_frame: list[float] = []

    def bytes_left() -> float:
        if not report.removed:
            return report.bytes_before
        if not per_frame:
            frames = store.frame_total() + (0 if dry_run else report.frames)
            per_frame.append(report.bytes_before / max(frames, 1))
        return report.bytes_before - report.frames * per_frame[0]

    seen: set[str] = set()

    def remove(match: StoredMatch, reason: str) -> None:
        seen.add(match.session_id)
        frames = match.frames if dry_run else store.delete_session(match.session_id, live_cut)
        if not frames:
            return  # it became live again: kept whole
        item = Removed(StoredMatch(match.session_id, match.last_arrival, frames), reason)
        report.removed.append(item)
        on_removed(item)
        if not dry_run:
            pause()

    if policy.retention:
        age_cut = min(now - timedelta(seconds=policy.retention), live_cut)
        for match in _oldest_first(store, age_cut, seen):
            remove(match, "retention")
    if policy.max_store_bytes and bytes_left() > policy.max_store_bytes:
        for match in _oldest_first(store, live_cut, seen):
            remove(match, "size")
            if bytes_left() <= policy.max_store_bytes:
                break
    if dry_run:
        report.bytes_after = max(int(bytes_left()), 0)
    else:
        if report.removed:
            store.reclaim_space(pause)
        report.bytes_after = store.store_bytes()
    return report


def _oldest_first(store: Pruning, cut: datetime, seen: set[str]) -> Iterator[StoredMatch]:
    """Every match that ended before ``cut``, oldest first, a batch per query. The
    caller adds each one it was given to ``seen`` (deleted, kept or dry run), so the
    next batch starts after it."""
    while True:
        batch = [
            match
            for match in store.finished_sessions(cut, BATCH + len(seen))
            if match.session_id not in seen
        ]
        yield from batch
        if len(batch) < BATCH:
            return


class RetentionSweeper:
    """Competes for the retention lease; while holding it, sweeps every ``SWEEP_INTERVAL``."""

    def __init__(
        self,
        store: RetentionStore,
        policy: Policy,
        *,
        metrics: RetentionMetrics,
        owner: str | None = None,
        interval: float = SWEEP_INTERVAL,
    ) -> None:
        self.store, self.policy, self.metrics = store, policy, metrics
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.interval = interval
        self.sweeps = 0  # completed by this worker
        self._stopping = Event()
        self._greenlet: gevent.Greenlet[[], None] | None = None
        self._held = False

    def start(self) -> RetentionSweeper:
        if self._greenlet is None:
            self._greenlet = gevent.spawn(self._run)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop sweeping (between two matches) and give the lease up (idempotent)."""
        self._stopping.set()
        if self._greenlet is not None:
            self._greenlet.join(timeout)
            if not self._greenlet.dead:
                self._greenlet.kill(block=True, timeout=1)
        if self._held:
            try:
                self.store.release_lease(LEASE, self.owner)
            except (StoreUnavailable, PyMongoError):
                log.warning("retention could not release its lease; it expires by itself")
            self._held = False

    def _run(self) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                self._held = self.store.acquire_lease(LEASE, self.owner, 2 * self.interval)
                if self._held:
                    self._sweep()
            except _Stopped:
                break
            except (StoreUnavailable, PyMongoError) as exc:
                log.warning("retention waiting for the database: %s", type(exc).__name__)
            except Exception:
                log.exception("retention sweep failed; retrying at the next one")
            self._stopping.wait(
                max(self.interval - (time.monotonic() - started), self.interval / 10)
            )

    def _sweep(self) -> None:
        def pause() -> None:
            if self._stopping.wait(PAUSE):
                raise _Stopped()

        def counted(item: Removed) -> None:
            self.metrics.pruned(1, item.match.frames)
            log.info(
                "retention: deleted match %s (%d frames, last frame %s, %s)",
                item.match.session_id,
                item.match.frames,
                item.match.last_arrival.isoformat(),
                item.reason,
            )

        sweep(self.store, self.policy, pause=pause, on_removed=counted)
        self.sweeps += 1


class _Stopped(Exception):
    """The service is stopping: the sweep ends between two matches."""


def init_sweeper(
    settings: Settings, store: RetentionStore, metrics: RetentionMetrics
) -> RetentionSweeper | None:
    """Start this worker's sweeper when ``RETENTION`` or ``MAX_STORE_BYTES`` is set (the
    caller stops it, ``runtime.on_close``); None when both are off."""
    policy = Policy.of(settings)
    if not policy.active:
        return None
    return RetentionSweeper(store, policy, metrics=metrics).start()
