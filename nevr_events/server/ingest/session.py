"""One agent's stream: each message gets one reply, in order.

Reading, validating, storing and replying overlap: the reader validates a
message and hands it to the process-wide ``BatchWriter``, then reads the next
one at once; a reply greenlet waits for each write to be acknowledged and
answers in the order the messages came.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeAlias

import gevent
import orjson
from gevent.event import AsyncResult
from gevent.queue import Queue

from nevr_events.exceptions import InvalidFrame, StoreUnavailable
from nevr_events.server.config import Settings
from nevr_events.server.ingest import ratelimit
from nevr_events.server.ingest.documents import build_document
from nevr_events.server.ingest.wsconn import GOING_AWAY, ConnectionClosed, ServerSocket
from nevr_events.server.runtime import Runtime
from nevr_events.server.store import WriteOutcome
from nevr_events.wire.frames import FrameValidator, canonical_session_id
from nevr_events.wire.unknown import without_indexes

log = logging.getLogger(__name__)

# How often an idle reader looks at the shutdown flag.
_POLL_SECONDS = 0.5
# Most replies framed into one socket write.
_REPLIES_PER_WRITE = 64
# Distinct unknown-field paths a worker logs and labels; past this they count as
# "(other)", so made-up keys cannot grow the log or the metric without bound.
_UNKNOWN_PATHS = 256
_unknown_seen: set[str] = set()

Reply = dict[str, Any]
Pending: TypeAlias = "Reply | tuple[Reply, AsyncResult[WriteOutcome]]"


class StreamObserver(Protocol):
    """What a stream reports (``ops.metrics.Metrics`` counts it)."""

    def replied(self, replies: Sequence[Reply], seconds: Iterable[float]) -> None:
        """Replies sent together, and each one's time since its message came."""
        ...

    def unknown_field(self, path: str) -> None: ...


@dataclass(frozen=True)
class StreamOptions:
    """The per-stream limits (from the settings)."""

    max_in_flight: int  # messages read but not yet answered
    idle_timeout: float  # seconds without a message before closing with 1001
    max_hz: float  # messages per second (a token bucket); 0 is off

    @classmethod
    def from_settings(cls, settings: Settings) -> StreamOptions:
        return cls(
            max_in_flight=settings.max_in_flight,
            idle_timeout=settings.stream_idle_timeout,
            max_hz=settings.max_stream_hz,
        )


@dataclass(frozen=True)
class Ingest:
    """What every stream of an app is given."""

    runtime: Runtime  # the writer, the store's stored form, the shutdown flag
    validator: FrameValidator
    observer: StreamObserver
    options: StreamOptions


class StreamSession:
    """One agent connection: reads, validates, submits, and replies in order."""

    def __init__(self, ws: ServerSocket, ingest: Ingest, *, user_id: str, node: str) -> None:
        self.ws = ws
        self.runtime = ingest.runtime
        self.validator = ingest.validator
        self.observer = ingest.observer
        self.options = ingest.options
        self.user_id, self.node = user_id, node
        self.rate_limit = ratelimit.bucket_for(ingest.options.max_hz)
        self.idle = False  # closed for STREAM_IDLE_TIMEOUT
        # Messages read but not yet answered; a full queue pauses the reader.
        self._pending: Queue[Pending | None] = Queue(maxsize=ingest.options.max_in_flight)
        self._seq = 0
        self._received: deque[float] = deque()  # receipt times of unanswered messages
        self._raw_session_id: object = None  # the last session id seen, and its canonical form
        self._session_id = ""
        self.counts = {"stored": 0, "duplicate": 0, "skipped": 0, "rejected": 0}

    def run(self) -> None:
        replier = gevent.spawn(self._reply_loop)
        try:
            self._read_loop()
        finally:
            self._pending.put(None)  # the end: the replier returns
            replier.join()
        # Wait for the agent's close, so no reply is lost to a TCP reset.
        if self.idle and self.ws.connected:
            self.ws.close_and_wait(GOING_AWAY, "idle timeout")
        elif self.runtime.stopping.is_set() and self.ws.connected:
            self.ws.close_and_wait(GOING_AWAY, "server shutting down")

    def _read_loop(self) -> None:
        stopping = self.runtime.stopping
        idle_timeout = self.options.idle_timeout
        last_message = time.monotonic()
        try:
            while not stopping.is_set():
                message = self.ws.receive(timeout=_POLL_SECONDS)
                if message is not None:
                    last_message = time.monotonic()
                    self._pending.put(self.handle(message))
                elif time.monotonic() - last_message > idle_timeout:
                    self.idle = True
                    return
            # Shutting down: answer the messages that had already arrived, and no
            # more, so an agent that keeps sending cannot hold the shutdown open.
            for message in self.ws.drain_received():
                self._pending.put(self.handle(message))
        except ConnectionClosed:
            return

    def handle(self, message: str | bytes) -> Pending:
        """A finished reply, or a reply waiting for its write to be acknowledged."""
        self._seq += 1
        self._received.append(time.monotonic())
        if self.rate_limit is not None and (wait := self.rate_limit.take()):
            self.counts["rejected"] += 1
            return ratelimit.limited_reply(self._seq, wait)
        reply: Reply = {"seq": self._seq}
        try:
            parsed = self.validator.parse(message)
            if parsed.unknown:
                reply["unknown_fields"] = list(parsed.unknown)
                self._report_unknown(parsed.unknown)
            if parsed.kind != "frame":
                return self._skip(reply, f"{parsed.kind} envelope: nothing to store")
            frame = parsed.frame or {}
            reply["frame_index"] = frame.get("frame_index", 0)
            session = frame.get("session")
            if session is None:
                return self._skip(reply, "frame has no session: nothing to store")
            raw_id = session.get("session_id")
            # An agent sends one session id for thousands of frames: parse it once
            # (a different value is parsed afresh).
            if raw_id != self._raw_session_id or not isinstance(raw_id, str):
                self._session_id = canonical_session_id(raw_id)
                self._raw_session_id = raw_id
            session_id = self._session_id
            reply["lobby_session_id"] = session_id
            document = build_document(
                frame,
                session_id=session_id,
                user_id=self.user_id,
                node=self.node,
                received=datetime.now(UTC),
                stored_form=self.runtime.store.stored_form,
            )
            return reply, self.runtime.writer.submit(document)
        except (InvalidFrame, StoreUnavailable) as exc:
            self.counts["rejected"] += 1
            if isinstance(exc, StoreUnavailable):
                reply["retry"] = True  # not the frame's fault: send it again later
            return {"success": False, "error": str(exc), **reply}
        except Exception:
            # A bug met by one odd message must cost that message, not the stream.
            log.exception("message %d could not be handled", self._seq)
            self.counts["rejected"] += 1
            return {"success": False, "error": "internal error: message not stored", **reply}

    def _report_unknown(self, paths: tuple[str, ...]) -> None:
        """Counts each unknown field; logs each path once per worker."""
        for path in paths:
            label = without_indexes(path)
            if label not in _unknown_seen:
                if len(_unknown_seen) >= _UNKNOWN_PATHS:
                    label = "(other)"
                else:
                    _unknown_seen.add(label)
                    log.warning(
                        "a frame has a field this server's schema does not know: %s "
                        "(kept in the stored frame; the agent is newer than the server)",
                        label,
                        extra={"user": self.user_id or "-", "node": self.node, "path": label},
                    )
            self.observer.unknown_field(label)

    def _skip(self, reply: Reply, why: str) -> Reply:
        self.counts["skipped"] += 1
        return {"success": True, "stored": False, "skipped": why, **reply}

    def _reply_loop(self) -> None:
        pending = self._pending
        connected = True
        while True:
            item = pending.get()
            if item is None:
                return
            replies = [self._reply(item)]
            # The writer acknowledges a whole batch at once: the replies that are
            # already decided go out with this one, in order, in one socket write
            # (one syscall and one wake-up per batch instead of per frame). A
            # reply still waiting for its write ends the group: nothing waits.
            while len(replies) < _REPLIES_PER_WRITE and pending.qsize():
                item = pending.peek_nowait()
                if item is None or (isinstance(item, tuple) and not item[1].ready()):
                    break
                pending.get_nowait()  # the item peeked at
                replies.append(self._reply(item))
            received, now = self._received, time.monotonic()
            waited = [now - (received.popleft() if received else now) for _ in replies]
            self.observer.replied(replies, waited)  # before sending: a reply read is counted
            if connected:
                try:
                    self.ws.send_many([orjson.dumps(reply) for reply in replies])
                except (ConnectionClosed, OSError):
                    connected = False  # keep draining so the reader never blocks

    def _reply(self, item: Pending) -> Reply:
        """The reply to one message (waits for its write when it has one)."""
        return self._finish(*item) if isinstance(item, tuple) else item

    def _finish(self, reply: Reply, result: AsyncResult[WriteOutcome]) -> Reply:
        outcome = result.get()
        assert outcome is not None  # without a timeout, get() waits for the outcome
        if outcome.status == "error":
            self.counts["rejected"] += 1
            if outcome.retry:
                reply["retry"] = True
            return {"success": False, "error": outcome.error, "stored": False, **reply}
        self.counts[outcome.status] += 1
        duplicate = outcome.status == "duplicate"
        return {"success": True, "stored": not duplicate, "duplicate": duplicate, **reply}
