"""Per-process runtime: the shared writer, the open-stream count, and the one teardown path.

``Runtime.close`` is how a worker, an app built in-process (``close_app``) or a
test stops: it stops accepting work, lets every open stream answer what it
already received and close with 1001, waits for the writer to store what is
queued, stops the services registered with ``on_close`` and closes the store,
all within one deadline. (How gunicorn's signals reach it is in
``nevr_events.server.ops.gunicorn_hooks``.)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

import gevent
from flask import Flask, current_app
from gevent.event import Event

from nevr_events.server.config import Settings
from nevr_events.server.ingest.writer import BatchWriter, WriterObserver
from nevr_events.server.live.notify import Notifier
from nevr_events.server.store import EventStore

log = logging.getLogger(__name__)

_EXTENSION = "nevr_events.runtime"


class StreamGauge(Protocol):
    """Where the open-stream count shows (``Metrics.streams_active``, a Prometheus gauge)."""

    def inc(self) -> None: ...

    def dec(self) -> None: ...


class RuntimeMetrics(WriterObserver, Protocol):
    """What ``init_app`` hands the writer and the runtime (``ops.metrics.Metrics``)."""

    @property
    def streams_active(self) -> StreamGauge: ...


class Runtime:
    """What one worker process shares between its connections."""

    def __init__(
        self,
        store: EventStore,
        writer: BatchWriter,
        gauge: StreamGauge,
        *,
        max_streams: int,
        shutdown_timeout: float,
        notifier: Notifier | None = None,
    ) -> None:
        self.store, self.writer = store, writer
        # Tells every worker's followers (live hub, publisher) what each batch stored.
        self.notifier = notifier or Notifier(enabled=False)
        self.max_streams = max_streams
        self.shutdown_timeout = shutdown_timeout
        self.stopping = Event()
        self._gauge = gauge
        self._open_streams = 0
        self._no_streams = Event()
        self._no_streams.set()
        self._stops: list[Callable[[], None]] = []
        self._closer: gevent.Greenlet[[float], bool] | None = None

    @property
    def open_streams(self) -> int:
        """Streams of this worker that are open now."""
        return self._open_streams

    def try_open_stream(self) -> bool:
        """Count one more open stream; False (nothing counted) at ``max_streams``."""
        if self._open_streams >= self.max_streams:
            return False
        self._open_streams += 1
        self._no_streams.clear()
        self._gauge.inc()
        return True

    def close_stream(self) -> None:
        """A stream counted by ``try_open_stream`` has ended."""
        self._open_streams -= 1
        self._gauge.dec()
        if self._open_streams == 0:
            self._no_streams.set()

    def on_close(self, stop: Callable[[], None]) -> None:
        """Call ``stop`` when closing, after the writer drained and before the store closes."""
        self._stops.append(stop)

    @property
    def stops(self) -> tuple[Callable[[], None], ...]:
        """What closing will stop, in order (registered with ``on_close``)."""
        return tuple(self._stops)

    def begin_close(self, timeout: float | None = None) -> gevent.Greenlet[[float], bool]:
        """Start closing (idempotent: a later call gets the same greenlet, whose value
        is True when the streams and the writer finished in time)."""
        if self._closer is None:
            self.stopping.set()
            budget = self.shutdown_timeout if timeout is None else timeout
            self._closer = gevent.spawn(self._close, time.monotonic() + budget)
        return self._closer

    def close(self, timeout: float | None = None) -> bool:
        """Close and wait until closed (``timeout`` defaults to ``SERVER_TIMEOUT``).

        True when every stream ended and the writer stored everything in time.
        """
        closer = self.begin_close(timeout)
        closer.join()
        return bool(closer.value)

    @property
    def closed(self) -> bool:
        return self._closer is not None and self._closer.ready()

    def _close(self, deadline: float) -> bool:
        log.info("shutting down: draining %d stream(s)", self._open_streams)
        # Streams notice `stopping`, answer what they hold and close with 1001;
        # the last one to end wakes us. A second is kept for the writer.
        drained = self._no_streams.wait(max(deadline - 1 - time.monotonic(), 0))
        if not drained:
            log.warning("%d stream(s) still open at the shutdown deadline", self._open_streams)
        written = self.writer.close(timeout=max(deadline - time.monotonic(), 0.1))
        if not written:
            log.error("writer did not finish before the shutdown deadline")
        for stop in self._stops:
            try:
                stop()
            except Exception:  # one failing service must not keep the store open
                log.exception("a service failed to stop")
        self.notifier.close()  # after the services: nothing listens any more
        self.store.close()
        log.info("shutdown complete")
        return drained and written


def init_app(app: Flask, store: EventStore, metrics: RuntimeMetrics) -> Runtime:
    settings: Settings = app.config["SETTINGS"]
    notifier = Notifier.from_env(enabled=settings.live_notify).start()
    writer = BatchWriter(
        store,
        metrics,
        batch_size=settings.batch_size,
        batch_wait=settings.batch_wait,
        queue_size=settings.queue_size,
        retry_for=settings.mongo_timeout,
        on_commit=notifier.committed,
    )
    runtime = Runtime(
        store,
        writer,
        metrics.streams_active,
        max_streams=settings.max_streams,
        shutdown_timeout=settings.server_timeout,
        notifier=notifier,
    )
    app.extensions[_EXTENSION] = runtime
    return runtime


def runtime_of(app: Flask) -> Runtime:
    """The runtime ``create_app`` built for ``app``."""
    runtime: Runtime = app.extensions[_EXTENSION]
    return runtime


def get_runtime() -> Runtime:
    """The current app's runtime (in a request)."""
    return runtime_of(current_app)


def close_app(app: Flask, timeout: float = 10.0) -> bool:
    """Release what ``create_app`` acquired (``Runtime.close``): for apps built in-process
    (tests, scripts); a gunicorn worker does the same at exit. True when all finished in time."""
    return runtime_of(app).close(timeout)
