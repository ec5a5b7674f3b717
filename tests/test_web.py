"""The web layer every blueprint shares: one JSON encoding, one session-id converter,
one limit and cursor parser."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
import websocket
from bson import ObjectId
from flask import Flask, jsonify, request
from werkzeug.exceptions import BadRequest

from nevr_events.server import web
from nevr_events.server.auth import mint_token
from nevr_events.server.graphql.resolvers import UserError
from tests.support import SECRET, LiveServer

SID = "8380fae5-e20f-4b61-beda-b94e0811244f"


def test_to_json_writes_times_ids_and_keys_as_every_answer_does() -> None:
    oid = ObjectId("65f0c0ffee0000000000abcd")
    body = {
        "z": datetime(2025, 12, 4, 3, 38, 22, 60123, tzinfo=UTC),
        "a": oid,
        "naive": datetime(2025, 12, 4, 3, 38, 22),
        "east": datetime(2025, 12, 4, 4, 38, 22, tzinfo=timezone(timedelta(hours=1))),
    }
    assert web.to_json(body) == (
        b'{"z":"2025-12-04T03:38:22.060Z","a":"65f0c0ffee0000000000abcd",'
        b'"naive":"2025-12-04T03:38:22.000Z","east":"2025-12-04T03:38:22.000Z"}'
    )
    with pytest.raises(TypeError):
        web.to_json({"not json": {1, 2}})  # a value of no known form fails, not silently str()


def test_jsonify_and_get_json_go_through_the_provider(app: Flask) -> None:
    stamp = datetime(2025, 12, 4, 3, 38, 22, 60000, tzinfo=UTC)
    with app.test_request_context(json={"b": 1, "a": [1, 2]}):
        assert isinstance(app.json, web.OrjsonProvider)
        assert request.get_json() == {"b": 1, "a": [1, 2]}
        response = jsonify(b=stamp, a=ObjectId("65f0c0ffee0000000000abcd"))
    assert response.mimetype == "application/json"
    assert response.get_data() == b'{"b":"2025-12-04T03:38:22.060Z","a":"65f0c0ffee0000000000abcd"}'


def test_error_answers_go_through_the_provider(app: Flask) -> None:
    response = app.test_client().get("/no-such-route")
    assert response.status_code == 404
    body = orjson.loads(response.get_data())
    assert list(body) == ["error", "status"]  # keys in the order written, not sorted
    assert body["status"] == 404


def test_checked_session_id_is_canonical_or_the_callers_error() -> None:
    assert web.checked_session_id(SID.upper().replace("-", "")) == SID
    with pytest.raises(BadRequest, match="invalid match ID: nope"):
        web.checked_session_id("nope")
    with pytest.raises(UserError, match="invalid match ID: nope"):
        web.checked_session_id("nope", UserError)


def test_the_converter_hands_views_the_canonical_id(app: Flask) -> None:
    token = mint_token(SECRET, "reader")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get(f"/v3/lobby-session-events/{SID.upper()}", headers=headers).get_json()
    assert body["lobby_session_id"] == SID
    refused = client.get("/api/v3/matches/not-a-uuid", headers=headers)
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "invalid match ID: not-a-uuid", "status": 400}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, 20),
        ({"limit": ""}, 20),
        ({"limit": "5"}, 5),
        ({"limit": "0"}, 1),
        ({"limit": "999"}, 100),
    ],
)
def test_limit_parser(args: dict[str, str], expected: int) -> None:
    assert web.parse_limit(args.get("limit"), 20, 100) == expected


def test_limit_parser_refuses_what_is_not_a_number() -> None:
    with pytest.raises(BadRequest, match="limit must be a whole number, got 'ten'"):
        web.parse_limit("ten", 20, 100)


def test_cursor_parser() -> None:
    assert web.parse_cursor(None, int) is None
    assert web.parse_cursor("", int) is None
    assert web.parse_cursor("12", int) == 12
    with pytest.raises(BadRequest, match="cursor is not valid"):
        web.parse_cursor("twelve", int)


def test_bad_id_on_the_live_socket_is_a_json_400_before_the_upgrade(server: LiveServer) -> None:
    auth = [f"Authorization: Bearer {server.token()}"]
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        websocket.create_connection(server.ws_url + "/api/v3/stream/not-a-uuid", header=auth)
    assert info.value.status_code == 400
    assert orjson.loads(info.value.resp_body or b"") == {
        "error": "invalid match ID: not-a-uuid",
        "status": 400,
    }
    # A good id in any form upgrades (the converter gives the view the canonical id).
    ws = websocket.create_connection(
        f"{server.ws_url}/api/v3/stream/{str(uuid.uuid4()).upper()}", header=auth, timeout=10
    )
    ws.close()


def test_route_template_names_variables_without_their_converters(app: Flask) -> None:
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["matches.download"] == "/api/v3/matches/<session_id:match_id>/download"
    assert web.route_template(rules["matches.download"]) == "/api/v3/matches/<match_id>/download"
    assert web.route_template("/v3/graphiql/vendor/<path:filename>") == (
        "/v3/graphiql/vendor/<filename>"
    )
    assert web.route_template("/v3/lobby-session-events/<sid>") == "/v3/lobby-session-events/<sid>"
