"""A real gunicorn + gevent server process on a loopback port, as the README runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pymongo
import websocket

from nevr_events.server.auth import mint_token
from nevr_events.testing import ROOT
from nevr_events.testing.ferretdb import die_with_parent, free_port

SECRET = "test-secret-" + "x" * 40


def wait_until(condition: Callable[[], bool], attempts: int = 100, pause: float = 0.1) -> bool:
    """Poll ``condition`` until it holds (True) or ``attempts`` run out (False)."""
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(pause)
    return False


class LiveServer:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` as the README runs it."""

    def __init__(self, store_url: str, database: str = "nakama", **env: str) -> None:
        """``store_url``: ``sqlite:///…`` or a MongoDB URI (then ``database`` is used)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.store_url = store_url
        self.mongo_uri = store_url
        self.database = database
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("STORE_URL", "MONGO_URI")},
            "JWT_SECRET": SECRET,
            ("MONGO_URI" if store_url.startswith("mongodb") else "STORE_URL"): store_url,
            "DATABASE_NAME": database,
            "SERVER_ADDRESS": f"127.0.0.1:{self.port}",
            "SERVER_TIMEOUT": "15s",
            "MONGO_TIMEOUT": "3s",
            "LOG_LEVEL": "info",
            **env,
        }
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"nevr-events-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._mongo: pymongo.MongoClient[dict[str, Any]] | None = None
        # When set, files the server writes may not grow past this (a full disk).
        self.max_file_bytes: int | None = None

    def start(self, timeout: float = 30.0) -> LiveServer:
        log = open(self.log_path, "wb")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=self._preexec,
        )
        log.close()
        if not wait_until(self._healthy, attempts=int(timeout / 0.1)):
            self.stop()
            raise RuntimeError(f"server did not become healthy:\n{self.logs()}")
        return self

    def _preexec(self) -> None:
        die_with_parent()
        if self.max_file_bytes is not None:
            import resource

            # A write past the limit fails with EFBIG (instead of killing the process).
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.max_file_bytes, self.max_file_bytes))

    def worker_pids(self) -> list[int]:
        """Process ids of the gunicorn workers (children of the master)."""
        assert self.process is not None
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"server exited at start:\n{self.logs()}")
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                status: int = response.status
        except OSError:  # refused, reset, timed out, or an HTTP error status
            return False
        return status == 200

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int | None:
        if self._mongo is not None:
            self._mongo.close()
            self._mongo = None
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def token(self, sub: str = "agent-1", **claims: Any) -> str:
        return mint_token(SECRET, sub, ttl=3600, **claims)

    def auth(self, sub: str = "reader") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub)}"}

    def connect(
        self, token: str | None = None, path: str = "/v3/stream", headers: Iterable[str] = ()
    ) -> websocket.WebSocket:
        header = [f"Authorization: Bearer {token or self.token()}", *headers]
        return websocket.create_connection(self.ws_url + path, header=header, timeout=20)

    def get(self, path: str, **kwargs: Any) -> Any:
        """``requests.get`` with a reader's token (requests comes with the test extra)."""
        import requests

        kwargs.setdefault("headers", self.auth())
        kwargs.setdefault("timeout", 30)
        return requests.get(self.url + path, **kwargs)

    def stored(self, session_id: str, *, with_frame: bool = True) -> list[dict[str, Any]]:
        """Every stored document of a session, as the store gives them back, by frame index.

        Works on both stores (it goes through the service's own EventStore);
        ``with_frame=False`` leaves the frames in the database (counting is cheaper).
        """
        from nevr_events.server.config import Settings
        from nevr_events.server.store import open_store

        settings = Settings(database_name=self.database, mongo_timeout=10.0)
        store = open_store(settings, self.store_url)
        try:
            docs = store.page(session_id.lower(), limit=10**9, with_frame=with_frame)
        finally:
            store.close()
        return sorted(docs, key=lambda doc: doc["frame_index"])

    @property
    def collection(self) -> pymongo.collection.Collection[dict[str, Any]]:
        """The server's collection, through one client kept until ``stop``."""
        if self._mongo is None:
            self._mongo = pymongo.MongoClient(self.mongo_uri, tz_aware=True)
        return self._mongo[self.database]["session_events"]


def send_frames(ws: websocket.WebSocket, messages: Iterable[str]) -> list[dict[str, Any]]:
    """Send every message without waiting (pipelined), then read one reply each."""
    count = 0
    for message in messages:
        ws.send(message)
        count += 1
    return [json.loads(ws.recv()) for _ in range(count)]
