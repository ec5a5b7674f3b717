"""A lean WebSocket connection for load generators: the agents' CPU kept off the server's cores.

websocket-client frames and masks each message in Python (a big-integer XOR) and
parses every reply with ``json``: about 60 µs of the bench process's CPU per
13 KB frame, so on a 2-core machine four agents took half a core away from the
server they measure. After websocket-client's handshake (which reads the
response a byte at a time, so none of the stream is left in its buffers), a
:class:`LeanSocket` writes client frames on the raw socket, masked by the C
``apply_mask`` of ``websockets`` (the server's own), and reads the server's
unmasked frames itself: text and binary messages are returned, pings answered,
a close ends the connection.
"""

from __future__ import annotations

import contextlib
import random
import struct
import threading

import websocket

from nevr_events.server.ingest.wsconn import apply_mask  # the server's (websockets' C one)

_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One final client frame: header, a random mask, the masked payload."""
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0xFE, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0xFF, size)
    mask = random.randbytes(4)  # masking is not a secret here: a load generator's frames
    return head + mask + apply_mask(payload, mask)


class LeanSocket:
    """Messages over a connection websocket-client opened: one sender and one reader thread."""

    def __init__(self, ws: websocket.WebSocket) -> None:
        self.sock = ws.sock
        self._buffer = bytearray()
        self._send_lock = threading.Lock()  # the reader answers pings on the same socket

    def send_text(self, payload: bytes) -> None:
        self._send(client_frame(_TEXT, payload))

    def _send(self, frame: bytes) -> None:
        with self._send_lock:
            self.sock.sendall(frame)

    def recv(self) -> bytes | None:
        """The next message's payload; None once the server closed the connection."""
        parts: list[bytes] = []
        while True:
            frame = self._frame()
            if frame is None:
                return None
            first, payload = frame
            opcode = first & 0x0F
            if opcode == _PING:
                self._send(client_frame(_PONG, payload))
            elif opcode == _CLOSE:
                return None
            elif opcode != _PONG:
                parts.append(payload)
                if first & 0x80:  # FIN: the message is whole
                    return parts[0] if len(parts) == 1 else b"".join(parts)

    def _frame(self) -> tuple[int, bytes] | None:
        """The first byte and payload of the next server frame (servers do not mask)."""
        buffer = self._buffer
        while True:
            if len(buffer) >= 2:
                size, head = buffer[1] & 0x7F, 2
                if size == 126 and len(buffer) >= 4:
                    size, head = struct.unpack_from("!H", buffer, 2)[0], 4
                elif size == 127 and len(buffer) >= 10:
                    size, head = struct.unpack_from("!Q", buffer, 2)[0], 10
                if size < 126 or head > 2:
                    end = head + size
                    if len(buffer) >= end:
                        first, payload = buffer[0], bytes(buffer[head:end])
                        del buffer[:end]
                        return first, payload
            data = self.sock.recv(65536)
            if not data:
                return None
            buffer += data

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._send(client_frame(_CLOSE, struct.pack("!H", 1000)))
        self.sock.close()
