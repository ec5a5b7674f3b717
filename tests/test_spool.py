"""FrameStream(spool=DIR): frames survive server outages, database outages and kill -9."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from nevr_events import (
    FrameStream,
    SpoolError,
    SpoolFull,
    SpoolLocked,
    StreamError,
    Unauthorized,
)
from nevr_events.client.spool import Spool, spool_status
from nevr_events.testing.ferretdb import LocalFerretDB, die_with_parent, free_port
from tests.support import ROOT, LiveServer, envelope, make_frame, new_session_id, wait_until
from tests.test_cli import client_env, run


def nowhere() -> str:
    """A loopback URL where nothing listens: the server is away."""
    return f"http://127.0.0.1:{free_port()}"


def stored_indexes(live: LiveServer, sid: str) -> tuple[int, set[int]]:
    """(documents, distinct frame indexes) stored for session ``sid``."""
    docs = live.stored(sid, with_frame=False)
    return len(docs), {doc["frame_index"] for doc in docs}


# -- the spool on its own ---------------------------------------------------------------------


def test_records_come_back_in_order_and_answered_segments_go(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20, segment_bytes=4096)
    payloads = [f'{{"frame": {{"frame_index": {i}}}}}' + " " * 1500 for i in range(10)]
    for i, payload in enumerate(payloads):
        assert spool.append(payload, i, f"file:{i}") == i
    spool.append(b"\x01\x02binary", None)
    assert (spool.waiting, spool.unsent) == (11, 11)
    assert len(list(tmp_path.glob("*.seg"))) > 3
    records = [spool.read_next() for _ in range(11)]
    assert spool.read_next() is None
    assert [r.payload for r in records[:10]] == payloads
    assert (records[3].frame_index, records[3].tag) == (3, "file:3")
    assert (records[10].payload, records[10].frame_index, records[10].tag) == (
        b"\x01\x02binary",
        None,
        None,
    )
    for record in records[:8]:
        spool.ack(record.seq)
    spool.sync()
    assert spool.waiting == 3
    assert spool_status(tmp_path).frames == 3
    assert min(int(p.stem) for p in tmp_path.glob("*.seg")) > 0  # answered segments deleted
    spool.close()

    again = Spool(tmp_path, max_bytes=1 << 20)  # the ack position was saved
    assert [again.read_next().seq for _ in range(3)] == [8, 9, 10]  # type: ignore[union-attr]
    for seq in (8, 9, 10):
        again.ack(seq)
    again.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FORMAT", "acked", "lock"]
    third = Spool(tmp_path)
    assert third.append("{}", None) == 11  # numbering goes on
    third.close()


def test_a_corrupt_record_inside_is_skipped_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool(tmp_path)
    offsets = []
    for i in range(5):
        offsets.append(spool.disk_size)
        spool.append(f'{{"frame": {{"frame_index": {i}}}}}', i)
    spool.close()
    [segment] = tmp_path.glob("*.seg")
    data = bytearray(segment.read_bytes())
    data[offsets[3] - 3] ^= 0xFF  # a payload byte of record 2: its CRC no longer matches
    segment.write_bytes(bytes(data))
    spool = Spool(tmp_path)
    assert spool.waiting == 5
    with caplog.at_level(logging.WARNING, logger="nevr_events.client.spool"):
        records = [spool.read_next() for _ in range(5)]
    assert [r.frame_index if r else None for r in records] == [0, 1, None, 3, 4]
    assert (spool.corrupt, spool.waiting) == (1, 4)
    assert "1 corrupt record(s) skipped" in caplog.text
    for record in records:
        if record is not None:
            spool.ack(record.seq)
    spool.close()
    assert not list(tmp_path.glob("*.seg"))  # nothing left to send


def test_other_format_versions_are_refused(tmp_path: Path) -> None:
    Spool(tmp_path).close()
    assert (tmp_path / "FORMAT").read_text() == "nevr-events spool 1\n"
    (tmp_path / "FORMAT").write_text("nevr-events spool 2\n")
    with pytest.raises(SpoolError, match="format"):
        Spool(tmp_path)
    with pytest.raises(SpoolError, match="not a directory"):
        spool_status(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SpoolError, match="not a spool"):
        spool_status(tmp_path / "empty")
    Spool(tmp_path / "fresh").close()  # the lock was released by the refused open too
    with pytest.raises(SpoolError, match="format"):
        Spool(tmp_path)


# -- against the live server ------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["cut", "garbage"])
def test_a_torn_last_record_is_skipped_with_a_warning(
    server: LiveServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    sid = new_session_id()
    token = server.token("torn")
    stream = FrameStream(nowhere(), token, spool=tmp_path)  # the server is away: spooled
    for i in range(5):
        stream.send(make_frame(sid, i))
    result = stream.close(timeout=0)
    assert (result.sent, result.pending, result.lost) == (5, 5, 0)
    [segment] = tmp_path.glob("*.seg")
    if damage == "cut":  # the process died while writing frame 4
        os.truncate(segment, segment.stat().st_size - 100)
        survivors = [0, 1, 2, 3]
    else:  # half a header after the last good record
        with open(segment, "ab") as file:
            file.write(b"\x40\x00\x00")
        survivors = [0, 1, 2, 3, 4]

    with caplog.at_level(logging.WARNING, logger="nevr_events.client.spool"):
        stream = FrameStream(server.url, token, spool=tmp_path)
    assert any("torn last record" in r.getMessage() for r in caplog.records), caplog.text
    stream.send(make_frame(sid, 7))  # appended after the good records
    result = stream.flush(timeout=60)
    stream.close()
    assert result.recovered == len(survivors)
    assert (result.stored, result.rejected, result.lost, result.pending) == (
        len(survivors) + 1,
        0,
        0,
        0,
    )
    count, indexes = stored_indexes(server, sid)
    assert count == len(indexes) and indexes == {*survivors, 7}


def test_spool_full_raises_and_keeps_what_it_has_for_drain(
    server: LiveServer, tmp_path: Path
) -> None:
    sid = new_session_id()
    stream = FrameStream(nowhere(), server.token("full"), spool=tmp_path, spool_max_bytes=64_000)
    accepted = 0
    with pytest.raises(SpoolFull, match="full") as info:
        for i in range(100):
            stream.send(make_frame(sid, i))
            accepted += 1
    assert isinstance(info.value, StreamError)  # callers catching StreamError see it
    assert 2 <= accepted < 100
    result = stream.close(timeout=0)
    assert (result.sent, result.pending, result.lost) == (accepted, accepted, 0)

    text = run("spool", "status", str(tmp_path))
    assert text.returncode == 0 and text.stdout.startswith(f"{accepted} frames ("), text.stdout
    status = run("spool", "status", str(tmp_path), "--json")
    assert status.returncode == 0, status.stderr
    summary = json.loads(status.stdout)
    assert summary["frames"] == accepted and summary["bytes"] <= 64_000
    assert summary["oldest_age_seconds"] >= 0

    not_a_spool = run("spool", "drain", str(tmp_path / "x"), env=client_env(server, "full"))
    assert not_a_spool.returncode == 2  # no such directory
    (tmp_path / "x").mkdir()
    not_a_spool = run("spool", "drain", str(tmp_path / "x"), env=client_env(server, "full"))
    assert not_a_spool.returncode == 1 and "not a spool" in not_a_spool.stderr
    assert not (tmp_path / "x" / "FORMAT").exists()
    drained = run("spool", "drain", str(tmp_path), env=client_env(server, "full"))
    assert drained.returncode == 0, drained.stderr
    assert f"stored {accepted}" in drained.stderr
    count, indexes = stored_indexes(server, sid)
    assert count == accepted and indexes == set(range(accepted))
    after = json.loads(run("spool", "status", str(tmp_path), "--json").stdout)
    assert after["frames"] == 0


def test_a_second_process_on_the_same_spool_is_refused(server: LiveServer, tmp_path: Path) -> None:
    sid = new_session_id()
    frames = tmp_path / "frames.ndjson"
    frames.write_text("".join(envelope(make_frame(sid, i)) + "\n" for i in range(30)))
    spool = tmp_path / "spool"
    env = client_env(server, "locked")
    first = FrameStream(nowhere(), server.token("locked"), spool=spool)
    try:
        with pytest.raises(SpoolLocked):  # another stream in this process, too
            FrameStream(server.url, server.token("locked"), spool=spool)
        refused = run("stream", "--spool", str(spool), str(frames), env=env)
        assert refused.returncode == 1
        assert f"in use by another process (pid {os.getpid()})" in refused.stderr
        drain = run("spool", "drain", str(spool), env=env)
        assert drain.returncode == 1 and "in use" in drain.stderr
    finally:
        first.close(timeout=0)
    accepted = run("stream", "--spool", str(spool), "--quiet", str(frames), env=env)
    assert accepted.returncode == 0, accepted.stderr
    count, indexes = stored_indexes(server, sid)
    assert count == 30 and indexes == set(range(30))


def test_a_refused_token_raises_and_frees_the_spool(server: LiveServer, tmp_path: Path) -> None:
    with pytest.raises(Unauthorized):
        FrameStream(server.url, "not-a-token", spool=tmp_path)
    Spool(tmp_path).close()  # not left locked


def test_rejected_frames_are_answered_not_retried(server: LiveServer, tmp_path: Path) -> None:
    sid = new_session_id()
    with FrameStream(server.url, server.token("bad"), spool=tmp_path) as stream:
        stream.send(make_frame(sid, 0))
        stream.send(make_frame("not-a-uuid", 1), tag="bad:2")
        stream.send(make_frame(sid, 2))
        result = stream.flush(timeout=60)
    assert (result.stored, result.rejected, result.pending) == (2, 1, 0)
    [problem] = result.rejections
    assert (problem.position, problem.tag) == (1, "bad:2")
    assert spool_status(tmp_path).frames == 0
    ws = server.connect(server.token("bad"))
    ws.send(envelope(make_frame("not-a-uuid", 1)))
    reply = json.loads(ws.recv())
    ws.close()
    assert reply["success"] is False and "retry" not in reply  # final: never re-sent


def test_database_outage_retry_replies_are_sent_again(tmp_path: Path) -> None:
    """The server answers `retry: true` while the database is away; the spool re-sends."""
    db = LocalFerretDB(data_dir=tmp_path / "ferretdb").start()
    live = LiveServer(db.uri, "spool_db_outage", MONGO_TIMEOUT="1s").start()
    sid = new_session_id()
    try:
        stream = FrameStream(live.url, live.token("dbgone"), spool=tmp_path / "spool")
        stream.send(make_frame(sid, 0))
        assert stream.flush(timeout=60).stored == 1
        db.stop()
        ws = live.connect(live.token("probe"))
        ws.send(envelope(make_frame(new_session_id(), 0)))
        reply = json.loads(ws.recv())
        ws.close()
        assert reply["success"] is False and reply["retry"] is True
        for i in range(1, 21):
            stream.send(make_frame(sid, i))
        # Frames come back `retry` at least once before the database returns.
        assert wait_until(lambda: stream.stats().reconnects >= 1, attempts=300)
        db.start()
        result = stream.flush(timeout=120)
        stream.close()
        count, indexes = stored_indexes(live, sid)
    finally:
        live.stop()
        db.stop()
    assert (result.rejected, result.lost, result.pending) == (0, 0, 0)
    assert result.stored + result.duplicates == 21
    assert count == 21 and indexes == set(range(21))


# -- a 60 s server outage, shared by an agent thread and a killed agent process ---------------


def start_agent(live: LiveServer, spool: Path, sid: str, start: int, count: int, fsync: float):
    args = [live.url, live.token("killed"), str(spool), sid, str(start), str(count), "30"]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.spool_agent", *args, str(fsync)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=die_with_parent,
    )


class LineReader(threading.Thread):
    """Collects an agent's stdout lines as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.lines: list[str] = []
        self.start()

    def run(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())

    def last_index(self) -> int:
        return max((int(x) for x in self.lines if x.isdigit()), default=-1)


@pytest.mark.slow
def test_sixty_second_outage_and_kill_9(mongo_uri: str, database_name: str, tmp_path: Path) -> None:
    """The server is stopped for 60 s while two agents send at 30 Hz.

    Agent A (a thread here) keeps calling ``send`` through the outage. Agent B
    (a process) is killed with SIGKILL 20 s into the outage, before it ever
    saved its ack position, and started again on the same spool. After the
    restart every frame of both is stored exactly once, and B's re-sent frames
    are answered ``duplicate``.
    """
    live = LiveServer(mongo_uri, database_name).start()
    sid_a, sid_b = new_session_id(), new_session_id()
    stop, down = threading.Event(), threading.Event()
    box: dict[str, Any] = {"sent": 0, "during_outage": 0}

    def agent_a() -> None:
        try:
            stream = FrameStream(live.url, live.token("thread"), spool=tmp_path / "a")
            try:
                due = time.monotonic()
                while not stop.is_set():
                    stream.send(make_frame(sid_a, box["sent"]))
                    box["sent"] += 1
                    box["during_outage"] += down.is_set()
                    due += 1 / 30
                    time.sleep(max(0.0, due - time.monotonic()))
                box["result"] = stream.flush(timeout=180)
            finally:
                stream.close(timeout=0)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=agent_a, daemon=True)
    thread.start()
    # B never saves its ack position (fsync interval 600 s) before it is killed.
    first_b = start_agent(live, tmp_path / "b", sid_b, 0, 100_000, 600)
    reader = LineReader(first_b)
    second_b: subprocess.Popen[str] | None = None
    try:
        assert wait_until(
            lambda: min(len(stored_indexes(live, sid)[1]) for sid in (sid_a, sid_b)) >= 30,
            attempts=600,
        ), live.logs()
        stored_b_before = len(stored_indexes(live, sid_b)[1])
        live.stop()
        outage_started = time.monotonic()
        down.set()
        time.sleep(20)
        first_b.send_signal(signal.SIGKILL)
        first_b.wait(30)
        reader.join(10)
        last_b = reader.last_index()
        second_b = start_agent(live, tmp_path / "b", sid_b, last_b + 1, 600, 0.1)
        second_reader = LineReader(second_b)
        time.sleep(max(0.0, outage_started + 60 - time.monotonic()))
        down.clear()
        live.start()  # same port, same database
        time.sleep(3)  # A keeps sending while the backlog drains
        stop.set()
        thread.join(240)
        second_b.wait(240)
        second_reader.join(10)
        count_a, indexes_a = stored_indexes(live, sid_a)
        count_b, indexes_b = stored_indexes(live, sid_b)
    finally:
        stop.set()
        for process in (first_b, second_b):
            if process is not None and process.poll() is None:
                process.kill()
        live.stop()

    assert not thread.is_alive() and "error" not in box, box.get("error")
    assert box["during_outage"] > 1000  # ~1,800: send kept returning through the outage
    result_a = box["result"]
    assert (result_a.rejected, result_a.lost, result_a.pending) == (0, 0, 0)
    assert result_a.stored + result_a.duplicates == box["sent"]
    assert count_a == box["sent"] and indexes_a == set(range(box["sent"]))

    assert last_b > 600  # B spooled through the first 20 s of the outage
    assert second_b.returncode == 0, second_b.stderr.read() if second_b.stderr else ""
    [summary] = [json.loads(x[7:]) for x in second_reader.lines if x.startswith("result ")]
    assert (summary["rejected"], summary["lost"], summary["pending"]) == (0, 0, 0)
    assert summary["recovered"] >= last_b + 1  # no ack position was saved: all of it
    assert summary["duplicates"] >= stored_b_before  # re-sent, answered duplicate
    total_b = last_b + 1 + 600
    assert count_b == total_b and indexes_b == set(range(total_b))
