"""A bounded inbox for simple-websocket connections.

simple-websocket reads the socket on its own (green) thread and appends every
complete message to ``ws.input_buffer``, a plain list, however far behind the
handler is. Swapping that list for a ``BoundedInbox`` makes the reading
thread wait when the inbox is full, so it stops reading the socket and TCP
flow control slows the agent down: memory per connection stays bounded even
while the database holds the writer back.
"""

from __future__ import annotations

from typing import Any

from gevent.event import Event


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


def bound_inbox(ws: Any, limit: int) -> BoundedInbox:
    """Replace ``ws.input_buffer`` with a ``BoundedInbox`` holding what it held."""
    inbox = BoundedInbox(list(ws.input_buffer), limit)
    ws.input_buffer = inbox  # no greenlet switch between the copy and the swap
    return inbox
