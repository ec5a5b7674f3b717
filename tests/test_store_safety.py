"""Data safety of the stores under real faults: kill -9, a full disk, several workers."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.store import SqliteEventStore
from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames


def _stream_in_background(ws: websocket.WebSocket, messages: list[str]) -> threading.Thread:
    def send_all() -> None:
        try:
            for message in messages:
                ws.send(message)
        except (websocket.WebSocketException, OSError):
            pass  # the worker died under us: expected

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    return sender


def _replies(ws: websocket.WebSocket) -> list[dict[str, Any]]:
    """Replies until the connection ends (or a 20 s silence)."""
    replies = []
    try:
        while message := ws.recv():
            replies.append(json.loads(message))
    except (websocket.WebSocketException, OSError):
        pass
    return replies


@pytest.mark.both_stores
def test_kill_9_of_a_writing_worker_keeps_every_acknowledged_frame(
    store_url: str, database_name: str
) -> None:
    live = LiveServer(store_url, database_name).start()
    sid = new_session_id()
    total = 4000
    try:
        ws = live.connect()
        sender = _stream_in_background(ws, [envelope(make_frame(sid, i)) for i in range(total)])
        acked: set[int] = set()
        while len(acked) < 300:  # let the worker get well into writing, then kill it
            reply = json.loads(ws.recv())
            assert reply["success"], reply
            acked.add(reply["frame_index"])
        for pid in live.worker_pids():
            os.kill(pid, signal.SIGKILL)
        acked |= {r["frame_index"] for r in _replies(ws) if r.get("stored")}
        sender.join(30)
        live.stop()
        live.start()  # a fresh server on the same store
        response = live.get(f"/lobby-session-events/{sid}")
        readable = {event["data"].get("frame_index", 0) for event in response.json()["events"]}
    finally:
        live.stop()
    assert 300 <= len(acked) < total, "the kill must land while frames are being written"
    assert acked <= readable, f"acknowledged but lost: {sorted(acked - readable)[:10]}"


def test_full_disk_gets_a_clear_error_and_nothing_unstored_is_acknowledged(
    tmp_path: Path,
) -> None:
    """The store's files may not grow past 1 MiB: the disk is full from then on."""
    live = LiveServer(f"sqlite:///{tmp_path / 'events.db'}", MONGO_TIMEOUT="1s")
    live.max_file_bytes = 1024 * 1024
    live.start()
    sid = new_session_id()
    try:
        ws = live.connect()
        replies = send_frames(ws, [envelope(make_frame(sid, i)) for i in range(600)])
        stored = {r["frame_index"] for r in replies if r.get("stored")}
        errors = [r for r in replies if not r["success"]]
        # Reads and other connections still work: the stored frames are served.
        events = live.get(f"/lobby-session-events/{sid}").json()["events"]
        readable = {event["data"].get("frame_index", 0) for event in events}
        ws.close()
    finally:
        live.stop()
    assert stored and errors, "the disk must fill up part-way"
    assert stored == readable
    assert all("frame not stored, resend it" in r["error"] for r in errors)
    assert all("I/O error" in r["error"] or "full" in r["error"] for r in errors), errors[0]
    assert len(stored) + len(errors) == 600


def test_two_workers_share_one_file_and_a_restart_keeps_the_data(tmp_path: Path) -> None:
    """Four agents on ``WORKERS=2``: no "database is locked" reaches an agent."""
    live = LiveServer(f"sqlite:///{tmp_path / 'events.db'}", WORKERS="2").start()
    sids = [new_session_id() for _ in range(4)]
    results: dict[str, list[dict[str, Any]]] = {}

    def agent(sid: str) -> None:
        ws = live.connect(live.token(f"agent-{sid[:4]}"))
        results[sid] = send_frames(ws, [envelope(make_frame(sid, i)) for i in range(300)])
        ws.close()

    try:
        threads = [threading.Thread(target=agent, args=(sid,)) for sid in sids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert len(live.worker_pids()) == 2
        live.stop()
        live.start()
        counts = {sid: live.get(f"/lobby-session-events/{sid}").json()["count"] for sid in sids}
        query = "query ($id: ID!) { lobbySession(id: $id) { frameCount users } }"
        body = {"query": query, "variables": {"id": sids[0]}}
        answer = requests.post(live.url + "/v3/query", json=body, headers=live.auth(), timeout=30)
        graph = answer.json()["data"]["lobbySession"]
    finally:
        live.stop()
    for sid in sids:
        assert all(r["success"] and r["stored"] for r in results[sid]), results[sid][:3]
    assert counts == dict.fromkeys(sids, 300)
    assert graph == {"frameCount": 300, "users": [f"agent-{sids[0][:4]}"]}


def test_a_writer_waits_for_another_process_lock_then_gives_up_clearly(tmp_path: Path) -> None:
    path = str(tmp_path / "events.db")
    store = SqliteEventStore(path, timeout=0.2)
    store.ensure_indexes()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another worker holds the write lock
    try:
        with pytest.raises(StoreUnavailable, match="database is locked"):
            store.insert_frames([{"lobby_session_id": "s", "frame_index": 0, "frame": {}}])
    finally:
        other.execute("ROLLBACK")
        other.close()
    outcomes = store.insert_frames([{"lobby_session_id": "s", "frame_index": 0, "frame": {}}])
    assert [o.status for o in outcomes] == ["stored"]
    assert store.count("s") == 1
    store.close()


def test_schema_carries_its_version_and_a_newer_one_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "events.db")
    store = SqliteEventStore(path)
    store.ping()
    store.close()
    db = sqlite3.connect(path, isolation_level=None)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.close()
    with pytest.raises(StoreUnavailable, match="newer"):
        SqliteEventStore(path).ping()


def test_an_unusable_store_path_gives_clear_errors_not_a_hang(tmp_path: Path) -> None:
    """A failing path (its folder is a file: unusable even for root): health is 503 and
    frames are refused with a reason, never acknowledged."""
    from nevr_events import Settings, create_app
    from nevr_events.server import close_app
    from nevr_events.server.runtime import runtime_of
    from tests.support import SECRET

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    url = f"sqlite:///{blocker / 'events.db'}"
    app = create_app(Settings(store_url=url, jwt_secret=SECRET, mongo_timeout=0.3))
    response = app.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unhealthy" and "database unavailable" in body["error"]
    assert str(tmp_path) not in body["error"]
    writer = runtime_of(app).writer  # retries for MONGO_TIMEOUT, then gives up
    outcome = writer.submit({"lobby_session_id": "s", "frame_index": 0, "frame": {}}).get(
        timeout=30
    )
    assert outcome.status == "error" and "resend" in (outcome.error or "")
    close_app(app, timeout=5)
