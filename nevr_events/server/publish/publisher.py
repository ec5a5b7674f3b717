"""The outbox publisher: stored frames -> AMQP messages, at least once.

Every worker of every instance runs one ``Publisher`` greenlet; they compete
for one lease in the store and only its holder publishes. The holder follows
what is stored (``StoreFollower``, arrival order), publishes the messages of
each step with publisher confirms, and only then stores its cursor (the
follower's position plus the open sessions) in the database. After a broker
failure, a restart or a takeover, publishing resumes from the stored cursor:
messages after it may be published again (same ``message_id``), none is
skipped.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

import gevent
from gevent.event import Event
from pymongo.errors import PyMongoError

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.config import Settings
from nevr_events.server.publish.broker import BrokerConnection, BrokerError
from nevr_events.server.publish.messages import Message, SessionTracker, arrival
from nevr_events.server.store.base import ArrivalLog, PublisherState
from nevr_events.server.store.follow import StoreFollower, lookback

log = logging.getLogger(__name__)

LEASE = "amqp-publisher"
CURSOR = "amqp.cursor"
STATUS = "amqp.status"  # the state the lease holder keeps for /health
POLL_INTERVAL = 0.5
# Between full re-reads of the look-back window (for late commits), polls read only
# newer arrivals: each stored frame is read a few times, not once per poll.
RESCAN_EVERY = 5.0
STEP = 500  # most frames handled per publish-and-confirm step
# Between looks at the store, the broker's heartbeats are answered for at least this long.
_ANSWER = 0.01


class LeaseLost(Exception):
    """Another publisher holds the lease now."""


def lookback_for(settings: Settings) -> float:
    """Seconds the publisher looks behind the newest arrival for late commits."""
    return lookback(settings.commit_window, RESCAN_EVERY)


class PublishMetrics(Protocol):
    """What publishing counts (``nevr_events.server.ops.metrics.Metrics`` is one)."""

    def amqp_sent(self, messages: int) -> None: ...

    def amqp_confirms(self, messages: int) -> None: ...


class OutboxStore(ArrivalLog, PublisherState, Protocol):
    """What the publisher needs of the store: new frames, its cursor and its lease."""


class Publisher:
    """Competes for the publishing lease; while holding it, publishes what is stored."""

    def __init__(
        self,
        store: OutboxStore,
        settings: Settings,
        *,
        metrics: PublishMetrics,
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lookback = lookback_for(settings)
        self.connected = False
        # Messages sent, and confirmed by the broker, by this worker.
        self.published = 0
        self.confirmed = 0
        self._stopping = Event()
        # Set when a batch was stored on this server (``live.notify``): publish it now.
        self._stored = Event()
        self._greenlet: gevent.Greenlet[[], None] | None = None
        self._leased_until = 0.0
        self._status_at = 0.0
        self._broker: BrokerConnection | None = None

    def start(self) -> Publisher:
        if self._greenlet is None:
            self._greenlet = gevent.spawn(self._run)
        return self

    def wake(self, _notice: object = None) -> None:
        """Frames were stored: the next look at the store comes now, not after the poll."""
        self._stored.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop publishing and give the lease up so another worker takes over at once
        (idempotent)."""
        self._stopping.set()
        if self._greenlet is not None:
            self._greenlet.join(timeout)
            if not self._greenlet.dead:
                self._greenlet.kill(block=True, timeout=1)

    # -- lease -------------------------------------------------------------

    def _run(self) -> None:
        log.info("AMQP publisher %s: publishing to %s", self.owner, self.settings.safe_amqp_url)
        while not self._stopping.is_set():
            try:
                if self.store.acquire_lease(LEASE, self.owner, self.settings.amqp_lease):
                    self._leased_until = time.monotonic() + self.settings.amqp_lease
                    log.info("AMQP publisher %s holds the lease", self.owner)
                    self._lead()
            except LeaseLost:
                log.warning("AMQP publisher %s lost the lease", self.owner)
            except (StoreUnavailable, PyMongoError) as exc:
                log.warning("AMQP publisher waiting for the database: %s", type(exc).__name__)
            except Exception:
                log.exception("AMQP publisher failed; retrying")
            finally:
                self._disconnect()
            self._stopping.wait(self.settings.amqp_lease / 3)
        self._release()

    def _renew(self, force: bool = False) -> None:
        """Renew the lease when a third of it has passed (or ``force``); LeaseLost if taken."""
        ttl = self.settings.amqp_lease
        if not force and self._leased_until - time.monotonic() > ttl * 2 / 3:
            return
        if not self.store.acquire_lease(LEASE, self.owner, ttl):
            raise LeaseLost()
        self._leased_until = time.monotonic() + ttl

    def _release(self) -> None:
        try:
            # Renewing first tells whether the lease (and so the status) is still ours.
            if self._leased_until and self.store.acquire_lease(LEASE, self.owner, 5.0):
                self._put_status(connected=False)
                self.store.release_lease(LEASE, self.owner)
        except (StoreUnavailable, PyMongoError):
            log.warning("AMQP publisher could not release its lease; it expires by itself")

    # -- publishing ----------------------------------------------------------

    def _lead(self) -> None:
        """Hold the lease: (re)connect to the broker and publish until stopped."""
        delay, warned_at = 0.5, -60.0
        if self.store.get_state(CURSOR) is None:
            # The very first publisher starts a little before now; storing that at
            # once means frames stored while the broker is still unreachable wait
            # for it rather than fall before a start chosen later.
            self.store.put_state(CURSOR, {"position": time.time() - self.lookback})
        while not self._stopping.is_set():
            self._renew(force=True)
            try:
                self._broker = BrokerConnection(
                    self.settings.amqp_url, self.settings.amqp_exchange, timeout=10.0
                )
                self.connected = True
                log.info("AMQP publisher connected to %s", self.settings.safe_amqp_url)
                delay = 0.5
                self._publish_from_cursor(self._broker)
            except BrokerError as exc:
                if self.connected:
                    log.warning("AMQP publisher disconnected: %s", exc)
                    warned_at = time.monotonic()
                elif time.monotonic() - warned_at >= 60:  # once a minute while it lasts
                    log.warning("AMQP broker unavailable: %s", exc)
                    warned_at = time.monotonic()
                self._disconnect()
                self._put_status(connected=False)
                self._stopping.wait(delay)
                delay = min(delay * 2, max(self.settings.amqp_lease / 3, 1.0))

    def _publish_from_cursor(self, broker: BrokerConnection) -> None:
        """Resume from the stored cursor and publish until stopped or something fails."""
        cursor = self.store.get_state(CURSOR) or {}
        start = cursor.get("position") or time.time() - self.lookback
        tracker = SessionTracker(cursor.get("sessions"), frames=self.settings.amqp_frames)
        follower = StoreFollower(
            self.store,
            commit_window=self.settings.commit_window,
            rescan_every=RESCAN_EVERY,
            start=datetime.fromtimestamp(start, UTC),
            with_frame=self.settings.amqp_frames,
        )
        published_through = cursor.get("published_through") or start
        log.info("AMQP publisher resuming from %s", datetime.fromtimestamp(start, UTC))
        self._put_status(connected=True, published_through=published_through)
        while not self._stopping.is_set():
            polled_at = time.time()
            documents = follower.poll(limit=STEP)
            messages = self._messages(tracker, documents)
            # Everything that arrived before `horizon` has been seen: after a complete
            # poll, also what arrived more than a look-back ago (time goes on when idle).
            horizon = follower.position.timestamp()
            if len(documents) < STEP:
                horizon = max(horizon, polled_at - self.lookback)
            messages += tracker.idle(horizon - self.settings.live_window)
            self._renew()
            if messages:
                self.published += len(messages)
                self.metrics.amqp_sent(len(messages))
                broker.publish(messages)
                self.confirmed += len(messages)
                self.metrics.amqp_confirms(len(messages))
            if documents:
                published_through = max(published_through, arrival(documents[-1]))
            if documents or messages or cursor.get("position") != follower.position.timestamp():
                # Only after the confirms. A holder that lost its lease unnoticed may
                # still write here: harmless, as what it wrote it had published.
                cursor = {
                    "position": follower.position.timestamp(),
                    "sessions": tracker.snapshot(),
                    "published_through": published_through,
                }
                self.store.put_state(CURSOR, cursor)
            if time.monotonic() - self._status_at > min(self.settings.amqp_lease / 3, 2.0):
                self._put_status(connected=True, published_through=published_through)
            if len(documents) < STEP:
                self._stored.wait(POLL_INTERVAL)
                self._stored.clear()
                broker.idle(_ANSWER)

    def _messages(self, tracker: SessionTracker, documents: list[dict[str, Any]]) -> list[Message]:
        """Messages for the documents, in order; frames with events are read in full."""
        if not self.settings.amqp_frames:
            with_events = [doc["_id"] for doc in documents if doc.get("event_types")]
            full = {doc["_id"]: doc for doc in self.store.frames_by_id(with_events)}
            documents = [full.get(doc["_id"], doc) for doc in documents]
        messages: list[Message] = []
        for document in documents:
            if document.get("lobby_session_id"):
                messages.extend(tracker.messages_for(document))
        return messages

    def _put_status(self, *, connected: bool, published_through: float | None = None) -> None:
        """What /health shows on every worker: connected, and how far publishing got."""
        self.connected = connected
        self._status_at = time.monotonic()
        status: dict[str, Any] = {"owner": self.owner, "connected": connected, "at": time.time()}
        if published_through is not None:
            status["published_through"] = published_through
        else:
            previous = self.store.get_state(STATUS) or {}
            status["published_through"] = previous.get("published_through")
        self.store.put_state(STATUS, status)

    def _disconnect(self) -> None:
        if self._broker is not None:
            self._broker.close()
            self._broker = None
        self.connected = False
