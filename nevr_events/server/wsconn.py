"""The server side of one WebSocket, and the only module that uses simple-websocket internals.

flask-sock hands each WebSocket route a ``simple_websocket.Server``. Its
public API (``receive``, ``send``, ``close``) lacks three things the stream
needs, so :class:`ServerSocket` adds them on top of the connection's
internals, and no other module touches those:

* **a bounded inbox**: simple-websocket's reader thread appends every complete
  message to ``input_buffer`` (a plain list), however far behind the handler
  is. :class:`BoundedInbox` replaces that list and makes the reader wait when
  it is full, so it stops reading the socket and TCP flow control slows the
  agent down: memory per connection stays bounded while the database holds
  the writer back;
* **draining what was received**: the number of messages already in the inbox,
  so a shutdown answers those and no more;
* **close with a code and wait**: ``close()`` sends the close frame and drops
  the socket at once; an agent still sending would then get a TCP reset, which
  discards the close frame and the last replies unread in its receive buffer.
  :meth:`ServerSocket.close_and_wait` sends the close frame through the wsproto
  connection and waits for the agent's close before the socket goes.

Internals used (simple-websocket 1.1, wsproto 1.2+): ``Base.sock`` (the
socket), ``Base.ws`` (the ``wsproto.WSConnection``), ``Base.event`` (set by the
reader thread on every message and on close), ``Base.input_buffer`` (list of
complete messages, appended by the reader thread, popped from the front by
``receive``) and ``Base.connected``. ``tests/test_wsconn.py`` checks each of
them against the installed release on a real connection, so an upgrade that
changes them fails there, loudly, before it can fail in production.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from gevent.event import Event
from simple_websocket import ConnectionClosed
from wsproto.events import CloseConnection
from wsproto.utilities import LocalProtocolError

__all__ = ["BoundedInbox", "ConnectionClosed", "ServerSocket"]

GOING_AWAY = 1001


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
        return self._ws.receive(timeout=timeout)

    def send(self, data: str | bytes) -> None:
        self._ws.send(data)

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

        Messages the peer sends after our close are discarded, not read.
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
