"""Settings of the operations and hardening features (AUTH, limits, logs, metrics)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from nevr_events.cli.main import SERVE_FLAGS
from nevr_events.exceptions import ConfigError
from nevr_events.server.config import ENV_VARS, Settings
from tests.support import ROOT

NEW_SETTINGS = (
    "auth",
    "metrics_token",
    "log_format",
    "max_stream_hz",
    "max_streams",
    "stream_idle_timeout",
    "graphql_max_body_bytes",
    "graphql_max_query_bytes",
    "max_header_bytes",
)


def test_defaults_keep_everything_as_it_was() -> None:
    settings = Settings.from_env({})
    assert settings.auth == "jwt" and settings.metrics_token == ""
    assert settings.log_format == "text" and settings.max_stream_hz == 0
    assert settings.max_streams == 1000 and settings.stream_idle_timeout == 300
    assert settings.graphql_max_body_bytes == 1024 * 1024
    assert settings.graphql_max_query_bytes == 100_000 and settings.max_header_bytes == 8190


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "AUTH": "None",
            "LOG_FORMAT": "JSON",
            "MAX_STREAM_HZ": "62.5",
            "MAX_STREAMS": "10",
            "STREAM_IDLE_TIMEOUT": "90s",
            "GRAPHQL_MAX_BODY_BYTES": "64KiB",
            "GRAPHQL_MAX_QUERY_BYTES": "2000",
            "MAX_HEADER_BYTES": "16KiB",
            "METRICS_TOKEN": "m" * 20,
        }
    )
    assert (settings.auth, settings.log_format, settings.max_stream_hz) == ("none", "json", 62.5)
    assert (settings.max_streams, settings.stream_idle_timeout) == (10, 90)
    assert settings.graphql_max_body_bytes == 65536 and settings.max_header_bytes == 16384
    assert settings.graphql_max_query_bytes == 2000
    assert "m" * 20 not in repr(settings)  # a secret, like JWT_SECRET
    assert Settings.from_env({"MAX_STREAM_HZ": "off"}).max_stream_hz == 0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AUTH", "maybe"),
        ("LOG_FORMAT", "xml"),
        ("MAX_STREAM_HZ", "fast"),
        ("MAX_STREAM_HZ", "-3"),
        ("MAX_STREAM_HZ", "inf"),
        ("MAX_STREAMS", "0"),
        ("STREAM_IDLE_TIMEOUT", "never"),
        ("GRAPHQL_MAX_BODY_BYTES", "huge"),
        ("GRAPHQL_MAX_QUERY_BYTES", "0"),
        ("MAX_HEADER_BYTES", "-1"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value, "JWT_SECRET": "s" * 40}).validate()


def test_auth_none_needs_no_secret_but_jwt_still_does() -> None:
    assert Settings.from_env({"AUTH": "none"}).validate().jwt_secret == ""
    with pytest.raises(ConfigError, match="JWT_SECRET is not set"):
        Settings.from_env({}).validate()
    with pytest.raises(ConfigError, match="JWT_SECRET is not set"):
        Settings.from_env({"AUTH": "jwt"}).validate()
    with pytest.raises(ConfigError, match="too short"):
        Settings.from_env({"AUTH": "none", "JWT_SECRET": "short"}).validate()


def test_every_new_setting_has_a_variable_a_readme_row_and_a_flag() -> None:
    readme = (ROOT / "README.md").read_text()
    for attr in NEW_SETTINGS:
        variable = ENV_VARS[attr][0]
        assert re.search(rf"^\| `{variable}` \|", readme, re.MULTILINE), variable
        if attr != "metrics_token":  # a secret stays off the command line, like JWT_SECRET
            assert attr in SERVE_FLAGS, attr


def test_serve_under_auth_none_does_not_ask_for_a_secret() -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("JWT_SECRET", "MONGO_URI")}
    result = subprocess.run(
        [sys.executable, "-m", "nevr_events.cli.main", "serve", "--auth", "none"],
        env={**clean, "SERVER_ADDRESS": "nowhere"},  # stops start-up right after the check
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SERVER_ADDRESS" in result.stderr and "JWT_SECRET" not in result.stderr
