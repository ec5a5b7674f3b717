"""App-level behaviour through Flask's test client (fresh app, fresh database)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from nevr_events import Settings, create_app
from nevr_events.exceptions import ConfigError
from nevr_events.server.auth import mint_token
from nevr_events.server.runtime import close_app
from tests.support import SECRET


def test_every_error_is_json(app: Flask) -> None:
    client = app.test_client()
    missing = client.get("/no-such-route")
    assert missing.status_code == 404 and missing.is_json
    assert missing.get_json()["status"] == 404
    wrong_method = client.post("/health")
    assert wrong_method.status_code == 405 and wrong_method.is_json
    assert "GET" in wrong_method.headers["Allow"]


def test_health_is_open_and_reports_time(app: Flask) -> None:
    body = app.test_client().get("/health").get_json()
    assert body["status"] == "healthy"
    assert body["timestamp"].endswith("Z")


def test_cors_preflight_is_answered(app: Flask) -> None:
    response = app.test_client().options(
        "/lobby-session-events/8380fae5-e20f-4b61-beda-b94e0811244f",
        headers={
            "Origin": "https://stats.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://stats.example")
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()


@pytest.fixture
def build_app() -> Iterator[Callable[[Settings], Flask]]:
    """``create_app`` for a test; every app built is closed afterwards."""
    built: list[Flask] = []

    def build(settings: Settings) -> Flask:
        built.append(create_app(settings))
        return built[-1]

    yield build
    for app in built:
        close_app(app)


def test_cors_origins_are_restricted_when_configured(
    settings: Settings, build_app: Callable[[Settings], Flask]
) -> None:
    app = build_app(settings.replace(cors_origins=("https://ok.example",)))
    client = app.test_client()
    allowed = client.get("/health", headers={"Origin": "https://ok.example"})
    refused = client.get("/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://ok.example"
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_reads_accept_bearer_token(app: Flask) -> None:
    token = mint_token(SECRET, "reader")
    response = app.test_client().get(
        "/lobby-session-events/8380FAE5-E20F-4B61-BEDA-B94E0811244F",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.get_json()["count"] == 0


def test_secret_is_required(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="JWT_SECRET"):
        create_app(settings.replace(jwt_secret=""))


def test_password_in_mongo_uri_is_never_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture, build_app: Callable[[Settings], Flask]
) -> None:
    caplog.set_level(logging.DEBUG)
    build_app(settings.replace(store_url="", mongo_uri="mongodb://admin:hunter2@127.0.0.1:1/"))
    assert "hunter2" not in caplog.text
    assert "admin:***@" in caplog.text
