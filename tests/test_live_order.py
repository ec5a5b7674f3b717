"""Live frames in game-time order: one agent's frames over three connections, on two
workers, reach a subscriber in frame order, and ``fps=10`` of a 30 Hz stream gives a third.

The reorder window is set wide here (``LIVE_REORDER_WINDOW``) so that the order
asserted does not depend on how fast the machine commits; how a frame later than
the window is sent (``late``) is checked on ``Reorder`` itself.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import websocket
from bson import ObjectId

from nevr_events.server.live.order import LiveFrame, Reorder
from tests.support import LiveServer, envelope, make_frame, new_session_id
from tests.test_live_notify import on_worker, two_workers, watchers_on_both_workers

pytestmark = pytest.mark.both_stores

FRAMES = 90


@pytest.fixture
def server(store_url: str, database_name: str) -> Iterator[LiveServer]:
    with two_workers(store_url, database_name, LIVE_REORDER_WINDOW="3s", LIVE_WINDOW="3s") as s:
        yield s


def stream_over_three_connections(server: LiveServer, sid: str, count: int) -> int:
    """Frame ``i`` on connection ``i % 3`` at 30 Hz; two connections on one worker, one on
    the other. Returns how many frames were acknowledged stored."""
    first, second = server.worker_pids()
    sockets = [on_worker(server, pid, server.connect) for pid in (first, second, first)]
    stored = [0, 0, 0]

    def read(n: int, ws: websocket.WebSocket, expected: int) -> None:
        for _ in range(expected):
            stored[n] += bool(json.loads(ws.recv()).get("stored"))

    readers = [
        threading.Thread(target=read, args=(n, ws, len(range(n, count, 3))), daemon=True)
        for n, ws in enumerate(sockets)
    ]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, started + i / 30 - time.monotonic()))
        sockets[i % 3].send(envelope(make_frame(sid, i)))
    for reader in readers:
        reader.join(60)
    for ws in sockets:
        ws.close()
    return sum(stored)


def test_three_connections_two_workers_in_frame_order_and_fps_on_game_time(
    server: LiveServer,
) -> None:
    sid = new_session_id()
    full = watchers_on_both_workers(server, sid)
    tenth = watchers_on_both_workers(server, sid, fps=10)
    watchers = [*full.values(), *tenth.values()]
    for watcher in watchers:
        watcher.start()
    assert stream_over_three_connections(server, sid, FRAMES) == FRAMES
    for watcher in watchers:
        watcher.join(60)  # ends LIVE_WINDOW after the last frame
        assert not watcher.is_alive(), "the subscription did not end"
    for watcher in full.values():
        assert watcher.frames == list(range(FRAMES))
        assert not any(m.get("late") for m in watcher.of_type("frame"))
    for watcher in tenth.values():
        assert watcher.frames == list(range(0, FRAMES, 3))  # a third, in order


# -- the window on its own -------------------------------------------------------------------

T0 = datetime(2025, 12, 4, 3, 0, tzinfo=UTC)


def frame(index: int, received: datetime, *, stamp: datetime | None = None) -> LiveFrame:
    at = stamp or T0 + timedelta(milliseconds=33 * index)
    return LiveFrame(ObjectId(), at, received, json.dumps({"type": "frame", "i": index}), index)


def test_in_order_frames_wait_for_nothing_and_a_gap_waits_the_window() -> None:
    order = Reorder(0.05)
    now = T0
    # The first frame has nothing to follow: it waits the window.
    assert order.add([frame(0, now)], now) == []
    assert [f.index for f in order.due(now + timedelta(seconds=0.05))] == [0]
    # The next index goes out at once; one after a gap is held until 3 comes or time passes.
    assert [f.index for f in order.add([frame(1, now)], now)] == [1]
    assert order.add([frame(3, now), frame(4, now)], now) == []
    assert order.next_due() == now + timedelta(seconds=0.05)
    assert [f.index for f in order.add([frame(2, now)], now)] == [2, 3, 4]
    assert len(order) == 0 and order.next_due() is None


def test_a_frame_later_than_the_window_goes_out_at_once_marked_late() -> None:
    order = Reorder(0.05)
    now = T0
    order.add([frame(0, now)], now + timedelta(seconds=1))
    assert [f.index for f in order.add([frame(2, now)], now + timedelta(seconds=1))] == [2]
    [late] = order.add([frame(1, now)], now + timedelta(seconds=1))
    assert late.late and late.index == 1
    assert json.loads(late.message) == {"type": "frame", "i": 1, "late": True}
    assert order.late == 1


def test_ties_on_timestamp_go_by_frame_index_and_window_zero_sorts_each_batch() -> None:
    order = Reorder(0.0)
    now = T0
    out = order.add(
        [frame(7, now, stamp=T0), frame(5, now, stamp=T0), frame(6, now, stamp=T0)], now
    )
    assert [f.index for f in out] == [5, 6, 7]
