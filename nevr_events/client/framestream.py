"""``FrameStream``: send frames over the ``/v3/stream`` WebSocket, pipelined and resilient.

>>> with FrameStream("http://localhost:8081", token) as stream:
...     for frame in frames:
...         stream.send(frame)          # does not wait for the reply
...     result = stream.flush()         # waits for a reply to every frame
>>> result.stored, result.duplicates, result.rejected, result.lost

How it works
------------
* ``send`` encodes the frame, keeps it in the *in-flight window* (frames sent
  but not yet answered) and writes it to the socket at once. When the window
  holds ``max_in_flight`` frames, ``send`` blocks until replies make room
  (``send_timeout`` seconds at most, then :class:`StreamError`). Memory is
  therefore bounded by ``max_in_flight`` encoded frames.
* The server answers every message, in order; a background thread reads the
  replies and matches each one to the oldest frame in the window.
* When the connection drops (network error, server restart, close code other
  than a normal close we asked for), the thread reconnects with capped
  exponential backoff (``backoff_initial`` doubling up to ``backoff_max``, with
  a little jitter) and re-sends every frame still in the window, in order.
  Frames the server had stored before the drop are answered ``duplicate``
  (the server has a unique index per session, user, timestamp and frame
  index): they are counted as ``duplicates``, not errors.
* If no connection can be made for ``retry_for`` seconds, or the server refuses
  the token, the stream gives up: frames in the window are reported ``lost``
  and further ``send`` calls raise :class:`StreamError`.
* With ``spool=DIR`` (:mod:`nevr_events.client.spool`) ``send`` only appends the
  frame to the spool on disk and returns; a *pump* thread moves spooled frames
  into the window and onto the socket, and each reply marks its frame answered
  in the spool. The stream then never gives up on the network and never counts
  a frame lost: what is unanswered stays on disk for the next ``FrameStream``
  on that directory, even after the process is killed.
* A frame answered ``rate limited`` (the server's ``MAX_STREAM_HZ``) stays in
  the window and is sent again after the reply's ``retry_after``, one at a
  time, up to ``MAX_RATE_LIMITED`` times; only then is it counted ``rejected``.

It uses ordinary threads (not gevent) and the ``websocket-client`` library.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from typing import Any

import orjson
import websocket

from nevr_events.client.framewire import (
    StreamResult,
    abort_connection,
    encode_frame,
    open_connection,
    stream_url,
    write_message,
)
from nevr_events.client.spool import Spool
from nevr_events.client.window import Entry, Window
from nevr_events.exceptions import (
    StreamError,
    TransportError,
    UnauthorizedError,
)

log = logging.getLogger(__name__)

_MESSAGE_TOO_BIG = 1009
_NORMAL = 1000


class FrameStream:
    """A resilient, pipelined frame sender (one WebSocket, reconnected as needed).

    :param url: ``http(s)://host:port`` or ``ws(s)://host:port[/path]``; an
        empty path means ``/v3/stream``.
    :param token: JWT sent as ``Authorization: Bearer``; its ``sub`` is the
        stored ``user_id``.
    :param node_id: sent as ``X-Node-ID`` when given.
    :param max_in_flight: frames sent but not answered before ``send`` blocks.
    :param send_timeout: seconds ``send`` may block on a full window before it
        raises :class:`StreamError` (None: wait as long as it takes).
    :param connect_timeout: seconds for TCP connect plus the WebSocket handshake.
    :param io_timeout: a connection with unanswered frames and no traffic for
        this long (or a write blocked this long) is treated as dead.
    :param backoff_initial: first reconnect delay, doubled on each failure ...
    :param backoff_max: ... up to this.
    :param retry_for: give up after failing to connect for this many seconds.
    :param max_message_bytes: frames larger than this are refused by ``send``
        (the server closes the stream with 1009 above its limit, 10 MiB by default).
    :param spool: a directory that keeps every frame until it is answered; ``send``
        then never blocks on the network, an unreachable server is not an error
        (``retry_for`` does not apply) and a new stream on the directory re-sends
        what an earlier process left. ``send`` returns the frame's number in the spool.
    :param spool_max_bytes: ``send`` raises :class:`SpoolFull` beyond this size.
    :param spool_fsync_interval: seconds between ``fsync`` calls (0: every frame).
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        node_id: str | None = None,
        max_in_flight: int = 1000,
        send_timeout: float | None = None,
        connect_timeout: float = 10.0,
        io_timeout: float = 60.0,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        retry_for: float = 60.0,
        max_message_bytes: int = 10 * 1024 * 1024,
        spool: str | os.PathLike[str] | None = None,
        spool_max_bytes: int = 1 << 30,
        spool_fsync_interval: float = 0.1,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.url = stream_url(url)
        self._headers = []
        if token:
            self._headers.append(f"Authorization: Bearer {token}")
        if node_id:
            self._headers.append(f"X-Node-ID: {node_id}")
        self.max_in_flight = max_in_flight
        self.send_timeout = send_timeout
        self.connect_timeout = connect_timeout
        self.io_timeout = io_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.retry_for = retry_for
        self.max_message_bytes = max_message_bytes

        self._cond = threading.Condition()
        self._send_lock = threading.Lock()  # socket writes; taken before _cond, never inside
        self._wake = threading.Event()  # interrupts backoff sleeps on close
        # Answered "rate limited": re-sent one per ``retry_after`` by a timer thread.
        self._retry_timer: threading.Timer | None = None
        self._retry_after = 0.0
        self._ws: websocket.WebSocket | None = None
        self._closing = False
        self._closed = False
        self._failure: StreamError | None = None
        self._spool: Spool | None = None
        if spool is not None:
            self._spool = Spool(
                spool, max_bytes=spool_max_bytes, fsync_interval=spool_fsync_interval
            )
        self._window = Window(self._spool)  # under _cond

        try:
            first: websocket.WebSocket | None = self._open()  # errors surface in the caller
        except TransportError as exc:
            if self._spool is None:
                raise
            log.warning("%s; frames are spooled until the server is reachable", exc)
            first = None
        except BaseException:
            if self._spool is not None:
                self._spool.close()
            raise
        with self._cond:
            self._ws = first
        self._thread = threading.Thread(
            target=self._run, args=(first,), name="nevr-framestream", daemon=True
        )
        self._thread.start()
        self._pump_thread: threading.Thread | None = None
        if self._spool is not None:
            self._pump_thread = threading.Thread(
                target=self._pump, args=(self._spool,), name="nevr-framestream-pump", daemon=True
            )
            self._pump_thread.start()

    # -- public API --------------------------------------------------------------------------

    def send(self, frame: Any, *, tag: Any = None, timeout: float | None = ...) -> int:  # type: ignore[assignment]
        """Queue and send one frame without waiting for its reply; returns its position.

        Blocks while ``max_in_flight`` frames are unanswered; ``timeout``
        (default ``send_timeout``) bounds that wait, then :class:`StreamError`.
        Raises :class:`StreamError` after ``close`` or once the stream gave up.
        """
        payload, frame_index = encode_frame(frame)
        if len(payload) > self.max_message_bytes:
            raise StreamError(
                f"frame of {len(payload)} bytes is larger than max_message_bytes "
                f"({self.max_message_bytes}); not sent"
            )
        if self._spool is not None:
            with self._cond:
                self._raise_if_stopped()
            position = self._spool.append(payload, frame_index, tag)
            with self._cond:
                self._window.sent += 1
                self._cond.notify_all()  # wakes the pump
            return position
        wait = self.send_timeout if timeout is ... else timeout
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            with self._cond:
                if not self._cond.wait_for(
                    lambda: len(self._window) < self.max_in_flight or self._stopped(),
                    None if deadline is None else max(0.0, deadline - time.monotonic()),
                ):
                    raise StreamError(
                        f"{self.max_in_flight} frames in flight without a reply for {wait}s "
                        "(max_in_flight reached)"
                    )
                self._raise_if_stopped()
            with self._send_lock:
                with self._cond:
                    self._raise_if_stopped()
                    if len(self._window) >= self.max_in_flight:
                        continue  # another producer took the slot
                    entry = Entry(self._window.sent, payload, frame_index, tag)
                    self._window.sent += 1
                    self._window.entries.append(entry)
                    ws = self._ws
                if ws is not None:
                    try:
                        write_message(ws, payload)
                    except (websocket.WebSocketException, OSError) as exc:
                        log.info("stream write failed (%s); will reconnect and re-send", exc)
                        abort_connection(ws)
                return entry.position

    def flush(self, timeout: float | None = None) -> StreamResult:
        """Wait until every frame sent has a reply (or the stream gave up) and return counts.

        With ``timeout``, returns when it expires; ``result.pending`` then
        counts the frames still waiting. The stream stays open.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._window.settled or self._failure is not None, timeout)
            return self._window.result()

    def stats(self) -> StreamResult:
        """Counts so far, without waiting."""
        with self._cond:
            return self._window.result()

    @property
    def in_flight(self) -> int:
        with self._cond:
            return len(self._window)

    @property
    def error(self) -> StreamError | None:
        """Why the stream gave up, if it did."""
        return self._failure

    def close(self, timeout: float | None = None) -> StreamResult:
        """Flush (up to ``timeout`` seconds), close the connection and return the final counts.

        Frames still unanswered are counted as lost (with a spool they stay in
        it, counted in ``pending``). Closing twice is harmless.
        """
        if not self._closed:
            self.flush(timeout)
        with self._cond:
            if self._closed:
                return self._window.result()
            self._closing = True
            self._cancel_resend()
            self._window.lose_all("stream closed before the server answered")
            self._cond.notify_all()
        self._wake.set()
        with self._send_lock:
            ws = self._ws
            if ws is not None:
                try:
                    ws.send_close(_NORMAL, b"client done")
                except (websocket.WebSocketException, OSError):
                    abort_connection(ws)
        self._thread.join(1.0)  # the server answers the close frame at once
        if self._thread.is_alive() and ws is not None:
            abort_connection(ws)
            self._thread.join(5.0)
        if self._pump_thread is not None:
            self._pump_thread.join(5.0)
        with self._cond:
            self._closed = True
            result = self._window.result()
        if self._spool is not None:
            self._spool.close()
        return result

    def __enter__(self) -> FrameStream:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        # After an exception in the block, do not wait for replies.
        self.close(timeout=None if exc_type is None else 0)

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
