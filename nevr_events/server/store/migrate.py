"""Copy every frame from one store to another: streaming, resumable, verified.

``migrate`` reads the source in ``_id`` order a batch at a time (memory stays
one batch however large the store), inserts each batch into the target with
the target's own ``insert_frames`` (idempotent: a document already there is a
duplicate of its ``_id`` or of the unique frame key), and only then records
how far it got in the target's state (``put_state``). Killed at any point, a
rerun resumes from the last recorded batch; what the killed run had inserted
after it comes back as duplicates, so nothing is doubled. A rerun after a
complete run copies only what arrived in the source since.

Documents written by the Go service may lack our fields; ``normalize`` gives
them what our service writes (docs/operations.md lists the rules).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import bson
from bson import ObjectId

from nevr_events.exceptions import StoreUnavailable
from nevr_events.server.store.base import EventStore
from nevr_events.server.store.mongo import MongoEventStore

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Source ``_id`` kinds, each read in its own keyset order (MongoDB compares values
# of one BSON type only): ours, then the Go service's string ids.
PHASES = ("objectId", "string")


class Progress(Protocol):
    def update(self, n: int) -> object: ...


@dataclass(slots=True)
class MigrateReport:
    copied: int = 0  # inserted by this run
    duplicates: int = 0  # already in the target (a rerun's overlap, or re-sent frames)
    resumed_from: int = 0  # frames earlier runs had recorded


def state_key(source_name: str) -> str:
    """Where the target keeps how far the copy from this source got."""
    return "migrate:" + hashlib.sha256(source_name.encode()).hexdigest()[:16]


def normalize(document: dict[str, Any]) -> dict[str, Any]:
    """A source document as our service stores it.

    - ``_id``: an ObjectId stays; a string of 24 hex digits becomes that ObjectId;
      any other value becomes an ObjectId made from the document (its time from
      ``created_at``, else ``timestamp``; the rest a hash of the old id), the same
      on every run, so a resumed copy recognises what it already copied.
    - ``lobby_session_id`` lower case (the reads look sessions up so).
    - ``created_at``: the ``_id``'s time when it was an ObjectId, else ``timestamp``;
      ``updated_at``: ``created_at``; ``timestamp``: ``created_at``.
    - ``frame_index``: the frame's (0 when protojson left it out); ``event_types``: [].
    """
    doc = dict(document)
    old = doc.get("_id")
    sid = doc.get("lobby_session_id")
    if isinstance(sid, str):
        doc["lobby_session_id"] = sid.lower()
    when = _aware(doc.get("created_at")) or (
        old.generation_time if isinstance(old, ObjectId) else None
    )
    when = when or _aware(doc.get("timestamp")) or EPOCH
    doc.setdefault("created_at", when)
    doc.setdefault("updated_at", doc["created_at"])
    doc.setdefault("timestamp", doc["created_at"])
    frame = doc.get("frame")
    if "frame_index" not in doc and isinstance(frame, dict):
        index = str(frame.get("frame_index", frame.get("frameIndex")) or 0)
        doc["frame_index"] = int(index) if index.isdigit() else 0
    doc.setdefault("event_types", [])
    if not isinstance(old, ObjectId):
        doc["_id"] = _object_id(old, when)
    return doc


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _object_id(old: Any, when: datetime) -> ObjectId:
    if isinstance(old, str) and ObjectId.is_valid(old) and len(old) == 24:
        return ObjectId(old)
    digest = hashlib.sha256(bson.encode({"v": old})).digest()
    seconds = max(int(when.timestamp()), 0).to_bytes(4, "big")
    return ObjectId(seconds + digest[:8])


def source_batches(
    source: EventStore, resume: dict[str, Any], batch: int
) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Batches of the source's documents in keyset order, each with the position after it."""
    phase = resume.get("phase", PHASES[0])
    after = resume.get("after")
    if not isinstance(source, MongoEventStore):
        # Our stores hold ObjectId ids only.
        position = ObjectId(after) if after and phase == PHASES[0] else None
        while docs := source.arrivals(EPOCH, after_id=position, limit=batch):
            position = docs[-1]["_id"]
            yield docs, {"phase": PHASES[0], "after": str(position)}
        return
    for kind in PHASES[PHASES.index(phase) :]:
        last: Any = after if kind == phase else None
        if last is not None and kind == PHASES[0]:
            last = ObjectId(last)
        while True:
            query: dict[str, Any] = {"_id": {"$type": kind}}
            if last is not None:
                query["_id"]["$gt"] = last
            docs = list(source.collection.find(query).sort("_id", 1).limit(batch))
            if not docs:
                break
            last = docs[-1]["_id"]
            yield docs, {"phase": kind, "after": str(last)}


def migrate(
    source: EventStore,
    target: EventStore,
    *,
    source_name: str,
    batch: int = 500,
    restart: bool = False,
    progress: Progress | None = None,
) -> MigrateReport:
    """Copy every source frame into the target (see the module's doc); ``compare``
    verifies the result."""
    target.ensure_indexes()
    key = state_key(source_name)
    resume = {} if restart else (target.get_state(key) or {})
    report = MigrateReport(resumed_from=int(resume.get("copied", 0)))
    done = report.resumed_from
    if progress is not None and done:
        progress.update(done)
    for docs, position in source_batches(source, resume, batch):
        outcomes = target.insert_frames([normalize(doc) for doc in docs])
        errors = [o.error for o in outcomes if o.status == "error"]
        if errors:
            raise StoreUnavailable(f"the target refused a frame: {errors[0]}")
        stored = sum(o.status == "stored" for o in outcomes)
        report.copied += stored
        report.duplicates += len(outcomes) - stored
        done += len(docs)
        target.put_state(key, {**position, "copied": done, "at": datetime.now(UTC).isoformat()})
        if progress is not None:
            progress.update(len(docs))
    return report


def compare(source: EventStore, target: EventStore) -> tuple[list[tuple[str, int, int]], int]:
    """Sessions whose frame counts differ (session, source, target), and how many sessions."""
    counts: dict[str, int] = {}
    for sid, count in source.session_counts().items():
        counts[sid.lower()] = counts.get(sid.lower(), 0) + count
    have = target.session_counts()
    wrong = [(sid, n, have.get(sid, 0)) for sid, n in sorted(counts.items()) if have.get(sid) != n]
    return wrong, len(counts)
