"""Committed frames, told at once to this worker and to every other worker of the server.

The live hub and the AMQP publisher follow the store by polling, which is right
for frames from other instances on a shared MongoDB but makes a frame stored by
one worker wait up to a poll interval before a subscriber on another worker sees
it. So after each batch commits, the writer hands its stored documents to the
worker's ``Notifier``: listeners in this process are called at once, and one
datagram (the batch's session ids and ``_id``s) goes to each other worker over
a UNIX datagram socket in the server's notify directory (made by the gunicorn
master, ``NEVR_EVENTS_NOTIFY_DIR``; one ``<pid>.sock`` per worker). Sending
never blocks the writer: a peer whose socket is full or gone just misses the
notice, and polling delivers the frames anyway. Without the directory (an app
built in-process) only this process's listeners hear.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
import gevent.socket
import orjson
from bson import ObjectId
from bson.raw_bson import RawBSONDocument

from nevr_events.server.config import NOTIFY_DIR_ENV

log = logging.getLogger(__name__)

# Largest notice read; a notice holding more ids than fit is sent with the session ids only.
MAX_DATAGRAM = 64 * 1024
# How long the list of peers' sockets is trusted before the directory is read again
# (a worker restarted by the master appears within it).
PEERS_EVERY = 1.0
# The stored form's BSON starts with its ``_id`` (``ingest.documents`` puts it first):
# type 0x07 (ObjectId), the key, then its 12 bytes.
_ID_HEAD = b"\x07_id\x00"
# Then the session id: type 0x02 (string), the key, its length (int32) and its bytes.
_SESSION_HEAD = b"\x02lobby_session_id\x00"


@dataclass(frozen=True, slots=True)
class Notice:
    """What one committed batch tells: the ``_id``s it stored, by session."""

    ids: Mapping[str, tuple[str, ...]]

    @property
    def sessions(self) -> frozenset[str]:
        return frozenset(self.ids)


Listener = Callable[[Notice], None]


def notice_of(documents: Iterable[Mapping[str, Any]]) -> Notice:
    ids: dict[str, list[str]] = {}
    for document in documents:
        oid, sid = _head(document)
        ids.setdefault(sid, []).append(oid)
    return Notice({sid: tuple(found) for sid, found in ids.items()})


def _head(document: Mapping[str, Any]) -> tuple[str, str]:
    """``(_id, session id)`` of a stored document, read in place from its BSON when it
    starts as ``ingest.documents`` lays it out (looking a key up would decode the frame)."""
    raw = document.raw if isinstance(document, RawBSONDocument) else b""
    if raw[4:9] == _ID_HEAD and raw[21:39] == _SESSION_HEAD:
        size = int.from_bytes(raw[39:43], "little")
        return raw[9:21].hex(), str(raw[43 : 43 + size - 1], "utf-8")
    return str(document["_id"]), str(document["lobby_session_id"])


def encode(notice: Notice) -> bytes:
    body = orjson.dumps({"ids": notice.ids})
    if len(body) > MAX_DATAGRAM:  # the sessions alone: their hubs poll instead
        body = orjson.dumps({"ids": {sid: [] for sid in notice.ids}})
    return body


def decode(data: bytes) -> Notice | None:
    try:
        body = orjson.loads(data)["ids"]
        ids = {str(sid): tuple(str(ObjectId(i)) for i in found) for sid, found in body.items()}
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return Notice(ids)


class Notifier:
    """This worker's end: ``committed`` after each batch; ``listen`` to hear every worker's."""

    def __init__(
        self, directory: Path | None = None, *, enabled: bool = True, pid: int | None = None
    ) -> None:
        self.directory = directory if enabled else None
        self.enabled = enabled
        self.path = (
            self.directory / f"{pid or os.getpid()}.sock" if self.directory is not None else None
        )
        self.sent = 0  # datagrams sent to peers
        self.received = 0  # notices heard from peers
        self._listeners: list[Listener] = []
        self._socket: socket.socket | None = None  # bound: what the peers send here
        self._sender: socket.socket | None = None  # never waits (gevent's would, when full)
        self._greenlet: gevent.Greenlet[[socket.socket], None] | None = None
        self._peers: list[Path] = []
        self._peers_at = float("-inf")

    @classmethod
    def from_env(cls, *, enabled: bool = True) -> Notifier:
        folder = os.environ.get(NOTIFY_DIR_ENV)
        return cls(Path(folder) if folder else None, enabled=enabled)

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def start(self) -> Notifier:
        """Bind this worker's socket and start hearing the others (idempotent)."""
        if self.path is None or self._socket is not None:
            return self
        # gevent's socket even where the standard library is not patched (an app built
        # in a test): hearing must wait in the loop, not block the process.
        sock = gevent.socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # left by an earlier process with this pid
        try:
            sock.bind(str(self.path))
        except OSError as exc:
            sock.close()
            log.warning("live notify: cannot bind %s (%s); polling only", self.path, exc)
            self.path = None
            return self
        self._socket = sock
        self._sender = gevent.socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sender.settimeout(0.0)
        self._greenlet = gevent.spawn(self._hear, sock)
        return self

    def close(self) -> None:
        if self._greenlet is not None:
            self._greenlet.kill(block=True, timeout=1)
            self._greenlet = None
        if self._sender is not None:
            self._sender.close()
            self._sender = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
            if self.path is not None:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()

    # -- telling -----------------------------------------------------------------------------

    def committed(self, documents: Sequence[Mapping[str, Any]]) -> None:
        """A batch holding ``documents`` committed: tell this process, then the peers."""
        if not (self.enabled and documents):
            return
        notice = notice_of(documents)
        self._deliver(notice)
        if self._sender is not None:
            self._broadcast(self._sender, encode(notice))

    def _broadcast(self, sender: socket.socket, body: bytes) -> None:
        for peer in self._peer_paths():
            try:
                # A full peer costs that peer the notice, never the writer a wait.
                sender.sendto(body, str(peer))
                self.sent += 1
            except OSError as exc:
                if exc.errno in (errno.ECONNREFUSED, errno.ENOENT):  # else: full, skip
                    self._forget(peer, stale=exc.errno == errno.ECONNREFUSED)

    def _peer_paths(self) -> list[Path]:
        now = time.monotonic()
        if now - self._peers_at >= PEERS_EVERY and self.directory is not None:
            self._peers_at = now
            try:
                found = sorted(self.directory.glob("*.sock"))
            except OSError:
                found = []
            self._peers = [p for p in found if p != self.path]
        return self._peers

    def _forget(self, peer: Path, *, stale: bool) -> None:
        """A peer that is gone: a socket file nobody is bound to (a killed worker's) goes."""
        with contextlib.suppress(ValueError):
            self._peers.remove(peer)
        if stale:
            with contextlib.suppress(OSError):
                peer.unlink()

    # -- hearing -----------------------------------------------------------------------------

    def _hear(self, sock: socket.socket) -> None:
        while True:
            try:
                data = sock.recv(MAX_DATAGRAM)
            except OSError:
                return  # closed
            notice = decode(data)
            if notice is not None:
                self.received += 1
                self._deliver(notice)

    def _deliver(self, notice: Notice) -> None:
        for listener in self._listeners:
            try:
                listener(notice)
            except Exception:  # a listener's bug must not stop the writer or the others
                log.exception("live notify: a listener failed")
