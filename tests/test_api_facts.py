"""nevr_events.wire.api: the facts both sides share, stated once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest

from nevr_events.wire import api


def test_format_time_is_utc_milliseconds_with_z() -> None:
    stamp = datetime(2025, 12, 4, 3, 38, 22, 60_123, tzinfo=UTC)
    assert api.format_time(stamp) == "2025-12-04T03:38:22.060Z"
    plus_two = stamp.astimezone(timezone(timedelta(hours=2)))
    assert api.format_time(plus_two) == "2025-12-04T03:38:22.060Z"
    assert api.format_time(stamp.replace(tzinfo=None)) == "2025-12-04T03:38:22.060Z"
    assert api.format_time(stamp.replace(microsecond=0)) == "2025-12-04T03:38:22.000Z"


@pytest.mark.parametrize(
    ("requested", "expected"), [(None, 100), (0, 1), (-5, 1), (1, 1), (1000, 1000), (10**9, 1000)]
)
def test_page_size_defaults_and_clamps(requested: int | None, expected: int) -> None:
    assert api.page_size(requested, api.EVENTS_PAGE_DEFAULT, api.EVENTS_PAGE_MAX) == expected


def test_cursor_round_trips_and_refuses_anything_else() -> None:
    token = api.encode_cursor({"s": "8380fae5-e20f-4b61-beda-b94e0811244f"})
    assert "=" not in token
    assert api.decode_cursor(token) == {"s": "8380fae5-e20f-4b61-beda-b94e0811244f"}
    for bad in ("bogus!", "", "WzEsMl0", "bm90IGpzb24"):  # not base64, empty, a list, not JSON
        with pytest.raises(ValueError, match="invalid cursor"):
            api.decode_cursor(bad)


def test_legacy_json_counts_what_it_wrote_whatever_the_chunking() -> None:
    events = [api.legacy_event("sid", f"user-{i}", {"frame_index": i}) for i in range(50)]
    whole = b"".join(api.legacy_json("sid", iter(events)))
    small_chunks = list(api.legacy_json("sid", iter(events), chunk_bytes=64))
    assert len(small_chunks) > 10 and b"".join(small_chunks) == whole
    assert orjson.loads(whole) == {"lobby_session_id": "sid", "events": events, "count": 50}
    assert orjson.loads(b"".join(api.legacy_json("sid", iter(())))) == {
        "lobby_session_id": "sid",
        "events": [],
        "count": 0,
    }


def test_ndjson_chunks_is_one_event_per_line() -> None:
    events = [api.legacy_event("sid", None, {"frame_index": i}) for i in range(5)]
    text = b"".join(api.ndjson_chunks(iter(events), chunk_bytes=10))
    assert [orjson.loads(line) for line in text.splitlines()] == events
    assert list(api.ndjson_chunks(iter(()))) == []
