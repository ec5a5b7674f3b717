"""The server side of one WebSocket: the only module that touches simple-websocket's
and wsproto's internals.

The stream needs more than ``simple_websocket.Server``'s public API gives (a
bounded inbox, draining, close-and-wait, batched replies, whole-frame reads),
and those internals change between releases: keeping them here, checked by
``tests/test_wsconn.py`` and ``tests/test_wsreader.py`` against the installed
release on a real connection, makes an upgrade fail in one place, in the tests.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

from gevent.event import Event
from simple_websocket import ConnectionClosed
from wsproto.connection import ConnectionState
from wsproto.events import CloseConnection, Ping
from wsproto.frame_protocol import CloseReason
from wsproto.utilities import LocalProtocolError

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - a websockets build without its C extension
    from websockets.utils import apply_mask

__all__ = ["BoundedInbox", "ConnectionClosed", "ServerSocket", "frame_reader", "read_frames"]

log = logging.getLogger(__name__)

GOING_AWAY = 1001
_OPEN = ConnectionState.OPEN
# Opcodes RFC 6455 reserves: a frame with one is a protocol error (wsproto says so).
_RESERVED_OPCODES = frozenset({3, 4, 5, 6, 7, 11, 12, 13, 14, 15})


class BoundedInbox(list):  # type: ignore[type-arg]
    """A list whose ``append`` waits while it holds ``limit`` items."""

    def __init__(self, items: list[Any], limit: int) -> None:
        super().__init__(items)
        self.limit = limit
        self._room = Event()
        self._room.set()

    def append(self, item: Any) -> None:
        while len(self) >= self.limit:
            self._room.clear()
            self._room.wait()
        super().append(item)

    def pop(self, index: int = -1) -> Any:  # type: ignore[override]
        item = super().pop(index)
        if len(self) < self.limit:
            self._room.set()
        return item

    def clear(self) -> None:
        super().clear()
        self._room.set()

    def release(self) -> None:
        """Never wait again (the handler is done; the reader must be free to exit)."""
        self.limit = 2**62
        self._room.set()


class ServerSocket:
    """One accepted WebSocket (a ``simple_websocket.Server``) with a bounded inbox.

    simple-websocket's reader appends every complete message to
    ``input_buffer``, however far behind the handler is; a
    :class:`BoundedInbox` in its place makes the reader wait when full, so TCP
    flow control slows the agent instead of memory growing while the database
    holds the writer back. Internals used: ``sock``, ``ws`` (the wsproto
    connection), ``event``, ``input_buffer``, ``connected``.

    Surface: :meth:`receive`, :meth:`send`, :attr:`connected`,
    :meth:`drain_received`, :meth:`close_and_wait`, and :meth:`release` (call
    it when the handler is done, or use the object as a context manager).
    ``receive`` and ``send`` raise :class:`ConnectionClosed` once the
    connection is gone.
    """

    def __init__(self, ws: Any, inbox_limit: int) -> None:
        self._ws = ws
        self._inbox = BoundedInbox(list(ws.input_buffer), inbox_limit)
        ws.input_buffer = self._inbox  # no greenlet switch between the copy and the swap

    @property
    def connected(self) -> bool:
        return bool(self._ws.connected)

    def receive(self, timeout: float | None = None) -> str | bytes | None:
        """The next message, or None when none came within ``timeout`` seconds."""
        message: str | bytes | None = self._ws.receive(timeout=timeout)
        return message

    def send(self, data: str | bytes) -> None:
        self._ws.send(data)

    def send_many(self, messages: Sequence[bytes]) -> None:
        """Send text messages (UTF-8 bytes), in order, framed here and written at once.

        One ``sendall`` for a batch of replies instead of a wsproto frame and a
        socket write each. Server frames are not masked, and a frame without
        the RSV1 bit is a plain message even when compression was negotiated.
        """
        ws = self._ws
        if not ws.connected or ws.ws.state is not _OPEN:
            raise ConnectionClosed(ws.close_reason, ws.close_message)
        out = bytearray()
        for data in messages:
            size = len(data)
            if size < 126:
                out += bytes((0x81, size))
            elif size < 65536:
                out += b"\x81\x7e" + size.to_bytes(2, "big")
            else:
                out += b"\x81\x7f" + size.to_bytes(8, "big")
            out += data
        ws.sock.sendall(out)

    def drain_received(self) -> Iterator[str | bytes]:
        """The messages already received when called, and none that arrive later."""
        for _ in range(len(self._inbox)):
            message = self._ws.receive(timeout=0)
            if message is None:
                return
            yield message

    def close_and_wait(
        self, code: int = GOING_AWAY, reason: str = "", timeout: float = 2.0
    ) -> None:
        """Send a close frame with ``code`` and wait (up to ``timeout``) for the peer's close.

        simple-websocket's ``close()`` drops the socket at once: an agent still
        sending would get a TCP reset, which discards the close frame and the
        last replies unread in its buffer. Messages the peer sends after our
        close are discarded, not read.
        """
        ws = self._ws
        try:
            ws.sock.send(ws.ws.send(CloseConnection(code, reason)))
        except (OSError, LocalProtocolError):
            ws.connected = False
            return
        deadline = time.monotonic() + timeout
        while ws.connected and time.monotonic() < deadline:
            ws.event.wait(0.05)
            ws.event.clear()
            self._inbox.clear()
        ws.connected = False

    def release(self) -> None:
        """Let simple-websocket's reader thread append without waiting, so it can exit."""
        self._inbox.release()

    def __enter__(self) -> ServerSocket:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def frame_reader(thread_class: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """A ``thread_class`` for simple-websocket whose thread runs :func:`read_frames`.

    simple-websocket creates its reader as ``thread_class(target=self._thread)``;
    the connection is the target's ``__self__``. ``thread_class`` defaults to
    ``threading.Thread`` looked up at each call: gevent's once it has patched.
    """

    def make(target: Any) -> Any:
        make_thread = thread_class or threading.Thread
        return make_thread(target=partial(read_frames, target.__self__, make_thread))

    return make


def read_frames(ws: Any, make_thread: Callable[..., Any]) -> None:
    """simple-websocket's reader loop (``Base._thread``) with the fast frame path.

    wsproto parses frames in Python and hands a frame spanning several reads
    over in pieces; this waits for whole frames and unmasks them with the C
    ``apply_mask`` of ``websockets``. It takes only plain client data frames
    (masked, no RSV bit: no compression); control frames go to wsproto whole
    and simple-websocket's own handling answers them; the first frame it does
    not take (compression, a protocol error) hands the rest of the connection
    to wsproto. Internals used besides :class:`ServerSocket`'s:
    ``receive_bytes``, ``ping_interval``, ``pong_received``,
    ``max_message_size``, ``close``, ``_handle_events`` and the reader being
    made as ``thread_class(target=self._thread)``.

    Pings run on a thread of their own (:func:`_keep_alive`, simple-websocket's
    rules) instead of a selector wait before every read: under gevent that wait
    costs a watcher and a timer per ``recv``.
    """
    frames = _Frames(ws)
    # The connection's own Event class (simple-websocket's ``event_class``: gevent's
    # under the gevent worker), so waiting on it never blocks other greenlets.
    ended = type(ws.event)() if ws.ping_interval else None
    if ended is not None:
        make_thread(target=partial(_keep_alive, ws, ended)).start()
    try:
        while ws.connected:
            try:
                data = ws.sock.recv(ws.receive_bytes)
                if not data:
                    raise OSError("connection closed")
                ws.connected = frames.feed(data)
            except (OSError, LocalProtocolError, ConnectionClosed):
                ws.connected = False
                ws.event.set()
                break
            except Exception:  # a bug here must end this connection, not leave it hanging
                log.exception("WebSocket reader failed; closing the connection")
                ws.connected = False
                ws.event.set()
                break
    finally:
        if ended is not None:
            ended.set()
        ws.sock.close()


def _keep_alive(ws: Any, ended: Any) -> None:
    """simple-websocket's pings: one per ``ping_interval``; no pong since the last one closes."""
    ws.pong_received = True
    while not ended.wait(ws.ping_interval) and ws.connected:
        try:
            if not ws.pong_received:
                ws.close(reason=CloseReason.POLICY_VIOLATION, message="Ping/Pong timeout")
                ws.event.set()
                ws.sock.shutdown(socket.SHUT_RDWR)  # wakes the reader, which closes the socket
                return
            ws.pong_received = False
            ws.sock.send(ws.ws.send(Ping()))
        except (OSError, LocalProtocolError, ConnectionClosed):
            return


class _Frames:
    """Whole client frames from the socket's bytes; anything unusual goes to wsproto."""

    __slots__ = ("buffer", "opcode", "parts", "size", "ws", "wsproto")

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.buffer = bytearray()
        self.parts: list[bytes] = []  # payloads of the message being received
        self.opcode = 0  # 1 text, 2 binary while a message is being received
        self.size = 0
        self.wsproto = False  # True once wsproto reads the connection

    def feed(self, data: bytes) -> bool:
        """Take the bytes read; False when the connection is to end."""
        ws = self.ws
        if self.wsproto:
            ws.ws.receive_data(data)
            return bool(ws._handle_events())
        buffer = self.buffer
        buffer += data
        end = len(buffer)
        pos = 0
        limit = ws.max_message_size
        try:
            while end - pos >= 2:
                first, second = buffer[pos], buffer[pos + 1]
                opcode = first & 0x0F
                # RSV bits (compression), an unmasked frame, a reserved opcode: wsproto's.
                if first & 0x70 or not second & 0x80 or opcode in _RESERVED_OPCODES:
                    return self._to_wsproto(pos)
                length = second & 0x7F
                head = pos + 2
                if length == 126:
                    if end - head < 2:
                        break
                    length = int.from_bytes(buffer[head : head + 2], "big")
                    head += 2
                elif length == 127:
                    if end - head < 8:
                        break
                    length = int.from_bytes(buffer[head : head + 8], "big")
                    head += 8
                stop = head + 4 + length
                if opcode >= 8:  # control frame
                    if length > 125 or not first & 0x80:
                        return self._to_wsproto(pos)
                # As simple-websocket: refuse once more than the limit has arrived
                # (not at the header, so the agent's send completes and it reads the close).
                elif limit and self.size + min(stop, end) - head - 4 > limit:
                    return self._close(CloseReason.MESSAGE_TOO_BIG, "Message is too big")
                if stop > end:
                    break  # wait for the rest of the frame
                if opcode >= 8:
                    # Ping, pong, close: wsproto parses the whole frame and
                    # simple-websocket answers it, as it would have.
                    ws.ws.receive_data(bytes(buffer[pos:stop]))
                    pos = stop
                    if not ws._handle_events():
                        return False
                    continue
                if bool(opcode) == bool(self.opcode):  # a new message inside one, or no start
                    return self._to_wsproto(pos)
                if opcode:
                    self.opcode = opcode
                mask = bytes(buffer[head : head + 4])
                self.parts.append(apply_mask(buffer[head + 4 : stop], mask))
                self.size += length
                pos = stop
                if first & 0x80 and not self._deliver():
                    return False
        finally:
            del buffer[:pos]
        return True

    def _deliver(self) -> bool:
        """Hand the finished message to the inbox (may wait for room there)."""
        parts, kind = self.parts, self.opcode
        message: str | bytes = parts[0] if len(parts) == 1 else b"".join(parts)
        self.parts, self.opcode, self.size = [], 0, 0
        if kind == 1:
            try:
                message = message.decode()  # type: ignore[union-attr]
            except UnicodeDecodeError:
                return self._close(CloseReason.INVALID_FRAME_PAYLOAD_DATA, "invalid UTF-8")
        self.ws.input_buffer.append(message)
        self.ws.event.set()
        return True

    def _close(self, code: CloseReason, reason: str) -> bool:
        ws = self.ws
        ws.sock.send(ws.ws.send(CloseConnection(code, reason)))
        ws.event.set()
        return False

    def _to_wsproto(self, pos: int) -> bool:
        """wsproto reads the connection from this frame on (a message in progress is lost)."""
        self.wsproto = True
        rest = bytes(self.buffer[pos:])
        self.buffer.clear()
        self.ws.ws.receive_data(rest)
        return bool(self.ws._handle_events())
