"""One live subscriber: replay from the store on request, then its live queue, paced.

``Spectator`` runs in the subscriber's WebSocket greenlet: it reads the
client's control messages, sends frames at no more than ``fps`` per second
(downsampled evenly by frame time), replays from the store after a seek, and
ends the subscription when the session goes quiet or the server stops.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import gevent
import orjson
from gevent.event import Event
from pymongo.errors import PyMongoError
from simple_websocket import ConnectionClosed, Server
from wsproto.frame_protocol import CloseReason

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.ingest.ratelimit import TokenBucket
from nevr_events.server.ingest.wsconn import GOING_AWAY
from nevr_events.server.live.hub import (
    IN_FLIGHT,
    LiveHub,
    SubscriberMetrics,
    Subscription,
    frame_message,
)
from nevr_events.server.live.order import LiveFrame
from nevr_events.server.reads.pager import iter_documents
from nevr_events.server.store.base import MatchIndex, SessionReader

log = logging.getLogger(__name__)

# Frames read from the store per query while replaying.
REPLAY_PAGE = 100
# Longest pause of an idle subscriber between looks at its queue and its socket.
_IDLE = 0.05
# A subscriber whose socket takes nothing for this long is dropped.
SEND_TIMEOUT = 60.0
# A frame closer than this share of 1/fps to the last one sent is skipped.
_SPACING = 0.75
# Sent frames a late one is compared with (out of order by more than these: sent).
_RECENT = 64


class ControlError(ValueError):
    """A client message that cannot be obeyed; answered with an error message."""


class ReplayStore(SessionReader, MatchIndex, Protocol):
    """What a subscriber reads of the store: its session's frames and newest arrival."""


class Spectator:
    """One subscriber: replays from the store on request, then follows its live queue."""

    def __init__(
        self,
        ws: Server,
        *,
        hub: LiveHub,
        subscription: Subscription,
        store: ReplayStore,
        metrics: SubscriberMetrics,
        fps: int,
        max_fps: int,
        live_window: float,
        stopping: Event,
    ) -> None:
        self.ws = ws
        self.hub = hub
        self.metrics = metrics
        self.subscription = subscription
        self.session_id = subscription.session_id
        self.store = store
        self.fps = fps
        self.max_fps = max_fps
        self.live_window = timedelta(seconds=live_window)
        self.stopping = stopping
        self.paused = False
        self.sent = 0
        # Frames of the queue received before this moment predate the subscription.
        self._live_after: datetime | None = subscription.created - timedelta(seconds=IN_FLIGHT)
        self._replay: Iterator[dict[str, Any]] | None = None
        # Ids sent by the current replay that its live queue may hold too.
        self._replayed: set[Any] = set()
        # (timestamp, _id) of the last frame the current replay sent.
        self._replayed_up_to: tuple[datetime, Any] | None = None
        self._replay_horizon = subscription.created
        self._replay_started = subscription.created
        self._held: LiveFrame | None = None
        self._last_sent_at: float | None = None  # frame time (s) of the latest frame sent
        self._sent: deque[float] = deque(maxlen=_RECENT)  # frame times of the last ones sent
        self._bucket = TokenBucket(fps)
        self._last_arrival = subscription.created

    # -- main loop ---------------------------------------------------------------------------

    def run(self, *, from_start: bool = False) -> None:
        with contextlib.suppress(PyMongoError, StoreUnavailable):
            self._last_arrival = self.store.last_arrival(self.session_id) or self._last_arrival
        if from_start:
            self._seek(0)
        try:
            while True:
                if self.stopping.is_set():
                    self._end("server shutting down", GOING_AWAY)
                    return
                self._read_messages()
                if self.paused:
                    gevent.sleep(_IDLE)
                    continue
                frame = self._next_frame()
                if frame is None:
                    if self._quiet():
                        self._end("session ended: no frame within LIVE_WINDOW", 1000)
                        return
                    self.subscription.wakeup.clear()
                    self.subscription.wakeup.wait(_IDLE)
                    continue
                wait = self._bucket.take()
                if wait > 0:
                    self._held = frame
                    gevent.sleep(min(wait, _IDLE))
                    continue
                self._send(frame.message)
                self.sent += 1
                self.metrics.subscriber_frame_sent()
        except ConnectionClosed:
            return

    def _end(self, reason: str, code: int) -> None:
        message = {"type": "end", "payload": {"reason": reason}}
        self._send(orjson.dumps(message).decode())
        self.ws.close(CloseReason(code), reason)

    def _quiet(self) -> bool:
        checked = self.hub.checked(self.session_id)
        if checked is None:
            return False
        last = max(self._last_arrival, self.hub.activity(self.session_id) or self._last_arrival)
        return checked - last > self.live_window

    # -- frames ------------------------------------------------------------------------------

    def _next_frame(self) -> LiveFrame | None:
        """The next frame to send (replay first, then the live queue), downsampled."""
        held, self._held = self._held, None
        if held is not None:
            return held
        while True:
            frame = self._next_replayed() if self._replay is not None else None
            if frame is None:
                frame = self._next_live()
            if frame is None or self._keep(frame):
                return frame

    def _next_replayed(self) -> LiveFrame | None:
        assert self._replay is not None
        try:
            document = next(self._replay)
        except StopIteration:
            self._replay = None  # caught up with the store: go on with the live queue
            return None
        except (PyMongoError, StoreUnavailable) as exc:
            self._replay = None
            self._error(f"replay stopped, the database did not answer: {type(exc).__name__}")
            return None
        frame = frame_message(document)
        if frame.id.generation_time >= self._replay_horizon:
            self._replayed.add(frame.id)
        self._replayed_up_to = (frame.timestamp, frame.id)
        return frame

    def _next_live(self) -> LiveFrame | None:
        queue = self.subscription.queue
        while queue:
            frame = queue.popleft()
            if frame.id in self._replayed:
                continue
            # Received before the seek and behind the replay's position: sent by
            # the replay, or before the seek point. (A frame received later is
            # new even when its timestamp is older, e.g. from a second agent.)
            if (
                self._replayed_up_to is not None
                and frame.received < self._replay_started
                and (frame.timestamp, frame.id) <= self._replayed_up_to
            ):
                continue
            if self._live_after is not None and frame.received < self._live_after:
                continue
            self._last_arrival = max(self._last_arrival, frame.received)
            return frame
        return None

    def _keep(self, frame: LiveFrame) -> bool:
        """Downsample evenly by frame time: skip a frame closer than ~1/fps to one sent.

        Compared with every recently sent frame, not just the last one, so that a
        frame out of game-time order (``late``) cannot raise the rate.
        """
        stamp = frame.timestamp.timestamp()
        gap = _SPACING / self.fps
        last = self._last_sent_at
        if last is not None and last <= stamp < last + gap:
            return False
        if last is not None and stamp < last and any(abs(stamp - t) < gap for t in self._sent):
            return False
        self._last_sent_at = stamp if last is None else max(last, stamp)
        self._sent.append(stamp)
        return True

    def _seek(self, position: int) -> None:
        """Replay from the ``position``-th stored frame (0-based), then carry on live."""
        self.subscription.queue.clear()
        self._held = None
        self._last_sent_at = None
        self._sent.clear()
        self._live_after = None
        self._replayed = set()
        self._replayed_up_to = None
        # Frames in the live queue from now on arrived at most a look-back before now.
        now = datetime.now(UTC)
        self._replay_started = now
        self._replay_horizon = now - timedelta(seconds=2 * self.hub.lookback)
        self._replay = iter_documents(
            self.store, self.session_id, page_size=REPLAY_PAGE, offset=position
        )

    # -- client messages ---------------------------------------------------------------------

    def _read_messages(self) -> None:
        for _ in range(16):  # a bounded share of each turn
            message = self.ws.receive(timeout=0)
            if message is None:
                return
            try:
                self._obey(message)
            except ControlError as exc:
                self._error(str(exc))

    def _error(self, text: str) -> None:
        self._send(orjson.dumps({"type": "error", "payload": {"error": text}}).decode())

    def _send(self, message: str) -> None:
        """Send one message; a peer that takes none for ``SEND_TIMEOUT`` is dropped.

        Its queue already drops frames, so this only frees the greenlet and the
        socket of a subscriber that went away without closing (and lets a
        shutdown finish).
        """
        try:
            with gevent.Timeout(SEND_TIMEOUT):
                self.ws.send(message)
        except gevent.Timeout:
            log.info(
                "live subscriber match=%s took nothing for %ss: dropped",
                self.session_id,
                SEND_TIMEOUT,
            )
            self.ws.connected = False
            if self.ws.sock is not None:
                with contextlib.suppress(OSError):
                    self.ws.sock.close()
            raise ConnectionClosed() from None

    def _obey(self, message: str | bytes) -> None:
        try:
            data = orjson.loads(message)
        except orjson.JSONDecodeError:
            raise ControlError("message is not valid JSON") from None
        if not isinstance(data, dict):
            raise ControlError("message must be a JSON object with `type` and `payload`")
        kind, payload = data.get("type"), data.get("payload")
        if not isinstance(payload, dict):
            raise ControlError("`payload` must be a JSON object")
        if kind == "control":
            self._control(payload)
        elif kind == "seek":
            frame = payload.get("frame")
            if type(frame) is not int or frame < 0:
                raise ControlError("seek needs `frame`: a whole number >= 0")
            self._seek(frame)
        else:
            raise ControlError(f"unknown message type {kind!r}: expected `control` or `seek`")

    def _control(self, payload: dict[str, Any]) -> None:
        command = payload.get("command")
        if command == "pause":
            self.paused = True
        elif command == "play":
            self.paused = False
        elif command == "framerate":
            fps = payload.get("framerate")
            if type(fps) is not int or fps <= 0:
                raise ControlError("framerate needs `framerate`: a whole number > 0")
            self.fps = min(fps, self.max_fps)
            self._bucket.set_rate(self.fps)
        else:
            raise ControlError(
                f"unknown command {command!r}: expected `pause`, `play` or `framerate`"
            )
