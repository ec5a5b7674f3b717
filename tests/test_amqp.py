"""Publishing to RabbitMQ: a real broker, a real gunicorn server, a pika consumer."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bson import ObjectId

from nevr_events import Settings
from nevr_events.server.publish.messages import EVENT_PREFIX
from nevr_events.server.store import EventStore, open_store
from tests.conftest import _store_url, new_database_name
from tests.rabbitmq import Consumer, LocalRabbitMQ
from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames, wait_until

GOAL = {"player_goal": {"player_slot": 2, "total_goals": 1, "points": 2}}
ROUND_END = {"round_ended": {"round_number": 1, "winning_team": "ROLE_BLUE_TEAM"}}
MATCH_END = {"match_ended": {"winning_team": "ROLE_BLUE_TEAM"}}


pytestmark = pytest.mark.both_stores
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def amqp_live_server(
    request: pytest.FixtureRequest,
    backend: str,
    folder: Path,
    rabbitmq: LocalRabbitMQ,
    **env: str,
) -> LiveServer:
    url = _store_url(request, backend, folder)
    return LiveServer(url, new_database_name("nevr_amqp"), AMQP_URL=rabbitmq.url, **env).start()


@pytest.fixture(scope="module")
def amqp_server(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    rabbitmq: LocalRabbitMQ,
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("store")
    live = amqp_live_server(request, backend, folder, rabbitmq, AMQP_LEASE="3s", LIVE_WINDOW="2s")
    yield live
    live.stop()


@contextlib.contextmanager
def live_store(server: LiveServer) -> Iterator[EventStore]:
    """The server's store, opened by the test (SQLite file or MongoDB database)."""
    settings = Settings(store_url=server.store_url, database_name=server.database, jwt_secret="")
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def expected_ids(server: LiveServer, session_id: str) -> set[str]:
    """The message ids the stored frames of a session must produce."""
    ids = {f"{session_id}:started"}
    with live_store(server) as store:
        documents = store.arrivals(EPOCH, session_id=session_id, limit=100_000)
    for doc in documents:
        for position, event in enumerate(doc["frame"].get("events", [])):
            ids.add(f"{session_id}:event:{doc['_id']}:{position}")
            if "match_ended" in event:
                ids.add(f"{session_id}:ended:{doc['_id']}")
    return ids


def test_streamed_match_gives_routing_keys_and_bodies(
    amqp_server: LiveServer, rabbitmq: LocalRabbitMQ
) -> None:
    consumer = Consumer(rabbitmq.url)
    quiet = new_session_id()
    match = new_session_id()
    events = {5: [GOAL], 10: [ROUND_END], 12: [GOAL, {"goal_scored": {}}], 20: [MATCH_END]}
    ws = amqp_server.connect()
    # A session that just stops: ended once no frame came for LIVE_WINDOW.
    assert all(
        r["stored"] for r in send_frames(ws, [envelope(make_frame(quiet, i)) for i in range(3)])
    )
    messages = [envelope(make_frame(match, i, events=events.get(i))) for i in range(25)]
    replies = send_frames(ws, messages)
    assert all(r["stored"] for r in replies)
    ws.close()
    sid, quiet_sid = match.lower(), quiet.lower()

    assert wait_until(lambda: expected_ids(amqp_server, sid) <= consumer.ids(sid), attempts=600)
    quiet_ended = f"{quiet_sid}:ended:"
    assert wait_until(
        lambda: any(i.startswith(quiet_ended) for i in consumer.ids(quiet_sid)), attempts=600
    )
    received = [
        (key, props, body)
        for key, props, body in consumer.drain()
        if body["lobby_session_id"] == sid
    ]
    keys = [key for key, _, _ in received]
    assert keys == [
        "session.started",
        "session.event.player_goal",
        "session.event.round_ended",
        "session.event.player_goal",
        "session.event.goal_scored",
        "session.event.match_ended",
        "session.ended",
    ]
    for key, props, body in received:
        assert props.message_id == body["message_id"]
        assert props.delivery_mode == 2 and props.content_type == "application/json"
        assert body["type"] == key
        assert body["lobby_session_id"] == sid and body["user_id"] == "agent-1"
        assert body["published_at"].endswith("Z") and body["timestamp"].startswith("2025-12-04T")
    started = received[0][2]
    assert started["frame_index"] == 0
    goal = received[1][2]
    assert goal["event"] == "player_goal" and goal["frame_index"] == 5
    assert goal["payload"] == GOAL["player_goal"]
    assert received[2][2]["payload"] == ROUND_END["round_ended"]
    ended = received[-1][2]
    assert ended["reason"] == "match_ended" and ended["frame_index"] == 20
    assert received[-1][1].message_id == f"{sid}:ended:{ended['frame_id']}"
    quiet_end = [
        b
        for k, _, b in consumer.drain()
        if b["lobby_session_id"] == quiet_sid and k == "session.ended"
    ]
    assert quiet_end[0]["reason"] == "idle" and quiet_end[0]["frame_index"] == 2

    assert ":guest@" not in amqp_server.logs()  # the password never reaches the log
    health = amqp_server.get("/health").json()
    assert health["amqp"] == "connected"
    assert wait_until(lambda: amqp_server.get("/health").json()["amqp_lag_seconds"] == 0)
    consumer.close()


def test_only_stored_frames_produce_messages(
    amqp_server: LiveServer, rabbitmq: LocalRabbitMQ
) -> None:
    consumer = Consumer(rabbitmq.url)
    sid = new_session_id()
    ws = amqp_server.connect()
    good = envelope(make_frame(sid, 1, events=[GOAL]))
    # A field the schema does not know costs nothing: stored and published.
    newer = json.dumps({"frame": {**make_frame(sid, 2, events=[GOAL]), "no_such_field": 1}})
    bad_session = envelope(make_frame("not-a-uuid", 3, events=[GOAL]))
    header = json.dumps({"header": {}})
    end = envelope(make_frame(sid, 9, events=[MATCH_END]))
    replies = send_frames(ws, [good, newer, bad_session, header, good, end])
    ws.close()
    assert [r.get("stored") for r in replies] == [True, True, None, False, False, True]
    assert replies[1]["unknown_fields"] == ["frame.no_such_field"]
    assert replies[4]["duplicate"] is True
    lower = sid.lower()
    assert wait_until(lambda: any(":ended:" in i for i in consumer.ids(lower)), attempts=600)

    mine = [(k, b) for k, _, b in consumer.drain() if b["lobby_session_id"] == lower]
    with live_store(amqp_server) as store:
        stored = {str(doc["_id"]) for doc in store.arrivals(EPOCH, session_id=lower)}
    assert {b["frame_id"] for _, b in mine} <= stored
    assert {b["frame_index"] for _, b in mine} == {1, 2, 9}
    goals = {b["message_id"] for k, b in mine if k == EVENT_PREFIX + "player_goal"}
    assert len(goals) == 2  # frames 1 and 2; the re-sent frame 1 was not stored again
    assert all(b["lobby_session_id"] != "not-a-uuid" for _, _, b in consumer.drain())
    consumer.close()


def test_frames_are_not_published_by_default_and_ids_are_object_ids(
    amqp_server: LiveServer, rabbitmq: LocalRabbitMQ
) -> None:
    consumer = Consumer(rabbitmq.url, binding="session.frame")
    everything = Consumer(rabbitmq.url)
    sid = new_session_id()
    ws = amqp_server.connect()
    send_frames(ws, [envelope(make_frame(sid, i)) for i in range(3)])
    ws.close()
    assert wait_until(lambda: bool(everything.ids(sid.lower())), attempts=600)
    assert consumer.drain() == []
    started = [b for _, _, b in everything.drain() if b["lobby_session_id"] == sid.lower()]
    assert ObjectId.is_valid(started[0]["frame_id"])
    consumer.close()
    everything.close()
