"""The live hub of one worker: follows the store and fans frames out to subscribers.

Frames reach the store from any worker of any instance, so the hub does not
listen inside its process: one greenlet per worker polls the store a few times
a second (``StoreFollower``: arrival order, look-back for late commits, each
frame once) for every session that has a subscriber here, and hands each new
frame, encoded once, to that session's subscribers. Each subscriber has a
bounded queue that drops its oldest frame when full, so a slow subscriber
misses frames but never slows ingest or grows memory. The greenlet runs only
while the worker has subscribers.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import gevent
from bson import ObjectId
from flask import Flask, current_app
from gevent.event import Event
from pymongo.errors import PyMongoError

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.store import EventStore
from nevr_events.server.store.follow import StoreFollower
from nevr_events.server.web import to_json

log = logging.getLogger(__name__)

# How often the hub asks the store for new frames (the main part of the
# acknowledgement-to-delivery delay).
POLL_INTERVAL = 0.2
# Commits landing up to this late (behind a newer arrival) are still delivered.
LOOKBACK = 5.0
# Frames a subscriber may have waiting before the oldest is dropped (~4 s at 30 Hz).
QUEUE_FRAMES = 128
# Each worker records its subscriber counts in the store (for the live list of any
# worker): when they change, and at least this often; a record expires after PRESENCE_TTL.
PRESENCE_EVERY = 2.0
PRESENCE_TTL = 6.0


class WindowFollower(StoreFollower):
    """A ``StoreFollower`` that looks at its window without the frames.

    A poll lists the ``_id``s of the window without frames, then reads frames
    from the first arrival it has not returned yet: a frame is read with its
    ~13 KB about once, not once per poll for as long as it stays in the window.
    Most polls look only from the start of the second of the newest frame
    returned (``_id``s of different processes are not ordered within a
    second); every ``full_every``-th poll looks at the whole look-back window,
    which catches commits that land late.
    """

    full_every = 5
    _polls = 0

    def _iter_window(self) -> Iterator[dict[str, Any]]:
        self._polls += 1
        since = self.position
        if self._seen and self._polls % self.full_every:
            since = max(since, max(self._seen).generation_time)
        first_unseen = self._first_unseen(since)
        if first_unseen is None:
            return
        # ``after_id`` is exclusive: start just before the first unseen arrival.
        after = ObjectId((int.from_bytes(first_unseen.binary, "big") - 1).to_bytes(12, "big"))
        while True:
            page = self.store.arrivals(
                since, after_id=after, session_id=self.session_id, limit=self.page_size
            )
            for document in page:
                if document["_id"] not in self._seen:
                    yield document
            if len(page) < self.page_size:
                return
            after = page[-1]["_id"]

    def _first_unseen(self, since: datetime) -> ObjectId | None:
        after = None
        while True:
            page = self.store.arrivals(
                since,
                after_id=after,
                session_id=self.session_id,
                limit=self.page_size,
                with_frame=False,
            )
            for document in page:
                if document["_id"] not in self._seen:
                    return document["_id"]
            if len(page) < self.page_size:
                return None
            after = page[-1]["_id"]


class HubFull(Exception):
    """The worker already serves ``MAX_SUBSCRIBERS`` subscribers."""


@dataclass(frozen=True, slots=True)
class LiveFrame:
    """One stored frame, ready to send: its JSON message is encoded once for everyone."""

    id: ObjectId
    timestamp: datetime
    received: datetime
    message: str


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
    return LiveFrame(document["_id"], stamp, received, message)


class Subscription:
    """One subscriber's live feed: a bounded queue (oldest dropped) and a wake-up."""

    def __init__(
        self, session_id: str, queue_frames: int = QUEUE_FRAMES, metrics: Any = None
    ) -> None:
        self.session_id = session_id
        self.created = datetime.now(UTC)
        self.queue: deque[LiveFrame] = deque(maxlen=queue_frames)
        self.wakeup = Event()
        self.dropped = 0
        self.metrics = metrics  # nevr_events.server.ops.metrics.Metrics, or None

    def push(self, frame: LiveFrame) -> None:
        if len(self.queue) == self.queue.maxlen:
            self.dropped += 1  # deque drops the oldest on append
            if self.metrics is not None:
                self.metrics.subscriber_frame_dropped()
        self.queue.append(frame)
        self.wakeup.set()


class LiveHub:
    """Per-worker registry of subscriptions and the greenlet that feeds them."""

    def __init__(
        self,
        store: EventStore,
        *,
        max_subscribers: int,
        poll_interval: float = POLL_INTERVAL,
        lookback: float = LOOKBACK,
        queue_frames: int = QUEUE_FRAMES,
        stopping: Event | None = None,
    ) -> None:
        self.store = store
        self.max_subscribers = max_subscribers
        self.poll_interval = poll_interval
        self.lookback = lookback
        self.queue_frames = queue_frames
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._followers: dict[str, StoreFollower] = {}
        # Session id -> receive time of the newest frame the hub has seen.
        self._activity: dict[str, datetime] = {}
        # Session id -> start of the newest poll that completed (every frame that
        # arrived before it has been seen, given commits land within the look-back).
        self._checked: dict[str, datetime] = {}
        self.stopping = stopping or Event()
        self._greenlet: gevent.Greenlet | None = None
        self._warned = False
        # This worker's name in the store's record of live subscribers.
        self.owner = uuid.uuid4().hex
        self._published: dict[str, int] | None = None
        self._published_at = 0.0
        self.metrics: Any = None  # nevr_events.server.ops.metrics.Metrics, set by init_app

    # -- registry ----------------------------------------------------------------------------

    def subscribe(self, session_id: str) -> Subscription:
        if self.total() >= self.max_subscribers:
            raise HubFull(f"this worker already serves {self.max_subscribers} live subscribers")
        subscription = Subscription(session_id, self.queue_frames, self.metrics)
        self._subscriptions.setdefault(session_id, set()).add(subscription)
        if self.metrics is not None:
            self.metrics.subscriber_joined()
        if session_id not in self._followers:
            # Starting a look-back early makes commits that were in flight when
            # the subscriber arrived land in its queue (it de-duplicates by _id).
            self._followers[session_id] = WindowFollower(
                self.store,
                start=datetime.fromtimestamp(datetime.now(UTC).timestamp() - self.lookback, UTC),
                lookback=self.lookback,
                session_id=session_id,
            )
        if self._greenlet is None or self._greenlet.dead:
            self._greenlet = gevent.spawn(self._run)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscriptions.get(subscription.session_id)
        if subscribers is None or subscription not in subscribers:
            return
        subscribers.discard(subscription)
        if self.metrics is not None:
            self.metrics.subscriber_left()
        if not subscribers:
            del self._subscriptions[subscription.session_id]
            self._followers.pop(subscription.session_id, None)
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

    def _run(self) -> None:
        try:
            while self._subscriptions and not self.stopping.is_set():
                self._publish()
                for session_id, follower in list(self._followers.items()):
                    self._poll(session_id, follower)
                gevent.sleep(self.poll_interval)
        finally:
            self._publish()  # none left: the record goes

    def _publish(self) -> None:
        counts = self.counts()
        due = time.monotonic() - self._published_at >= PRESENCE_EVERY
        if counts == self._published and not (counts and due):
            return
        try:
            self.store.set_live_presence(self.owner, counts, PRESENCE_TTL)
        except (PyMongoError, StoreUnavailable) as exc:
            log.warning("live view: cannot record this worker's subscribers: %s", exc)
            return
        self._published, self._published_at = counts, time.monotonic()

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
        if not documents:
            return
        frames = [frame_message(document) for document in documents]
        newest = max(frame.received for frame in frames)
        self._activity[session_id] = max(self._activity.get(session_id, newest), newest)
        for subscription in list(self._subscriptions.get(session_id, ())):
            for frame in frames:
                subscription.push(frame)


def init_app(app: Flask, store: EventStore) -> LiveHub:
    settings = app.config["SETTINGS"]
    runtime = app.extensions.get("nevr_events.runtime")
    hub = LiveHub(
        store,
        max_subscribers=settings.max_subscribers,
        stopping=runtime.stopping if runtime is not None else None,
    )
    hub.metrics = app.extensions.get("nevr_events.metrics")
    app.extensions["nevr_events.live"] = hub
    return hub


def get_hub() -> LiveHub:
    return current_app.extensions["nevr_events.live"]
