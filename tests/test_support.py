"""The shared test support (nevr_events.testing) keeps one database client per live server."""

from __future__ import annotations

from nevr_events.testing.frames import build_frame, make_frame
from nevr_events.testing.live import LiveServer


def test_collection_reuses_one_client_until_stop(mongo_uri: str, database_name: str) -> None:
    live = LiveServer(mongo_uri, database_name)  # not started: only the client is looked at
    first = live.collection.database.client
    assert live.collection.database.client is first
    live.collection.insert_one({"probe": 1})
    assert live.collection.count_documents({}) == 1
    live.stop()
    assert live.collection.database.client is not first  # the old one was closed
    live.stop()


def test_frame_builders_use_the_real_sample() -> None:
    frame = make_frame("8380FAE5-E20F-4B61-BEDA-B94E0811244F", 3)
    assert frame["session"]["sessionid"] == "8380FAE5-E20F-4B61-BEDA-B94E0811244F"
    assert frame["timestamp"] == "2025-12-04T03:00:00.099Z"
    players = build_frame(n_players=10)["session"]["teams"]
    assert [len(team["players"]) for team in players[:2]] == [5, 5]
