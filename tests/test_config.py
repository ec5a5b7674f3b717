"""Settings parsing, and how `nevr-events serve` refuses bad configuration."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nevr_events.exceptions import ConfigError
from nevr_events.server.config import Settings, redact_uri


def test_defaults_match_the_reference() -> None:
    settings = Settings.from_env({})
    assert settings.mongo_uri == "mongodb://localhost:27017"
    assert settings.server_address == ":8081" and settings.bind == "0.0.0.0:8081"
    assert (settings.database_name, settings.collection_name) == ("nakama", "session_events")
    assert settings.max_message_bytes == 10 * 1024 * 1024
    assert settings.cors_origins == ("*",)


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "MONGO_TIMEOUT": "500ms",
            "SERVER_TIMEOUT": "2m",
            "MAX_MESSAGE_BYTES": "1MiB",
            "CORS_ORIGINS": "https://a.example, https://b.example",
            "SERVER_ADDRESS": "[::1]:9000",
        }
    )
    assert settings.mongo_timeout == 0.5 and settings.server_timeout == 120
    assert settings.max_message_bytes == 1024 * 1024
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.bind == "[::1]:9000"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MONGO_TIMEOUT", "soon"),
        ("SERVER_TIMEOUT", "-1s"),
        ("MAX_MESSAGE_BYTES", "big"),
        ("SERVER_ADDRESS", "8081"),
        ("WORKERS", "0"),
        ("LOG_LEVEL", "loud"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value}).validate()


def test_redact_uri_hides_passwords() -> None:
    assert (
        redact_uri("mongodb://u:secret@h1:1,h2:2/db?tls=true")
        == "mongodb://u:***@h1:1,h2:2/db?tls=true"
    )
    assert redact_uri("mongodb://localhost:27017") == "mongodb://localhost:27017"


def _serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("JWT_SECRET", "MONGO_URI")}
    return subprocess.run(
        [sys.executable, "-m", "nevr_events.cli.main", "serve", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_refuses_to_start_without_secret() -> None:
    result = _serve({})
    assert result.returncode != 0
    assert "JWT_SECRET is not set" in result.stderr
    assert "--dev" in result.stderr


def test_serve_refuses_bad_value_naming_the_variable() -> None:
    result = _serve({"JWT_SECRET": "s" * 40, "MONGO_TIMEOUT": "whenever"})
    assert result.returncode != 0
    assert "MONGO_TIMEOUT" in result.stderr


def test_serve_flag_is_checked_like_its_variable() -> None:
    result = _serve({"JWT_SECRET": "s" * 40}, "--address", "nowhere")
    assert result.returncode != 0
    assert "SERVER_ADDRESS" in result.stderr
