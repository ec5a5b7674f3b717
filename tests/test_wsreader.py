"""The fast frame reader (``wsconn.read_frames``) and ``ServerSocket.send_many``.

A real ``simple_websocket.Server`` on a socket pair with ``frame_reader`` as its
``thread_class`` (as ``create_app`` configures it), the peer a wsproto client
driven by hand: every frame layout the reader takes itself, and every one it
hands to wsproto, must give the messages and answers wsproto would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gevent
import pytest
import simple_websocket
from gevent import socket
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Pong,
    Request,
    TextMessage,
)
from wsproto.extensions import PerMessageDeflate

from nevr_events.server.ingest.wsconn import (
    ConnectionClosed,
    ServerSocket,
    frame_reader,
    read_frames,
)
from tests.test_wsconn import Peer, _GreenThread


def _server(peer: Peer, server_sock: socket.socket, **options: Any) -> Any:
    head = peer.handshake.decode().split("\r\n")[1:]
    environ: dict[str, Any] = {"werkzeug.socket": server_sock}
    for line in head:
        if ": " in line:
            name, value = line.split(": ", 1)
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    ws = simple_websocket.Server(
        environ,
        thread_class=frame_reader(_GreenThread),
        event_class=gevent.event.Event,
        **options,
    )
    assert isinstance(peer.next_event(), AcceptConnection)
    return ws


@pytest.fixture
def pair() -> Iterator[tuple[Any, Peer]]:
    server_sock, client_sock = socket.socketpair()
    peer = Peer(client_sock)
    ws = _server(peer, server_sock, max_message_size=1000)
    yield ws, peer
    ws.connected = False
    client_sock.close()
    server_sock.close()


def _receive(ws: Any, count: int) -> list[str | bytes]:
    return [ws.receive(timeout=10) for _ in range(count)]


def test_pipelined_messages_split_anywhere_arrive_whole_and_in_order(
    pair: tuple[Any, Peer],
) -> None:
    ws, peer = pair
    texts = [f"message {i} " + "é" * (i * 37 % 300) for i in range(40)]
    wire = b"".join(peer.ws.send(TextMessage(data=t)) for t in texts)
    wire += peer.ws.send(BytesMessage(data=b"\x00\xff binary"))
    wire += peer.ws.send(TextMessage(data="x" * 900))  # 2-byte length, under the limit
    for start in range(0, len(wire), 7):  # 7 bytes at a time: headers and UTF-8 split too
        peer.sock.sendall(wire[start : start + 7])
        gevent.sleep(0)
    assert _receive(ws, 42) == [*texts, b"\x00\xff binary", "x" * 900]


def test_fragmented_message_with_a_ping_inside_is_joined_and_the_ping_answered(
    pair: tuple[Any, Peer],
) -> None:
    ws, peer = pair
    send = peer.ws.send
    peer.sock.sendall(
        send(Message(data="first ", message_finished=False))
        + send(Ping(payload=b"are you there"))
        + send(Message(data="second ", message_finished=False))
        + send(Message(data="third", message_finished=True))
        + send(TextMessage(data="next"))
    )
    assert _receive(ws, 2) == ["first second third", "next"]
    event = peer.next_event()
    assert isinstance(event, Pong) and event.payload == b"are you there"


def test_compressed_messages_are_read_by_wsproto() -> None:
    server_sock, client_sock = socket.socketpair()
    peer = Peer.__new__(Peer)
    peer.sock = client_sock
    peer.ws = WSConnection(ConnectionType.CLIENT)
    peer.handshake = peer.ws.send(
        Request(host="localhost", target="/v3/stream", extensions=[PerMessageDeflate()])
    )
    ws = _server(peer, server_sock)
    try:
        first = peer.ws.send(TextMessage(data="plain " * 50))
        assert first[0] & 0x40, "permessage-deflate was not negotiated (no RSV1 bit)"
        peer.sock.sendall(first)
        peer.send_text("second", "third " * 100)
        assert _receive(ws, 3) == ["plain " * 50, "second", "third " * 100]
        socket_ = ServerSocket(ws, inbox_limit=8)
        socket_.send_many([b'{"ok":1}'])  # uncompressed frames are valid under deflate
        event = peer.next_event()
        assert isinstance(event, TextMessage) and event.data == '{"ok":1}'
    finally:
        ws.connected = False
        client_sock.close()
        server_sock.close()


def _close_code(peer: Peer) -> int:
    while True:
        event = peer.next_event()
        if isinstance(event, CloseConnection):
            return event.code


def test_invalid_utf8_closes_with_1007(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    frame = bytearray(peer.ws.send(TextMessage(data="ab")))
    frame[-2:] = bytes(a ^ b for a, b in zip(b"\xff\xfe", frame[-6:-4], strict=True))
    peer.sock.sendall(bytes(frame))
    assert _close_code(peer) == 1007
    with pytest.raises(ConnectionClosed):
        ws.receive(timeout=10)


def test_unmasked_client_frame_is_a_protocol_error(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    peer.sock.sendall(b"\x81\x02hi")  # no mask bit: wsproto refuses it
    assert _close_code(peer) == 1002
    with pytest.raises(ConnectionClosed):
        ws.receive(timeout=10)


def test_a_message_over_the_limit_closes_with_1009(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    peer.send_text("small")
    peer.sock.sendall(
        peer.ws.send(Message(data="a" * 600, message_finished=False))
        + peer.ws.send(Message(data="b" * 600, message_finished=True))
    )
    assert ws.receive(timeout=10) == "small"
    assert _close_code(peer) == 1009
    with pytest.raises(ConnectionClosed):
        ws.receive(timeout=10)


def test_the_peers_close_is_answered_and_ends_the_connection(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    peer.sock.sendall(peer.ws.send(TextMessage(data="last")) + peer.ws.send(CloseConnection(1000)))
    assert ws.receive(timeout=10) == "last"
    with pytest.raises(ConnectionClosed):
        ws.receive(timeout=10)
    assert _close_code(peer) == 1000  # the server's answer to the close


def test_send_many_frames_each_reply_in_order(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    socket_ = ServerSocket(ws, inbox_limit=8)
    replies = [b'{"seq":1}', b"r" * 125, b"s" * 126, b"t" * 70_000]
    socket_.send_many(replies)
    got, part = [], ""
    while len(got) < len(replies):
        event = peer.next_event()
        assert isinstance(event, TextMessage)
        part += event.data  # wsproto hands a long message over in pieces
        if event.message_finished:
            got.append(part.encode())
            part = ""
    assert got == replies
    ws.connected = False
    with pytest.raises(ConnectionClosed):
        socket_.send_many([b"{}"])


def test_close_and_wait_with_the_fast_reader(pair: tuple[Any, Peer]) -> None:
    ws, peer = pair
    socket_ = ServerSocket(ws, inbox_limit=8)
    closing = gevent.spawn(socket_.close_and_wait, 1001, "server shutting down", 60)
    peer.send_text("crossed the close")  # discarded, never handed to the stream
    event = peer.next_event()
    assert isinstance(event, CloseConnection)
    assert (event.code, event.reason) == (1001, "server shutting down")
    gevent.sleep(0.05)
    assert not closing.dead and socket_.connected  # the socket stays until the peer closes
    peer.sock.sendall(peer.ws.send(event.response()))
    closing.join(10)
    assert closing.dead and not socket_.connected
    assert len(ws.input_buffer) == 0


def test_pings_are_sent_and_a_silent_peer_is_dropped() -> None:
    server_sock, client_sock = socket.socketpair()
    peer = Peer(client_sock)
    ws = _server(peer, server_sock, ping_interval=0.05)
    try:
        event = peer.next_event()
        assert isinstance(event, Ping)
        peer.sock.sendall(peer.ws.send(event.response()))  # answered: the next ping comes
        assert isinstance(peer.next_event(), Ping)
        # Not answered this time: the server closes with 1008 and ends the connection.
        assert _close_code(peer) == 1008
        with pytest.raises(ConnectionClosed):
            ws.receive(timeout=10)
    finally:
        ws.connected = False
        client_sock.close()
        server_sock.close()


def test_simple_websocket_internals_the_reader_uses(pair: tuple[Any, Peer]) -> None:
    ws, _peer = pair
    names = ("receive_bytes", "ping_interval", "pong_received", "max_message_size", "close")
    missing = [name for name in (*names, "_handle_events") if not hasattr(ws, name)]
    assert not missing, f"simple-websocket no longer has {missing}: update server/ingest/wsconn.py"
    # simple-websocket made its reader as thread_class(target=self._thread), and
    # frame_reader turned that into read_frames on this connection.
    assert ws.thread.target.func is read_frames and ws.thread.target.args[0] is ws


def test_a_failing_reader_ends_the_connection(
    pair: tuple[Any, Peer], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ws, peer = pair
    from nevr_events.server.ingest import wsconn

    def broken(*_args: Any) -> bytes:
        raise RuntimeError("bug in the frame path")

    monkeypatch.setattr(wsconn, "apply_mask", broken)
    peer.send_text("anything")
    with pytest.raises(ConnectionClosed):
        ws.receive(timeout=10)
    assert "WebSocket reader failed" in caplog.text
