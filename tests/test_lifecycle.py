"""Health while the database goes away, and graceful shutdown with frames in flight."""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import websocket

from nevr_events.testing.ferretdb import LocalFerretDB
from tests.support import (
    LiveServer,
    envelope,
    make_frame,
    new_session_id,
    send_frames,
    wait_until,
)


@pytest.fixture
def own_database(tmp_path: Any) -> Any:
    """A FerretDB this test may stop and start again (same port, same data)."""
    db = LocalFerretDB(data_dir=tmp_path / "ferretdb").start()
    yield db
    db.stop()


@contextlib.contextmanager
def database_gone(db: LocalFerretDB, **env: str) -> Iterator[tuple[LiveServer, Any, str]]:
    """A live server and a stream that stored frame 0, then the database stops.

    Yields ``(live, ws, session_id)``; the server is stopped afterwards.
    """
    live = LiveServer(db.uri, f"outage_{uuid.uuid4().hex[:8]}", **env).start()
    try:
        sid = new_session_id()
        ws = live.connect()
        send_frames(ws, [envelope(make_frame(sid, 0))])  # indexes exist, database known
        db.stop()
        yield live, ws, sid
    finally:
        live.stop()


def test_health_turns_unhealthy_while_database_is_down(own_database: LocalFerretDB) -> None:
    live = LiveServer(own_database.uri, "health_db", MONGO_TIMEOUT="2s").start()
    try:
        assert requests.get(live.url + "/health", timeout=10).json()["status"] == "healthy"
        own_database.stop()
        response = requests.get(live.url + "/health", timeout=20)
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unhealthy" and body["timestamp"].endswith("Z")
        assert "mongodb://" not in body["error"]
        own_database.start()
        recovered = wait_until(
            lambda: requests.get(live.url + "/health", timeout=10).status_code == 200, 100, 0.2
        )
        assert recovered, "health did not recover once the database was back"
    finally:
        live.stop()


def test_frames_wait_for_a_database_that_comes_back(own_database: LocalFerretDB) -> None:
    with database_gone(own_database, MONGO_TIMEOUT="8s") as (live, ws, sid):
        ws.send(envelope(make_frame(sid, 1)))
        time.sleep(1.0)
        own_database.start()
        reply = json.loads(ws.recv())
        ws.close()
        assert reply["success"] is True and reply["stored"] is True
        assert live.collection.count_documents({"lobby_session_id": sid.lower()}) == 2


def test_frames_get_an_error_reply_when_database_stays_down(own_database: LocalFerretDB) -> None:
    with database_gone(own_database, MONGO_TIMEOUT="1s") as (_live, ws, sid):
        [reply] = send_frames(ws, [envelope(make_frame(sid, 1))])
        assert reply["success"] is False
        assert "not stored" in reply["error"] and "resend" in reply["error"]
        own_database.start()
        # The same connection still works once the database is back.
        [again] = send_frames(ws, [envelope(make_frame(sid, 1))])
        ws.close()
        assert again["success"] is True


class Agent(threading.Thread):
    """Streams frames without waiting while another thread collects replies."""

    def __init__(self, live: LiveServer, frames: int) -> None:
        super().__init__(daemon=True)
        self.session_id = new_session_id()
        self.ws = live.connect()
        self.frames = frames
        self.replies: list[dict[str, Any]] = []
        self.close_code: int | None = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def run(self) -> None:
        try:
            for i in range(self.frames):
                self.ws.send(envelope(make_frame(self.session_id, i)))
                time.sleep(0.002)
        except (websocket.WebSocketException, OSError):
            pass  # the server closed the stream

    def acknowledged(self) -> set[int]:
        """Frame indexes the server answered as stored."""
        return {r["frame_index"] for r in self.replies if r.get("stored")}

    def stored(self, live: LiveServer) -> set[int]:
        """Frame indexes of this agent's session found in the database."""
        query = {"lobby_session_id": self.session_id.lower()}
        return {doc["frame_index"] for doc in live.collection.find(query)}

    def _read(self) -> None:
        try:
            while True:
                opcode, data = self.ws.recv_data(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    self.close_code = int.from_bytes(data[:2], "big") if data else None
                    return
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    self.replies.append(json.loads(data))
        except (websocket.WebSocketException, OSError):
            return


def test_sigterm_answers_frames_in_flight_and_loses_none(
    mongo_uri: str, database_name: str
) -> None:
    live = LiveServer(mongo_uri, database_name, SERVER_TIMEOUT="20s").start()
    agents = [Agent(live, frames=3000) for _ in range(3)]
    for agent in agents:
        agent.start()
    time.sleep(1.5)
    exit_code = live.stop(signal.SIGTERM, timeout=30)
    for agent in agents:
        agent.join(10)
        agent.reader.join(10)
    assert exit_code == 0, live.logs()
    # Finished inside SERVER_TIMEOUT: gunicorn never had to kill the worker.
    assert "graceful timeout" not in live.logs()
    for agent in agents:
        assert agent.close_code == 1001
        acknowledged = agent.acknowledged()
        assert acknowledged, "the agent should have had frames stored before the signal"
        # Replies came in order, one per message, with no gap.
        assert [r["seq"] for r in agent.replies] == list(range(1, len(agent.replies) + 1))
        assert acknowledged <= agent.stored(live)
    assert "shutdown complete" in live.logs()


def test_sigint_drains_like_sigterm(mongo_uri: str, database_name: str) -> None:
    live = LiveServer(mongo_uri, database_name).start()
    agent = Agent(live, frames=500)
    agent.start()
    time.sleep(0.5)
    assert live.stop(signal.SIGINT, timeout=30) == 0
    agent.join(10)
    agent.reader.join(10)
    assert agent.close_code == 1001
    acknowledged = agent.acknowledged()
    assert acknowledged and acknowledged <= agent.stored(live)
    # The worker exits quietly: nothing is torn down after the modules it needs.
    assert "Traceback" not in live.logs() and "Exception ignored" not in live.logs()


def test_slow_database_pushes_back_to_the_agent(own_database: LocalFerretDB) -> None:
    """With the database away, the server stops reading: the agent's sends stall
    (TCP flow control) instead of the server buffering every frame, and once the
    database is back every frame is stored and answered."""
    limits = {"MONGO_TIMEOUT": "60s", "MAX_IN_FLIGHT": "16", "QUEUE_SIZE": "16"}
    with database_gone(own_database, **limits) as (live, ws, sid):
        total = 3000
        sent = [0]

        def agent() -> None:
            for i in range(1, total + 1):
                ws.send(envelope(make_frame(sid, i)))
                sent[0] = i

        sender = threading.Thread(target=agent, daemon=True)
        sender.start()
        time.sleep(3)
        stalled_at = sent[0]
        assert stalled_at < total, "the server kept reading everything the agent sent"
        own_database.start()
        sender.join(120)
        replies = [json.loads(ws.recv()) for _ in range(total)]
        ws.close()
        assert all(r["success"] and r["stored"] for r in replies)
        assert [r["frame_index"] for r in replies] == list(range(1, total + 1))
        assert live.collection.count_documents({"lobby_session_id": sid.lower()}) == total + 1


def test_with_two_workers_every_stream_is_answered_and_both_drain(
    mongo_uri: str, database_name: str
) -> None:
    live = LiveServer(mongo_uri, database_name, WORKERS="2").start()
    # Both workers booted: on a busy machine the second can still be importing when the
    # first has answered every stream, and a worker stopped while booting has no drain.
    assert wait_until(lambda: live.logs().count("nevr-events ready") == 2, 60)
    agents = [Agent(live, frames=400) for _ in range(4)]
    for agent in agents:
        agent.start()
    for agent in agents:
        agent.join(60)
    assert wait_until(lambda: all(len(a.replies) == 400 for a in agents), 300)
    assert live.stop(signal.SIGTERM, timeout=30) == 0
    for agent in agents:
        agent.reader.join(10)
        assert agent.close_code == 1001
        stored = agent.stored(live)
        assert agent.acknowledged() == stored and len(stored) == 400
    assert live.logs().count("shutdown complete") == 2
