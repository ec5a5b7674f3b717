"""Publishing without a broker: message derivation, settings, the store's state and lease."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gevent
import pytest
from bson import ObjectId
from flask import Flask

from nevr_events import Settings
from nevr_events.exceptions import ConfigError
from nevr_events.server.ops.metrics import Metrics
from nevr_events.server.publish.broker import connection_options
from nevr_events.server.publish.messages import SessionTracker
from nevr_events.server.publish.publisher import LEASE, STATUS, Publisher
from nevr_events.server.store import open_store
from nevr_events.server.store.follow import StoreFollower

SID = "8380fae5-e20f-4b61-beda-b94e0811244f"


def doc(index: int, *events: dict, at: float = 1_800_000_000.0, sid: str = SID) -> dict:
    oid = ObjectId.from_datetime(datetime.fromtimestamp(at + index, UTC))
    return {
        "_id": oid,
        "lobby_session_id": sid,
        "user_id": "agent-1",
        "node": "n",
        "frame_index": index,
        "timestamp": datetime(2025, 12, 4, 3, 38, 22, 60000, tzinfo=UTC),
        "event_types": [name for event in events for name in event],
        "frame": {"frame_index": index, "events": list(events)},
    }


def keys(messages: list) -> list[str]:
    return [message.routing_key for message in messages]


def test_tracker_starts_once_gives_one_message_per_event_and_ends_on_match_end() -> None:
    tracker = SessionTracker(frames=False)
    first = tracker.messages_for(doc(0))
    assert keys(first) == ["session.started"]
    assert first[0].message_id == f"{SID}:started"
    assert first[0].body["timestamp"] == "2025-12-04T03:38:22.060Z"
    goal = doc(1, {"player_goal": {"player_slot": 1}}, {"goal_scored": {}})
    messages = tracker.messages_for(goal)
    assert keys(messages) == ["session.event.player_goal", "session.event.goal_scored"]
    assert [m.message_id for m in messages] == [
        f"{SID}:event:{goal['_id']}:0",
        f"{SID}:event:{goal['_id']}:1",
    ]
    assert messages[0].body["payload"] == {"player_slot": 1}
    end = doc(2, {"match_ended": {}})
    assert keys(tracker.messages_for(end)) == ["session.event.match_ended", "session.ended"]
    # Frames after the end (post-game lobby) still give events, never a second end.
    assert keys(tracker.messages_for(doc(3, {"match_ended": {}}))) == ["session.event.match_ended"]
    assert tracker.idle(before=2_000_000_000.0) == []
    assert tracker.sessions == {}


def test_tracker_ends_idle_sessions_with_their_last_frame() -> None:
    tracker = SessionTracker(frames=False)
    for i in range(3):
        tracker.messages_for(doc(i))
    assert tracker.idle(before=1_800_000_000.0 + 2) == []  # last frame arrived at +2
    (ended,) = tracker.idle(before=1_800_000_000.0 + 3)
    assert ended.routing_key == "session.ended"
    assert ended.body["reason"] == "idle" and ended.body["frame_index"] == 2
    assert ended.message_id == f"{SID}:ended:{doc(2)['_id']}"


def test_tracker_resumed_from_a_snapshot_does_not_start_again() -> None:
    tracker = SessionTracker(frames=False)
    tracker.messages_for(doc(0))
    resumed = SessionTracker(tracker.snapshot(), frames=False)
    assert resumed.messages_for(doc(1)) == []
    # Re-reading a frame (after a restart) gives the same message ids.
    goal = doc(2, {"player_goal": {}})
    assert tracker.messages_for(goal) == resumed.messages_for(goal)


def test_tracker_frame_messages_when_enabled() -> None:
    tracker = SessionTracker(frames=True)
    messages = tracker.messages_for(doc(0))
    assert keys(messages) == ["session.started", "session.frame"]
    assert messages[1].body["frame"] == {"frame_index": 0, "events": []}


def test_connection_options_from_url() -> None:
    options = connection_options("amqp://bob:p%40ss@rabbit.internal:5673/events%2Fprod")
    assert options == {
        "host": "rabbit.internal:5673",
        "userid": "bob",
        "password": "p@ss",
        "virtual_host": "events/prod",
        "ssl": False,
    }
    assert connection_options("amqp://h")["virtual_host"] == "/"
    assert connection_options("amqp://h/%2F")["virtual_host"] == "/"
    secure = connection_options("amqps://u:p@h/")
    assert secure["ssl"] is True and secure["host"] == "h:5671"


def test_amqp_settings() -> None:
    base = {"JWT_SECRET": "s" * 40}
    off = Settings.from_env(base).validate()
    assert off.amqp_url == "" and off.amqp_exchange == "nevr.events" and not off.amqp_frames
    env = {**base, "AMQP_URL": "amqp://u:secret@h/v", "AMQP_FRAMES": "1", "AMQP_LEASE": "5s"}
    on = Settings.from_env(env).validate()
    assert on.amqp_frames and on.amqp_lease == 5.0
    assert "secret" not in on.safe_amqp_url and "secret" not in repr(on)
    with pytest.raises(ConfigError, match="AMQP_URL"):
        Settings.from_env({**base, "AMQP_URL": "http://u:secret@h"}).validate()
    with pytest.raises(ConfigError, match="AMQP_FRAMES"):
        Settings.from_env({**base, "AMQP_FRAMES": "maybe"})


def test_without_amqp_url_nothing_starts(app: Flask) -> None:
    assert "nevr_events.publisher" not in app.extensions
    # Only the live hub is stopped at shutdown: no publisher was made.
    assert app.extensions["nevr_events.runtime"].stops == (app.extensions["nevr_events.live"].stop,)
    health = app.test_client().get("/health").get_json()
    assert health["status"] == "healthy" and health["amqp"] == "off"


@pytest.mark.both_stores
def test_store_lease_is_held_by_one_owner_until_it_expires(settings: Settings) -> None:
    store = open_store(settings)
    try:
        assert store.acquire_lease("p", "a", 30)
        assert not store.acquire_lease("p", "b", 30)
        assert store.acquire_lease("p", "a", 0.5)  # renewal by the holder
        time.sleep(0.6)
        assert store.acquire_lease("p", "b", 30)  # expired: taken over
        assert not store.acquire_lease("p", "a", 30)
        store.release_lease("p", "a")  # not the holder: no effect
        assert not store.acquire_lease("p", "a", 30)
        store.release_lease("p", "b")
        assert store.acquire_lease("p", "a", 30)
    finally:
        store.close()


@pytest.mark.both_stores
def test_store_state_round_trip(settings: Settings) -> None:
    store = open_store(settings)
    try:
        assert store.get_state("cursor") is None
        store.put_state("cursor", {"position": 1.5, "sessions": {SID: {"last": 2.0}}})
        store.put_state("cursor", {"position": 2.5, "sessions": {}})
        assert store.get_state("cursor") == {"position": 2.5, "sessions": {}}
        assert store.latest_arrival() is None
        first, second = doc(0), doc(1, {"player_goal": {}})
        store.insert_frames([first, second])
        assert store.latest_arrival() == second["_id"].generation_time
        assert [d["_id"] for d in store.frames_by_id([second["_id"], ObjectId()])] == [
            second["_id"]
        ]
    finally:
        store.close()


@pytest.mark.both_stores
def test_follower_rescans_the_window_only_every_so_often(settings: Settings) -> None:
    store = open_store(settings)
    try:
        now = datetime.now(UTC)
        clock = [0.0]
        follower = StoreFollower(
            store,
            commit_window=5.0,
            rescan_every=0.5,
            start=now - timedelta(seconds=1),
            clock=lambda: clock[0],
        )
        late = ObjectId()  # arrived first, committed after newer frames (another worker)
        store.insert_frames([doc(i, at=now.timestamp()) for i in range(3)])
        assert [d["frame_index"] for d in follower.poll()] == [0, 1, 2]
        store.insert_frames([{**doc(7, at=now.timestamp()), "_id": late}])
        assert follower.poll() == []  # between rescans only newer arrivals are read
        clock[0] += 0.5
        assert [d["frame_index"] for d in follower.poll()] == [7]  # the rescan finds it
        assert follower.poll() == []
        batch = [doc(i, at=now.timestamp() + 1) for i in range(10, 16)]
        store.insert_frames(batch)
        assert [d["frame_index"] for d in follower.poll(limit=4)] == [10, 11, 12, 13]
        assert [d["frame_index"] for d in follower.poll(limit=4)] == [14, 15]
    finally:
        store.close()


def test_without_amqp_url_no_amqp_client_is_even_imported(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from nevr_events import create_app\n"
        "app = create_app()\n"
        "print(sorted(m for m in ('amqp', 'pika') if m in sys.modules))\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AMQP_", "MONGO_"))},
        "STORE_URL": f"sqlite:///{tmp_path / 'events.db'}",
        "JWT_SECRET": "s" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.both_stores
def test_publisher_stops_and_gives_its_lease_up(settings: Settings) -> None:
    store = open_store(settings)
    try:
        unreachable = settings.replace(amqp_url="amqp://guest:guest@127.0.0.1:9/")
        publisher = Publisher(store, unreachable, metrics=Metrics()).start()
        for _ in range(100):  # the publisher's greenlet runs while this one sleeps
            if store.get_state(STATUS) is not None:
                break
            gevent.sleep(0.05)
        assert not store.acquire_lease(LEASE, "another", 30)  # held by the publisher
        publisher.stop()
        publisher.stop()  # again: nothing to do
        assert store.acquire_lease(LEASE, "another", 30)
    finally:
        store.close()
