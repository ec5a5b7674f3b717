"""``GET /metrics``: Prometheus figures summed over two gunicorn workers."""

from __future__ import annotations

import json
import os
import re
import signal
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import websocket
from prometheus_client.parser import text_string_to_metric_families

from nevr_events import Settings, create_app
from nevr_events.server import close_app
from nevr_events.server.ingest.documents import build_document
from nevr_events.server.live.hub import QUEUE_FRAMES
from nevr_events.server.runtime import runtime_of
from nevr_events.testing.ferretdb import free_port
from tests.live_support import PacedAgent, Watcher
from tests.rabbitmq import Consumer, LocalRabbitMQ
from tests.support import (
    SECRET,
    LiveServer,
    envelope,
    make_frame,
    new_session_id,
    send_frames,
    wait_until,
)
from tests.test_openapi import conforms

METRICS_TOKEN = "metrics-" + uuid.uuid4().hex
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def two_workers(mongo_uri: str, _databases: list[str]) -> Iterator[LiveServer]:
    name = f"nevr_metrics_{uuid.uuid4().hex[:12]}"
    _databases.append(name)
    # Subscribers may take frames as fast as they come (the live-view tests below).
    env = {"WORKERS": "2", "METRICS_TOKEN": METRICS_TOKEN, "MAX_SUBSCRIBER_FPS": "1000"}
    live = LiveServer(mongo_uri, name, **env).start()
    yield live
    live.stop()


def scrape(server: LiveServer) -> Samples:
    response = requests.get(
        server.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def delta(after: Samples, before: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def stream_pids(server: LiveServer) -> dict[str, int]:
    """node -> pid of the worker that logged "stream opened" for it."""
    found = re.findall(r"\[(\d+)\] \[INFO\] stream opened user=\S+ node=(\S+)", server.logs())
    return {node: int(pid) for pid, node in found}


def test_metrics_needs_the_metrics_token_when_set(two_workers: LiveServer) -> None:
    missing = requests.get(two_workers.url + "/metrics", timeout=10)
    wrong = requests.get(
        two_workers.url + "/metrics", headers={"Authorization": "Bearer nope"}, timeout=10
    )
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.json()["status"] == 401 and "METRICS_TOKEN" in missing.json()["error"]
    # A JWT for the API is not the metrics token.
    as_jwt = requests.get(two_workers.url + "/metrics", headers=two_workers.auth(), timeout=10)
    assert as_jwt.status_code == 401


def test_counters_equal_what_was_sent_across_two_workers(two_workers: LiveServer) -> None:
    before = scrape(two_workers)
    sid = new_session_id()
    sent = {"stored": 0, "duplicate": 0, "skipped": 0, "rejected": 0}
    nodes: list[str] = []
    # Open streams until both workers have served some (the kernel picks the worker).
    for attempt in range(40):
        node = f"node-{uuid.uuid4().hex[:8]}"
        ws = two_workers.connect(headers=[f"X-Node-ID: {node}"])
        nodes.append(node)
        first = envelope(make_frame(sid, attempt * 10))
        messages = [
            first,
            envelope(make_frame(sid, attempt * 10 + 1)),
            first,  # the same frame again: duplicate
            json.dumps({"header": {}}),  # nothing to store: skipped
            "{not json",  # rejected
        ]
        for message in messages:
            ws.send(message)
        replies = [json.loads(ws.recv()) for _ in messages]
        ws.close()
        assert [r["success"] for r in replies] == [True, True, True, True, False]
        assert [r.get("duplicate") for r in replies[:3]] == [False, False, True]
        sent["stored"] += 2
        sent["duplicate"] += 1
        sent["skipped"] += 1
        sent["rejected"] += 1
        logged = wait_until(lambda: set(nodes) <= set(stream_pids(two_workers)), attempts=50)
        if logged and len({stream_pids(two_workers)[n] for n in nodes}) == 2:
            break
    assert len({stream_pids(two_workers)[n] for n in nodes}) == 2, "one worker took every stream"

    after = scrape(two_workers)
    for outcome, count in sent.items():
        assert delta(after, before, "nevr_events_frames_total", outcome=outcome) == count
    messages = sum(sent.values())
    assert delta(after, before, "nevr_events_reply_seconds_count") == messages
    # Every frame that reached the writer went into exactly one batch.
    written = sent["stored"] + sent["duplicate"]
    assert delta(after, before, "nevr_events_batch_size_sum") == written
    assert delta(after, before, "nevr_events_store_write_seconds_count") == delta(
        after, before, "nevr_events_batch_size_count"
    )
    assert delta(after, before, "nevr_events_store_errors_total") == 0
    assert (
        two_workers.collection.count_documents({"lobby_session_id": sid.lower()}) == sent["stored"]
    )


def test_streams_active_is_live_across_workers(two_workers: LiveServer) -> None:
    held: list[websocket.WebSocket] = []
    nodes: list[str] = []
    try:
        for _ in range(6):
            node = f"held-{uuid.uuid4().hex[:8]}"
            held.append(two_workers.connect(headers=[f"X-Node-ID: {node}"]))
            nodes.append(node)
        assert wait_until(lambda: set(nodes) <= set(stream_pids(two_workers)))
        assert wait_until(
            lambda: value(scrape(two_workers), "nevr_events_streams_active") == len(held)
        )
    finally:
        for ws in held:
            ws.close()
    assert wait_until(lambda: value(scrape(two_workers), "nevr_events_streams_active") == 0)


def test_http_requests_are_counted_by_route_template(two_workers: LiveServer) -> None:
    sid = new_session_id(upper=False)
    before = scrape(two_workers)
    for _ in range(3):
        assert two_workers.get(f"/v3/lobby-session-events/{sid}").status_code == 200
    assert two_workers.get("/v3/lobby-session-events/not-a-uuid").status_code == 400
    assert two_workers.get("/no/such/route").status_code == 404
    after = scrape(two_workers)
    route = "/v3/lobby-session-events/<session_id>"
    name = "nevr_events_http_requests_total"
    assert delta(after, before, name, route=route, status="200") == 3
    # A path naming no valid session is refused by the URL converter, before any route.
    assert delta(after, before, name, route="unmatched", status="400") == 1
    assert delta(after, before, name, route="unmatched", status="404") == 1
    routes = {dict(labels).get("route") for (metric, labels) in after if metric == name}
    assert not any(sid in str(r) or "not-a-uuid" in str(r) for r in routes)


def test_stale_figures_are_cleaned_at_start_and_dead_workers_stop_counting(
    mongo_uri: str, database_name: str, tmp_path: Path
) -> None:
    metrics_dir = str(tmp_path / "metrics")
    env = {"WORKERS": "2", "METRICS_TOKEN": METRICS_TOKEN, "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
    first = LiveServer(mongo_uri, database_name, **env).start()
    try:
        ws = first.connect()
        send_frames(ws, [envelope(make_frame(new_session_id(), i)) for i in range(3)])
        ws.close()
        assert value(scrape(first), "nevr_events_frames_total", outcome="stored") == 3
    finally:
        first.stop()

    second = LiveServer(mongo_uri, database_name, **env).start()
    try:
        # The same directory: the first run's files were removed at start.
        assert value(scrape(second), "nevr_events_frames_total", outcome="stored") == 0
        node = f"doomed-{uuid.uuid4().hex[:8]}"
        held = second.connect(headers=[f"X-Node-ID: {node}"])
        assert wait_until(lambda: node in stream_pids(second))
        assert wait_until(lambda: value(scrape(second), "nevr_events_streams_active") == 1)
        os.kill(stream_pids(second)[node], signal.SIGKILL)  # the worker dies mid-stream
        # mark_process_dead drops the dead worker's live gauge: no ghost stream stays.
        assert wait_until(lambda: value(scrape(second), "nevr_events_streams_active") == 0)
        held.close()
        # Let the replacement worker finish booting: a worker told to stop while it
        # boots waits out the graceful timeout (a gunicorn start-up race, not ours).
        assert wait_until(lambda: second.logs().count("nevr-events ready") == 3)
    finally:
        second.stop()


def test_store_errors_and_batches_are_counted_by_the_writer(database_name: str) -> None:
    # A real driver against a port where no database listens: every write fails.
    dead = f"mongodb://127.0.0.1:{free_port()}"
    settings = Settings(
        mongo_uri=dead, database_name=database_name, jwt_secret=SECRET, mongo_timeout=0.3
    )
    app = create_app(settings)
    try:
        runtime = runtime_of(app)
        metrics = app.extensions["nevr_events.metrics"]
        document = build_document(
            make_frame(new_session_id(), 0),
            session_id=new_session_id(upper=False),
            user_id="u",
            node="n",
            received=datetime.now(UTC),
            stored_form=runtime.store.stored_form,
        )
        outcome = runtime.writer.submit(document).get(timeout=30)
        assert outcome.status == "error"
        text = metrics.render().decode()
        samples = {
            (s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        assert value(samples, "nevr_events_store_errors_total") >= 1
        assert value(samples, "nevr_events_batch_size_count") == 1
        assert value(samples, "nevr_events_batch_size_sum") == 1
    finally:
        close_app(app, timeout=5)


def test_subscriber_figures_equal_what_subscribers_got(two_workers: LiveServer) -> None:
    """Two live subscribers, one paused so that its queue overflows: the gauge counts them
    live, and frames sent and dropped add up to what each one got and missed."""
    before = scrape(two_workers)
    assert ("nevr_events_amqp_lag_seconds", frozenset()) not in before  # AMQP is off
    sid = new_session_id()
    count = 2 * QUEUE_FRAMES  # more than a paused subscriber's queue holds
    watchers = [Watcher(two_workers, sid, fps=1000) for _ in range(2)]
    paused = watchers[1]
    try:
        for watcher in watchers:
            watcher.start()
        paused.send("control", {"command": "pause"})
        paused.send("control", {"command": "no-such-command"})
        # Messages are obeyed in order: once the error is back, the pause is in effect.
        assert wait_until(lambda: bool(paused.of_type("error")))
        assert wait_until(lambda: value(scrape(two_workers), "nevr_events_subscribers_active") == 2)

        def handled() -> float:
            after = scrape(two_workers)
            return sum(
                delta(after, before, "nevr_events_subscriber_frames_total", outcome=outcome)
                for outcome in ("sent", "dropped")
            )

        agent = PacedAgent(two_workers, sid, count, hz=0)
        agent.run()
        assert not agent.failures and len(agent.acked) == count
        # Every frame reached both queues; the paused one still holds its newest 128.
        assert wait_until(lambda: handled() == 2 * count - QUEUE_FRAMES, attempts=300)
        paused.send("control", {"command": "play"})
        assert wait_until(lambda: handled() == 2 * count, attempts=300)
        after = scrape(two_workers)
        sent = delta(after, before, "nevr_events_subscriber_frames_total", outcome="sent")
        dropped = delta(after, before, "nevr_events_subscriber_frames_total", outcome="dropped")
        assert wait_until(lambda: sum(len(w.frames) for w in watchers) == sent)
        assert dropped == 2 * count - sent
        # The paused subscriber missed the oldest frames, exactly as many as were counted.
        assert paused.frames == list(range(count - QUEUE_FRAMES, count))
        assert dropped >= count - QUEUE_FRAMES
    finally:
        for watcher in watchers:
            watcher.close()
    assert wait_until(lambda: value(scrape(two_workers), "nevr_events_subscribers_active") == 0)


def test_amqp_figures_equal_what_the_broker_confirmed(
    mongo_uri: str, database_name: str, rabbitmq: LocalRabbitMQ
) -> None:
    goal = {"player_goal": {"player_slot": 2, "total_goals": 1, "points": 2}}
    match_end = {"match_ended": {"winning_team": "ROLE_BLUE_TEAM"}}
    env = {"WORKERS": "2", "AMQP_URL": rabbitmq.url, "AMQP_LEASE": "3s", "LIVE_WINDOW": "2s"}
    server = LiveServer(mongo_uri, database_name, **env).start()
    consumer = Consumer(rabbitmq.url)
    try:
        before = scrape(server)
        assert value(before, "nevr_events_amqp_published_total") == 0
        sid = new_session_id(upper=False)
        events = {3: [goal], 6: [goal], 9: [match_end]}
        ws = server.connect()
        frames = [envelope(make_frame(sid, i, events=events.get(i))) for i in range(12)]
        assert all(reply["stored"] for reply in send_frames(ws, frames))
        ws.close()
        # started, two goals, the match_ended event, and session.ended: five messages.
        assert wait_until(lambda: len(consumer.ids(sid)) == 5, attempts=600)

        def figures() -> tuple[float, float]:
            samples = scrape(server)
            return (
                value(samples, "nevr_events_amqp_published_total"),
                value(samples, "nevr_events_amqp_confirmed_total"),
            )

        assert wait_until(lambda: figures() == (5, 5), attempts=300)
        # The lag, read from the store, is /health's figure: nothing left to publish.
        assert wait_until(
            lambda: value(scrape(server), "nevr_events_amqp_lag_seconds") == 0, attempts=300
        )
        health = server.get("/health").json()
        assert health["amqp"] == "connected" and health["amqp_lag_seconds"] == 0
        assert not conforms(health, "Health")
        mine = [body for _, _, body in consumer.drain() if body["lobby_session_id"] == sid]
        assert len(mine) == 5  # every message published was delivered, once
    finally:
        consumer.close()
        server.stop()


def test_a_group_of_replies_counts_each_reply_and_observes_each_ones_time() -> None:
    from prometheus_client import CollectorRegistry, Histogram, generate_latest

    from nevr_events.server.ingest.ratelimit import limited_reply
    from nevr_events.server.ops.metrics import _SECONDS_BUCKETS, Metrics

    def samples_of(text: str, prefix: str) -> dict[tuple[str, frozenset], float]:
        return {
            (s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name.startswith(prefix) and not s.name.endswith("_created")
        }

    metrics = Metrics()
    stored = {"success": True, "stored": True, "duplicate": False, "seq": 1}
    duplicate = {"success": True, "stored": False, "duplicate": True, "seq": 2}
    skipped = {"success": True, "stored": False, "skipped": "header envelope", "seq": 3}
    rejected = {"success": False, "error": "invalid", "seq": 4}
    groups = [
        [stored, stored, duplicate, skipped, rejected, limited_reply(6, 0.5), stored],
        [limited_reply(8, 0.1)],
        [stored],
    ]
    times = [[0.0004, 0.003, 0.003, 0.07, 2.0, 0.0001, 45.0], [0.01], [0.0025]]
    for replies, seconds in zip(groups, times, strict=True):
        metrics.replied(replies, iter(seconds))
    # The same observations one by one, in a registry of their own: the same histogram.
    registry = CollectorRegistry()
    reference = Histogram(
        "nevr_events_reply_seconds", "x", buckets=_SECONDS_BUCKETS, registry=registry
    )
    for value_ in (v for group in times for v in group):
        reference.observe(value_)
    got = samples_of(metrics.render().decode(), "nevr_events_reply_seconds")
    want = samples_of(generate_latest(registry).decode(), "nevr_events_reply_seconds")
    assert got == want and got[("nevr_events_reply_seconds_count", frozenset())] == 9
    counts = samples_of(metrics.render().decode(), "nevr_events_frames_total")
    assert {dict(labels)["outcome"]: n for (_, labels), n in counts.items()} == {
        "stored": 4,
        "duplicate": 1,
        "skipped": 1,
        "rejected": 3,
    }
    limited = samples_of(metrics.render().decode(), "nevr_events_rate_limited_total")
    assert limited == {("nevr_events_rate_limited_total", frozenset()): 2}
