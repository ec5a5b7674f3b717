"""Typed service settings read from the environment (some also `serve` flags: cli/main.py)."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from nevr_events.exceptions import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(name: str, value: str) -> float:
    """Seconds from ``"10"``, ``"10s"``, ``"500ms"``, ``"2m"`` or ``"1h"``."""
    match = _DURATION.match(value)
    if not match or float(match.group(1)) <= 0:
        raise ConfigError(
            f"{name}={value!r}: expected a positive duration such as 10s, 500ms or 2m"
        )
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_size(name: str, value: str) -> int:
    """Bytes from ``"10485760"``, ``"512KiB"`` or ``"10MiB"``."""
    match = re.match(r"^\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*$", value, re.IGNORECASE)
    if not match or int(match.group(1)) <= 0:
        raise ConfigError(f"{name}={value!r}: expected a positive size in bytes, e.g. 10MiB")
    scale = {"b": 1, "kib": 1024, "mib": 1024**2, "gib": 1024**3}[(match.group(2) or "b").lower()]
    return int(match.group(1)) * scale


def parse_address(name: str, value: str) -> tuple[str, int]:
    """``(host, port)`` from ``":8081"``, ``"127.0.0.1:8081"`` or ``"[::1]:8081"``."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{name}={value!r}: expected HOST:PORT or :PORT, e.g. :8081")
    return (host.strip("[]") or "0.0.0.0", int(port))


def parse_positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ConfigError(f"{name}={value!r}: expected a positive whole number")
    return number


def redact_uri(uri: str) -> str:
    """The URI with any password replaced by ``***``, safe to log."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unparseable URI>"
    if "@" not in parts.netloc:
        return uri
    userinfo, _, hosts = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hosts}"))


MONGO_SCHEMES = ("mongodb://", "mongodb+srv://")
SQLITE_SCHEME = "sqlite:///"


def default_store_url(environ: Mapping[str, str] | None = None) -> str:
    """The embedded store's file: ``$XDG_DATA_HOME/nevr-events/events.db``
    (``~/.local/share/nevr-events/events.db`` when ``XDG_DATA_HOME`` is unset)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return SQLITE_SCHEME + os.path.join(os.path.abspath(base), "nevr-events", "events.db")


AUTH_NONE_WARNING = (
    "AUTH=none: streams and reads are accepted WITHOUT a token; "
    "run like this only on a closed network"
)


# The server's folder of workers' notify sockets (``server.live.notify``): made by the
# gunicorn master, inherited by its workers.
NOTIFY_DIR_ENV = "NEVR_EVENTS_NOTIFY_DIR"


@dataclass(frozen=True)
class Settings:
    """Every knob of the service, with the defaults of the reference service."""

    # Where frames go: sqlite:///path.db or mongodb://…; empty: MONGO_URI, else the
    # embedded store at default_store_url() (see resolved_store_url).
    store_url: str = ""
    mongo_uri: str = ""
    server_address: str = ":8081"
    database_name: str = "nakama"
    collection_name: str = "session_events"
    mongo_timeout: float = 10.0
    server_timeout: float = 30.0
    jwt_secret: str = field(default="", repr=False)
    cors_origins: tuple[str, ...] = ("*",)
    max_message_bytes: int = 10 * 1024 * 1024
    # Group commit: one insert_many per batch, from all connections of a worker.
    batch_size: int = 256
    batch_wait: float = 0.005
    # Frames waiting for the writer (per worker) before readers are made to wait.
    queue_size: int = 4096
    # Frames of one connection received but not yet answered before it stops reading.
    max_in_flight: int = 1024
    ping_interval: float = 25.0
    workers: int = 1
    log_level: str = "info"
    # Operations and hardening (see docs/operations.md).
    auth: str = "jwt"  # "none": no token needed, for closed networks only
    metrics_token: str = field(default="", repr=False)
    log_format: str = "text"
    max_stream_hz: float = 0.0  # messages per second per stream; 0 is off
    max_streams: int = 1000  # open streams per worker before new ones get 503
    stream_idle_timeout: float = 300.0  # a stream silent this long is closed (1001)
    graphql_max_body_bytes: int = 1024 * 1024
    graphql_max_query_bytes: int = 100_000
    max_header_bytes: int = 8190
    # Live view: a session is live while a frame arrived within this window.
    live_window: float = 30.0
    # Highest frame rate a live subscriber may ask for.
    max_subscriber_fps: int = 60
    # Live subscribers per worker; more are refused with 503.
    max_subscribers: int = 200
    # How often each worker's live hub polls the store: the fallback when no notice
    # comes (another instance on a shared MongoDB, a notice lost).
    live_poll_interval: float = 0.2
    # Live frames wait up to this long to go out in game-time order (``live.order``).
    live_reorder_window: float = 0.04
    # Workers tell each other (and their own hub and publisher) what each batch stored.
    live_notify: bool = True
    # Publishing to RabbitMQ: off unless AMQP_URL is set (see docs/publishing.md).
    amqp_url: str = field(default="", repr=False)
    amqp_exchange: str = "nevr.events"
    amqp_frames: bool = False
    # The one publisher of all workers/instances holds a lease this long; a dead
    # holder is replaced within it.
    amqp_lease: float = 15.0
    # Retention (server/ops/retention.py): 0 is off. Whole matches whose last frame
    # arrived longer ago than `retention` go; past `max_store_bytes` the oldest
    # finished ones go until under.
    retention: float = 0.0
    max_store_bytes: int = 0

    @property
    def bind(self) -> str:
        host, port = parse_address("SERVER_ADDRESS", self.server_address)
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def commit_window(self) -> float:
        """Seconds a stored frame's commit may trail its arrival (its ``_id`` time).

        The writer retries a batch for ``mongo_timeout``, and its last attempt,
        up to a back-off pause later, may itself take ``mongo_timeout``; before
        that the batch filled for ``batch_wait`` and waited behind the one being
        written. The 5 s cover the pause and that wait. Whoever follows the store
        (live hub, publisher) looks back this far, so a late commit still reaches it.
        """
        return 2 * self.mongo_timeout + self.batch_wait + 5.0

    @property
    def safe_mongo_uri(self) -> str:
        return redact_uri(self.mongo_uri)

    @property
    def safe_amqp_url(self) -> str:
        return redact_uri(self.amqp_url)

    @property
    def resolved_store_url(self) -> str:
        """``STORE_URL``, else ``MONGO_URI``, else the embedded store's default file."""
        return self.store_url or self.mongo_uri or default_store_url()

    @property
    def safe_store_url(self) -> str:
        return redact_uri(self.resolved_store_url)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def validate(self) -> Settings:
        """Raise ConfigError naming the variable of the first bad value."""
        parse_address("SERVER_ADDRESS", self.server_address)
        if self.mongo_uri and not self.mongo_uri.startswith(MONGO_SCHEMES):
            raise ConfigError(f"MONGO_URI={self.safe_mongo_uri!r}: expected a mongodb:// URI")
        if self.store_url and not self.store_url.startswith((*MONGO_SCHEMES, SQLITE_SCHEME)):
            raise ConfigError(
                f"STORE_URL={redact_uri(self.store_url)!r}: expected sqlite:///relative.db, "
                "sqlite:////absolute/path.db or a mongodb:// URI"
            )
        if not self.jwt_secret and self.auth != "none":
            raise ConfigError(
                "JWT_SECRET is not set: export JWT_SECRET=<at least 32 random characters> "
                "(e.g. `export JWT_SECRET=$(openssl rand -hex 32)`) or JWT_SECRET_FILE=<a file "
                "holding it>, or run "
                "`nevr-events serve --dev` for an ephemeral secret and a ready token"
            )
        if self.auth not in ("jwt", "none"):
            raise ConfigError(f"AUTH={self.auth!r}: expected jwt or none")
        if self.log_format not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT={self.log_format!r}: expected text or json")
        if self.jwt_secret and len(self.jwt_secret) < 32:
            raise ConfigError(
                "JWT_SECRET is too short: use at least 32 characters (HS256 needs a 256-bit key)"
            )
        if self.amqp_url and not self.amqp_url.startswith(("amqp://", "amqps://")):
            raise ConfigError(f"AMQP_URL={self.safe_amqp_url!r}: expected an amqp:// URL")
        if not re.fullmatch(r"[A-Za-z0-9_.:\-]{1,127}", self.amqp_exchange):
            raise ConfigError(f"AMQP_EXCHANGE={self.amqp_exchange!r}: use letters, digits, . _ : -")
        for name in ("database_name", "collection_name"):
            if not re.fullmatch(r"[A-Za-z0-9_\-]{1,63}", getattr(self, name)):
                raise ConfigError(
                    f"{name.upper()}={getattr(self, name)!r}: use letters, digits, _ or -"
                )
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from environment variables, then ``overrides`` (flags) on top."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for attr, (var, parse) in ENV_VARS.items():
            raw = env.get(var)
            if raw is not None and raw.strip() != "":
                values[attr] = parse(var, raw)  # type: ignore[operator]
        secret_file = (env.get("JWT_SECRET_FILE") or "").strip()
        if secret_file:
            if "jwt_secret" in values:
                raise ConfigError("JWT_SECRET and JWT_SECRET_FILE are both set: set only one")
            values["jwt_secret"] = read_secret_file("JWT_SECRET_FILE", secret_file)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def read_secret_file(name: str, path: str) -> str:
    """A secret from a file (Docker and Kubernetes secrets), without its trailing newline."""
    try:
        with open(path, encoding="utf-8") as file:
            secret = file.read().rstrip("\r\n")
    except OSError as exc:
        raise ConfigError(f"{name}={path!r}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name}={path!r}: the file is not UTF-8 text") from None
    if not secret:
        raise ConfigError(f"{name}={path!r}: the file is empty")
    return secret


def _text(_name: str, value: str) -> str:
    return value.strip()


def _origins(_name: str, value: str) -> tuple[str, ...]:
    return tuple(o.strip() for o in value.split(",") if o.strip()) or ("*",)


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered not in {"0", "1", "true", "false", "yes", "no", "on", "off"}:
        raise ConfigError(f"{name}={value!r}: expected 1 or 0")
    return lowered in {"1", "true", "yes", "on"}


def _level(name: str, value: str) -> str:
    level = value.strip().lower()
    if level not in {"debug", "info", "warning", "error", "critical"}:
        raise ConfigError(f"{name}={value!r}: expected debug, info, warning, error or critical")
    return level


def _choice(*allowed: str) -> object:
    def parse(name: str, value: str) -> str:
        choice = value.strip().lower()
        if choice not in allowed:
            raise ConfigError(f"{name}={value!r}: expected {' or '.join(allowed)}")
        return choice

    return parse


def parse_rate(name: str, value: str) -> float:
    """Messages per second, ``0`` (or ``off``) for no limit."""
    if value.strip().lower() in {"off", "0"}:
        return 0.0
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0 < rate < float("inf"):
        raise ConfigError(f"{name}={value!r}: expected messages per second, e.g. 60, or 0 for off")
    return rate


def _off_or(parse: Any) -> object:
    """``parse``, with ``0`` and ``off`` meaning off (0)."""

    def parse_or_off(name: str, value: str) -> object:
        if value.strip().lower() in {"off", "0"}:
            return 0
        return parse(name, value)

    return parse_or_off


# Settings attribute -> (environment variable, parser); parsers raise ConfigError.
ENV_VARS: dict[str, tuple[str, object]] = {
    "store_url": ("STORE_URL", _text),
    "mongo_uri": ("MONGO_URI", _text),
    "server_address": ("SERVER_ADDRESS", _text),
    "database_name": ("DATABASE_NAME", _text),
    "collection_name": ("COLLECTION_NAME", _text),
    "mongo_timeout": ("MONGO_TIMEOUT", parse_duration),
    "server_timeout": ("SERVER_TIMEOUT", parse_duration),
    "jwt_secret": ("JWT_SECRET", lambda _n, v: v),
    "cors_origins": ("CORS_ORIGINS", _origins),
    "max_message_bytes": ("MAX_MESSAGE_BYTES", parse_size),
    "batch_size": ("BATCH_SIZE", parse_positive_int),
    "batch_wait": ("BATCH_WAIT", parse_duration),
    "queue_size": ("QUEUE_SIZE", parse_positive_int),
    "max_in_flight": ("MAX_IN_FLIGHT", parse_positive_int),
    "ping_interval": ("PING_INTERVAL", parse_duration),
    "workers": ("WORKERS", parse_positive_int),
    "log_level": ("LOG_LEVEL", _level),
    "auth": ("AUTH", _choice("jwt", "none")),
    "metrics_token": ("METRICS_TOKEN", lambda _n, v: v),
    "log_format": ("LOG_FORMAT", _choice("text", "json")),
    "max_stream_hz": ("MAX_STREAM_HZ", parse_rate),
    "max_streams": ("MAX_STREAMS", parse_positive_int),
    "stream_idle_timeout": ("STREAM_IDLE_TIMEOUT", parse_duration),
    "graphql_max_body_bytes": ("GRAPHQL_MAX_BODY_BYTES", parse_size),
    "graphql_max_query_bytes": ("GRAPHQL_MAX_QUERY_BYTES", parse_size),
    "max_header_bytes": ("MAX_HEADER_BYTES", parse_size),
    "live_window": ("LIVE_WINDOW", parse_duration),
    "max_subscriber_fps": ("MAX_SUBSCRIBER_FPS", parse_positive_int),
    "max_subscribers": ("MAX_SUBSCRIBERS", parse_positive_int),
    "live_poll_interval": ("LIVE_POLL_INTERVAL", parse_duration),
    "live_notify": ("LIVE_NOTIFY", _flag),
    "live_reorder_window": ("LIVE_REORDER_WINDOW", parse_duration),
    "amqp_url": ("AMQP_URL", _text),
    "amqp_exchange": ("AMQP_EXCHANGE", _text),
    "amqp_frames": ("AMQP_FRAMES", _flag),
    "amqp_lease": ("AMQP_LEASE", parse_duration),
    "retention": ("RETENTION", _off_or(parse_duration)),
    "max_store_bytes": ("MAX_STORE_BYTES", _off_or(parse_size)),
}
