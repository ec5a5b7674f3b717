"""The store follower on both stores: new frames once, late commits within the writer's
commit window too, frames read once; and the live hub and publisher built on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import gevent
import pytest
from bson import ObjectId

from nevr_events.server.config import Settings
from nevr_events.server.ingest.documents import build_document
from nevr_events.server.live.hub import RESCAN_EVERY as HUB_RESCAN
from nevr_events.server.live.hub import LiveHub
from nevr_events.server.ops.metrics import Metrics
from nevr_events.server.publish.publisher import RESCAN_EVERY as PUBLISHER_RESCAN
from nevr_events.server.publish.publisher import lookback_for
from nevr_events.server.store import EventStore, bson_form, open_store
from nevr_events.server.store.follow import StoreFollower
from nevr_events.wire.fastframe import FastFrameValidator
from tests.support import make_frame, new_session_id

pytestmark = pytest.mark.both_stores


@pytest.fixture
def store(settings: Settings) -> Iterator[EventStore]:
    opened = open_store(settings)
    opened.ensure_indexes()
    yield opened
    opened.close()


def document(sid: str, index: int, oid: ObjectId) -> Any:
    frame = FastFrameValidator().parse(json.dumps({"frame": make_frame(sid, index)})).frame
    assert frame is not None
    raw = build_document(
        frame,
        session_id=sid,
        user_id="u",
        node="n",
        received=datetime.now(UTC),
        stored_form=bson_form,
    )
    return {**raw, "_id": oid}  # an _id fixed at a chosen arrival time


class Clock:
    """A monotonic clock that moves only when told: which polls re-read the window."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def arrived_at(at: datetime) -> ObjectId:
    """A unique ``_id`` whose arrival time is ``at`` (to the second)."""
    return ObjectId(ObjectId.from_datetime(at).binary[:4] + ObjectId().binary[4:])


class CountingStore:
    """Passes calls through, counting the frames read with their payload."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.frames_read = 0

    def arrivals(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        page = self.store.arrivals(*args, **kwargs)
        if kwargs.get("with_frame", True):
            self.frames_read += len(page)
        return page


def test_new_and_late_frames_come_once_and_are_read_once(store: EventStore) -> None:
    sid = new_session_id(upper=False)
    other = new_session_id(upper=False)
    now = datetime.now(UTC)
    ids = [arrived_at(now - timedelta(seconds=3 - i)) for i in range(4)]
    counting = CountingStore(store)
    clock = Clock()
    follower = StoreFollower(
        counting,  # type: ignore[arg-type]
        commit_window=10,
        rescan_every=1.0,
        start=now - timedelta(seconds=10),
        session_id=sid,
        page_size=2,
        clock=clock,
    )
    store.insert_frames([document(sid, 0, ids[0]), document(sid, 2, ids[2])])
    store.insert_frames([document(other, 0, ObjectId())])
    assert [d["frame_index"] for d in follower.poll()] == [0, 2]
    assert follower.poll() == []
    # Frame 1 arrived before frame 2 but commits after it (another worker's batch).
    store.insert_frames([document(sid, 1, ids[1]), document(sid, 3, ids[3])])
    # Frame 3 comes at once (newer than anything seen); frame 1 with the next re-read.
    assert [d["frame_index"] for d in follower.poll()] == [3]
    assert follower.poll() == []
    clock.now += 1.0
    assert [d["frame_index"] for d in follower.poll()] == [1]
    clock.now += 1.0
    assert follower.poll() == []
    # Each frame read with its payload about once (a late commit has what follows it
    # read again once); re-reading the window on every poll would read 20-odd.
    assert counting.frames_read <= 6


def test_ids_of_another_process_in_the_same_second_are_not_missed(store: EventStore) -> None:
    """ObjectIds of different processes are ordered by their random bytes within a second:
    a frame of another worker may sort before one already returned, yet is new."""
    sid = new_session_id(upper=False)
    second = ObjectId.from_datetime(datetime.now(UTC)).binary[:4]
    later_worker = ObjectId(second + bytes.fromhex("ffffffffff000001"))
    earlier_sorting = ObjectId(second + bytes.fromhex("0000000000000001"))
    follower = StoreFollower(
        store,
        commit_window=5,
        rescan_every=1.0,
        start=datetime.now(UTC) - timedelta(seconds=5),
        session_id=sid,
        clock=Clock(),  # never moves: no poll after the first re-reads the window
    )
    store.insert_frames([document(sid, 0, later_worker)])
    assert [d["frame_index"] for d in follower.poll()] == [0]
    store.insert_frames([document(sid, 1, earlier_sorting)])
    assert [d["frame_index"] for d in follower.poll()] == [1]  # at once, not a re-read later
    assert follower.poll() == []


def test_commit_window_covers_the_writers_retries() -> None:
    """Two database timeouts (retrying, then the last attempt) and the batch's wait; the
    followers look back that far plus the time between their re-reads."""
    settings = Settings(mongo_timeout=3.0, batch_wait=0.5)
    assert settings.commit_window >= 2 * 3.0 + 0.5
    assert lookback_for(settings) == settings.commit_window + PUBLISHER_RESCAN


def test_a_commit_later_than_five_seconds_reaches_a_live_subscriber(
    store: EventStore, settings: Settings
) -> None:
    """A batch retried while the database was away commits well after newer frames of
    another worker; within the writer's commit window the subscriber still gets it."""
    sid = new_session_id(upper=False)
    clock = Clock()
    hub = LiveHub(
        store,
        metrics=Metrics(),
        max_subscribers=5,
        commit_window=settings.commit_window,
        clock=clock,
    )
    assert hub.lookback == settings.commit_window + HUB_RESCAN
    subscription = hub.subscribe(sid)
    try:
        now = subscription.created
        late_by = settings.commit_window - 1
        assert late_by > 5
        newer = [arrived_at(now + timedelta(seconds=late_by * i / 4)) for i in range(5)]
        store.insert_frames([document(sid, i + 1, oid) for i, oid in enumerate(newer)])
        hub.poll()
        assert [frame.id for frame in subscription.queue] == newer
        # Arrived at once when the subscriber joined, stored `late_by` after the newest.
        late = arrived_at(now)
        store.insert_frames([document(sid, 0, late)])
        hub.poll()
        assert len(subscription.queue) == 5  # between re-reads only newer arrivals
        clock.now += HUB_RESCAN
        hub.poll()
        assert [frame.id for frame in subscription.queue] == [*newer, late]
        hub.poll()
        assert len(subscription.queue) == 6
    finally:
        hub.unsubscribe(subscription)
        hub.stop()


def test_a_commit_later_than_five_seconds_reaches_the_publisher(
    store: EventStore, settings: Settings
) -> None:
    """The publisher's follower (ids only, its own re-read interval) over the same budget."""
    clock = Clock()
    now = datetime.now(UTC)
    follower = StoreFollower(
        store,
        commit_window=settings.commit_window,
        rescan_every=PUBLISHER_RESCAN,
        start=now - timedelta(seconds=1),
        with_frame=False,
        clock=clock,
    )
    sid = new_session_id(upper=False)
    late_by = settings.commit_window - 1
    newest = arrived_at(now + timedelta(seconds=late_by))
    store.insert_frames([document(sid, 1, newest)])
    assert [d["_id"] for d in follower.poll()] == [newest]
    late = arrived_at(now)
    store.insert_frames([document(sid, 0, late)])
    assert follower.poll() == []  # between re-reads only newer arrivals are looked at
    clock.now += PUBLISHER_RESCAN
    assert [d["_id"] for d in follower.poll()] == [late]
    assert follower.position <= late.generation_time + timedelta(seconds=1)


def test_the_hub_stops_following_once_and_for_all(store: EventStore) -> None:
    hub = LiveHub(store, metrics=Metrics(), max_subscribers=5, commit_window=1.0)
    subscription = hub.subscribe(new_session_id(upper=False))
    assert hub.running
    gevent.sleep(0.05)  # let it poll
    hub.stop()
    assert not hub.running
    hub.stop()  # again: nothing to do
    hub.subscribe(new_session_id(upper=False))
    assert not hub.running  # a subscriber after the stop starts no greenlet
    hub.unsubscribe(subscription)
