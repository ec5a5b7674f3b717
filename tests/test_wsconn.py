"""ServerSocket and the simple-websocket internals it relies on, on a real connection.

The connection is a real ``simple_websocket.Server`` on a socket pair, its
reader running on a greenlet as under gunicorn's gevent worker; the peer is a
wsproto client driven by hand, so each test decides exactly what arrives when.
If a simple-websocket release changes an internal ``ServerSocket`` uses, these
tests fail and name it: fix ``nevr_events/server/ingest/wsconn.py`` before upgrading.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from typing import Any

import gevent
import pytest
import simple_websocket
from gevent import socket
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Request,
    TextMessage,
)

from nevr_events.server.ingest.wsconn import BoundedInbox, ConnectionClosed, ServerSocket


class _GreenThread:
    """simple-websocket's ``thread_class`` on a greenlet, as gevent's monkey patching makes it."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.name = "Thread-1 (_thread)"

    def start(self) -> None:
        self.greenlet = gevent.spawn(self.target)


class Peer:
    """The agent's end: a wsproto client on a real socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.handshake = self.ws.send(Request(host="localhost", target="/v3/stream"))

    def send_text(self, *messages: str) -> None:
        self.sock.sendall(b"".join(self.ws.send(TextMessage(data=m)) for m in messages))

    def next_event(self) -> Event:
        while True:
            for event in self.ws.events():
                return event
            data = self.sock.recv(65536)
            assert data, "the server dropped the socket"
            self.ws.receive_data(data)


@pytest.fixture
def pair() -> Iterator[tuple[Any, Peer]]:
    server_sock, client_sock = socket.socketpair()
    peer = Peer(client_sock)
    head = peer.handshake.decode().split("\r\n")[1:]
    environ = {"werkzeug.socket": server_sock}
    for line in head:
        if ": " in line:
            name, value = line.split(": ", 1)
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    ws = simple_websocket.Server(environ, thread_class=_GreenThread, event_class=gevent.event.Event)
    assert isinstance(peer.next_event(), AcceptConnection)
    yield ws, peer
    ws.connected = False
    client_sock.close()
    server_sock.close()


def _settle() -> None:
    """Let the reader greenlet process what the socket holds."""
    for _ in range(20):
        gevent.sleep(0.001)


def test_simple_websocket_internals_are_what_the_adapter_uses(pair: tuple[Any, Peer]) -> None:
    ws, _peer = pair
    version = f"simple-websocket {metadata.version('simple-websocket')}"
    missing = [
        name
        for name in ("sock", "ws", "event", "input_buffer", "connected")
        if not hasattr(ws, name)
    ]
    assert not missing, f"{version} no longer has {missing}: update server/ingest/wsconn.py"
    assert type(ws.input_buffer) is list, "input_buffer is no longer a list"
    assert isinstance(ws.ws, WSConnection), "ws is no longer the wsproto connection"
    assert ws.connected is True
    assert callable(ws.sock.send) and callable(ws.event.wait) and callable(ws.event.clear)


def test_the_reader_appends_to_the_bounded_inbox_and_waits_when_full(
    pair: tuple[Any, Peer],
) -> None:
    ws, peer = pair
    socket_ = ServerSocket(ws, inbox_limit=2)
    assert isinstance(ws.input_buffer, BoundedInbox)
    peer.send_text("m1", "m2", "m3", "m4")
    _settle()
    # simple-websocket's reader went through our list and is now waiting for room.
    assert list(ws.input_buffer) == ["m1", "m2"]
    assert [socket_.receive(timeout=5) for _ in range(4)] == ["m1", "m2", "m3", "m4"]


def test_messages_received_before_wrapping_are_kept(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    peer.send_text("early-1", "early-2")
    _settle()
    assert ws.input_buffer == ["early-1", "early-2"]
    socket_ = ServerSocket(ws, inbox_limit=8)
    assert [socket_.receive(timeout=5), socket_.receive(timeout=5)] == ["early-1", "early-2"]


def test_drain_received_yields_what_had_arrived_and_no_more(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    socket_ = ServerSocket(ws, inbox_limit=8)
    peer.send_text("a", "b")
    _settle()
    drained = []
    for message in socket_.drain_received():
        drained.append(message)
        if len(drained) == 1:
            peer.send_text("late")  # arrives while draining: left for later
            _settle()
    assert drained == ["a", "b"]
    assert socket_.receive(timeout=5) == "late"


def test_close_and_wait_sends_the_code_and_waits_for_the_peer(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    socket_ = ServerSocket(ws, inbox_limit=8)
    closing = gevent.spawn(socket_.close_and_wait, 1001, "server shutting down", 60)
    peer.send_text("crossed the close")  # discarded, never handed to the stream
    event = peer.next_event()
    assert isinstance(event, CloseConnection)
    assert (event.code, event.reason) == (1001, "server shutting down")
    _settle()
    assert not closing.dead and socket_.connected  # the socket stays until the peer closes
    peer.sock.sendall(peer.ws.send(event.response()))
    closing.join(10)
    assert closing.dead and not socket_.connected
    assert len(ws.input_buffer) == 0
    with pytest.raises(ConnectionClosed):
        socket_.send("too late")


def test_receive_raises_connection_closed_after_the_peer_closes(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    socket_ = ServerSocket(ws, inbox_limit=8)
    peer.sock.sendall(peer.ws.send(CloseConnection(1000, "bye")))
    with pytest.raises(ConnectionClosed):
        socket_.receive(timeout=10)
    assert not socket_.connected


def test_append_waits_for_room_and_keeps_order() -> None:
    inbox = BoundedInbox(["a"], limit=2)
    appended: list[str] = []

    def reader_thread() -> None:  # what simple-websocket's thread does
        for item in ("b", "c", "d"):
            inbox.append(item)
            appended.append(item)

    producer = gevent.spawn(reader_thread)
    gevent.sleep(0.01)
    assert appended == ["b"] and list(inbox) == ["a", "b"]  # full: "c" waits
    assert inbox.pop(0) == "a"
    gevent.sleep(0.01)
    assert appended == ["b", "c"]
    assert [inbox.pop(0), inbox.pop(0)] == ["b", "c"]
    producer.join(1)
    assert appended == ["b", "c", "d"] and list(inbox) == ["d"]


def test_release_frees_a_waiting_reader() -> None:
    inbox = BoundedInbox([], limit=1)
    inbox.append(1)
    waiting = gevent.spawn(inbox.append, 2)
    gevent.sleep(0.01)
    assert not waiting.dead
    inbox.release()
    waiting.join(1)
    assert waiting.dead and list(inbox) == [1, 2]
