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
* A frame answered ``rate limited`` (the server's ``MAX_STREAM_HZ``) stays in
  the window and is sent again after the reply's ``retry_after``, one at a
  time, up to ``MAX_RATE_LIMITED`` times; only then is it counted ``rejected``.

It uses ordinary threads (not gevent) and the ``websocket-client`` library.
"""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import threading
import time
from collections import deque
from typing import Any

import orjson
import websocket

from nevr_events.client.framewire import (
    MAX_REPORTED,
    FrameProblem,
    StreamResult,
    encode_frame,
    stream_url,
)
from nevr_events.exceptions import (
    ConnectError,
    StreamError,
    TransportError,
    Unauthorized,
)

log = logging.getLogger(__name__)

_MESSAGE_TOO_BIG = 1009
_NORMAL = 1000
RATE_LIMITED = "rate limited"
#: Times one frame is re-sent after ``rate limited`` before it counts as rejected.
MAX_RATE_LIMITED = 100


class _Entry:
    __slots__ = ("frame_index", "limited", "payload", "position", "tag")

    def __init__(self, position: int, payload: str | bytes, frame_index: int | None, tag: Any):
        self.position = position
        self.payload = payload
        self.frame_index = frame_index
        self.tag = tag
        self.limited = 0  # times answered "rate limited"


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
        self._pending: deque[_Entry] = deque()
        # Answered "rate limited", waiting for their re-send (still in the window).
        self._limited: deque[_Entry] = deque()
        self._retry_timer: threading.Timer | None = None
        self._retry_after = 0.0
        self._ws: websocket.WebSocket | None = None
        self._closing = False
        self._closed = False
        self._failure: StreamError | None = None
        self._sent = self._stored = self._duplicates = self._skipped = 0
        self._rejected = self._lost = self._reconnects = 0
        self._rejections: list[FrameProblem] = []
        self._losses: list[FrameProblem] = []

        first = self._open()  # errors (refused, 401) surface here, in the caller
        with self._cond:
            self._ws = first
        self._thread = threading.Thread(
            target=self._run, args=(first,), name="nevr-framestream", daemon=True
        )
        self._thread.start()

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
        wait = self.send_timeout if timeout is ... else timeout
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            with self._cond:
                if not self._cond.wait_for(
                    lambda: self._in_window() < self.max_in_flight or self._stopped(),
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
                    if self._in_window() >= self.max_in_flight:
                        continue  # another producer took the slot
                    entry = _Entry(self._sent, payload, frame_index, tag)
                    self._sent += 1
                    self._pending.append(entry)
                    ws = self._ws
                if ws is not None:
                    try:
                        _write(ws, payload)
                    except (websocket.WebSocketException, OSError) as exc:
                        log.info("stream write failed (%s); will reconnect and re-send", exc)
                        _abort(ws)
                return entry.position

    def flush(self, timeout: float | None = None) -> StreamResult:
        """Wait until every frame sent has a reply (or the stream gave up) and return counts.

        With ``timeout``, returns when it expires; ``result.pending`` then
        counts the frames still waiting. The stream stays open.
        """
        with self._cond:
            self._cond.wait_for(lambda: not self._in_window() or self._failure is not None, timeout)
            return self._result()

    def stats(self) -> StreamResult:
        """Counts so far, without waiting."""
        with self._cond:
            return self._result()

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_window()

    @property
    def error(self) -> StreamError | None:
        """Why the stream gave up, if it did."""
        return self._failure

    def close(self, timeout: float | None = None) -> StreamResult:
        """Flush (up to ``timeout`` seconds), close the connection and return the final counts.

        Frames still unanswered are counted as lost. Closing twice is harmless.
        """
        if not self._closed:
            self.flush(timeout)
        with self._cond:
            if self._closed:
                return self._result()
            self._closing = True
            self._lose_pending("stream closed before the server answered")
            self._cond.notify_all()
        self._wake.set()
        with self._send_lock:
            ws = self._ws
            if ws is not None:
                try:
                    ws.send_close(_NORMAL, b"client done")
                except (websocket.WebSocketException, OSError):
                    _abort(ws)
        self._thread.join(1.0)  # the server answers the close frame at once
        if self._thread.is_alive() and ws is not None:
            _abort(ws)
            self._thread.join(5.0)
        with self._cond:
            self._closed = True
            return self._result()

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
        while current is not None:
            code, answered = self._read(current)
            with self._cond:
                self._ws = None
                if self._closing:
                    return
                idle = not self._pending
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
                        if not self._pending and not self._closing:
                            continue  # idle line, nothing awaited
                    log.info("no reply for %ss; reconnecting", self.io_timeout)
                    return None, answered
                if opcode in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY):
                    answered += 1
                    self._on_reply(frame.data, answered)
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
            _abort(ws)  # also wakes a send() blocked on this socket in another thread
            with contextlib.suppress(Exception):  # best effort
                ws.shutdown()

    def _on_reply(self, data: bytes | str, number: int) -> None:
        try:
            reply = orjson.loads(data)
        except orjson.JSONDecodeError:
            reply = {"success": False, "error": f"unreadable reply: {data[:200]!r}"}
        if not isinstance(reply, dict):
            reply = {"success": False, "error": f"unexpected reply: {reply!r}"[:300]}
        seq = reply.get("seq")
        if isinstance(seq, int) and seq != number:
            log.warning("reply seq %s where %s was expected", seq, number)
        with self._cond:
            if not self._pending:
                log.warning("reply without a frame waiting for it: %r", reply)
                return
            entry = self._pending.popleft()
            if self._rate_limited(entry, reply):
                return
            if reply.get("success") is True:
                if reply.get("skipped"):
                    self._skipped += 1
                elif reply.get("duplicate"):
                    self._duplicates += 1
                else:
                    self._stored += 1
            else:
                self._rejected += 1
                if len(self._rejections) < MAX_REPORTED:
                    index = reply.get("frame_index", entry.frame_index)
                    reason = str(reply.get("error") or "rejected")
                    self._rejections.append(FrameProblem(entry.position, index, reason, entry.tag))
            self._cond.notify_all()

    def _rate_limited(self, entry: _Entry, reply: dict[str, Any]) -> bool:
        """Queue a frame answered "rate limited" for a re-send (with _cond held)."""
        retry_after = reply.get("retry_after")
        if reply.get("error") != RATE_LIMITED or not isinstance(retry_after, int | float):
            return False
        entry.limited += 1
        if entry.limited > MAX_RATE_LIMITED:
            return False  # counted as rejected, with the server's reason
        self._limited.append(entry)
        self._retry_after = min(max(float(retry_after), 0.001), 60.0)
        self._schedule_resend()
        return True

    def _schedule_resend(self) -> None:
        if self._retry_timer is None and self._limited and not self._stopped():
            self._retry_timer = threading.Timer(self._retry_after, self._resend_limited)
            self._retry_timer.daemon = True
            self._retry_timer.start()

    def _resend_limited(self) -> None:
        """Timer thread: send the oldest rate-limited frame again, then wait again.

        One per ``retry_after`` matches the server's rate: sending them all at
        once would only have most of them refused again.
        """
        with self._send_lock:
            with self._cond:
                self._retry_timer = None
                if self._stopped() or not self._limited:
                    return
                entry = self._limited.popleft()
                self._pending.append(entry)  # on the wire after everything sent so far
                ws = self._ws
                self._schedule_resend()
            if ws is not None:  # else the reconnect re-sends the whole window
                try:
                    _write(ws, entry.payload)
                except (websocket.WebSocketException, OSError) as exc:
                    log.info("stream write failed (%s); will reconnect and re-send", exc)
                    _abort(ws)

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
            if time.monotonic() - trouble_since > self.retry_for:
                self._fail(
                    StreamError(f"gave up: no reply from the server for {self.retry_for:g}s")
                )
                return None, delay
            try:
                ws = self._open()
            except Unauthorized as exc:
                self._fail(StreamError(f"the server refused the token on reconnect: {exc}"))
                return None, delay
            except TransportError as exc:
                if time.monotonic() - trouble_since + delay > self.retry_for:
                    self._fail(
                        StreamError(f"gave up reconnecting after {self.retry_for:g}s: {exc}")
                    )
                    return None, delay
                log.info("reconnect failed (%s); retrying in %.1fs", exc, delay)
                continue
            with self._send_lock:
                with self._cond:
                    if self._closing:
                        _abort(ws)
                        return None, delay
                    backlog = list(self._pending)
                try:
                    for entry in backlog:
                        _write(ws, entry.payload)
                except (websocket.WebSocketException, OSError) as exc:
                    log.info("re-send failed (%s); reconnecting", exc)
                    _abort(ws)
                    ws.shutdown()
                    continue
                with self._cond:
                    self._ws = ws
                    self._reconnects += 1
            log.info("reconnected to %s; re-sent %d unanswered frames", self.url, len(backlog))
            return ws, delay

    def _open(self) -> websocket.WebSocket:
        try:
            ws = websocket.create_connection(
                self.url,
                header=self._headers,
                timeout=self.connect_timeout,
                enable_multithread=True,
                skip_utf8_validation=True,
            )
        except websocket.WebSocketBadStatusException as exc:
            status = exc.status_code
            body = _error_text(exc.resp_body) or str(exc)
            if status in (401, 403):
                raise Unauthorized(body, status) from None
            raise TransportError(
                f"stream handshake refused by {self.url}: {body}", status
            ) from None
        except (ConnectionError, TimeoutError, OSError) as exc:
            raise ConnectError(f"cannot connect to {self.url}: {exc}") from None
        except websocket.WebSocketException as exc:
            raise TransportError(f"stream handshake with {self.url} failed: {exc}") from None
        ws.settimeout(self.io_timeout)
        return ws

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
            self._lose_pending(error.message)
            self._cond.notify_all()

    def _in_window(self) -> int:
        return len(self._pending) + len(self._limited)

    def _lose_pending(self, reason: str) -> None:
        if self._retry_timer is not None:
            self._retry_timer.cancel()
            self._retry_timer = None
        self._pending.extend(self._limited)
        self._limited.clear()
        while self._pending:
            entry = self._pending.popleft()
            self._lost += 1
            if len(self._losses) < MAX_REPORTED:
                self._losses.append(
                    FrameProblem(entry.position, entry.frame_index, reason, entry.tag)
                )

    def _result(self) -> StreamResult:
        return StreamResult(
            sent=self._sent,
            stored=self._stored,
            duplicates=self._duplicates,
            skipped=self._skipped,
            rejected=self._rejected,
            lost=self._lost,
            pending=self._in_window(),
            reconnects=self._reconnects,
            rejections=tuple(self._rejections),
            losses=tuple(self._losses),
        )


def _write(ws: websocket.WebSocket, payload: str | bytes) -> None:
    if isinstance(payload, bytes):
        ws.send_bytes(payload)
    else:
        ws.send_text(payload)


def _abort(ws: websocket.WebSocket) -> None:
    """Wake a thread blocked in recv on ``ws`` (shutdown of the socket, both ways)."""
    sock = ws.sock  # not ws.abort(): it does nothing once a close frame was sent
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _error_text(body: bytes | None) -> str | None:
    if not body:
        return None
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace")[:300]
    if isinstance(parsed, dict) and parsed.get("error"):
        return str(parsed["error"])
    return None
