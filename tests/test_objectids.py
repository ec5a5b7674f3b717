"""``new_object_id``: ObjectIds for arriving frames, by bson's recipe without its lock."""

from __future__ import annotations

import itertools
import os
import time
from datetime import UTC, datetime

from bson import ObjectId

from nevr_events.server.ingest.ids import ObjectIdSource, new_object_id


def test_ids_are_objectids_of_now_in_the_order_they_were_made() -> None:
    before = int(time.time())
    ids = [new_object_id() for _ in range(20_000)]
    after = int(time.time())
    assert all(type(oid) is ObjectId for oid in ids)
    assert len(set(ids)) == len(ids)
    stamps = {oid.generation_time for oid in ids}
    assert all(
        datetime.fromtimestamp(before, UTC) <= stamp <= datetime.fromtimestamp(after, UTC)
        for stamp in stamps
    )
    # One process: the same 5 random bytes, a counter that goes up by one (mod 2**24).
    assert {oid.binary[4:9] for oid in ids} == {ids[0].binary[4:9]}
    counters = [int.from_bytes(oid.binary[9:], "big") for oid in ids]
    assert all((b - a) % 2**24 == 1 for a, b in itertools.pairwise(counters))


def test_ids_keep_apart_from_bsons_own_and_from_another_sources() -> None:
    ours, bsons, other = new_object_id(), ObjectId(), ObjectIdSource()()
    assert len({ours.binary[4:9], bsons.binary[4:9], other.binary[4:9]}) == 3


def test_a_forked_child_draws_new_random_bytes() -> None:
    parent = new_object_id().binary[4:9]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its id's random part and leave at once
        try:
            os.write(write, new_object_id().binary[4:9])
        finally:
            os._exit(0)
    os.close(write)
    child = os.read(read, 5)
    os.close(read)
    os.waitpid(pid, 0)
    assert len(child) == 5 and child != parent
    assert new_object_id().binary[4:9] == parent
