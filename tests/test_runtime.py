"""Runtime: the shutdown waits for the open-stream count to reach zero, then stops."""

from __future__ import annotations

import gevent
from gevent.event import Event

from nevr_events import Settings
from nevr_events.server.ingest.writer import BatchWriter
from nevr_events.server.runtime import Runtime
from nevr_events.server.store import MongoEventStore


def _stream(runtime: Runtime, started: Event, finish: Event) -> None:
    with runtime.open_stream():
        started.set()
        finish.wait()


def test_shutdown_completes_when_the_last_stream_closes(settings: Settings) -> None:
    store = MongoEventStore(settings)
    runtime = Runtime(store, BatchWriter(store), shutdown_timeout=60)
    finishes = [Event(), Event()]
    starts = [Event(), Event()]
    streams = [gevent.spawn(_stream, runtime, s, f) for s, f in zip(starts, finishes, strict=True)]
    for started in starts:
        started.wait()
    assert runtime.open_streams == 2

    runtime.begin_shutdown()
    gevent.sleep(0)  # the shutdown greenlet runs and waits for the streams
    assert runtime.stopping.is_set() and not runtime.wait_stopped(0)

    finishes[0].set()
    streams[0].join()
    assert runtime.open_streams == 1 and not runtime.wait_stopped(0)

    finishes[1].set()
    streams[1].join()
    assert runtime.open_streams == 0
    assert runtime.wait_stopped(30)  # a bound, not a speed check: nothing else to wait for


def test_shutdown_without_streams_stops_at_once(settings: Settings) -> None:
    store = MongoEventStore(settings)
    runtime = Runtime(store, BatchWriter(store), shutdown_timeout=60)
    assert runtime.begin_shutdown() is runtime.begin_shutdown()  # idempotent
    assert runtime.wait_stopped(30)
