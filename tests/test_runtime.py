"""Runtime: one count of open streams, and one way to close (``Runtime.close``)."""

from __future__ import annotations

import gevent
import pytest
from flask import Flask
from gevent.event import Event
from prometheus_client.parser import text_string_to_metric_families

from nevr_events import Settings
from nevr_events.exceptions import StoreUnavailable
from nevr_events.server import close_app
from nevr_events.server.ingest.writer import BatchWriter
from nevr_events.server.ops.metrics import Metrics
from nevr_events.server.runtime import Runtime, runtime_of
from nevr_events.server.store import EventStore, open_store


def _runtime(store: EventStore, metrics: Metrics, max_streams: int = 10) -> Runtime:
    writer = BatchWriter(store, metrics)
    return Runtime(
        store, writer, metrics.streams_active, max_streams=max_streams, shutdown_timeout=60
    )


def _stream(runtime: Runtime, started: Event, finish: Event) -> None:
    assert runtime.try_open_stream()
    try:
        started.set()
        finish.wait()
    finally:
        runtime.close_stream()


def _gauge(metrics: Metrics) -> float:
    """``nevr_events_streams_active`` as a scrape shows it."""
    for family in text_string_to_metric_families(metrics.render().decode()):
        if family.name == "nevr_events_streams_active":
            return float(family.samples[0].value)
    raise AssertionError("no nevr_events_streams_active")


def test_close_completes_when_the_last_stream_ends(settings: Settings) -> None:
    store, metrics = open_store(settings), Metrics()
    runtime = _runtime(store, metrics)
    stopped: list[str] = []
    runtime.on_close(lambda: stopped.append("service"))
    finishes = [Event(), Event()]
    starts = [Event(), Event()]
    streams = [gevent.spawn(_stream, runtime, s, f) for s, f in zip(starts, finishes, strict=True)]
    for started in starts:
        started.wait()
    assert runtime.open_streams == 2 and _gauge(metrics) == 2

    closer = runtime.begin_close()
    gevent.sleep(0)  # the closing greenlet runs and waits for the streams
    assert runtime.stopping.is_set() and not runtime.closed and stopped == []

    finishes[0].set()
    streams[0].join()
    assert runtime.open_streams == 1 and _gauge(metrics) == 1 and not runtime.closed

    finishes[1].set()
    streams[1].join()
    assert runtime.open_streams == 0 and _gauge(metrics) == 0
    assert closer.join(30) is None and runtime.closed  # a bound, not a speed check
    assert closer.value is True and stopped == ["service"]


def test_close_without_streams_is_idempotent(settings: Settings) -> None:
    store = open_store(settings)
    runtime = _runtime(store, Metrics())
    stops: list[int] = []
    runtime.on_close(lambda: stops.append(1))
    assert runtime.begin_close() is runtime.begin_close()
    assert runtime.close() and runtime.close(timeout=0)  # the same close, waited for again
    assert runtime.closed and stops == [1]


def test_the_count_refuses_past_max_streams_and_the_gauge_follows(settings: Settings) -> None:
    store, metrics = open_store(settings), Metrics()
    runtime = _runtime(store, metrics, max_streams=2)
    assert runtime.try_open_stream() and runtime.try_open_stream()
    assert not runtime.try_open_stream()  # refused: nothing counted
    assert runtime.open_streams == 2 and _gauge(metrics) == 2
    runtime.close_stream()
    assert runtime.try_open_stream() and _gauge(metrics) == 2
    runtime.close_stream()
    runtime.close_stream()
    assert runtime.open_streams == 0 and _gauge(metrics) == 0
    assert runtime.close()


def test_a_failing_service_does_not_keep_the_store_open(settings: Settings) -> None:
    store = open_store(settings)
    runtime = _runtime(store, Metrics())
    later: list[str] = []

    def broken() -> None:
        raise RuntimeError("cannot stop")

    runtime.on_close(broken)
    runtime.on_close(lambda: later.append("stopped"))
    assert runtime.close()
    assert later == ["stopped"]


def test_close_app_is_the_runtimes_close(app: Flask) -> None:
    runtime = runtime_of(app)
    stopped: list[str] = []
    runtime.on_close(lambda: stopped.append("service"))
    assert close_app(app)
    assert runtime.stopping.is_set() and runtime.closed and stopped == ["service"]
    with pytest.raises(StoreUnavailable, match="shutting down"):
        runtime.writer.submit({})  # the writer is closed too
    # (the app fixture closes the app again: a second close changes nothing)
