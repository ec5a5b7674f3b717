"""The ``nevr-events`` command line."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys

import click

from nevr_events.cli.client_commands import CLIENT_COMMANDS
from nevr_events.cli.data_commands import DATA_COMMANDS
from nevr_events.cli.live_commands import LIVE_COMMANDS
from nevr_events.cli.spool_commands import spool
from nevr_events.exceptions import ConfigError
from nevr_events.server.auth import mint_token
from nevr_events.server.config import ENV_VARS, Settings, parse_duration, read_secret_file

# serve flag -> Settings attribute; each flag also reads its environment variable.
SERVE_FLAGS = {
    "store_url": "--store",
    "mongo_uri": "--mongo-uri",
    "server_address": "--address",
    "database_name": "--database",
    "collection_name": "--collection",
    "mongo_timeout": "--mongo-timeout",
    "server_timeout": "--server-timeout",
    "cors_origins": "--cors-origins",
    "max_message_bytes": "--max-message-bytes",
    "workers": "--workers",
    "log_level": "--log-level",
    "auth": "--auth",
    "log_format": "--log-format",
    "max_stream_hz": "--max-stream-hz",
    "max_streams": "--max-streams",
    "stream_idle_timeout": "--stream-idle-timeout",
    "graphql_max_body_bytes": "--graphql-max-body-bytes",
    "graphql_max_query_bytes": "--graphql-max-query-bytes",
    "max_header_bytes": "--max-header-bytes",
}


@click.group()
@click.version_option(package_name="nevr-events")
def main() -> None:
    """Store and serve Echo VR lobby session telemetry."""


def _serve_options(func: click.decorators.FC) -> click.decorators.FC:
    for attr, flag in reversed(SERVE_FLAGS.items()):
        var = ENV_VARS[attr][0]
        func = click.option(flag, attr, default=None, help=f"(env {var})")(func)
    return func


@main.command()
@_serve_options
@click.option("--dev", is_flag=True, help="Use an ephemeral JWT secret and print a ready token.")
@click.option(
    "--local-db",
    is_flag=True,
    help="Development and tests: start a local FerretDB (built on first use, needs Go) "
    "and use it as MONGO_URI.",
)
def serve(dev: bool, local_db: bool, **flags: str | None) -> None:
    """Run the service under gunicorn with gevent workers (same as production)."""
    env = dict(os.environ)
    for attr, value in flags.items():
        if value is not None:
            env[ENV_VARS[attr][0]] = value
    if dev and not env.get("JWT_SECRET") and not env.get("JWT_SECRET_FILE"):
        env["JWT_SECRET"] = secrets.token_hex(32)
        token = mint_token(env["JWT_SECRET"], "dev-user", ttl=24 * 3600)
        click.echo(
            f"dev mode: ephemeral JWT secret; a token valid for 24h:\n\n  {token}\n", err=True
        )
    try:
        settings = Settings.from_env(env).validate() if not local_db else None
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if local_db:
        _serve_with_local_db(env)
        return
    assert settings is not None
    from nevr_events.server.store import describe

    if settings.log_format != "json":  # with JSON logs every line must be JSON: gunicorn says it
        click.echo(f"{describe(settings)}; listening on {settings.bind}", err=True)
    os.execvpe(sys.executable, _gunicorn_argv(), env)


def _gunicorn_argv() -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:nevr_events.server.ops.gunicorn_config",
        "nevr_events.server.app:create_app()",
    ]


def _serve_with_local_db(env: dict[str, str]) -> None:
    from nevr_events.testing.ferretdb import CACHE_DIR, LocalFerretDB

    click.echo("starting a local FerretDB (the first run builds it, ~1 min)...", err=True)
    with LocalFerretDB(data_dir=CACHE_DIR / "data") as db:
        env["MONGO_URI"] = db.uri
        env.pop("STORE_URL", None)  # the local FerretDB is what was asked for
        try:
            settings = Settings.from_env(env).validate()
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(
            f"database {db.uri} (data in {db.data_dir}), listening on {settings.bind}", err=True
        )
        server = subprocess.Popen(_gunicorn_argv(), env=env)

        def forward(signum: int, _frame: object) -> None:
            # Ctrl-C reaches gunicorn through the terminal too; a signal sent to
            # this process alone (a supervisor) must still stop it gracefully.
            with contextlib.suppress(ProcessLookupError):
                server.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        server.wait()


@main.command()
@click.option("--sub", required=True, help="The user id the token carries (stored as user_id).")
@click.option(
    "--ttl",
    default="1h",
    show_default=True,
    help="Lifetime in ms, s, m or h: 30m, 1h, 168h (a week).",
)
@click.option(
    "--secret",
    envvar="JWT_SECRET",
    show_envvar=True,
    help="The server's secret (else read from the file JWT_SECRET_FILE names).",
)
def token(sub: str, ttl: str, secret: str | None) -> None:
    """Mint a token signed with the server's JWT secret."""
    try:
        seconds = parse_duration("--ttl", ttl)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None
    if not secret and os.environ.get("JWT_SECRET_FILE", "").strip():
        try:
            secret = read_secret_file("JWT_SECRET_FILE", os.environ["JWT_SECRET_FILE"].strip())
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from None
    if not secret:
        raise click.UsageError("no secret: set JWT_SECRET or JWT_SECRET_FILE, or pass --secret")
    click.echo(mint_token(secret, sub, ttl=seconds))


for _command in CLIENT_COMMANDS:  # health, events, stream
    main.add_command(_command)
main.add_command(spool)
for _command in LIVE_COMMANDS:  # watch, matches
    main.add_command(_command)
for _command in DATA_COMMANDS:  # prune, backup, migrate
    main.add_command(_command)


if __name__ == "__main__":
    main()
