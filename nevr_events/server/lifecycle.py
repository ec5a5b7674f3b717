"""Per-process runtime: the shared writer, open streams, and graceful shutdown.

On SIGTERM or SIGINT a worker stops accepting connections, lets every open
stream answer what it already received, closes each stream with 1001, waits
for the writer to store everything queued, and disconnects from the
database, all within ``SERVER_TIMEOUT``.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import gevent
from flask import Flask, current_app
from gevent.event import Event

from nevr_events.server.store import EventStore
from nevr_events.server.writer import BatchWriter

if TYPE_CHECKING:
    from nevr_events.server.stream import StreamSession

log = logging.getLogger(__name__)


class Runtime:
    """What one worker process shares between its connections."""

    def __init__(self, store: EventStore, writer: BatchWriter, shutdown_timeout: float) -> None:
        self.store = store
        self.writer = writer
        self.shutdown_timeout = shutdown_timeout
        self.stopping = Event()
        self.sessions: set[StreamSession] = set()
        # Called after the writer drained, before the store closes (e.g. the AMQP publisher).
        self.before_close: list[Callable[[], None]] = []
        self._stopped = Event()

    def begin_shutdown(self) -> gevent.Greenlet:
        """Start the graceful shutdown (idempotent); returns the greenlet doing it."""
        if not self.stopping.is_set():
            self.stopping.set()
            self._greenlet = gevent.spawn(self._shutdown)
        return self._greenlet

    def wait_stopped(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    def _shutdown(self) -> None:
        deadline = time.monotonic() + self.shutdown_timeout
        log.info("shutting down: draining %d stream(s)", len(self.sessions))
        # Sessions notice `stopping`, answer what they hold and close with 1001.
        while self.sessions and time.monotonic() < deadline - 1:
            gevent.sleep(0.05)
        if self.sessions:
            log.warning("%d stream(s) still open at the shutdown deadline", len(self.sessions))
        if not self.writer.close(timeout=max(deadline - time.monotonic(), 0.1)):
            log.error("writer did not finish before the shutdown deadline")
        for hook in self.before_close:
            hook()
        self.store.close()
        log.info("shutdown complete")
        self._stopped.set()


def init_app(app: Flask, store: EventStore) -> Runtime:
    settings = app.config["SETTINGS"]
    writer = BatchWriter(
        store,
        batch_size=settings.batch_size,
        batch_wait=settings.batch_wait,
        queue_size=settings.queue_size,
        retry_for=settings.mongo_timeout,
    )
    runtime = Runtime(store, writer, settings.server_timeout)
    app.extensions["nevr_events.runtime"] = runtime
    return runtime


def get_runtime() -> Runtime:
    return current_app.extensions["nevr_events.runtime"]


def install_worker_shutdown(worker: Any) -> None:
    """Make a gunicorn gevent worker drain streams on SIGTERM, SIGINT and SIGQUIT.

    Gunicorn's own handling only stops accepting and waits for requests, and
    on SIGINT/SIGQUIT it exits at once; a WebSocket "request" lasts as long as
    the stream, so without this every shutdown would wait out the timeout or
    cut streams mid-reply.
    """
    app = worker.wsgi
    runtime: Runtime = app.extensions["nevr_events.runtime"]

    def handle(signum: int, _frame: Any) -> None:
        worker.alive = False  # gunicorn's loop stops accepting and waits for requests
        gevent.spawn(runtime.begin_shutdown)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(signum, handle)
