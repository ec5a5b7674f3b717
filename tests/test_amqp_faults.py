"""Publishing through faults: a 60 s broker outage, then kill -9 of the publishing worker.

One long scenario shares the outage between its assertions (about 90 s in all);
it lives in its own module so that pytest-xdist (``--dist loadfile``) can run
it beside the rest of the suite.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nevr_events import Settings
from nevr_events.server.publish.publisher import lookback_for
from tests.rabbitmq import Consumer, LocalRabbitMQ
from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames, wait_until
from tests.test_amqp import GOAL, MATCH_END, amqp_live_server, expected_ids, live_store
from tests.test_metrics import scrape, value

OUTAGE = 60.0


@pytest.fixture(scope="module")
def two_workers(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    rabbitmq: LocalRabbitMQ,
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("store")
    env = {"WORKERS": "2", "AMQP_LEASE": "3s", "LIVE_WINDOW": "10m"}
    live = amqp_live_server(request, backend, folder, rabbitmq, **env)
    yield live
    live.stop()


def publisher_status(server: LiveServer) -> dict:
    with live_store(server) as store:
        return store.get_state("amqp.status") or {}


def stream(server: LiveServer, session_id: str, indexes: range, last: bool = False) -> None:
    """Frames with a goal every 5th, all acknowledged as stored."""

    def events(i: int) -> list[dict] | None:
        if last and i == indexes[-1]:
            return [MATCH_END]
        return [GOAL] if i % 5 == 0 else None

    ws = server.connect()
    replies = send_frames(
        ws, [envelope(make_frame(session_id, i, events=events(i))) for i in indexes]
    )
    ws.close()
    assert all(reply["stored"] for reply in replies), replies


def test_no_gap_through_broker_outage_and_publisher_kill(
    two_workers: LiveServer, rabbitmq: LocalRabbitMQ
) -> None:
    server = two_workers
    consumer = Consumer(rabbitmq.url)
    match = new_session_id()
    sid = match.lower()

    def delivered() -> bool:
        return expected_ids(server, sid) <= consumer.ids(sid)

    stream(server, match, range(0, 40))
    assert wait_until(delivered, attempts=600)

    # The broker goes away for a minute mid-match: ingest carries on, nothing is lost.
    rabbitmq.stop()
    outage_started = time.monotonic()
    assert wait_until(lambda: server.get("/health").json()["amqp"] == "disconnected", attempts=600)
    for chunk in range(4):
        stream(server, match, range(40 + 20 * chunk, 60 + 20 * chunk))
        time.sleep(OUTAGE / 5)
    health = server.get("/health").json()
    assert health["status"] == "healthy" and health["amqp"] == "disconnected"
    assert health["amqp_lag_seconds"] > 0
    # /metrics shows the same lag (it only grows while the broker is away).
    assert value(scrape(server), "nevr_events_amqp_lag_seconds") >= health["amqp_lag_seconds"]
    time.sleep(max(0.0, OUTAGE - (time.monotonic() - outage_started)))
    rabbitmq.start()
    assert wait_until(delivered, attempts=600)
    assert wait_until(lambda: server.get("/health").json()["amqp"] == "connected", attempts=600)

    # kill -9 of the worker that publishes, right after frames it has not published yet.
    holder = publisher_status(server)["owner"]
    stream(server, match, range(120, 160))
    os.kill(int(holder.split(":")[1]), signal.SIGKILL)
    stream(server, match, range(160, 200), last=True)
    assert wait_until(delivered, attempts=600)
    assert publisher_status(server)["owner"] != holder

    ids = consumer.ids(sid)
    assert f"{sid}:started" in ids
    assert any(i.startswith(f"{sid}:ended:") for i in ids)
    goals = {i for i in ids if ":event:" in i}
    assert len(goals) == 1 + 200 // 5  # 40 goals and the match end, none missing
    # Each delivered message was confirmed at least once (a killed holder's counts stay);
    # what was in flight when the broker went away was sent but never confirmed.
    samples = scrape(server)
    confirmed = value(samples, "nevr_events_amqp_confirmed_total")
    assert value(samples, "nevr_events_amqp_published_total") >= confirmed >= len(ids)
    consumer.close()


def test_frames_stored_before_the_broker_was_ever_reachable_are_published(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path: Path,
    rabbitmq: LocalRabbitMQ,
) -> None:
    consumer = Consumer(rabbitmq.url)  # its durable queue outlives the broker's restart
    rabbitmq.stop()
    server = amqp_live_server(request, backend, tmp_path, rabbitmq, AMQP_LEASE="3s")
    try:
        match = new_session_id()
        stream(server, match, range(0, 30), last=True)
        assert server.get("/health").json()["amqp"] == "disconnected"
        # Older than the publisher's look-back (2 x MONGO_TIMEOUT + 10 s = 16 s) by the
        # time it first reaches the broker: only the cursor stored at its first lease
        # start keeps these frames from falling before where it starts.
        time.sleep(lookback_for(Settings(mongo_timeout=3.0)) + 1)
        rabbitmq.start()
        sid = match.lower()
        assert wait_until(lambda: expected_ids(server, sid) <= consumer.ids(sid), attempts=600)
    finally:
        server.stop()
        consumer.close()
        if rabbitmq.process is None:
            rabbitmq.start()
