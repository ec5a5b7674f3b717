"""``nevr-events spool status DIR`` and ``nevr-events spool drain DIR``.

A spool is the directory given to ``nevr-events stream --spool DIR`` (or
``FrameStream(..., spool=DIR)``): frames not yet answered by the server.
"""

from __future__ import annotations

import sys
import time

import click
import orjson

from nevr_events.cli.client_commands import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    _fail,
    _token_option,
    _url_option,
)
from nevr_events.cli.report import report


@click.group()
def spool() -> None:
    """Inspect and send the frames waiting in a spool directory."""


@spool.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of a sentence.")
def status(directory: str, as_json: bool) -> None:
    """Frames and bytes waiting in DIRECTORY and the age of the oldest.

    Reads without taking the spool, so it works while an agent runs (the
    count may then include frames answered in the last fraction of a second).
    """
    from nevr_events.client.spool import spool_status
    from nevr_events.exceptions import SpoolError

    try:
        found = spool_status(directory)
    except (SpoolError, OSError) as exc:
        _fail(str(exc))
        return
    age = None if found.oldest_written is None else max(0.0, time.time() - found.oldest_written)
    if as_json:
        body = {
            "frames": found.frames,
            "bytes": found.bytes,
            "disk_bytes": found.disk_bytes,
            "segments": found.segments,
            "oldest_age_seconds": None if age is None else round(age, 3),
        }
        click.echo(orjson.dumps(body).decode())
        return
    oldest = "" if age is None else f", the oldest spooled {age:.1f}s ago"
    click.echo(
        f"{found.frames} frames ({found.bytes} bytes) waiting{oldest}; "
        f"{found.disk_bytes} bytes in {found.segments} segment files"
    )


@spool.command()
@click.argument("directory", type=click.Path(file_okay=False, exists=True))
@click.option(
    "--timeout",
    default=None,
    help="Give up after this long (e.g. 10m); frames not answered stay in the spool.",
)
@_url_option
@_token_option
def drain(directory: str, timeout: str | None, url: str, token: str | None) -> None:
    """Send every frame waiting in DIRECTORY, then exit 0 once it is empty.

    An unreachable server is retried (see --timeout). Exit 1 when frames were
    rejected, the spool is in use by another process, or --timeout passed.
    """
    from nevr_events.client.framestream import FrameStream
    from nevr_events.client.spool import spool_status
    from nevr_events.exceptions import ClientError, ConfigError
    from nevr_events.server.config import parse_duration

    try:
        seconds = None if timeout is None else parse_duration("--timeout", timeout)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None
    started = time.monotonic()
    try:
        spool_status(directory)  # a spool already, not any directory
        sender = FrameStream(url, token, spool=directory)
    except (ClientError, ValueError) as exc:
        _fail(str(exc))
        return
    try:
        sender.flush(seconds)
        result = sender.close(timeout=0)
    except KeyboardInterrupt:
        report(sender.close(timeout=0), time.monotonic() - started, spool=directory)
        sys.exit(EXIT_INTERRUPTED)
    report(result, time.monotonic() - started, spool=directory)
    if not result.ok or sender.error is not None:
        sys.exit(EXIT_FAILED)
