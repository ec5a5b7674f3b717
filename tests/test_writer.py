"""BatchWriter (group commit) against the real database, and against none at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nevr_events import Settings
from nevr_events.server.ingest.writer import BatchWriter
from nevr_events.server.store import MongoEventStore
from nevr_events.testing.ferretdb import free_port

T0 = datetime(2025, 12, 4, 3, 0, tzinfo=UTC)


def doc(index: int) -> dict:
    return {
        "lobby_session_id": "w-1",
        "user_id": "u",
        "frame_index": index,
        "frame": {"frame_index": index},
        "event_types": [],
        "timestamp": T0 + timedelta(milliseconds=index),
    }


def test_frames_from_one_burst_share_batches(settings: Settings) -> None:
    store = MongoEventStore(settings)
    batches: list[int] = []
    writer = BatchWriter(
        store, batch_size=50, batch_wait=0.2, on_batch=lambda n, _s: batches.append(n)
    )
    results = [writer.submit(doc(i)) for i in range(120)]
    assert [r.get(timeout=30).status for r in results] == ["stored"] * 120
    assert writer.close(timeout=10)
    assert sum(batches) == 120 and len(batches) <= 4 and max(batches) == 50
    assert store.count("w-1") == 120
    assert "frame_unique" in store.collection.index_information()
    store.close()


def test_unreachable_database_gives_error_outcomes_not_a_hang(settings: Settings) -> None:
    dead = settings.replace(mongo_uri=f"mongodb://127.0.0.1:{free_port()}/", mongo_timeout=0.3)
    store = MongoEventStore(dead)
    writer = BatchWriter(store, retry_for=0.8)
    outcome = writer.submit(doc(1)).get(timeout=30)
    assert outcome.status == "error"
    assert "database unavailable" in (outcome.error or "")
    assert "resend" in (outcome.error or "")
    assert "127.0.0.1" not in (outcome.error or "")
    writer.close(timeout=5)
    store.close()
