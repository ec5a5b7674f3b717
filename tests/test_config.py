"""Settings parsing, and how `nevr-events serve` refuses bad configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from nevr_events.exceptions import ConfigError
from nevr_events.server.config import Settings, default_store_url, redact_uri
from nevr_events.server.store import MongoEventStore, SqliteEventStore, open_store, sqlite_path


def test_defaults_match_the_reference_but_the_store() -> None:
    settings = Settings.from_env({})
    # Deviation from the Go service (mongodb://localhost:27017): the embedded store.
    assert settings.store_url == settings.mongo_uri == ""
    assert settings.resolved_store_url == default_store_url()
    assert settings.resolved_store_url.startswith("sqlite:////")
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


def test_default_store_file_follows_xdg_data_home() -> None:
    assert (
        default_store_url({"XDG_DATA_HOME": "/data/x"}) == "sqlite:////data/x/nevr-events/events.db"
    )
    home = os.path.expanduser("~")
    assert default_store_url({}) == f"sqlite:///{home}/.local/share/nevr-events/events.db"


@pytest.mark.parametrize(
    ("env", "url", "kind"),
    [
        ({}, default_store_url(), SqliteEventStore),
        ({"MONGO_URI": "mongodb://m:1"}, "mongodb://m:1", MongoEventStore),
        ({"STORE_URL": "mongodb+srv://c.example/x"}, "mongodb+srv://c.example/x", MongoEventStore),
        (
            {"STORE_URL": "sqlite:///rel/x.db", "MONGO_URI": "mongodb://m:1"},
            "sqlite:///rel/x.db",
            SqliteEventStore,
        ),
        ({"STORE_URL": "sqlite:////abs/x.db"}, "sqlite:////abs/x.db", SqliteEventStore),
    ],
)
def test_store_url_chooses_the_store(env: dict[str, str], url: str, kind: type) -> None:
    settings = Settings.from_env({**env, "JWT_SECRET": "s" * 40}).validate()
    assert settings.resolved_store_url == url
    store = open_store(settings)
    try:
        assert isinstance(store, kind)
    finally:
        store.close()


def test_sqlite_urls_name_relative_and_absolute_files() -> None:
    assert sqlite_path("sqlite:///rel/x.db") == "rel/x.db"
    assert sqlite_path("sqlite:////abs/x.db") == "/abs/x.db"


@pytest.mark.parametrize("url", ["postgres://x", "sqlite://x.db", "sqlite:x.db", "/tmp/x.db"])
def test_unknown_store_url_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="STORE_URL"):
        Settings(store_url=url, jwt_secret="s" * 40).validate()


def test_redact_uri_hides_passwords() -> None:
    assert (
        redact_uri("mongodb://u:secret@h1:1,h2:2/db?tls=true")
        == "mongodb://u:***@h1:1,h2:2/db?tls=true"
    )
    assert redact_uri("mongodb://localhost:27017") == "mongodb://localhost:27017"


def _serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("JWT_SECRET", "MONGO_URI", "STORE_URL")
    }
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


# -- JWT_SECRET_FILE (Docker and Kubernetes secrets) ------------------------------------------


def test_secret_is_read_from_jwt_secret_file(tmp_path: Path) -> None:
    from nevr_events import Settings as PublicSettings

    secret_file = tmp_path / "jwt_secret"
    secret_file.write_text("f" * 40 + "\n")  # as `echo ... > file` and secret stores write it
    settings = PublicSettings.from_env({"JWT_SECRET_FILE": str(secret_file)}).validate()
    assert settings.jwt_secret == "f" * 40
    secret_file.write_text(" inner spaces kept " + "x" * 20 + "\r\n")
    assert PublicSettings.from_env({"JWT_SECRET_FILE": str(secret_file)}).jwt_secret == (
        " inner spaces kept " + "x" * 20
    )


def test_jwt_secret_file_problems_are_config_errors(tmp_path: Path) -> None:
    from nevr_events import ConfigError as PublicConfigError
    from nevr_events import Settings as PublicSettings

    secret_file = tmp_path / "jwt_secret"
    secret_file.write_text("f" * 40)
    with pytest.raises(PublicConfigError, match="JWT_SECRET and JWT_SECRET_FILE are both set"):
        PublicSettings.from_env({"JWT_SECRET": "s" * 40, "JWT_SECRET_FILE": str(secret_file)})
    with pytest.raises(PublicConfigError, match=r"JWT_SECRET_FILE='/nowhere/secret': cannot read"):
        PublicSettings.from_env({"JWT_SECRET_FILE": "/nowhere/secret"})
    with pytest.raises(PublicConfigError, match=r"JWT_SECRET_FILE=.*: cannot read"):
        PublicSettings.from_env({"JWT_SECRET_FILE": str(tmp_path)})  # a folder
    secret_file.write_text("\n")
    with pytest.raises(PublicConfigError, match=r"JWT_SECRET_FILE=.*: the file is empty"):
        PublicSettings.from_env({"JWT_SECRET_FILE": str(secret_file)})
    secret_file.write_text("short\n")  # the file's secret is checked like JWT_SECRET's
    with pytest.raises(PublicConfigError, match="JWT_SECRET is too short"):
        PublicSettings.from_env({"JWT_SECRET_FILE": str(secret_file)}).validate()
    # An empty JWT_SECRET counts as unset, as for every variable.
    secret_file.write_text("f" * 40)
    env = {"JWT_SECRET": "", "JWT_SECRET_FILE": str(secret_file)}
    assert PublicSettings.from_env(env).jwt_secret == "f" * 40


def test_serve_and_token_take_jwt_secret_file(tmp_path: Path) -> None:
    unreadable = _serve({"JWT_SECRET_FILE": str(tmp_path / "missing")})
    assert unreadable.returncode == 2
    assert "JWT_SECRET_FILE=" in unreadable.stderr and "cannot read it" in unreadable.stderr
    assert "Traceback" not in unreadable.stderr
    secret_file = tmp_path / "jwt_secret"
    secret_file.write_text("t" * 40 + "\n")
    env = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"}
    minted = subprocess.run(
        [sys.executable, "-m", "nevr_events.cli.main", "token", "--sub", "agent-1"],
        env={**env, "JWT_SECRET_FILE": str(secret_file)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert minted.returncode == 0, minted.stderr
    assert jwt.decode(minted.stdout.strip(), "t" * 40, algorithms=["HS256"])["sub"] == "agent-1"
