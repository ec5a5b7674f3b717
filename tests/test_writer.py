"""BatchWriter (group commit) against the real database, and against none at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nevr_events import Settings
from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.ingest.ids import new_object_id
from nevr_events.server.ingest.writer import BatchWriter
from nevr_events.server.store import MongoEventStore, open_store
from nevr_events.testing.ferretdb import free_port

T0 = datetime(2025, 12, 4, 3, 0, tzinfo=UTC)


class Recorder:
    """A ``WriterObserver`` that keeps what the writer reported."""

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.store_errors = 0

    def stored_batch(self, size: int, seconds: float) -> None:
        self.batches.append(size)

    def store_error(self) -> None:
        self.store_errors += 1


def doc(index: int) -> dict:
    return {
        "_id": new_object_id(),  # a re-sent frame gets a new one, as from the stream
        "lobby_session_id": "w-1",
        "user_id": "u",
        "frame_index": index,
        "frame": {"frame_index": index},
        "event_types": [],
        "timestamp": T0 + timedelta(milliseconds=index),
    }


@pytest.mark.both_stores
def test_frames_from_one_burst_share_batches(settings: Settings) -> None:
    store = open_store(settings)
    recorder = Recorder()
    writer = BatchWriter(store, recorder, batch_size=50, batch_wait=0.2)
    results = [writer.submit(store.stored_form(doc(i))) for i in range(120)]
    assert [r.get(timeout=30).status for r in results] == ["stored"] * 120
    # The unique index was made before the first write: a re-sent frame is a duplicate.
    assert writer.submit(store.stored_form(doc(7))).get(timeout=30).status == "duplicate"
    assert writer.close(timeout=10)
    assert sum(recorder.batches) == 121 and len(recorder.batches) <= 5
    assert max(recorder.batches) == 50 and recorder.store_errors == 0
    assert store.count("w-1") == 120
    store.close()


def test_unreachable_database_gives_error_outcomes_not_a_hang() -> None:
    dead = Settings(mongo_uri=f"mongodb://127.0.0.1:{free_port()}/", mongo_timeout=0.3)
    store = MongoEventStore(dead)
    recorder = Recorder()
    writer = BatchWriter(store, recorder, retry_for=0.8)
    outcome = writer.submit(doc(1)).get(timeout=30)
    assert outcome.status == "error"
    assert "database unavailable" in (outcome.error or "")
    assert "resend" in (outcome.error or "")
    assert "127.0.0.1" not in (outcome.error or "")
    assert recorder.batches == [1] and recorder.store_errors >= 1  # each attempt counts
    writer.close(timeout=5)
    store.close()


def test_a_closed_writer_refuses_new_frames() -> None:
    store = MongoEventStore(Settings(mongo_uri=f"mongodb://127.0.0.1:{free_port()}/"))
    writer = BatchWriter(store, Recorder())
    assert writer.close(timeout=5)  # nothing queued, nothing started
    with pytest.raises(StoreUnavailable, match="shutting down"):
        writer.submit(doc(1))
    store.close()
