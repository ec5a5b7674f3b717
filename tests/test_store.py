"""The store against the real database: indexes, batch outcomes, order, cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nevr_events import Settings
from nevr_events.server.store import EventStore, MongoEventStore, PageCursor, open_store

pytestmark = pytest.mark.both_stores

T0 = datetime(2025, 12, 4, 3, 0, tzinfo=UTC)


def doc(index: int, stamp: datetime = T0, session: str = "s-1", user: str = "u") -> dict:
    return {
        "lobby_session_id": session,
        "user_id": user,
        "frame_index": index,
        "frame": {"frame_index": index},
        "event_types": [],
        "timestamp": stamp,
    }


@pytest.fixture
def store(settings: Settings) -> EventStore:
    event_store = open_store(settings)
    event_store.ensure_indexes()
    yield event_store
    event_store.close()


def test_ensure_indexes_is_idempotent_on_a_collection_with_data(store: EventStore) -> None:
    store.insert_frames([doc(1)])
    store.ensure_indexes()
    store.ensure_indexes()
    assert store.count("s-1") == 1
    if not isinstance(store, MongoEventStore):
        return
    names = set(store.collection.index_information())
    assert {"session", "session_time", "session_event_time", "frame_unique"} <= names
    assert store.collection.index_information()["frame_unique"]["unique"] is True


def test_batch_outcomes_mark_duplicates_in_place(store: EventStore) -> None:
    assert [o.status for o in store.insert_frames([doc(1), doc(2)])] == ["stored", "stored"]
    outcomes = store.insert_frames([doc(3), doc(1), doc(4), doc(2, user="other")])
    assert [o.status for o in outcomes] == ["stored", "duplicate", "stored", "stored"]
    assert store.count("s-1") == 5


def test_same_millisecond_frames_keep_insertion_order(store: EventStore) -> None:
    store.insert_frames([doc(i, stamp=T0) for i in (5, 3, 9, 1)])
    store.insert_frames([doc(0, stamp=T0 - timedelta(seconds=1))])
    assert [d["frame"]["frame_index"] for d in store.iter_session("s-1")] == [0, 5, 3, 9, 1]


def test_keyset_pages_walk_every_frame_once(store: EventStore) -> None:
    store.insert_frames([doc(i, stamp=T0 + timedelta(milliseconds=i // 3)) for i in range(10)])
    seen, after = [], None
    while page := store.page("s-1", limit=4, after=after):
        seen += [d["frame_index"] for d in page]
        after = PageCursor.decode(PageCursor.after(page[-1]).encode())
    assert seen == list(range(10))


@pytest.mark.parametrize("token", ["", "!!!", "eyJ0IjoxfQ", "bm90IGpzb24"])
def test_bad_cursor_is_refused(token: str) -> None:
    with pytest.raises(ValueError):
        PageCursor.decode(token)


def test_arrivals_follow_arrival_order_from_a_time(store: EventStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=2)
    # Timestamps go backwards: arrival order, not frame time, decides.
    store.insert_frames([doc(i, stamp=T0 - timedelta(seconds=i)) for i in range(3)])
    store.insert_frames([doc(9, session="s-2")])
    arrived = store.arrivals(before)
    assert [(d["lobby_session_id"], d["frame_index"]) for d in arrived] == [
        ("s-1", 0),
        ("s-1", 1),
        ("s-1", 2),
        ("s-2", 9),
    ]
    only = store.arrivals(before, session_id="s-2", with_frame=False)
    assert [d["frame_index"] for d in only] == [9] and "frame" not in only[0]
    assert store.arrivals(datetime.now(UTC) + timedelta(seconds=5)) == []
    assert len(store.arrivals(before, limit=2)) == 2


def test_follower_returns_each_frame_once_including_late_commits(store: EventStore) -> None:
    from bson import ObjectId

    from nevr_events.server.store.follow import StoreFollower

    follower = StoreFollower(
        store, commit_window=5.0, start=datetime.now(UTC) - timedelta(seconds=1), page_size=2
    )
    late_id = ObjectId()  # arrived now, committed after newer frames (another worker)
    store.insert_frames([doc(i) for i in range(3)])
    assert [d["frame_index"] for d in follower.poll()] == [0, 1, 2]
    assert follower.poll() == []
    store.insert_frames([{**doc(7), "_id": late_id}, doc(8)])
    assert [d["frame_index"] for d in follower.poll()] == [7, 8]
    assert follower.poll() == []


def test_session_json_is_the_frame_as_reads_encode_it(store: EventStore) -> None:
    from bson.raw_bson import RawBSONDocument

    from nevr_events.server.store import StoredDocument, frame_json

    frame = {"frame_index": 1, "x": 0.1, "big": "9007199254740993", "name": "é✓", "n": None}
    raw = RawBSONDocument(bson_encode({**doc(1), "frame": frame}))
    with_json = StoredDocument(bson_encode({**doc(2), "frame": frame}), frame_json(frame))
    plain = {**doc(3, user="other"), "frame": {"frame_index": 3, "nested": [{"a": 1.5}]}}
    store.insert_frames([raw, with_json, plain])
    pairs = list(store.iter_session_json("s-1"))
    documents = list(store.iter_session("s-1"))
    assert [user for user, _ in pairs] == ["u", "u", "other"]
    assert [body for _, body in pairs] == [frame_json(d["frame"]) for d in documents]
    assert [d["frame"] for d in documents] == [frame, frame, plain["frame"]]
    assert [d["frame"] for d in store.page("s-1", limit=10)] == [frame, frame, plain["frame"]]
    assert list(store.iter_session_json("s-unknown")) == []


def bson_encode(document: dict) -> bytes:
    import bson
    from bson import ObjectId

    return bson.encode({"_id": ObjectId(), **document})
