"""Commands on the store itself, not through the service: ``prune``, ``backup``, ``migrate``.

They open the store that ``STORE_URL`` (or ``--store``) names, as ``serve`` would,
and may run while the service serves it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from nevr_events.exceptions import ConfigError, StoreUnavailable
from nevr_events.server.config import Settings, parse_duration, parse_size


def store_settings(**overrides: Any) -> Settings:
    """The environment's settings with the command's flags on top (no JWT needed)."""
    try:
        return Settings.from_env(**overrides)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _parsed(parse: Callable[[str, str], Any], flag: str, value: str | None) -> Any:
    if value is None:
        return None
    if value.strip().lower() in {"0", "off"}:
        return 0
    try:
        return parse(flag, value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


def _size(value: int) -> str:
    return f"{value / 1024**2:.1f} MiB"


@click.command()
@click.option("--store", "store_url", default=None, help="(env STORE_URL) the store to prune.")
@click.option("--retention", default=None, help="(env RETENTION) e.g. 168h; 0: no age limit.")
@click.option(
    "--max-store-bytes", default=None, help="(env MAX_STORE_BYTES) e.g. 10GiB; 0: no size cap."
)
@click.option("--dry-run", is_flag=True, help="Print what would be removed; change nothing.")
def prune(
    store_url: str | None, retention: str | None, max_store_bytes: str | None, dry_run: bool
) -> None:
    """Run one retention sweep now and print the matches it removed.

    Whole matches only, never a live one (a frame within LIVE_WINDOW), by the
    server's arrival times; see docs/operations.md.
    """
    from nevr_events.server.ops.retention import Policy, sweep
    from nevr_events.server.store import open_store

    settings = store_settings(
        store_url=store_url,
        retention=_parsed(parse_duration, "--retention", retention),
        max_store_bytes=_parsed(parse_size, "--max-store-bytes", max_store_bytes),
    )
    policy = Policy.of(settings)
    if not policy.active:
        raise click.UsageError("nothing to prune by: set RETENTION or MAX_STORE_BYTES (or flags)")
    store = open_store(settings)
    verb = "would remove" if dry_run else "removed"
    try:
        report = sweep(
            store,
            policy,
            dry_run=dry_run,
            on_removed=lambda item: click.echo(
                f"{verb} {item.match.session_id}: {item.match.frames} frames, last frame "
                f"arrived {item.match.last_arrival:%Y-%m-%dT%H:%M:%SZ} ({item.reason})"
            ),
        )
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    after = "estimated after" if dry_run else "after"
    click.echo(
        f"{verb} {len(report.removed)} matches, {report.frames} frames; store "
        f"{_size(report.bytes_before)} before, {_size(report.bytes_after)} {after}"
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--store", "store_url", default=None, help="(env STORE_URL) the store to copy.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup(file: str, store_url: str | None, force: bool) -> None:
    """Copy the embedded store to FILE, consistently, while the service keeps streaming.

    SQLite's online backup: the copy holds every frame committed when it began
    and opens as it is (`serve --store sqlite:///FILE`). MongoDB: use mongodump.
    """
    from nevr_events.server.config import MONGO_SCHEMES
    from nevr_events.server.store import SqliteEventStore, sqlite_path

    settings = store_settings(store_url=store_url)
    url = settings.resolved_store_url
    if url.startswith(MONGO_SCHEMES):
        raise click.UsageError("backup copies the embedded SQLite store; for MongoDB use mongodump")
    if os.path.exists(file) and not force:
        raise click.UsageError(f"{file} exists (--force replaces it)")
    source = sqlite_path(url)
    if not os.path.exists(source):
        raise click.UsageError(f"no store at {source}")
    store = SqliteEventStore(source, timeout=settings.mongo_timeout)
    try:
        store.backup_to(file)
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(f"backed up {os.path.abspath(source)} to {file} ({_size(os.path.getsize(file))})")


DATA_COMMANDS = [prune, backup]
