"""The WebSocket stream: agents send frames, each message gets one reply, in order.

Reading, validating, storing and replying overlap: the reader validates a
message and hands it to the process-wide ``BatchWriter``, then reads the next
one at once; a reply greenlet waits for each write to be acknowledged and
answers in the order the messages came.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import gevent
import orjson
from bson.raw_bson import RawBSONDocument
from flask import Blueprint, current_app, g, request
from flask_sock import Sock
from gevent.event import AsyncResult
from gevent.queue import Queue

from nevr_events.exceptions import InvalidFrame, StoreUnavailable
from nevr_events.server import auth
from nevr_events.server.ingest import ratelimit
from nevr_events.server.ingest.ids import new_object_id
from nevr_events.server.ingest.wsconn import GOING_AWAY, ConnectionClosed, ServerSocket
from nevr_events.server.runtime import Runtime, get_runtime
from nevr_events.server.store import StoredDocument, WriteOutcome
from nevr_events.wire.frames import (
    FrameValidator,
    canonical_session_id,
    event_types,
    parse_timestamp,
)
from nevr_events.wire.unknown import without_indexes

log = logging.getLogger(__name__)

bp = Blueprint("stream", __name__)
sock = Sock()
bp.before_request(auth.authenticate)  # refused with 401 before the upgrade

_END = object()
# Complete messages simple-websocket may hold before it stops reading the socket.
INBOX_MESSAGES = 32
# How often an idle reader looks at the shutdown flag.
_POLL_SECONDS = 0.5
# Most replies framed into one socket write (~150 bytes each).
_REPLIES_PER_WRITE = 64
# Distinct unknown-field paths a worker logs and labels; past this they count as
# "(other)", so made-up keys cannot grow the log or the metric without bound.
_UNKNOWN_PATHS = 256
_unknown_seen: set[str] = set()


def build_document(
    frame: dict[str, Any],
    *,
    session_id: str,
    user_id: str,
    node: str,
    received: datetime,
    stored_form: Callable[[dict[str, Any]], StoredDocument],
) -> RawBSONDocument:
    """The stored form of one frame (see README, "Storage"), encoded to BSON at once.

    A queued frame then costs its ~13 KB of BSON instead of ~100 KB of Python
    objects that the garbage collector would walk again and again while the
    frame waits for its batch. The ``_id`` is fixed here, at arrival, so ties
    on ``timestamp`` sort in arrival order and a retried insert is idempotent.
    """
    stamp = frame.get("timestamp")
    document = {
        "_id": new_object_id(),
        "lobby_session_id": session_id,
        "user_id": user_id,
        "node": node,
        "frame_index": frame.get("frame_index", 0),
        "frame": frame,
        "event_types": event_types(frame),
        "timestamp": parse_timestamp(stamp) if stamp else received,
        "created_at": received,
        "updated_at": received,
    }
    return stored_form(document)


class StreamSession:
    """One agent connection: reads, validates, submits, and replies in order."""

    # Set by ``_serve`` from the settings; the defaults are "off".
    metrics: Any = None  # nevr_events.server.ops.metrics.Metrics
    rate_limit: ratelimit.TokenBucket | None = None
    idle_timeout: float = float("inf")
    idle = False

    def __init__(
        self,
        ws: ServerSocket,
        *,
        runtime: Runtime,
        validator: FrameValidator,
        user_id: str,
        node: str,
        max_in_flight: int,
    ) -> None:
        self.ws = ws
        self.runtime = runtime
        self.validator = validator
        self.user_id = user_id
        self.node = node
        # Messages read but not yet answered; a full queue pauses the reader.
        self._pending: Queue = Queue(maxsize=max_in_flight)
        self._seq = 0
        self._received: deque[float] = deque()  # receipt times of unanswered messages
        self._raw_session_id: object = None  # the last session id seen, and its canonical form
        self._session_id = ""
        self.counts = {"stored": 0, "duplicate": 0, "skipped": 0, "rejected": 0}

    def run(self) -> None:
        with self.runtime.open_stream():
            replier = gevent.spawn(self._reply_loop)
            try:
                self._read_loop()
            finally:
                self._pending.put(_END)
                replier.join()
        # Wait for the agent's close, so no reply is lost to a TCP reset.
        if self.idle and self.ws.connected:
            self.ws.close_and_wait(GOING_AWAY, "idle timeout")
        elif self.runtime.stopping.is_set() and self.ws.connected:
            self.ws.close_and_wait(GOING_AWAY, "server shutting down")

    def _read_loop(self) -> None:
        stopping = self.runtime.stopping
        last_message = time.monotonic()
        try:
            while not stopping.is_set():
                message = self.ws.receive(timeout=_POLL_SECONDS)
                if message is not None:
                    last_message = time.monotonic()
                    self._pending.put(self.handle(message))
                elif time.monotonic() - last_message > self.idle_timeout:
                    self.idle = True  # STREAM_IDLE_TIMEOUT: close with 1001
                    return
            # Shutting down: answer the messages that had already arrived, and no
            # more, so an agent that keeps sending cannot hold the shutdown open.
            for message in self.ws.drain_received():
                self._pending.put(self.handle(message))
        except ConnectionClosed:
            return

    def handle(self, message: str | bytes) -> dict[str, Any] | tuple[dict[str, Any], AsyncResult]:
        """A finished reply, or a reply waiting for its write to be acknowledged."""
        self._seq += 1
        self._received.append(time.monotonic())
        if self.rate_limit is not None and (wait := self.rate_limit.take()):
            self.counts["rejected"] += 1
            return ratelimit.limited_reply(self._seq, wait)
        reply: dict[str, Any] = {"seq": self._seq}
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
            # (uuid.UUID costs ~5 µs a frame; a different value is parsed afresh).
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
            if self.metrics is not None:
                self.metrics.unknown_field(label)

    def _skip(self, reply: dict[str, Any], why: str) -> dict[str, Any]:
        self.counts["skipped"] += 1
        return {"success": True, "stored": False, "skipped": why, **reply}

    def _reply_loop(self) -> None:
        pending = self._pending
        connected = True
        while True:
            item = pending.get()
            if item is _END:
                return
            replies = [self._reply(item)]
            # The writer acknowledges a whole batch at once: the replies that are
            # already decided go out with this one, in order, in one socket write
            # (one syscall and one wake-up per batch instead of per frame). A
            # reply still waiting for its write ends the group: nothing waits.
            while len(replies) < _REPLIES_PER_WRITE and pending.qsize():
                item = pending.peek_nowait()
                if item is _END or (isinstance(item, tuple) and not item[1].ready()):
                    break
                replies.append(self._reply(pending.get_nowait()))
            received, now = self._received, time.monotonic()
            waited = [now - (received.popleft() if received else now) for _ in replies]
            if self.metrics is not None:  # before sending: a reply read is a reply counted
                self.metrics.replied(replies, waited)
            if connected:
                try:
                    self.ws.send_many([orjson.dumps(reply) for reply in replies])
                except (ConnectionClosed, OSError):
                    connected = False  # keep draining so the reader never blocks

    def _reply(self, item: dict[str, Any] | tuple[dict[str, Any], AsyncResult]) -> dict[str, Any]:
        """The reply to one message (waits for its write when it has one)."""
        return self._finish(*item) if isinstance(item, tuple) else item

    def _finish(self, reply: dict[str, Any], result: AsyncResult) -> dict[str, Any]:
        outcome: WriteOutcome = result.get()
        if outcome.status == "error":
            self.counts["rejected"] += 1
            if outcome.retry:
                reply["retry"] = True
            return {"success": False, "error": outcome.error, "stored": False, **reply}
        self.counts[outcome.status] += 1
        duplicate = outcome.status == "duplicate"
        return {"success": True, "stored": not duplicate, "duplicate": duplicate, **reply}


@sock.route("/v3/stream", bp=bp)
def stream(ws: Any) -> None:
    _serve(ws)


@sock.route("/ws", bp=bp)
def stream_at_ws(ws: Any) -> None:
    # The path of the Go service's later versions.
    _serve(ws)


@sock.route("/", bp=bp)
def stream_at_root(ws: Any) -> None:
    # The reference agent dials the URL as given, often the bare host.
    _serve(ws)


def _serve(ws: Any) -> None:
    settings = current_app.config["SETTINGS"]
    claims = g.get("claims") or {}
    # Identity comes from the token; the header is a fallback for tokens without `sub`.
    user_id = str(claims.get("sub") or request.headers.get("X-User-ID", ""))
    node = request.headers.get("X-Node-ID") or "default-node"
    fields = {"user": user_id or "-", "node": node}
    with ServerSocket(ws, INBOX_MESSAGES) as socket:
        session = StreamSession(
            socket,
            runtime=get_runtime(),
            validator=current_app.extensions["nevr_events.validator"],
            user_id=user_id,
            node=node,
            max_in_flight=settings.max_in_flight,
        )
        session.metrics = current_app.extensions.get("nevr_events.metrics")
        session.rate_limit = ratelimit.bucket_for(settings.max_stream_hz)
        session.idle_timeout = settings.stream_idle_timeout
        log.info("stream opened user=%s node=%s", user_id or "-", node, extra=fields)
        if session.metrics is not None:
            session.metrics.stream_opened()
        try:
            session.run()
        finally:
            if session.metrics is not None:
                session.metrics.stream_closed()
    log.info(
        "stream closed user=%s node=%s counts=%s%s",
        user_id or "-",
        node,
        session.counts,
        " (idle timeout)" if session.idle else "",
        extra={**fields, "counts": session.counts},
    )
