"""The live hub of one worker: follows the store and fans frames out to subscribers.

Frames reach the store from any worker of any instance, so the hub follows the
store rather than its own process: one greenlet per worker reads, for every
session that has a subscriber here, the new frames (``StoreFollower``: arrival
order, look-back over the writer's commit window for late commits, each frame
once) as soon as a writer of this server says it stored some (``live.notify``),
and every ``LIVE_POLL_INTERVAL`` anyway (frames of other instances, a lost
notice). Each session's frames pass a small reorder window (``live.order``) to
go out in game-time order, each encoded once, to that session's subscribers.
Each subscriber has a bounded queue that drops its oldest frame when full, so a
slow subscriber misses frames but never slows ingest or grows memory. The
greenlet runs only while the worker has subscribers.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol

import gevent
from bson import ObjectId
from flask import Flask, current_app
from gevent.event import Event
from pymongo.errors import PyMongoError

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.config import Settings
from nevr_events.server.live.notify import Notice
from nevr_events.server.live.order import LiveFrame, Reorder
from nevr_events.server.store.base import ArrivalLog, Presence
from nevr_events.server.store.follow import StoreFollower, lookback
from nevr_events.server.web import to_json

log = logging.getLogger(__name__)

# How often the hub asks the store for new frames when no notice comes
# (``LIVE_POLL_INTERVAL``): notices from the writers make it look at once.
POLL_INTERVAL = 0.2
# Between full re-reads of the look-back window (for late commits), polls read only
# the newest arrivals.
RESCAN_EVERY = 1.0
# A new subscriber also gets frames that arrived this long before it joined: they
# may still be on their way to the store.
IN_FLIGHT = 1.0
# Frames a subscriber may have waiting before the oldest is dropped (~4 s at 30 Hz).
QUEUE_FRAMES = 128
# Each worker records its subscriber counts in the store (for the live list of any
# worker): when they change, and at least this often; a record expires after PRESENCE_TTL.
PRESENCE_EVERY = 2.0
PRESENCE_TTL = 6.0


class HubFull(Exception):
    """The worker already serves ``MAX_SUBSCRIBERS`` subscribers."""


def frame_message(document: dict[str, Any]) -> LiveFrame:
    """The ``{"type": "frame", "payload": <stored frame>}`` message of a stored document."""
    stamp = document["timestamp"]
    body = {
        "type": "frame",
        "payload": document.get("frame") or {},
        "id": str(document["_id"]),
        "user_id": document.get("user_id"),
        "timestamp": stamp,
    }
    message = to_json(body).decode()
    received = document.get("created_at") or document["_id"].generation_time
    return LiveFrame(document["_id"], stamp, received, message, document.get("frame_index") or 0)


class SubscriberMetrics(Protocol):
    """What the live view counts (``nevr_events.server.ops.metrics.Metrics`` is one)."""

    def subscriber_joined(self) -> None: ...

    def subscriber_left(self) -> None: ...

    def subscriber_frame_sent(self) -> None: ...

    def subscriber_frame_dropped(self) -> None: ...


class LiveStore(ArrivalLog, Presence, Protocol):
    """What the hub needs of the store: new frames, and every worker's subscriber counts."""


class Subscription:
    """One subscriber's live feed: a bounded queue (oldest dropped) and a wake-up."""

    def __init__(
        self, session_id: str, *, metrics: SubscriberMetrics, queue_frames: int = QUEUE_FRAMES
    ) -> None:
        self.session_id = session_id
        self.created = datetime.now(UTC)
        self.queue: deque[LiveFrame] = deque(maxlen=queue_frames)
        self.wakeup = Event()
        self.dropped = 0
        self.metrics = metrics

    def push(self, frame: LiveFrame) -> None:
        if len(self.queue) == self.queue.maxlen:
            self.dropped += 1  # deque drops the oldest on append
            self.metrics.subscriber_frame_dropped()
        self.queue.append(frame)
        self.wakeup.set()


class LiveHub:
    """Per-worker registry of subscriptions and the greenlet that feeds them."""

    def __init__(
        self,
        store: LiveStore,
        *,
        metrics: SubscriberMetrics,
        max_subscribers: int,
        commit_window: float,
        poll_interval: float = POLL_INTERVAL,
        reorder_window: float = 0.0,
        rescan_every: float = RESCAN_EVERY,
        queue_frames: int = QUEUE_FRAMES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.max_subscribers = max_subscribers
        # How far before now a frame new to the hub may have arrived.
        self.lookback = lookback(commit_window, rescan_every)
        self.poll_interval = poll_interval
        self.reorder_window = reorder_window
        self.queue_frames = queue_frames
        self._clock = clock
        self._follower = partial(
            StoreFollower,
            store,
            commit_window=commit_window,
            rescan_every=rescan_every,
            clock=clock,
        )
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._followers: dict[str, StoreFollower] = {}
        self._orders: dict[str, Reorder] = {}
        # Session id -> receive time of the newest frame the hub has seen.
        self._activity: dict[str, datetime] = {}
        # Session id -> start of the newest poll that completed (every frame that
        # arrived before it has been seen, given commits land within the look-back).
        self._checked: dict[str, datetime] = {}
        self._stopped = Event()
        # Set by a notice of a followed session (or a stop): look now, not at the next poll.
        self._nudge = Event()
        self._due: set[str] = set()
        self._notified: list[str] = []  # _ids told by notices, to read by _id
        self.notices = 0  # notices that made the hub look at a session early
        self._greenlet: gevent.Greenlet[[], None] | None = None
        self._warned = False
        # This worker's name in the store's record of live subscribers.
        self.owner = uuid.uuid4().hex
        self._published: dict[str, int] | None = None
        self._published_at = float("-inf")

    # -- registry ----------------------------------------------------------------------------

    def subscribe(self, session_id: str) -> Subscription:
        if self.total() >= self.max_subscribers:
            raise HubFull(f"this worker already serves {self.max_subscribers} live subscribers")
        subscription = Subscription(
            session_id, metrics=self.metrics, queue_frames=self.queue_frames
        )
        self._subscriptions.setdefault(session_id, set()).add(subscription)
        self.metrics.subscriber_joined()
        if session_id not in self._followers:
            self._followers[session_id] = self._follower(
                start=subscription.created - timedelta(seconds=IN_FLIGHT), session_id=session_id
            )
            self._orders[session_id] = Reorder(self.reorder_window)
        if not (self._stopped.is_set() or self.running):
            self._greenlet = gevent.spawn(self._run)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscriptions.get(subscription.session_id)
        if subscribers is None or subscription not in subscribers:
            return
        subscribers.discard(subscription)
        self.metrics.subscriber_left()
        if not subscribers:
            del self._subscriptions[subscription.session_id]
            self._followers.pop(subscription.session_id, None)
            self._orders.pop(subscription.session_id, None)
            self._activity.pop(subscription.session_id, None)
            self._checked.pop(subscription.session_id, None)

    def total(self) -> int:
        return sum(len(s) for s in self._subscriptions.values())

    def counts(self) -> dict[str, int]:
        """Subscribers per session on this worker."""
        return {sid: len(subs) for sid, subs in self._subscriptions.items() if subs}

    def subscribers(self) -> dict[str, int]:
        """Subscribers per session on every worker and instance (this one counted now,
        the others as they last recorded it, at most ``PRESENCE_EVERY`` ago)."""
        try:
            total = self.store.live_subscribers(exclude=self.owner)
        except (PyMongoError, StoreUnavailable) as exc:
            log.warning("live view: cannot read other workers' subscribers: %s", exc)
            total = {}
        for sid, n in self.counts().items():
            total[sid] = total.get(sid, 0) + n
        return total

    def count(self, session_id: str) -> int:
        return len(self._subscriptions.get(session_id, ()))

    def activity(self, session_id: str) -> datetime | None:
        """Receive time of the newest frame of the session seen while following it."""
        return self._activity.get(session_id)

    def checked(self, session_id: str) -> datetime | None:
        """Start of the newest completed poll of the session (None: none yet).

        A session is quiet when this is more than ``LIVE_WINDOW`` after its
        newest frame: judged by what the store said, so a slow database never
        ends a subscription early.
        """
        return self._checked.get(session_id)

    # -- following ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the greenlet following the store runs."""
        return self._greenlet is not None and not self._greenlet.dead

    def stop(self, timeout: float = 5.0) -> None:
        """End the following greenlet and start none again (idempotent)."""
        self._stopped.set()
        self._nudge.set()
        if self._greenlet is not None:
            self._greenlet.join(timeout)
            self._greenlet.kill(block=True, timeout=1)  # no-op once it ended

    def poll(self) -> None:
        """One round: record this worker's subscribers, then hand each followed
        session's new frames to its subscribers."""
        self._publish()
        for session_id, follower in list(self._followers.items()):
            self._poll(session_id, follower)

    def wake(self, notice: Notice) -> None:
        """A batch was stored (by any worker of this server): look at its sessions now."""
        due = notice.sessions.intersection(self._followers)
        if due:
            self._due |= due
            for session_id in due:
                self._notified.extend(notice.ids[session_id])
            self.notices += 1
            self._nudge.set()

    def _run(self) -> None:
        try:
            next_poll = float("-inf")
            while self._subscriptions and not self._stopped.is_set():
                self._nudge.clear()
                due, self._due = self._due, set()
                ids, self._notified = self._notified, []
                if self._clock() >= next_poll:
                    self.poll()
                    next_poll = self._clock() + self.poll_interval
                elif due:
                    self._fetch(due, ids)
                self._release()
                self._nudge.wait(self._until(next_poll))
        finally:
            self._publish()  # none left: the record goes

    def _release(self) -> None:
        """Hand out the held frames whose reorder window has passed."""
        now = datetime.now(UTC)
        for session_id, order in list(self._orders.items()):
            if len(order):
                self._hand_out(session_id, order.due(now))

    def _until(self, next_poll: float) -> float:
        """Seconds to wait: until the next poll, or the first held frame's turn."""
        wait = max(next_poll - self._clock(), 0)
        now = datetime.now(UTC)
        for order in self._orders.values():
            due = order.next_due()
            if due is not None:
                wait = min(wait, max((due - now).total_seconds(), 0))
        return wait

    def _hand_out(self, session_id: str, frames: list[LiveFrame]) -> None:
        for subscription in list(self._subscriptions.get(session_id, ())):
            for frame in frames:
                subscription.push(frame)

    def _publish(self) -> None:
        counts = self.counts()
        due = self._clock() - self._published_at >= PRESENCE_EVERY
        if counts == self._published and not (counts and due):
            return
        try:
            self.store.set_live_presence(self.owner, counts, PRESENCE_TTL)
        except (PyMongoError, StoreUnavailable) as exc:
            log.warning("live view: cannot record this worker's subscribers: %s", exc)
            return
        self._published, self._published_at = counts, self._clock()

    def _fetch(self, due: set[str], ids: list[str]) -> None:
        """Read the frames notices told of by ``_id`` (one query, whatever the store's
        size); the sessions are polled instead when a notice came without them."""
        try:
            documents = self.store.frames_by_id([ObjectId(i) for i in ids]) if ids else None
        except (PyMongoError, StoreUnavailable):
            documents = None
        if documents is None:
            for session_id in due:
                follower = self._followers.get(session_id)
                if follower is not None:
                    self._poll(session_id, follower)
            return
        for session_id in due:
            follower = self._followers.get(session_id)
            if follower is not None:
                mine = [d for d in documents if d.get("lobby_session_id") == session_id]
                self._take(session_id, follower.take(mine))

    def _poll(self, session_id: str, follower: StoreFollower) -> None:
        started = datetime.now(UTC)
        try:
            documents = follower.poll()
        except (PyMongoError, StoreUnavailable) as exc:
            if not self._warned:
                log.warning("live view: cannot read new frames: %s", type(exc).__name__)
                self._warned = True
            return
        self._warned = False
        self._checked[session_id] = started
        self._take(session_id, documents)

    def _take(self, session_id: str, documents: list[dict[str, Any]]) -> None:
        """New frames of a session: through its reorder window to its subscribers."""
        if not documents:
            return
        frames = [frame_message(document) for document in documents]
        newest = max(frame.received for frame in frames)
        self._activity[session_id] = max(self._activity.get(session_id, newest), newest)
        order = self._orders.get(session_id)
        if order is not None:
            self._hand_out(session_id, order.add(frames, datetime.now(UTC)))


def init_app(app: Flask, store: LiveStore, *, metrics: SubscriberMetrics) -> LiveHub:
    settings: Settings = app.config["SETTINGS"]
    hub = LiveHub(
        store,
        metrics=metrics,
        max_subscribers=settings.max_subscribers,
        commit_window=settings.commit_window,
        poll_interval=settings.live_poll_interval,
        reorder_window=settings.live_reorder_window,
    )
    app.extensions["nevr_events.live"] = hub
    return hub


def get_hub() -> LiveHub:
    hub: LiveHub = current_app.extensions["nevr_events.live"]
    return hub
