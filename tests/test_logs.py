"""LOG_FORMAT=json, request ids, and no secret in the logs of either format."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import jwt
import pytest
import requests
import websocket

from nevr_events.server.auth import mint_token
from tests.support import (
    SECRET,
    LiveServer,
    envelope,
    make_frame,
    new_session_id,
    send_frames,
    wait_until,
)

METRICS_TOKEN = "metrics-secret-" + uuid.uuid4().hex
MONGO_PASSWORD = "mongo-password-" + uuid.uuid4().hex


def uri_with_password(mongo_uri: str) -> str:
    """The test FerretDB takes any user and password over PLAIN: give the URI one."""
    if "@" in mongo_uri or os.environ.get("MONGO_URI"):
        return mongo_uri  # a real MongoDB: its own credentials, if any, are checked below
    base = mongo_uri.replace("mongodb://", f"mongodb://logs:{MONGO_PASSWORD}@", 1)
    return base.rstrip("/") + "/?authMechanism=PLAIN"


@pytest.fixture(scope="module", params=["text", "json"])
def logged_server(
    request: pytest.FixtureRequest, mongo_uri: str, _databases: list[str]
) -> Iterator[LiveServer]:
    name = f"nevr_logs_{uuid.uuid4().hex[:12]}"
    _databases.append(name)
    live = LiveServer(
        uri_with_password(mongo_uri), name, LOG_FORMAT=request.param, METRICS_TOKEN=METRICS_TOKEN
    ).start()
    yield live
    live.stop()


def use_every_auth_path(server: LiveServer) -> list[str]:
    """Drive every way a secret can reach the server; returns the secrets used."""
    sid = new_session_id()
    good = server.token("log-agent")
    in_query = server.token("query-agent")
    expired = mint_token(SECRET, "late", ttl=-60)
    forged = mint_token("another-secret-" + "y" * 40, "forger")
    unsigned = jwt.encode({"sub": "none-alg"}, None, algorithm="none")
    ws = server.connect(good, headers=["X-Node-ID: log-node"])
    assert send_frames(ws, [envelope(make_frame(sid, 0))])[0]["stored"]
    ws.close()
    ws = websocket.create_connection(f"{server.ws_url}/ws?token={in_query}", timeout=20)
    assert send_frames(ws, [envelope(make_frame(sid, 1))])[0]["stored"]
    ws.close()
    for bad in (expired, forged, unsigned):
        with pytest.raises(websocket.WebSocketBadStatusException):
            server.connect(bad)
        assert server.get(f"/v3/lobby-session-events/{sid}?token={bad}", headers={}).status_code
        assert server.get(f"/v3/lobby-session-events/{sid}", headers=_bearer(bad)).status_code
    assert server.get(f"/lobby-session-events/{sid}?token={in_query}", headers={}).ok
    assert server.get(f"/v3/lobby-session-events/{sid}", headers=_bearer(good)).ok
    query = "{ __typename }"
    assert server.get(f"/v3/query?query={query}&token={in_query}", headers={}).ok
    graphql = requests.post(
        server.url + "/v3/query", json={"query": query}, headers=_bearer(good), timeout=10
    )
    assert graphql.ok
    assert requests.get(server.url + "/metrics", headers=_bearer(METRICS_TOKEN), timeout=10).ok
    wrong = requests.get(server.url + "/metrics", headers=_bearer(METRICS_TOKEN + "x"), timeout=10)
    assert wrong.status_code == 401
    password = urlsplit(server.mongo_uri).password
    return [SECRET, METRICS_TOKEN, good, in_query, expired, forged, unsigned, *[password or ""]]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_secret_in_the_logs(logged_server: LiveServer) -> None:
    secrets = use_every_auth_path(logged_server)
    time.sleep(0.5)  # let the access lines of the last requests reach the file
    logs = logged_server.logs()
    assert "stream opened" in logs and "/v3/lobby-session-events/" in logs
    assert MONGO_PASSWORD in secrets or os.environ.get("MONGO_URI")
    assert "logs:***@" in logs or os.environ.get("MONGO_URI")  # the URI is logged, masked
    for secret in filter(None, secrets):
        assert secret not in logs
        signature = secret.rpartition(".")[2]  # a JWT's signature; the whole of other secrets
        assert not signature or signature not in logs


@pytest.mark.parametrize("logged_server", ["json"], indirect=True)
def test_json_logs_parse_line_by_line(logged_server: LiveServer) -> None:
    sid = new_session_id()
    ws = logged_server.connect(logged_server.token("json-agent"), headers=["X-Node-ID: n-json"])
    send_frames(ws, [envelope(make_frame(sid, 0)), "{bad"])
    ws.close()
    rid = "test-" + uuid.uuid4().hex
    response = logged_server.get("/health", headers={"X-Request-ID": rid})
    assert response.headers["X-Request-ID"] == rid
    time.sleep(0.5)
    entries = [json.loads(line) for line in logged_server.logs().splitlines() if line.strip()]
    assert entries and all(isinstance(e, dict) for e in entries)
    for entry in entries:
        assert {"ts", "level", "logger", "msg"} <= set(entry), entry
    closed = [e for e in entries if e["msg"].startswith("stream closed") and e["node"] == "n-json"]
    assert closed and closed[0]["user"] == "json-agent"
    assert closed[0]["counts"] == {"stored": 1, "duplicate": 0, "skipped": 0, "rejected": 1}
    access = [e for e in entries if e.get("request_id") == rid and e["logger"] == "gunicorn.access"]
    assert access and access[0]["path"] == "/health" and access[0]["status"] == 200


def test_every_response_has_a_request_id(logged_server: LiveServer) -> None:
    ids = set()
    for path in ("/health", "/no/such/route", "/v3/lobby-session-events/x"):
        response = requests.get(logged_server.url + path, timeout=10)
        ids.add(response.headers["X-Request-ID"])
    assert len(ids) == 3 and all(ids)
    # Each access line, text or JSON, carries the id of its response.
    assert wait_until(lambda: all(i in logged_server.logs() for i in ids))
    # A header that is not a plain short id is replaced, not echoed.
    odd = requests.get(
        logged_server.url + "/health", headers={"X-Request-ID": "a b\tc" + "d" * 300}, timeout=10
    )
    assert odd.headers["X-Request-ID"] != "a b\tc" + "d" * 300
