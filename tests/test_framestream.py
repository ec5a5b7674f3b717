"""FrameStream against the live server: pipelining, reply matching, limits, restarts."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from google.protobuf import json_format

from nevr_events import FrameStream, StreamError
from nevr_events.client.framewire import encode_frame, stream_url
from nevr_events.exceptions import ConnectError, UnauthorizedError
from nevr_events.testing.ferretdb import free_port
from nevr_events.wire.pb import telemetry_pb2
from tests.support import LiveServer, envelope, make_frame, new_session_id

# -- pure helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://h:8081", "ws://h:8081/v3/stream"),
        ("http://h:8081/", "ws://h:8081/v3/stream"),
        ("https://h", "wss://h/v3/stream"),
        ("ws://h:1/v3/stream", "ws://h:1/v3/stream"),
        ("wss://h:1/custom/path?x=1", "wss://h:1/custom/path?x=1"),
        ("WS://h:1", "ws://h:1/v3/stream"),
    ],
)
def test_stream_url(given: str, expected: str) -> None:
    assert stream_url(given) == expected


@pytest.mark.parametrize("bad", ["h:8081", "ftp://h", "http://"])
def test_stream_url_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        stream_url(bad)


def test_encode_frame_shapes() -> None:
    frame = {"frame_index": 3, "session": {"sessionid": "x"}}
    assert encode_frame(frame) == (json.dumps({"frame": frame}, separators=(",", ":")), 3)
    assert encode_frame({"frame": frame})[1] == 3
    assert encode_frame('{"frame": {}}') == ('{"frame": {}}', None)
    proto = telemetry_pb2.LobbySessionStateFrame(frame_index=9)
    payload, index = encode_frame(proto)
    assert index == 9 and isinstance(payload, bytes)
    assert telemetry_pb2.Envelope.FromString(payload).frame.frame_index == 9
    with pytest.raises(TypeError):
        encode_frame(42)


# -- a WebSocket server that accepts and never answers ----------------------------------------


class SilentServer:
    """Accepts WebSocket handshakes, reads and discards everything, never replies."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _serve(conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(4096)
        key = next(
            line.split(b":", 1)[1].strip()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key")
        )
        accept = base64.b64encode(
            hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest()
        )
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.listener.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    srv = SilentServer()
    yield srv
    srv.close()


def test_full_window_blocks_then_raises(silent: SilentServer) -> None:
    stream = FrameStream(silent.url, "t", max_in_flight=5, send_timeout=0.3)
    sid = new_session_id()
    for i in range(5):
        stream.send(make_frame(sid, i))
    with pytest.raises(StreamError, match=r"without a reply for 0\.3s \(max_in_flight reached\)"):
        stream.send(make_frame(sid, 5))
    assert stream.in_flight == 5
    # Without a timeout, send waits for room; closing the stream ends the wait.
    outcome: list[BaseException] = []
    blocked = threading.Thread(target=_send_catching, args=(stream, make_frame(sid, 5), outcome))
    blocked.start()
    blocked.join(0.5)
    assert blocked.is_alive() and not outcome  # still waiting for room
    flushed = stream.flush(timeout=0.2)
    assert (flushed.sent, flushed.pending, flushed.ok) == (5, 5, False)
    result = stream.close(timeout=0)
    blocked.join(10)
    assert not blocked.is_alive() and isinstance(outcome[0], StreamError)
    assert (result.lost, result.pending) == (5, 0)
    assert {p.reason for p in result.losses} == {"stream closed before the server answered"}
    with pytest.raises(StreamError, match="closed"):
        stream.send(make_frame(sid, 6))


def _send_catching(stream: FrameStream, frame: dict, outcome: list[BaseException]) -> None:
    try:
        stream.send(frame, timeout=None)
    except BaseException as exc:
        outcome.append(exc)


def test_oversize_frame_refused_before_sending(silent: SilentServer) -> None:
    with FrameStream(silent.url, max_message_bytes=1000) as stream:
        with pytest.raises(StreamError, match="larger than max_message_bytes"):
            stream.send(make_frame(new_session_id(), 1))
        assert stream.stats().sent == 0


def test_gives_up_when_the_server_stays_away(silent: SilentServer) -> None:
    stream = FrameStream(silent.url, backoff_initial=0.05, backoff_max=0.1, retry_for=0.5)
    sid = new_session_id()
    for i in range(3):
        stream.send(make_frame(sid, i))
    silent.close()  # drops the connection and refuses new ones
    result = stream.flush(timeout=10)
    assert (result.lost, result.pending) == (3, 0)
    # Which of the two give-up checks fires first depends on scheduling; both say so.
    assert result.losses[0].reason.startswith("gave up")
    assert stream.error is not None
    with pytest.raises(StreamError, match="gave up"):
        stream.send(make_frame(sid, 3))
    stream.close()


# -- against the live server ------------------------------------------------------------------


def test_connect_errors(server: LiveServer) -> None:
    with pytest.raises(ConnectError):
        FrameStream(f"http://127.0.0.1:{free_port()}", server.token())
    with pytest.raises(UnauthorizedError) as info:
        FrameStream(server.url, "not-a-token")
    assert info.value.status == 401
    assert "token" in info.value.message


def test_pipelined_frames_in_every_shape(server: LiveServer) -> None:
    sid = new_session_id()
    proto = json_format.ParseDict(make_frame(sid, 2), telemetry_pb2.LobbySessionStateFrame())
    with FrameStream(server.ws_url, server.token("shapes"), node_id="node-7") as stream:
        stream.send(make_frame(sid, 0))  # bare frame dict
        stream.send({"frame": make_frame(sid, 1)})  # envelope dict
        stream.send(proto)  # protobuf message (binary envelope)
        stream.send(envelope(make_frame(sid, 3)))  # JSON text
        stream.send({"header": {}})  # skipped: nothing to store
        stream.send(make_frame("not-a-uuid", 5), tag="bad.ndjson:6")  # rejected
        stream.send("{oops", tag="bad.ndjson:7")  # rejected
        for i in range(6, 300):
            stream.send(make_frame(sid, i))
        result = stream.flush()
    assert (result.sent, result.stored, result.skipped, result.rejected) == (301, 298, 1, 2)
    assert (result.duplicates, result.lost, result.pending) == (0, 0, 0)
    first, second = result.rejections
    assert (first.position, first.frame_index, first.tag) == (5, 5, "bad.ndjson:6")
    assert "invalid match ID" in first.reason
    assert (second.position, second.tag) == (6, "bad.ndjson:7")
    assert "not valid JSON" in second.reason
    docs = server.stored(sid, with_frame=False)
    assert [d["frame_index"] for d in docs] == [0, 1, 2, 3, *range(6, 300)]
    assert {(d["user_id"], d["node"]) for d in docs} == {("shapes", "node-7")}


@pytest.mark.both_stores
def test_sending_twice_counts_duplicates(server: LiveServer) -> None:
    sid = new_session_id()
    frames = [make_frame(sid, i) for i in range(20)]
    token = server.token("dup")
    with FrameStream(server.url, token) as stream:
        for frame in frames:
            stream.send(frame)
    with FrameStream(server.url, token) as stream:
        for frame in frames:
            stream.send(frame)
        result = stream.flush()
    assert (result.stored, result.duplicates, result.ok) == (0, 20, True)
    assert [doc["frame_index"] for doc in server.stored(sid)] == list(range(20))


def test_survives_a_server_restart(mongo_uri: str, database_name: str) -> None:
    """SIGTERM mid-run, then a new server on the same port: each frame stored once."""
    live = LiveServer(mongo_uri, database_name).start()
    sid = new_session_id()
    total = 2000
    halfway = threading.Event()
    box: dict[str, object] = {}

    def produce() -> None:
        try:
            with FrameStream(
                live.url, live.token("restart"), backoff_initial=0.1, retry_for=60
            ) as stream:
                for i in range(total):
                    stream.send(make_frame(sid, i))
                    if i == 600:
                        halfway.set()
                    if i > 600:
                        time.sleep(0.0015)  # keep sending through the restart
                box["result"] = stream.flush(timeout=60)
        except BaseException as exc:
            box["error"] = exc

    producer = threading.Thread(target=produce)
    try:
        producer.start()
        assert halfway.wait(30)
        live.stop()  # SIGTERM: graceful, closes streams with 1001
        first_log = live.logs()
        live.start()  # same port, same database: its indexes already exist
        producer.join(90)
        assert not producer.is_alive(), f"{first_log}\n---\n{live.logs()}"
        assert "error" not in box, box.get("error")
        result = box["result"]
        collection = live.collection
        stored = collection.count_documents({"lobby_session_id": sid.lower()})
        indexes = collection.distinct("frame_index", {"lobby_session_id": sid.lower()})
    finally:
        live.stop()
    assert result.reconnects >= 1  # type: ignore[attr-defined]
    assert result.rejected == 0, result.rejections  # type: ignore[attr-defined]
    # every frame was answered (stored now or before the drop) or reported lost
    answered = result.stored + result.duplicates  # type: ignore[attr-defined]
    assert answered + result.lost == total  # type: ignore[attr-defined]
    assert result.lost == 0, result.losses  # type: ignore[attr-defined]
    # exactly once in the database
    assert stored == len(indexes) == total
