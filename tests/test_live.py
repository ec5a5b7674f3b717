"""The live view against real gunicorn servers (two workers, and a second instance)
on one real database: every frame in order, downsampling, seek, control, limits."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import requests
import websocket

from nevr_events.client.http import Client
from nevr_events.server.ingest.ratelimit import TokenBucket
from tests.conftest import _store_url, new_database_name
from tests.live_support import PacedAgent, Watcher, percentile
from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames, wait_until
from tests.test_cli import client_env, run

LIVE_WINDOW = 3.0  # short, so subscriptions end soon after their agent


pytestmark = pytest.mark.both_stores


@pytest.fixture(scope="module")
def live(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two instances on one database: A with two workers, B with one."""
    url = _store_url(request, backend, tmp_path_factory.mktemp("live"))
    name = new_database_name("nevr_live")
    env = {"LIVE_WINDOW": f"{LIVE_WINDOW}s"}
    first = LiveServer(url, name, WORKERS="2", **env).start()
    second = LiveServer(url, name, WORKERS="1", **env).start()
    yield first, second
    second.stop()
    first.stop()


def finish(*watchers: Watcher, timeout: float = 60) -> None:
    for watcher in watchers:
        watcher.join(timeout)
        assert not watcher.is_alive(), "the subscription did not end"


def test_every_frame_in_order_on_any_worker_and_instance(
    live: tuple[LiveServer, LiveServer], backend: str, record_property: pytest.RecordProperty
) -> None:
    """A 30 Hz agent on instance A (2 workers): subscribers on A and on instance B get every
    frame, in order, then an end; fps=10 gets every third. Records the p99 delay."""
    a, b = live
    sid = new_session_id()
    watchers = [Watcher(a, sid), Watcher(a, sid), Watcher(b, sid, query_token=True)]
    tenth = Watcher(a, sid, fps=10)
    for watcher in (*watchers, tenth):
        watcher.start()
    agent = PacedAgent(a, sid, 90, hz=30)
    agent.run()
    assert not agent.failures and len(agent.acked) == 90
    finish(*watchers, tenth)
    for watcher in watchers:
        assert watcher.frames == list(range(90))
        [end] = watcher.of_type("end")
        assert "LIVE_WINDOW" in end["payload"]["reason"]
        assert watcher.messages[-1][1]["type"] == "end"
    assert tenth.frames == list(range(0, 90, 3))
    frame = watchers[0].of_type("frame")[5]
    assert frame["payload"]["session"]["session_id"] == sid  # the stored form
    assert frame["user_id"] == "agent-1" and frame["id"]
    delays = [watcher.delivered()[i] - agent.acked[i] for watcher in watchers for i in range(90)]
    p99 = percentile(delays, 0.99)
    record_property("p99_ack_to_delivery_ms", round(p99 * 1000, 1))
    store = {"sqlite": "SQLite", "mongo": "FerretDB/MongoDB"}[backend]
    print(f"\nlive view, {store}, WORKERS=2: p99 ack->delivery {p99 * 1000:.0f} ms")


def test_seek_replays_from_the_store_and_joins_live_without_gap_or_duplicate(
    live: tuple[LiveServer, LiveServer],
) -> None:
    a, _ = live
    sid = new_session_id()
    agent = PacedAgent(a, sid, 150, hz=30)
    agent.start()
    assert wait_until(lambda: len(agent.acked) >= 45, attempts=300)
    watcher = Watcher(a, sid, fps=60)
    watcher.start()
    watcher.send("seek", {"frame": 10})
    agent.join(60)
    finish(watcher)
    frames = watcher.frames
    assert 10 in frames
    assert frames[frames.index(10) :] == list(range(10, 150))


def test_from_start_replays_then_carries_on_live(live: tuple[LiveServer, LiveServer]) -> None:
    a, b = live
    sid = new_session_id()
    first = PacedAgent(a, sid, 60, hz=0)
    first.run()
    assert len(first.acked) == 60
    watcher = Watcher(b, sid, fps=60, **{"from": "start"})
    watcher.start()
    second = PacedAgent(a, sid, 60, hz=30, first=60)
    second.run()
    finish(watcher)
    assert watcher.frames == list(range(120)), str(watcher.frames)


def test_pause_framerate_play_and_bad_messages(live: tuple[LiveServer, LiveServer]) -> None:
    a, _ = live
    sid = new_session_id()
    watcher = Watcher(a, sid)
    watcher.start()
    watcher.send("control", {"command": "pause"})
    watcher.send("control", {"command": "framerate", "framerate": 10})
    watcher.ws.send("not json")
    watcher.send("control", {"command": "jump"})
    watcher.send("seek", {"frame": -1})
    watcher.send("control", {"command": "framerate", "framerate": 0})
    watcher.send("seek", "10")
    # Messages are handled in order: the last error means pause and framerate are in force.
    assert wait_until(lambda: len(watcher.of_type("error")) == 5, attempts=100)
    errors = [e["payload"]["error"] for e in watcher.of_type("error")]
    assert "not valid JSON" in errors[0]
    assert "unknown command 'jump'" in errors[1]
    assert "frame" in errors[2] and "framerate" in errors[3] and "payload" in errors[4]
    agent = PacedAgent(a, sid, 30, hz=0)
    agent.run()
    assert len(agent.acked) == 30
    # Paused: the frames wait in the subscriber's queue (a poll is 0.2 s; give it 1 s).
    assert not wait_until(lambda: watcher.frames, attempts=10)
    watcher.send("control", {"command": "play"})
    finish(watcher)
    assert watcher.frames == list(range(0, 30, 3))  # framerate 10 of a 30 Hz agent


def test_slow_subscriber_misses_oldest_frames_and_ingest_goes_on(
    store_url: str, database_name: str
) -> None:
    """A subscriber that reads nothing while an agent sends as fast as it can: every frame
    is acknowledged and stored, and the subscriber later gets the newest frames, in
    order, with the ones that overflowed its queue left out.

    On a database of its own: FerretDB scans the whole collection on every poll.
    """
    server = LiveServer(store_url, database_name, LIVE_WINDOW=f"{LIVE_WINDOW}s").start()
    try:
        sid = new_session_id()
        stalled = Watcher(server, sid, receive_buffer=4096)
        agent = PacedAgent(server, sid, 800, hz=0)
        agent.run()
        assert not agent.failures and len(agent.acked) == 800
        stalled.start()  # only now does it read
        finish(stalled, timeout=120)
    finally:
        server.stop()
    frames = stalled.frames
    assert frames == sorted(frames) and len(set(frames)) == len(frames)
    assert frames[-1] == 799
    assert len(frames) < 800  # the oldest were dropped, not buffered without end
    assert stalled.of_type("end")
    assert "dropped=" in server.logs() and " dropped=0" not in server.logs()


def test_live_list_and_info(store_url: str, database_name: str) -> None:
    """On a fresh store of its own: a busy FerretDB lags behind by more than a short window."""
    a = b = LiveServer(store_url, database_name, LIVE_WINDOW="6s").start()
    try:
        check_list_and_info(a, b)
    finally:
        a.stop()


def check_list_and_info(a: LiveServer, b: LiveServer) -> None:
    sid = new_session_id()
    watcher = Watcher(b, sid)
    watcher.start()
    agent = PacedAgent(a, sid, 1800, hz=30)  # live while we look, stopped after
    agent.start()
    assert wait_until(lambda: len(agent.acked) >= 20, attempts=300)
    streams = b.get("/api/v3/stream").json()["streams"]
    [mine] = [s for s in streams if s["match_id"] == sid.lower()]
    assert mine["frames"] >= 20 and mine["start_time"] == "2025-12-04T03:00:00.000Z"
    assert mine["subscribers"] == 1  # counted on the worker that answered (it has one)
    assert set(mine) >= {"match_id", "subscribers", "frames", "start_time"}
    info = b.get(f"/api/v3/stream/{sid}/info").json()
    assert info["status"] == "live" and info["frames"] >= 20 and info["match_id"] == sid.lower()
    assert info["subscribers"] == 1  # instance B has one worker: the watcher is on it
    assert set(info) == {
        "match_id",
        "status",
        "frames",
        "subscribers",
        "start_time",
        "last_frame_at",
    }
    agent.stop.set()
    agent.join(60)
    finish(watcher)
    assert wait_until(
        lambda: a.get(f"/api/v3/stream/{sid}/info").json()["status"] == "completed", attempts=150
    )
    assert a.get(f"/api/v3/stream/{sid}/info").json()["frames"] == len(agent.acked)
    assert sid.lower() not in [s["match_id"] for s in a.get("/api/v3/stream").json()["streams"]]
    unknown = a.get(f"/api/v3/stream/{uuid.uuid4()}/info")
    assert unknown.status_code == 404 and "unknown match" in unknown.json()["error"]
    assert a.get("/api/v3/stream/nope/info").status_code == 400
    assert a.get("/api/v3/stream", headers={}).status_code == 401


def test_subscribers_are_counted_over_every_worker_and_instance(
    store_url: str, database_name: str
) -> None:
    """On a store of its own (FerretDB scans the whole collection for every query)."""
    a = LiveServer(store_url, database_name, WORKERS="2").start()
    b = LiveServer(store_url, database_name).start()
    try:
        check_counts(a, b)
    finally:
        b.stop()
        a.stop()


def check_counts(a: LiveServer, b: LiveServer) -> None:
    sid = new_session_id()
    watchers = [Watcher(a, sid), Watcher(a, sid), Watcher(a, sid), Watcher(b, sid)]
    agent = PacedAgent(a, sid, 1800, hz=30)  # keeps the session live; stopped below
    agent.start()

    def counted(server: LiveServer) -> tuple[int | None, int | None]:
        streams = server.get("/api/v3/stream").json()["streams"]
        listed = next((s["subscribers"] for s in streams if s["match_id"] == sid.lower()), None)
        info = server.get(f"/api/v3/stream/{sid}/info")  # 404 until the first frame is stored
        return listed, info.json()["subscribers"] if info.status_code == 200 else None

    try:
        for server in (a, b):
            assert wait_until(lambda server=server: counted(server) == (4, 4), attempts=100)
        for watcher in watchers[:3]:
            watcher.close()
        assert wait_until(lambda: counted(b) == (1, 1), attempts=100)
    finally:
        agent.stop.set()
        agent.join(60)
        watchers[3].close()


def test_bad_subscriptions_are_refused_before_the_upgrade(
    live: tuple[LiveServer, LiveServer],
) -> None:
    a, _ = live
    auth = [f"Authorization: Bearer {a.token()}"]
    for path, status in (
        (f"/api/v3/stream/{uuid.uuid4()}?fps=0", 400),
        (f"/api/v3/stream/{uuid.uuid4()}?from=middle", 400),
        ("/api/v3/stream/not-a-uuid", 400),
    ):
        with pytest.raises(websocket.WebSocketBadStatusException) as info:
            websocket.create_connection(a.ws_url + path, header=auth, timeout=10)
        assert info.value.status_code == status
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        websocket.create_connection(f"{a.ws_url}/api/v3/stream/{uuid.uuid4()}", timeout=10)
    assert info.value.status_code == 401


def test_client_watch_and_cli_watch(live: tuple[LiveServer, LiveServer]) -> None:
    a, _ = live
    sid = new_session_id()
    ws = a.connect()
    assert all(
        r["stored"] for r in send_frames(ws, [envelope(make_frame(sid, i)) for i in range(12)])
    )
    ws.close()
    ends: list[str] = []
    with Client(a.url, token=a.token("reader")) as client:
        got = [
            f.frame.get("frame_index", 0)
            for f in client.watch(sid, from_start=True, fps=60, on_end=ends.append)
        ]
    assert got == list(range(12)) and ends and "LIVE_WINDOW" in ends[0]
    result = run("watch", sid, "--from-start", "--fps", "60", env=client_env(a))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("frame_index", 0) for line in lines] == list(range(12))
    assert "end:" in result.stderr


def test_subscriber_limit_and_end_on_shutdown(store_url: str, database_name: str) -> None:
    server = LiveServer(store_url, database_name, MAX_SUBSCRIBERS="1", LIVE_WINDOW="60s").start()
    try:
        sid = new_session_id()
        watcher = Watcher(server, sid)
        watcher.start()
        with pytest.raises(websocket.WebSocketBadStatusException) as info:
            Watcher(server, sid)
        assert info.value.status_code == 503
        assert "live subscribers" in json.loads(info.value.resp_body)["error"]
        answer = requests.get(server.url + "/health", timeout=10)
        assert answer.status_code == 200
    finally:
        server.stop()
    finish(watcher)
    [end] = watcher.of_type("end")
    assert end["payload"]["reason"] == "server shutting down"
    assert watcher.close_code == 1001


def test_a_lower_framerate_paces_at_once() -> None:
    """What the spectator's `framerate` control does to its bucket: the burst shrinks
    to the new rate's second at once, and the wait between frames follows the rate."""
    now = [0.0]
    bucket = TokenBucket(60, clock=lambda: now[0])
    bucket.set_rate(2)
    assert [bucket.take(), bucket.take()] == [0.0, 0.0]  # a burst of 2, not 60
    assert bucket.take() == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take() == 0.0
    with pytest.raises(ValueError):
        bucket.set_rate(0)
