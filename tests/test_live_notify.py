"""Workers tell each other what they stored: a live subscriber on another worker than
the agent's gets each frame by notice, not by the hub's poll.

The live test sets the hub's poll interval (``LIVE_POLL_INTERVAL``) to an hour: after
the first poll at subscription, a frame can reach a subscriber only by a notice, so
every frame arriving at all is the proof, whatever the machine's speed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import bson
import gevent
import pytest
import websocket
from bson import ObjectId

from nevr_events.server.ingest.documents import build_document
from nevr_events.server.live.notify import Notice, Notifier, decode, encode, notice_of
from nevr_events.server.store.base import bson_form
from nevr_events.server.store.sqlite_rows import split_document
from tests.live_support import PacedAgent, Watcher
from tests.support import LiveServer, make_frame, new_session_id, wait_until

pytestmark = pytest.mark.both_stores

FRAMES = 60
T = TypeVar("T")


def worker_of(server: LiveServer, ws: websocket.WebSocket) -> int:
    """The pid of the worker holding the server side of a client's connection."""
    client_port = ws.sock.getsockname()[1]
    inode = ""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server.port and int(remote.split(":")[1], 16) == (
            client_port
        ):
            inode = fields[9]
    assert inode, "the server side of the connection is not in /proc/net/tcp"
    for pid in server.worker_pids():
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if fd.readlink().name == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


@contextlib.contextmanager
def two_workers(store_url: str, database_name: str, **env: str) -> Iterator[LiveServer]:
    server = LiveServer(store_url, database_name, WORKERS="2", **env).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def polling_hourly(store_url: str, database_name: str) -> Iterator[LiveServer]:
    with two_workers(store_url, database_name, LIVE_POLL_INTERVAL="1h", LIVE_WINDOW="1h") as s:
        yield s


def on_worker(server: LiveServer, pid: int, connect: Callable[[], T]) -> T:
    """``connect()`` while the other workers are paused (SIGSTOP), so that only worker
    ``pid`` can accept (left alone, one idle worker may take every connection)."""
    others = [p for p in server.worker_pids() if p != pid]
    for other in others:
        os.kill(other, signal.SIGSTOP)
    try:
        return connect()
    finally:
        for other in others:
            os.kill(other, signal.SIGCONT)


def watchers_on_both_workers(server: LiveServer, sid: str, **params: Any) -> dict[int, Watcher]:
    """One subscriber on each worker."""
    found = {
        pid: on_worker(server, pid, lambda: Watcher(server, sid, **params))
        for pid in server.worker_pids()
    }
    for pid, watcher in found.items():
        assert worker_of(server, watcher.ws) == pid
    return found


def test_a_subscriber_on_the_other_worker_gets_every_frame_without_the_poll(
    polling_hourly: LiveServer,
) -> None:
    server = polling_hourly
    sid = new_session_id()
    watchers = watchers_on_both_workers(server, sid)
    for watcher in watchers.values():
        watcher.start()
    # Each hub polls once as its subscriber joins; whatever is stored after that, on
    # whichever worker the agent lands, can only come by notice.
    agent = PacedAgent(server, sid, FRAMES, hz=30)
    agent.run()
    assert not agent.failures and len(agent.acked) == FRAMES
    for watcher in watchers.values():
        assert wait_until(lambda w=watcher: len(w.frames) >= FRAMES, attempts=600)
        assert watcher.frames == list(range(FRAMES))
        watcher.close()


# -- the notifier on its own ---------------------------------------------------------------


def stored(sid: str, n: int) -> list[Any]:
    return [bson_form({"_id": ObjectId(), "lobby_session_id": sid, "frame": {}}) for _ in range(n)]


def test_a_notice_carries_sessions_and_ids_and_survives_the_wire() -> None:
    docs = stored("a", 2) + stored("b", 1)
    notice = notice_of(docs)
    assert notice.sessions == {"a", "b"}
    assert notice.ids == {
        "a": (str(docs[0]["_id"]), str(docs[1]["_id"])),
        "b": (str(docs[2]["_id"]),),
    }
    assert decode(encode(notice)) == notice
    assert decode(b"not json") is None
    plain = notice_of([{"_id": ObjectId(), "lobby_session_id": "c"}])
    assert plain.sessions == {"c"} and len(plain.ids["c"]) == 1


def test_notifiers_in_one_folder_hear_each_other_and_forget_the_dead(tmp_path: Path) -> None:
    heard: dict[str, list[Notice]] = {"one": [], "two": []}
    one = Notifier(tmp_path, pid=1)
    two = Notifier(tmp_path, pid=2)
    one.listen(heard["one"].append)
    two.listen(heard["two"].append)
    one.start()
    two.start()
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dead.bind(str(tmp_path / "3.sock"))
    dead.close()  # its file stays, nobody bound: a killed worker's
    try:
        one.committed(stored("s", 3))
        for _ in range(200):  # the hearing greenlet runs while this one sleeps
            if heard["two"]:
                break
            gevent.sleep(0.02)
        assert heard["one"][0] == heard["two"][0]  # told here at once, and there
        assert heard["two"][0].sessions == {"s"} and len(heard["two"][0].ids["s"]) == 3
        assert not (tmp_path / "3.sock").exists()
        one.committed([])  # nothing stored: nothing told
        assert len(heard["one"]) == 1
    finally:
        one.close()
        two.close()
    assert not list(tmp_path.glob("*.sock"))


def test_a_disabled_notifier_tells_nobody(tmp_path: Path) -> None:
    heard: list[Notice] = []
    off = Notifier(tmp_path, enabled=False, pid=1).start()
    off.listen(heard.append)
    off.committed(stored("s", 1))
    assert not heard and not list(tmp_path.glob("*.sock"))


@pytest.mark.parametrize("stored_form", [bson_form, split_document], ids=["bson", "sqlite"])
def test_a_notice_reads_the_stored_form_in_place_as_a_decoder_would(stored_form: Any) -> None:
    sid = new_session_id(upper=False)
    docs = [
        build_document(
            make_frame(sid, i),
            session_id=sid,
            user_id="agent-1",
            node="n",
            received=datetime.now(UTC),
            stored_form=stored_form,
        )
        for i in range(3)
    ]
    decoded = [bson.decode(doc.raw) for doc in docs]
    assert notice_of(docs) == notice_of(decoded)
    assert notice_of(docs).ids == {sid: tuple(str(d["_id"]) for d in decoded)}
