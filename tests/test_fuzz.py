"""The stream under a fuzz of hostile messages while a good agent streams beside it.

A bounded subset runs here; ``bench/fuzz.py`` sends the full 10,000 and records
the figures in BENCHMARKS.md.
"""

from __future__ import annotations

import pytest

from nevr_events.exceptions import InvalidFrame
from nevr_events.server.ops.malloc import pin_mmap_threshold
from nevr_events.wire.fastframe import FastFrameValidator
from tests.fuzzing import (
    MAX_MESSAGE_BYTES,
    GoodAgent,
    HostileAgent,
    hostile_messages,
    rss_bytes,
    worker_pids,
)
from tests.support import LiveServer, new_session_id

FUZZ_MESSAGES = 1200
RSS_SLACK = 20 * 1024 * 1024


def test_hostile_messages_get_replies_and_leave_the_good_agent_alone(
    mongo_uri: str, database_name: str
) -> None:
    live = LiveServer(mongo_uri, database_name, MAX_MESSAGE_BYTES=str(MAX_MESSAGE_BYTES)).start()
    try:
        assert live.process is not None
        workers = worker_pids(live.process.pid)
        # Memory "before" is the steady state: after a warm-up with both agents running.
        good = GoodAgent(live, new_session_id())
        good.start()
        warm = HostileAgent(live).run(hostile_messages(300, seed=7))
        assert not warm.lost, warm.lost[:5]
        rss_before = sum(rss_bytes(pid) for pid in workers)

        result = HostileAgent(live).run(hostile_messages(FUZZ_MESSAGES, seed=20261127))
        good.stop.set()
        good.join(timeout=60)
        rss_after = sum(rss_bytes(pid) for pid in workers)

        assert worker_pids(live.process.pid) == workers, "a worker crashed"
        assert not result.lost, result.lost[:10]
        assert result.sent == FUZZ_MESSAGES == result.replies + result.closes
        assert set(result.kinds) >= {
            "hypothesis envelope",
            "mutated frame (text)",
            "mutated frame (binary)",
            "binary garbage",
            "huge or non-finite number",
            "duplicate keys",
            "deep nesting",
        }, result.kinds
        assert not good.failures, good.failures[:5]
        assert good.sent > 0 and good.acknowledged == good.sent
        stored = live.collection.count_documents({"lobby_session_id": good.session_id.lower()})
        assert stored == good.sent
        assert rss_after - rss_before < RSS_SLACK, (rss_before, rss_after)
    finally:
        live.stop()


def test_deeply_nested_json_is_an_invalid_frame_not_a_crash() -> None:
    # Found by the fuzz: 1,000 nested arrays parse (orjson allows 1,024 levels), but
    # describing the bad value in the error recursed past Python's limit.
    message = '{"frame":{"session":' + "[" * 1000 + "]" * 1000 + "}}"
    with pytest.raises(InvalidFrame, match="nested too deeply"):
        FastFrameValidator().parse(message)


def test_the_malloc_mmap_threshold_can_be_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    # The CI machine runs glibc: the fuzz's flat RSS depends on this taking effect.
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert pin_mmap_threshold()
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert not pin_mmap_threshold()  # the operator's setting wins
