"""The background side of ``FrameStream``: its reply thread, the spool pump,
re-sends of rate-limited frames, reconnects and giving up.

A mixin, not a public API: every method runs on a ``FrameStream`` and uses its
state (``_cond``, ``_window``, ``_ws``…), with the locking rules the
``FrameStream`` docstring and ``_cond``'s comment state. It lives apart so that
each module stays small enough to read in one go.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time

import orjson
import websocket

from nevr_events.client.framewire import (
    abort_connection,
    open_connection,
    write_message,
)
from nevr_events.client.spool import Spool
from nevr_events.client.window import Entry, Window
from nevr_events.exceptions import (
    StreamError,
    TransportError,
    UnauthorizedError,
)

# The same logger as FrameStream's: these lines are its.
log = logging.getLogger("nevr_events.client.framestream")

_MESSAGE_TOO_BIG = 1009
_NORMAL = 1000


class StreamConnection:
    """Background methods of ``FrameStream`` (see the module docstring)."""

    # Set by FrameStream.__init__ (declared here for readers and type checkers).
    _cond: threading.Condition
    _send_lock: threading.Lock
    _wake: threading.Event
    _window: Window
    _ws: websocket.WebSocket | None
    _spool: Spool | None
    _closing: bool
    _failure: StreamError | None
    _retry_timer: threading.Timer | None
    _retry_after: float
    _headers: list[str]
    url: str
    backoff_initial: float
    backoff_max: float
    retry_for: float
    connect_timeout: float
    io_timeout: float
    max_in_flight: int

    # -- background thread -------------------------------------------------------------------

    def _run(self, ws: websocket.WebSocket) -> None:
        current: websocket.WebSocket | None = ws
        # Backoff and the give-up clock carry over connections that end without
        # a single reply (e.g. a server that accepts, then closes while it drains).
        delay = self.backoff_initial
        trouble_since: float | None = None
        if current is None:  # a spooled stream that could not connect at first
            trouble_since = time.monotonic()
            current, delay = self._reconnect(delay, trouble_since)
        while current is not None:
            code, answered = self._read(current)
            with self._cond:
                self._ws = None
                if self._closing:
                    return
                idle = not self._window
            if code == _MESSAGE_TOO_BIG:
                self._fail(
                    StreamError("the server closed the stream: a message was too big (1009)")
                )
                return
            if answered or idle:
                delay, trouble_since = self.backoff_initial, None
            if trouble_since is None:
                trouble_since = time.monotonic()
            current, delay = self._reconnect(delay, trouble_since)

    def _read(self, ws: websocket.WebSocket) -> tuple[int | None, int]:
        """Handle replies until the connection ends: (close code if any, replies handled)."""
        answered = 0
        code: int | None = None
        try:
            while True:
                try:
                    opcode, frame = ws.recv_data_frame(True)
                except websocket.WebSocketTimeoutException:
                    with self._cond:
                        if not self._window and not self._closing:
                            continue  # idle line, nothing awaited
                    log.info("no reply for %ss; reconnecting", self.io_timeout)
                    return None, answered
                if opcode in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY):
                    if not self._on_reply(frame.data, answered + 1):
                        return None, answered  # re-send from that frame after a backoff
                    answered += 1
                elif opcode == websocket.ABNF.OPCODE_CLOSE:
                    data = frame.data or b""
                    code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                    if not self._closing:
                        reason = data[2:].decode("utf-8", "replace")
                        log.info("server closed the stream (%s %s)", code, reason)
                    return code, answered
        except (websocket.WebSocketException, OSError) as exc:
            if not self._closing:
                log.info("stream connection lost: %s", exc)
            return code, answered
        finally:
            abort_connection(ws)  # also wakes a send() blocked on this socket in another thread
            with contextlib.suppress(Exception):  # best effort
                ws.shutdown()

    def _pump(self, spool: Spool) -> None:
        """With a spool: move frames from disk into the window and onto the socket, in order."""

        def ready() -> bool:
            if self._stopped():
                return True
            room = len(self._window) < self.max_in_flight
            return self._ws is not None and room and spool.unsent > 0

        while True:
            with self._cond:
                self._cond.wait_for(ready)
                if self._stopped():
                    return
            record = spool.read_next()
            if record is None:
                continue  # an unreadable record was skipped
            with self._send_lock:  # taken by _reconnect too: the window is re-sent in order
                with self._cond:
                    if self._stopped():
                        return
                    entry = Entry(record.seq, record.payload, record.frame_index, record.tag)
                    self._window.entries.append(entry)
                    ws = self._ws
                if ws is not None:
                    try:
                        write_message(ws, entry.payload)
                    except (websocket.WebSocketException, OSError) as exc:
                        log.info("stream write failed (%s); will reconnect and re-send", exc)
                        abort_connection(ws)

    def _on_reply(self, data: bytes | str, number: int) -> bool:
        """Match one reply to the oldest frame; False when (spooled) it must be re-sent."""
        try:
            reply = orjson.loads(data)
        except orjson.JSONDecodeError:
            reply = {"success": False, "error": f"unreadable reply: {data[:200]!r}"}
        if not isinstance(reply, dict):
            reply = {"success": False, "error": f"unexpected reply: {reply!r}"[:300]}
        seq = reply.get("seq")
        if isinstance(seq, int) and seq != number:
            log.warning("reply seq %s where %s was expected", seq, number)
        if self._spool is not None and reply.get("success") is not True and reply.get("retry"):
            log.info("server could not store frame (%s); will re-send", reply.get("error"))
            return False
        with self._cond:
            retry_after = self._window.answer(reply)
            if retry_after is not None:
                self._retry_after = retry_after
                self._schedule_resend()
            self._cond.notify_all()
        return True

    def _schedule_resend(self) -> None:
        if self._retry_timer is None and self._window.limited and not self._stopped():
            self._retry_timer = threading.Timer(self._retry_after, self._resend_limited)
            self._retry_timer.daemon = True
            self._retry_timer.start()

    def _cancel_resend(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.cancel()
            self._retry_timer = None

    def _resend_limited(self) -> None:
        """Timer thread: send the oldest rate-limited frame again, then wait again.

        One per ``retry_after`` matches the server's rate: sending them all at
        once would only have most of them refused again.
        """
        with self._send_lock:
            with self._cond:
                self._retry_timer = None
                if self._stopped() or not self._window.limited:
                    return
                entry = self._window.limited.popleft()
                self._window.entries.append(entry)  # on the wire after everything sent so far
                ws = self._ws
                self._schedule_resend()
            if ws is not None:  # else the reconnect re-sends the whole window
                try:
                    write_message(ws, entry.payload)
                except (websocket.WebSocketException, OSError) as exc:
                    log.info("stream write failed (%s); will reconnect and re-send", exc)
                    abort_connection(ws)

    def _reconnect(
        self, delay: float, trouble_since: float
    ) -> tuple[websocket.WebSocket | None, float]:
        """Wait ``delay``, connect, re-send the window; doubling the delay on each failure.

        Returns the new connection (None when closing or giving up) and the next delay.
        """
        while True:
            self._wake.wait(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, self.backoff_max)
            with self._cond:
                if self._closing:
                    return None, delay
            if self._spool is None and time.monotonic() - trouble_since > self.retry_for:
                self._fail(
                    StreamError(f"gave up: no reply from the server for {self.retry_for:g}s")
                )
                return None, delay
            try:
                ws = self._open()
            except UnauthorizedError as exc:
                if self._spool is not None:  # frames are safe on disk: a fixed server takes them
                    log.error("the server refused the token on reconnect: %s", exc)
                    continue
                self._fail(StreamError(f"the server refused the token on reconnect: {exc}"))
                return None, delay
            except TransportError as exc:
                out_of_time = time.monotonic() - trouble_since + delay > self.retry_for
                if self._spool is None and out_of_time:
                    self._fail(
                        StreamError(f"gave up reconnecting after {self.retry_for:g}s: {exc}")
                    )
                    return None, delay
                log.info("reconnect failed (%s); retrying in %.1fs", exc, delay)
                continue
            with self._send_lock:
                with self._cond:
                    if self._closing:
                        abort_connection(ws)
                        return None, delay
                    backlog = list(self._window.entries)
                try:
                    for entry in backlog:
                        write_message(ws, entry.payload)
                except (websocket.WebSocketException, OSError) as exc:
                    log.info("re-send failed (%s); reconnecting", exc)
                    abort_connection(ws)
                    ws.shutdown()
                    continue
                with self._cond:
                    self._ws = ws
                    self._window.reconnects += 1
                    self._cond.notify_all()  # wakes the pump
            log.info("reconnected to %s; re-sent %d unanswered frames", self.url, len(backlog))
            return ws, delay

    def _open(self) -> websocket.WebSocket:
        return open_connection(self.url, self._headers, self.connect_timeout, self.io_timeout)

    # -- state helpers (called with _cond held unless noted) ---------------------------------

    def _stopped(self) -> bool:
        return self._failure is not None or self._closing

    def _raise_if_stopped(self) -> None:
        if self._failure is not None:
            raise StreamError(f"stream stopped: {self._failure.message}")
        if self._closing:
            raise StreamError("stream is closed")

    def _fail(self, error: StreamError) -> None:
        """Give up (called without _cond): report unanswered frames lost, wake everyone."""
        log.error("%s", error)
        with self._cond:
            self._failure = error
            self._cancel_resend()
            self._window.lose_all(error.message)
            self._cond.notify_all()
