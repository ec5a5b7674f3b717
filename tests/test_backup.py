"""``nevr-events backup``: a consistent copy of the embedded store taken mid-stream."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from click.testing import CliRunner

from nevr_events.cli.main import main
from nevr_events.testing import ROOT
from tests.support import LiveServer, envelope, make_frame, new_session_id, send_frames


class Streamer(threading.Thread):
    """An agent streaming one session frame after frame, noting each acknowledged index."""

    def __init__(self, server: LiveServer, session: str, start: int) -> None:
        super().__init__(daemon=True)
        self.ws = server.connect()
        self.session, self.index = session, start
        self.acked: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.ws.send(envelope(make_frame(self.session, self.index)))
            reply = json.loads(self.ws.recv())
            assert reply["stored"], reply
            self.acked.append(self.index)
            self.index += 1
        self.ws.close()


def test_a_backup_taken_mid_stream_holds_every_acknowledged_frame(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    copy = tmp_path / "copy.db"
    session = new_session_id()
    server = LiveServer(url).start()
    try:
        # Some bulk first, so that the copy takes a while and the stream runs through it.
        ws = server.connect()
        seeded = send_frames(ws, [envelope(make_frame(session, i)) for i in range(2000)])
        assert all(reply["stored"] for reply in seeded)
        ws.close()
        streamer = Streamer(server, session, 2000)
        streamer.start()
        while len(streamer.acked) < 50:
            threading.Event().wait(0.05)
        acknowledged = 2000 + len(streamer.acked)  # every index below was acknowledged
        env = {**os.environ, "STORE_URL": url, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-m", "nevr_events.cli.main", "backup", str(copy)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        during = 2000 + len(streamer.acked)
        threading.Event().wait(0.3)
        streamer.stop.set()
        streamer.join(30)
        assert done.returncode == 0, done.stderr
        assert "backed up" in done.stdout
        assert during > acknowledged, "the stream went on while the copy was made"
    finally:
        server.stop()

    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    indexes = {i for (i,) in conn.execute("SELECT frame_index FROM frames")}
    conn.close()
    assert set(range(acknowledged)) <= indexes
    assert not (tmp_path / "copy.db.partial").exists()

    # The copy is a store `serve` opens as it is.
    restored = LiveServer(f"sqlite:///{copy}").start()
    try:
        body = restored.get(f"/lobby-session-events/{session}").json()
        assert body["count"] == len(indexes)
        assert [e["data"].get("frame_index", 0) for e in body["events"]][:acknowledged] == list(
            range(acknowledged)
        )
    finally:
        restored.stop()


def test_backup_refuses_mongodb_and_an_existing_file(tmp_path: Path) -> None:
    runner = CliRunner()
    mongo = runner.invoke(
        main, ["backup", str(tmp_path / "x.db")], env={"STORE_URL": "mongodb://127.0.0.1:1"}
    )
    assert mongo.exit_code == 2
    assert "mongodump" in mongo.output
    target = tmp_path / "exists.db"
    target.write_text("")
    store = f"sqlite:///{tmp_path / 'events.db'}"
    existing = runner.invoke(main, ["backup", str(target), "--store", store])
    assert existing.exit_code == 2
    assert "--force" in existing.output
