"""``nevr-events watch`` and ``nevr-events matches list|download``.

Registered on the main group in ``nevr_events.cli.main``; they take the same
``--url`` and ``--token`` options as the other client commands.
"""

from __future__ import annotations

import sys
from typing import Any

import click
import orjson

from nevr_events.cli.client_commands import (
    EXIT_INTERRUPTED,
    _fail,
    _format_option,
    _token_option,
    _url_option,
)


@click.command()
@click.argument("match_id")
@click.option("--from-start", is_flag=True, help="Replay the stored frames first, then go live.")
@click.option("--fps", type=click.IntRange(min=1), default=None, help="Frames per second (cap).")
@_url_option
@_token_option
def watch(match_id: str, from_start: bool, fps: int | None, url: str, token: str | None) -> None:
    """Print the frames of MATCH_ID as NDJSON while they are stored.

    Runs until the session has been quiet for the server's LIVE_WINDOW, the
    server shuts down, or Ctrl-C. Each line is one stored frame; a file of them
    can be sent again with `nevr-events stream`.
    """
    from nevr_events.client.http import Client
    from nevr_events.exceptions import ClientError

    out = sys.stdout.buffer
    try:
        with Client(url, token=token) as client:
            ended = client.watch(
                match_id,
                from_start=from_start,
                fps=fps,
                on_end=lambda reason: click.echo(f"end: {reason}", err=True),
            )
            for item in ended:
                out.write(orjson.dumps(item.frame) + b"\n")
                out.flush()
    except ClientError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.exit(0)


@click.group()
def matches() -> None:
    """List and download stored matches."""


@matches.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@_url_option
@_token_option
def matches_list(limit: int | None, url: str, token: str | None) -> None:
    """Stored matches, newest first, one JSON object per line."""
    from nevr_events.client.http import Client
    from nevr_events.exceptions import ClientError

    try:
        with Client(url, token=token) as client:
            for count, match in enumerate(client.iter_matches(), start=1):
                line = {
                    "match_id": match.match_id,
                    "frames": match.frames,
                    "users": list(match.users),
                    "first_timestamp": match.first_timestamp,
                    "last_timestamp": match.last_timestamp,
                }
                click.echo(orjson.dumps(line).decode())
                if limit is not None and count >= limit:
                    return
    except ClientError as exc:
        _fail(str(exc))


@matches.command("download")
@click.argument("match_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="File to write (default MATCH_ID.FORMAT).",
)
@_format_option(
    "echoreplay",
    "ndjson",
    "tape",
    "nevrcap",
    help="echoreplay: zip recording for replay tools; ndjson: one envelope per line; "
    "tape: telemetry v2 recording; nevrcap: zstd telemetry v1 recording.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@_url_option
@_token_option
def matches_download(
    match_id: str, output: str | None, fmt: str, quiet: bool, url: str, token: str | None
) -> None:
    """Save MATCH_ID as a .echoreplay, .tape or .nevrcap recording or NDJSON (progress bar)."""
    from nevr_events.client.http import Client
    from nevr_events.exceptions import ClientError

    path = output or f"{match_id}.{fmt}"
    bar: Any = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(unit="B", unit_scale=True, file=sys.stderr, desc=path, dynamic_ncols=True)
    try:
        with Client(url, token=token) as client:
            size = client.download(
                match_id, path, format=fmt, on_chunk=bar.update if bar is not None else None
            )
    except ClientError as exc:
        _fail(str(exc))
        return
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if bar is not None:
            bar.close()
    click.echo(f"wrote {path} ({size} bytes)", err=True)


LIVE_COMMANDS = (watch, matches)
