"""Prometheus metrics at ``GET /metrics``, summed over every gunicorn worker.

Under gunicorn each worker writes its figures to files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode) and a
scrape, whichever worker answers it, adds up the files of all workers. The
directory is chosen and emptied by the gunicorn master before any worker
starts (see ``gunicorn_config``), and a worker's live gauges are dropped when
it exits. Outside gunicorn (the Flask test client) each app keeps its own
in-process registry. The AMQP publishing lag is read from the store when
scraped (the figure /health shows), as only one worker publishes.

``/metrics`` is open like ``/health`` unless ``METRICS_TOKEN`` is set; then it
needs ``Authorization: Bearer <METRICS_TOKEN>``.
"""

from __future__ import annotations

import glob
import hmac
import logging
import os
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client import values as prometheus_values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics import Counter, Gauge, Histogram
from prometheus_client.registry import CollectorRegistry
from werkzeug.exceptions import Unauthorized

from nevr_events.server import publish
from nevr_events.server.store import get_store
from nevr_events.server.web import route_template

log = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__)

OUTCOMES = ("stored", "duplicate", "skipped", "rejected")
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)
_SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


def multiprocess_mode() -> bool:
    """Whether prometheus-client writes values to files (it decides at import)."""
    return prometheus_values.ValueClass is not prometheus_values.MutexValue


def reply_outcome(reply: dict[str, Any]) -> str:
    """Which of ``OUTCOMES`` a stream reply reports."""
    if not reply.get("success"):
        return "rejected"
    if reply.get("duplicate"):
        return "duplicate"
    if "skipped" in reply:
        return "skipped"
    return "stored"


def observe_all(histogram: Histogram, values: Iterable[float]) -> None:
    """``histogram.observe`` of each value, with one increment per bucket touched.

    ``observe`` makes two increments a value (the sum, one bucket); prometheus-client
    has no call adding several at once, so this reads the histogram's bucket
    bounds and values (the layout ``observe`` itself uses, unchanged since
    prometheus-client 0.4). tests/test_metrics.py checks the exposition against
    plain ``observe``. Values are durations: never NaN.
    """
    bounds = histogram._upper_bounds  # ascending, the last +Inf
    counts = [0] * len(bounds)
    total = 0.0
    for value in values:
        counts[bisect_left(bounds, value)] += 1  # the first bound >= value, as observe
        total += value
    if not any(counts):
        return
    histogram._sum.inc(total)
    for bucket, count in zip(histogram._buckets, counts, strict=True):
        if count:
            bucket.inc(count)


class Metrics:
    """The service's metrics; one per app (one per worker under gunicorn)."""

    def __init__(self) -> None:
        self.multiprocess = multiprocess_mode()
        # In multiprocess mode the values live in files and a scrape reads them
        # all; registering in a registry would only report this worker's.
        own = None if self.multiprocess else CollectorRegistry(auto_describe=True)
        self._registry = own
        counter = partial(Counter, registry=own)
        histogram = partial(Histogram, registry=own)
        # Live gauges: a dead worker's values drop out of the sum.
        live_gauge = partial(Gauge, multiprocess_mode="livesum", registry=own)
        self.frames = counter(
            "nevr_events_frames_total", "Stream messages answered, by outcome.", ["outcome"]
        )
        self.rate_limited = counter(
            "nevr_events_rate_limited_total",
            "Stream messages refused by MAX_STREAM_HZ (also counted as rejected).",
        )
        self.batch_size = histogram(
            "nevr_events_batch_size",
            "Frames per database insert (group commit).",
            buckets=_BATCH_BUCKETS,
        )
        self.store_write_seconds = histogram(
            "nevr_events_store_write_seconds",
            "Time to store one batch, retries included.",
            buckets=_SECONDS_BUCKETS,
        )
        self.reply_seconds = histogram(
            "nevr_events_reply_seconds",
            "Time from receiving a stream message to sending its reply.",
            buckets=_SECONDS_BUCKETS,
        )
        self.streams_active = live_gauge("nevr_events_streams_active", "Open streams, all workers.")
        self.store_errors = counter(
            "nevr_events_store_errors_total",
            "Failed database writes (each failed attempt of a batch counts).",
        )
        self.http_requests = counter(
            "nevr_events_http_requests_total",
            "HTTP requests answered, by route template and status.",
            ["route", "status"],
        )
        # The live view (server/live/hub.py, spectator.py).
        self.subscribers_active = live_gauge(
            "nevr_events_subscribers_active", "Live-view subscribers, all workers."
        )
        self.subscriber_frames = counter(
            "nevr_events_subscriber_frames_total",
            "Frames for live-view subscribers: sent, or dropped from a full queue (slow or "
            "paused subscriber).",
            ["outcome"],
        )
        # AMQP publishing (server/publish/publisher.py); the lag is read at scrape time.
        self.amqp_published = counter(
            "nevr_events_amqp_published_total",
            "AMQP messages sent to the broker (a batch re-sent after a failure counts again).",
        )
        self.amqp_confirmed = counter(
            "nevr_events_amqp_confirmed_total",
            "AMQP messages the broker confirmed (publisher confirms).",
        )
        self.unknown_fields = counter(
            "nevr_events_unknown_fields_total",
            "Fields the schema does not know, kept in stored frames (agents ahead of the "
            "server), by path without list indexes.",
            ["path"],
        )
        # Retention (server/ops/retention.py); the store's size is read at scrape time.
        self.pruned_matches = counter(
            "nevr_events_retention_deleted_matches_total",
            "Whole matches deleted by retention (RETENTION or MAX_STORE_BYTES).",
        )
        self.pruned_frames = counter(
            "nevr_events_retention_deleted_frames_total",
            "Frames of the matches deleted by retention.",
        )
        # Every outcome shows, at 0, from the start.
        self._frames = {outcome: self.frames.labels(outcome) for outcome in OUTCOMES}
        self._subscriber_sent = self.subscriber_frames.labels("sent")
        self._subscriber_dropped = self.subscriber_frames.labels("dropped")

    # Reported by the stream, the writer and the app (the runtime moves `streams_active`).
    def replied(self, replies: Sequence[dict[str, Any]], seconds: Iterable[float]) -> None:
        """A group of replies sent together, and each one's time since its message came.

        In multiprocess mode every increment takes a lock and checks the pid,
        so the counters go up once per outcome per group
        and the histogram once per bucket the group's times fall in
        (:func:`observe_all`); it still counts every reply's time.
        """
        counts: dict[str, int] = {}
        limited = 0
        for reply in replies:
            outcome = reply_outcome(reply)
            counts[outcome] = counts.get(outcome, 0) + 1
            if reply.get("retry_after") is not None:
                limited += 1
        for outcome, count in counts.items():
            self._frames[outcome].inc(count)
        if limited:
            self.rate_limited.inc(limited)
        observe_all(self.reply_seconds, seconds)

    def unknown_field(self, path: str) -> None:
        self.unknown_fields.labels(path).inc()

    def stored_batch(self, size: int, seconds: float) -> None:
        self.batch_size.observe(size)
        self.store_write_seconds.observe(seconds)

    def store_error(self) -> None:
        self.store_errors.inc()

    def subscriber_joined(self) -> None:
        self.subscribers_active.inc()

    def subscriber_left(self) -> None:
        self.subscribers_active.dec()

    def subscriber_frame_sent(self) -> None:
        self._subscriber_sent.inc()

    def subscriber_frame_dropped(self) -> None:
        self._subscriber_dropped.inc()

    def pruned(self, matches: int, frames: int) -> None:
        self.pruned_matches.inc(matches)
        self.pruned_frames.inc(frames)

    def amqp_sent(self, messages: int) -> None:
        self.amqp_published.inc(messages)

    def amqp_confirms(self, messages: int) -> None:
        self.amqp_confirmed.inc(messages)

    def render(self, extra: Iterable[Metric] = ()) -> bytes:
        """The text exposition; ``extra`` adds figures computed at scrape time."""
        if self._registry is not None:
            registry = self._registry
        else:
            registry = CollectorRegistry()
            SettledFilesCollector(registry)
        return generate_latest(_WithExtra(registry, list(extra)))


class _WithExtra:
    """A registry's metrics followed by some computed now (what ``generate_latest`` reads)."""

    def __init__(self, registry: CollectorRegistry, extra: list[Metric]) -> None:
        self.registry = registry
        self.extra = extra

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()
        yield from self.extra


def amqp_lag() -> list[Metric]:
    """``nevr_events_amqp_lag_seconds``, the same figure as /health's ``amqp_lag_seconds``.

    Only the lease holder publishes, so no worker's own gauge would be right on
    every worker: the lag is read from the store (the holder's reported progress
    against the newest stored frame) by whichever worker answers the scrape.
    Left out when AMQP is off or nothing has been reported yet.
    """
    lag = publish.health(current_app.config["SETTINGS"], get_store()).get("amqp_lag_seconds")
    if lag is None:
        return []
    family = GaugeMetricFamily(
        "nevr_events_amqp_lag_seconds",
        "Seconds the AMQP publisher is behind the newest stored frame (as /health).",
    )
    family.add_metric([], lag)
    return [family]


def store_size() -> list[Metric]:
    """``nevr_events_store_bytes``: what ``MAX_STORE_BYTES`` is compared with, read from
    the store at scrape time (the same figure on every worker)."""
    family = GaugeMetricFamily(
        "nevr_events_store_bytes",
        "Bytes the stored frames take (SQLite: the file's pages in use; MongoDB: the "
        "collection's storage size less its free space).",
    )
    family.add_metric([], get_store().store_bytes())
    return [family]


class SettledFilesCollector(prometheus_multiprocess.MultiProcessCollector):
    """Sums the workers' metric files, leaving out one a worker is still creating.

    prometheus-client creates a worker's file empty and sizes it a moment later;
    a scrape that read it in between would fail with a 500. Its figures are all
    zero then, so leaving it out changes nothing.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        super().__init__(registry)  # type: ignore[no-untyped-call]  # prometheus-client's own

    def collect(self) -> Any:
        files = []
        for path in glob.glob(os.path.join(self._path, "*.db")):
            try:
                if os.path.getsize(path) >= 8:  # the header: used bytes and padding
                    files.append(path)
            except OSError:  # removed since the listing (a dead worker's, or a restart)
                continue
        return prometheus_multiprocess.MultiProcessCollector.merge(files, accumulate=True)


def init_app(app: Flask) -> Metrics:
    """The app's metrics, made first: ``create_app`` hands them to whoever reports."""
    metrics = Metrics()
    app.extensions["nevr_events.metrics"] = metrics

    @app.after_request
    def _count_request(response: Response) -> Response:
        # The route template (`/v3/lobby-session-events/<session_id>`), never the raw path;
        # a path no route takes (also one naming no valid session) is "unmatched".
        rule = (
            route_template(request.url_rule.rule) if request.url_rule is not None else "unmatched"
        )
        metrics.http_requests.labels(rule, str(response.status_code)).inc()
        return response

    return metrics


def get_metrics() -> Metrics:
    metrics: Metrics = current_app.extensions["nevr_events.metrics"]
    return metrics


@bp.get("/metrics")
def scrape() -> Response:
    token = current_app.config["SETTINGS"].metrics_token
    if token:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        given = value.strip().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(given, token.encode()):
            raise Unauthorized("this endpoint needs Authorization: Bearer <METRICS_TOKEN>")
    extra: list[Metric] = []
    readers = [store_size]
    if current_app.config["SETTINGS"].amqp_url:
        readers.append(amqp_lag)
    for read in readers:
        try:
            extra += read()
        except Exception as exc:  # e.g. the database did not answer: the rest still goes out
            log.warning("metrics: cannot read %s: %s", read.__name__, type(exc).__name__)
    body = get_metrics().render(extra)
    return Response(body, mimetype=None, content_type=CONTENT_TYPE_LATEST)
