"""The live hub's follower on both stores: new frames once, late commits too, frames read once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from nevr_events.server.config import Settings
from nevr_events.server.ingest.documents import build_document
from nevr_events.server.live.hub import WindowFollower
from nevr_events.server.store import EventStore, bson_form, open_store
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
    ids = [ObjectId.from_datetime(now - timedelta(seconds=3 - i)) for i in range(4)]
    ids = [ObjectId(oid.binary[:4] + ObjectId().binary[4:]) for oid in ids]  # unique, in time
    counting = CountingStore(store)
    follower = WindowFollower(
        counting,  # type: ignore[arg-type]
        start=now - timedelta(seconds=10),
        lookback=10,
        session_id=sid,
        page_size=2,
    )
    store.insert_frames([document(sid, 0, ids[0]), document(sid, 2, ids[2])])
    store.insert_frames([document(other, 0, ObjectId())])
    assert [d["frame_index"] for d in follower.poll()] == [0, 2]
    assert follower.poll() == []
    # Frame 1 arrived before frame 2 but commits after it (another worker's batch).
    store.insert_frames([document(sid, 1, ids[1]), document(sid, 3, ids[3])])
    later = [d["frame_index"] for _ in range(follower.full_every) for d in follower.poll()]
    # Frame 3 comes at once (newer than anything seen); frame 1 with the next full look.
    assert sorted(later) == [1, 3] and len(later) == 2
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
    follower = WindowFollower(store, start=datetime.now(UTC) - timedelta(seconds=5), session_id=sid)
    store.insert_frames([document(sid, 0, later_worker)])
    assert [d["frame_index"] for d in follower.poll()] == [0]
    store.insert_frames([document(sid, 1, earlier_sorting)])
    assert [d["frame_index"] for d in follower.poll()] == [1]  # at once, not a full look later
    assert follower.poll() == []
