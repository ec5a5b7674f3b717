"""Group commit: one writer per process batches frames from every connection.

Connections hand documents to ``BatchWriter.submit`` and get an ``AsyncResult``
that resolves to a ``WriteOutcome`` only once the database acknowledged (or
finally refused) the batch holding it. The queue is bounded: when the
database is slower than the agents, ``submit`` blocks, so readers stop
reading and TCP pushes back instead of memory growing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeAlias

import gevent
from gevent.event import AsyncResult
from gevent.queue import Empty, Queue
from pymongo.errors import PyMongoError

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.store import FrameSink, WriteOutcome

log = logging.getLogger(__name__)

Pending: TypeAlias = "tuple[Mapping[str, Any], AsyncResult[WriteOutcome]]"


class WriterObserver(Protocol):
    """What the writer reports (``ops.metrics.Metrics`` counts it)."""

    def stored_batch(self, size: int, seconds: float) -> None:
        """A batch was answered: stored, or finally refused; ``seconds`` include retries."""
        ...

    def store_error(self) -> None:
        """One database attempt failed (each retry counts)."""
        ...


class BatchWriter:
    """Batches documents into ``insert_frames`` calls on one greenlet."""

    def __init__(
        self,
        sink: FrameSink,
        observer: WriterObserver,
        *,
        batch_size: int = 256,
        batch_wait: float = 0.005,
        queue_size: int = 4096,
        retry_for: float = 30.0,
        on_commit: Callable[[Sequence[Mapping[str, Any]]], None] | None = None,
    ) -> None:
        self.sink, self.observer = sink, observer
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self.retry_for = retry_for
        # Told the newly stored documents of each batch once it committed, before the
        # agents' replies (the live notifier: followers on every worker look at once).
        self.on_commit = on_commit
        self._queue: Queue[Pending | None] = Queue(maxsize=queue_size)  # None: stop
        self._greenlet: gevent.Greenlet[[], None] | None = None
        self._closed = False
        self._indexed = False

    def start(self) -> None:
        if self._greenlet is None:
            self._greenlet = gevent.spawn(self._run)

    def submit(self, document: Mapping[str, Any]) -> AsyncResult[WriteOutcome]:
        """Queue one document; blocks while the queue is full (back-pressure)."""
        if self._closed:
            raise StoreUnavailable("server is shutting down")
        self.start()
        result: AsyncResult[WriteOutcome] = AsyncResult()
        self._queue.put((document, result))
        return result

    def close(self, timeout: float | None = None) -> bool:
        """Write everything queued, then stop. True when all was written in time."""
        self._closed = True
        if self._greenlet is None:
            return True
        self._queue.put(None)
        self._greenlet.join(timeout)
        return self._greenlet.dead

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch: list[Pending] = [first]
            stop = self._collect(batch)
            self._write(batch)
            if stop:
                return

    def _collect(self, batch: list[Pending]) -> bool:
        """Fill the batch until it is full or ``batch_wait`` has passed; True on stop."""
        deadline = time.monotonic() + self.batch_wait
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            try:
                item = (
                    self._queue.get(timeout=max(remaining, 0))
                    if remaining > 0
                    else (self._queue.get_nowait())
                )
            except Empty:
                break
            if item is None:
                return True
            batch.append(item)
        return False

    def _write(self, batch: list[Pending]) -> None:
        documents = [document for document, _ in batch]
        started = time.monotonic()
        delay = 0.1
        while True:
            try:
                if not self._indexed:
                    # The unique index must exist before the first write, or a
                    # re-sent frame could be stored twice.
                    self.sink.ensure_indexes()
                    self._indexed = True
                outcomes = self.sink.insert_frames(documents)
                break
            except (StoreUnavailable, PyMongoError) as exc:
                self.observer.store_error()
                # Retrying is safe: the documents keep their _id and the unique
                # index makes a second insert of a stored frame a duplicate.
                reason = (
                    str(exc)
                    if isinstance(exc, StoreUnavailable)
                    else f"database unavailable: {type(exc).__name__}"
                )
                if time.monotonic() - started >= self.retry_for:
                    log.error("batch of %d not stored: %s", len(batch), reason)
                    failed = WriteOutcome(
                        "error", f"{reason}; frame not stored, resend it", retry=True
                    )
                    outcomes = [failed] * len(batch)
                    break
                log.warning("batch of %d waiting for the database: %s", len(batch), reason)
                gevent.sleep(delay)
                delay = min(delay * 2, 2.0)
            except Exception as exc:  # a bug must not leave connections waiting forever
                log.exception("batch of %d failed", len(batch))
                outcomes = [WriteOutcome("error", f"internal error: {type(exc).__name__}")] * len(
                    batch
                )
                break
        self.observer.stored_batch(len(batch), time.monotonic() - started)
        if self.on_commit is not None:
            stored = [d for d, o in zip(documents, outcomes, strict=True) if o.status == "stored"]
            try:
                self.on_commit(stored)
            except Exception:  # a listener's bug must not leave the batch unanswered
                log.exception("post-commit hook failed")
        for (_, result), outcome in zip(batch, outcomes, strict=True):
            result.set(outcome)
