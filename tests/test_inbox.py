"""BoundedInbox: simple-websocket's reader waits instead of buffering without limit."""

from __future__ import annotations

import gevent

from nevr_events.server.inbox import BoundedInbox, bound_inbox


def test_append_waits_for_room_and_keeps_order() -> None:
    inbox = BoundedInbox(["a"], limit=2)
    appended: list[str] = []

    def reader_thread() -> None:  # what simple-websocket's thread does
        for item in ("b", "c", "d"):
            inbox.append(item)
            appended.append(item)

    producer = gevent.spawn(reader_thread)
    gevent.sleep(0.01)
    assert appended == ["b"] and list(inbox) == ["a", "b"]  # full: "c" waits
    assert inbox.pop(0) == "a"
    gevent.sleep(0.01)
    assert appended == ["b", "c"]
    assert [inbox.pop(0), inbox.pop(0)] == ["b", "c"]
    producer.join(1)
    assert appended == ["b", "c", "d"] and list(inbox) == ["d"]


def test_release_frees_a_waiting_reader() -> None:
    inbox = BoundedInbox([], limit=1)
    inbox.append(1)
    waiting = gevent.spawn(inbox.append, 2)
    gevent.sleep(0.01)
    assert not waiting.dead
    inbox.release()
    waiting.join(1)
    assert waiting.dead and list(inbox) == [1, 2]


def test_bound_inbox_keeps_buffered_messages() -> None:
    class FakeSocket:  # only the attribute simple-websocket's Base defines
        input_buffer = ["m1", "m2"]

    ws = FakeSocket()
    inbox = bound_inbox(ws, 8)
    assert ws.input_buffer is inbox and list(inbox) == ["m1", "m2"]
