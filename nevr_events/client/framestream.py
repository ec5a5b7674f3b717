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

import logging
import os
import threading
import time
from types import EllipsisType
from typing import Any

import websocket

from nevr_events.client.framewire import (
    StreamResult,
    abort_connection,
    encode_frame,
    stream_url,
    write_message,
)
from nevr_events.client.spool import Spool
from nevr_events.client.streamconn import StreamConnection
from nevr_events.client.window import Entry, Window
from nevr_events.exceptions import (
    StreamError,
    TransportError,
)

log = logging.getLogger(__name__)

_MESSAGE_TOO_BIG = 1009
_NORMAL = 1000


class FrameStream(StreamConnection):
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

    def send(
        self, frame: Any, *, tag: Any = None, timeout: float | EllipsisType | None = ...
    ) -> int:
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
