"""Per-process runtime: the shared writer, open streams, and graceful shutdown.

On SIGTERM or SIGINT a worker stops accepting connections, lets every open
stream answer what it already received, closes each stream with 1001, waits
for the writer to store everything queued, and disconnects from the
database, all within ``SERVER_TIMEOUT``.

The runtime knows streams only as a count: a stream holds
``Runtime.open_stream()`` while it runs, and the shutdown waits for the count
to reach zero. (How gunicorn's signals reach ``begin_shutdown`` is in
``nevr_events.server.ops.gunicorn_hooks``.)
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator

import gevent
from flask import Flask, current_app
from gevent.event import Event

from nevr_events.server.ingest.writer import BatchWriter
from nevr_events.server.store import EventStore

log = logging.getLogger(__name__)


class Runtime:
    """What one worker process shares between its connections."""

    def __init__(self, store: EventStore, writer: BatchWriter, shutdown_timeout: float) -> None:
        self.store = store
        self.writer = writer
        self.shutdown_timeout = shutdown_timeout
        self.stopping = Event()
        self._open_streams = 0
        self._no_streams = Event()
        self._no_streams.set()
        # Called after the writer drained, before the store closes (e.g. the AMQP publisher).
        self.before_close: list[Callable[[], None]] = []
        self._stopped = Event()

    @property
    def open_streams(self) -> int:
        """Streams of this worker that are running now."""
        return self._open_streams

    @contextlib.contextmanager
    def open_stream(self) -> Iterator[None]:
        """Count a stream as open for the duration of the block."""
        self._open_streams += 1
        self._no_streams.clear()
        try:
            yield
        finally:
            self._open_streams -= 1
            if self._open_streams == 0:
                self._no_streams.set()

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
        log.info("shutting down: draining %d stream(s)", self._open_streams)
        # Streams notice `stopping`, answer what they hold and close with 1001;
        # the last one to finish wakes us. A second is kept for the writer.
        if not self._no_streams.wait(max(deadline - 1 - time.monotonic(), 0)):
            log.warning("%d stream(s) still open at the shutdown deadline", self._open_streams)
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


def close_app(app: Flask, timeout: float = 10.0) -> bool:
    """Release what ``create_app`` acquired: store what is queued, close the database client.

    For apps built in-process (tests, scripts); a gunicorn worker does the same
    at shutdown. True when the writer finished in time.
    """
    runtime: Runtime = app.extensions["nevr_events.runtime"]
    written = runtime.writer.close(timeout)
    runtime.store.close()
    return written
