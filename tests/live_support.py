"""Test helpers for the live view: a paced agent and a subscriber that records what it gets."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import websocket

from tests.support import LiveServer, envelope, make_frame


class PacedAgent(threading.Thread):
    """Streams frames ``first..first+count-1`` of a session at ``hz`` (0: as fast as possible),
    recording when each one was acknowledged (``time.monotonic``)."""

    def __init__(
        self,
        server: LiveServer,
        sid: str,
        count: int,
        *,
        hz: float = 30,
        first: int = 0,
        make: Callable[[str, int], dict[str, Any]] = make_frame,
    ) -> None:
        super().__init__(daemon=True)
        self.server, self.sid, self.count, self.hz, self.first = server, sid, count, hz, first
        self.make = make
        self.acked: dict[int, float] = {}
        self.failures: list[dict[str, Any]] = []
        self.stop = threading.Event()  # set: send no more frames
        self.sent = 0
        self.sent_all = False

    def run(self) -> None:
        ws = self.server.connect()
        reader = threading.Thread(target=self._read, args=(ws,), daemon=True)
        reader.start()
        started = time.monotonic()
        for n in range(self.count):
            if self.stop.is_set():
                break
            if self.hz:
                due = started + n / self.hz
                if due > time.monotonic():
                    time.sleep(due - time.monotonic())
            ws.send(envelope(self.make(self.sid, self.first + n)))
            self.sent += 1
        self.sent_all = True
        reader.join(120)
        ws.close()

    def _read(self, ws: websocket.WebSocket) -> None:
        received = 0
        while received < (self.sent if self.sent_all else self.count):
            received += 1
            reply = json.loads(ws.recv())
            if reply.get("stored"):
                self.acked[reply.get("frame_index", 0)] = time.monotonic()
            else:
                self.failures.append(reply)


class Watcher(threading.Thread):
    """A live subscriber; connected when constructed, reads in the background once started."""

    def __init__(
        self,
        server: LiveServer,
        sid: str,
        *,
        query_token: bool = False,
        receive_buffer: int | None = None,
        **params: Any,
    ) -> None:
        super().__init__(daemon=True)
        token = server.token("watcher")
        if query_token:
            params["token"] = token
        query = urlencode(params)
        url = f"{server.ws_url}/api/v3/stream/{sid}" + (f"?{query}" if query else "")
        header = [] if query_token else [f"Authorization: Bearer {token}"]
        options: dict[str, Any] = {}
        if receive_buffer:
            options["sockopt"] = ((socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer),)
        self.ws = websocket.create_connection(url, header=header, timeout=60, **options)
        self.messages: list[tuple[float, dict[str, Any]]] = []
        self.close_code: int | None = None

    def run(self) -> None:
        while True:
            try:
                opcode, data = self.ws.recv_data(control_frame=True)
            except (websocket.WebSocketException, OSError):
                return
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self.close_code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                return
            if opcode == websocket.ABNF.OPCODE_TEXT:
                self.messages.append((time.monotonic(), json.loads(data)))

    def send(self, kind: str, payload: Any) -> None:
        self.ws.send(json.dumps({"type": kind, "payload": payload}))

    @property
    def frames(self) -> list[int]:
        return [
            m["payload"].get("frame_index", 0) for _, m in self.messages if m["type"] == "frame"
        ]

    def delivered(self) -> dict[int, float]:
        """Frame index -> when it was first received."""
        seen: dict[int, float] = {}
        for at, message in self.messages:
            if message["type"] == "frame":
                seen.setdefault(message["payload"].get("frame_index", 0), at)
        return seen

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for _, m in self.messages if m["type"] == kind]

    def close(self) -> None:
        with contextlib.suppress(websocket.WebSocketException, OSError):
            self.ws.close(timeout=2)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
