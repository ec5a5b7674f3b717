"""Commands on the store itself, not through the service: ``prune``, ``backup``, ``migrate``.

They open the store that ``STORE_URL`` (or ``--store``) names, as ``serve`` would,
and may run while the service serves it.
"""

from __future__ import annotations

import os
import sys
import time
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


@click.command()
@click.option(
    "--from", "source_url", required=True, help="Source store URL (sqlite:/// or mongodb://)."
)
@click.option("--to", "target_url", required=True, help="Target store URL.")
@click.option("--from-database", default=None, help="MongoDB source database (env DATABASE_NAME).")
@click.option(
    "--from-collection", default=None, help="MongoDB source collection (env COLLECTION_NAME)."
)
@click.option("--to-database", default=None, help="MongoDB target database (env DATABASE_NAME).")
@click.option(
    "--to-collection", default=None, help="MongoDB target collection (env COLLECTION_NAME)."
)
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--restart", is_flag=True, help="Start from the beginning, not where a run stopped.")
@click.option("--no-verify", is_flag=True, help="Skip comparing frame counts per session.")
def migrate(
    source_url: str,
    target_url: str,
    from_database: str | None,
    from_collection: str | None,
    to_database: str | None,
    to_collection: str | None,
    batch: int,
    restart: bool,
    no_verify: bool,
) -> None:
    """Copy every frame from one store to another, resumable, then verify counts.

    Interrupted (even with kill -9), the same command resumes where it stopped;
    nothing is copied twice. Reads collections of the Go service too.
    """
    from tqdm import tqdm

    from nevr_events.server.config import MONGO_SCHEMES
    from nevr_events.server.store import open_store, sqlite_path
    from nevr_events.server.store.migrate import compare
    from nevr_events.server.store.migrate import migrate as copy_frames

    source_settings = store_settings(database_name=from_database, collection_name=from_collection)
    target_settings = store_settings(database_name=to_database, collection_name=to_collection)
    for flag, settings, url in (
        ("--from", source_settings, source_url),
        ("--to", target_settings, target_url),
    ):
        try:
            settings.replace(store_url=url, mongo_uri="", jwt_secret="x" * 32).validate()
        except ConfigError as exc:
            raise click.BadParameter(str(exc), param_hint=flag) from None
    if not source_url.startswith(MONGO_SCHEMES) and not os.path.exists(sqlite_path(source_url)):
        raise click.BadParameter(f"no store at {sqlite_path(source_url)}", param_hint="--from")
    source = open_store(source_settings, source_url)
    target = open_store(target_settings, target_url)
    where = source_settings.replace(store_url=source_url)
    name = f"{where.safe_store_url} {where.database_name}.{where.collection_name}"
    bar = tqdm(
        total=source.frame_total(),
        unit=" frames",
        file=sys.stderr,
        mininterval=0.5,
        dynamic_ncols=True,
    )
    started = time.monotonic()
    try:
        report = copy_frames(
            source, target, source_name=name, batch=batch, restart=restart, progress=bar
        )
        copying = time.monotonic() - started
        bar.close()
        resumed = f" (resumed after {report.resumed_from})" if report.resumed_from else ""
        click.echo(
            f"copied {report.copied} frames, {report.duplicates} already there{resumed} "
            f"in {copying:.1f} s"
        )
        if no_verify:
            return
        started = time.monotonic()
        mismatches, sessions = compare(source, target)
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        bar.close()
        source.close()
        target.close()
    for sid, have, got in mismatches[:20]:
        click.echo(f"count differs: {sid}: source {have}, target {got}", err=True)
    if mismatches:
        raise click.ClickException(
            f"{len(mismatches)} of {sessions} sessions differ in frame count "
            "(a source holding the same frame twice, or frames that came or went meanwhile)"
        )
    click.echo(
        f"verified: {sessions} sessions, the same frame count on both sides "
        f"({time.monotonic() - started:.1f} s)"
    )


DATA_COMMANDS = [prune, backup, migrate]
