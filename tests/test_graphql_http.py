"""The GraphQL API's HTTP rules against a live server: paths, GET, errors, limits, auth."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from nevr_events.wire.api import encode_cursor
from tests.support import LiveServer
from tests.test_graphql import FRAMES, data, gql, stream_session


@pytest.fixture(scope="module")
def session(server: LiveServer) -> str:
    return stream_session(server)


def test_graphql_path_and_get(server: LiveServer, session: str) -> None:
    query = "query Count($id: ID!) { lobbySession(id: $id) { totalEvents } }"
    expected = {"lobbySession": {"totalEvents": FRAMES}}
    assert data(gql(server, query, {"id": session}, path="/v3/graphql")) == expected
    params = {"query": query, "variables": f'{{"id": "{session}"}}', "operationName": "Count"}
    assert data(server.get("/v3/query", params=params)) == expected
    assert data(server.get("/v3/graphql", params=params)) == expected


def test_introspection(server: LiveServer) -> None:
    from graphql import get_introspection_query

    schema = data(gql(server, get_introspection_query(descriptions=True)))["__schema"]
    types = {t["name"]: t for t in schema["types"]}
    assert {"Time", "JSON", "Int64", "LobbySessionStateFrame", "LobbySessionEventEvent"} <= set(
        types
    )
    assert types["LobbySessionEventEvent"]["kind"] == "UNION"
    assert {"PlayerGoal", "RoundStarted"} <= {
        t["name"] for t in types["LobbySessionEventEvent"]["possibleTypes"]
    }
    args = {
        a["name"]: a["defaultValue"]
        for f in types["Query"]["fields"]
        if f["name"] == "sessionEvents"
        for a in f["args"]
    }
    assert args["limit"] == "100" and args["offset"] == "0"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"query": "{ health { status "}, "Syntax Error"),
        ({"query": "{ health { nope } }"}, "Cannot query field 'nope'"),
        ({"query": "query ($id: ID!) { lobbySession(id: $id) { id } }"}, "was not provided"),
        (
            {
                "query": "query ($n: Int) { lobbySessions(first: $n) { totalCount } }",
                "variables": {"n": "x"},
            },
            "Int cannot represent",
        ),
        (
            {"query": "query A { health { status } } query B { health { status } }"},
            "operation name",
        ),
        ({"query": "query A { health { status } }", "operationName": "B"}, "Unknown operation"),
        ({"query": ""}, "query is missing"),
        ({"variables": {}}, "query is missing"),
        ({"query": "{ health { status } }", "variables": [1]}, "variables must be"),
        ({"query": "{ lobbySessions(since: 5) { totalCount } }"}, "Time"),
        ({"query": "mutation { health }"}, "does not support mutations"),
    ],
)
def test_request_errors_are_400(server: LiveServer, body: dict[str, Any], message: str) -> None:
    response = requests.post(server.url + "/v3/query", json=body, headers=server.auth(), timeout=30)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert "data" not in response.json()
    assert any(message.lower() in e["message"].lower() for e in errors), errors


def test_an_unsupported_operation_is_one_error_at_the_operation(server: LiveServer) -> None:
    body = {"query": "query Q { health { status } }\nmutation M { health }", "operationName": "M"}
    response = requests.post(server.url + "/v3/query", json=body, headers=server.auth(), timeout=30)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "message": "this schema does not support mutations",
            "locations": [{"line": 2, "column": 1}],
        }
    ]


def test_unreadable_bodies_are_400(server: LiveServer) -> None:
    for payload, ctype in [
        ("{not json", "application/json"),
        ("[1]", "application/json"),
        ("{ health { status } }", "text/plain"),
    ]:
        response = requests.post(
            server.url + "/v3/query",
            data=payload,
            headers={**server.auth(), "Content-Type": ctype},
            timeout=30,
        )
        assert response.status_code == 400, payload
        assert response.json()["errors"][0]["message"]


def test_limits(server: LiveServer, session: str) -> None:
    deep = "{ health { " + "status " + "} }"
    nested = '__type(name: "Query") { fields { type { ' + "ofType { " * 20 + "name" + " }" * 23
    response = gql(server, "{ " + nested + " }")
    assert response.status_code == 400
    assert "too deep" in response.json()["errors"][0]["message"]
    aliases = " ".join(f"a{i}: health {{ status }}" for i in range(600))
    response = gql(server, "{ " + aliases + " }")
    assert response.status_code == 400
    assert "too many fields" in response.json()["errors"][0]["message"]
    costly = """{ lobbySessions(first: 100) { edges { node { events(first: 1000) {
        edges { node { frameIndex } } } } } } }"""
    response = gql(server, costly)
    assert response.status_code == 400
    assert "more than" in response.json()["errors"][0]["message"]
    assert gql(server, deep).status_code == 200
    # Through a fragment too; a frame's own `events` field is no paged connection.
    spread = """{ lobbySessions(first: 100) { ...Page } }
      fragment Page on LobbySessionConnection { edges { node { ... on LobbySession {
        events(limit: 1000) { totalCount } } } } }"""
    assert "more than" in gql(server, spread).json()["errors"][0]["message"]
    frames = """query ($id: ID!) { sessionEvents(lobbySessionId: $id, first: 1000) {
        edges { node { frame { events { eventType } } } } } }"""
    assert data(gql(server, frames, {"id": session}))["sessionEvents"]["edges"]


def test_field_errors_keep_status_200(server: LiveServer, session: str) -> None:
    query = """query ($id: ID!) { health { status }
      sessionEvents(lobbySessionId: $id, after: "bogus") { totalCount } }"""
    response = gql(server, query, {"id": session})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None  # sessionEvents is non-null: the error reaches the root
    assert "not a valid cursor" in body["errors"][0]["message"]
    query = """query ($id: ID!) { health { status }
      lobbySession(id: $id) { events(offset: 1, after: "x") { totalCount } } }"""
    body = gql(server, query, {"id": session}).json()
    assert body["data"] == {"health": {"status": "healthy"}, "lobbySession": None}
    assert "either offset or after" in body["errors"][0]["message"]
    # A well-formed lobbySessions cursor whose session id is not a UUID: a field
    # error naming the cursor, not an internal error.
    forged = encode_cursor({"s": "not-a-uuid"})
    query = """query ($after: String) { lobbySessions(after: $after) { totalCount } }"""
    body = gql(server, query, {"after": forged}).json()
    assert "not a valid lobbySessions cursor" in body["errors"][0]["message"]


@pytest.mark.parametrize("path", ["/v3/query", "/v3/graphql"])
def test_token_required(server: LiveServer, path: str) -> None:
    body = {"query": "{ health { status } }"}
    response = requests.post(server.url + path, json=body, timeout=30)
    assert response.status_code == 401
    assert "missing token" in response.json()["error"]
    bad = {"Authorization": "Bearer " + server.token()[:-3] + "abc"}
    assert requests.post(server.url + path, json=body, headers=bad, timeout=30).status_code == 401
    response = requests.get(server.url + path, params={**body, "token": server.token()}, timeout=30)
    assert response.status_code == 200
    assert response.json() == {"data": {"health": {"status": "healthy"}}}


@pytest.mark.parametrize("path", ["/v3/playground", "/v3/graphiql"])
def test_ide_page_is_offline_and_open(server: LiveServer, path: str) -> None:
    response = requests.get(server.url + path, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert "connect-src 'self'" in csp
    page = response.text
    assert "http://" not in page and "https://" not in page
    # Every script is a same-origin file: no inline code.
    assert page.count("<script") == page.count('<script src="/v3/graphiql/') == 4
    for src in re.findall(r'(?:src|href)="(/v3/graphiql/[^"]+)"', page):
        asset = requests.get(server.url + src, timeout=30)
        assert asset.status_code == 200, src
        cache = asset.headers["Cache-Control"]
        if "/vendor/" in src:
            assert cache == "public, max-age=31536000, immutable", src
        else:
            assert cache == "no-cache", src


def test_vendor_files_stay_in_their_folder(server: LiveServer) -> None:
    for path in ("/v3/graphiql/vendor/%2e%2e/ide.html", "/v3/graphiql/vendor/..%2fide.js"):
        assert requests.get(server.url + path, timeout=30).status_code == 404
