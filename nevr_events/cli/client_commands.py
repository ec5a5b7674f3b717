"""Client commands of the ``nevr-events`` CLI: ``health``, ``events get``, ``stream``.

Registered on the main group in ``nevr_events.cli.main``. Every command takes
``--url`` (env ``NEVR_EVENTS_URL``, default ``http://localhost:8081``) and
``--token`` (env ``NEVR_EVENTS_TOKEN``).

Exit status of ``stream``: 0 when every frame was stored (or was already
stored); 1 when frames were rejected or lost, or the stream gave up; 3 when
all frames were delivered but some lines or files could not be parsed (each
is reported with file and line); 2 for usage errors; 130 on Ctrl-C.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO, Any

import click
import orjson
from click.decorators import FC

from nevr_events.cli.report import report
from nevr_events.wire.api import DEFAULT_URL, legacy_json, ndjson_chunks

EXIT_FAILED = 1
EXIT_PARSE_ERRORS = 3
EXIT_INTERRUPTED = 130
# Problems listed one per line at the end of `stream` (all are counted).


def _url_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--url",
        envvar="NEVR_EVENTS_URL",
        default=DEFAULT_URL,
        show_default=True,
        help="Base URL of the service (env NEVR_EVENTS_URL).",
    )(func)


def _token_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--token",
        envvar="NEVR_EVENTS_TOKEN",
        default=None,
        help="JWT from `nevr-events token` (env NEVR_EVENTS_TOKEN).",
    )(func)


def _format_option(default: str, *others: str, help: str) -> Callable[[FC], FC]:
    """``--format`` (as ``fmt``): one of the output forms, ``default`` unless chosen."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice([default, *others]),
        default=default,
        show_default=True,
        help=help,
    )


def _fail(message: str, code: int = EXIT_FAILED) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


# -- health --------------------------------------------------------------------------------


@click.command()
@_url_option
def health(url: str) -> None:
    """Check the service: prints its /health answer; exit 1 when unhealthy or unreachable."""
    from nevr_events.client.http import Client
    from nevr_events.exceptions import ClientError

    try:
        with Client(url, timeout=10.0) as client:
            result = client.health()
    except ClientError as exc:
        _fail(str(exc))
        return
    body = {"status": result.status, "timestamp": result.timestamp}
    if result.error:
        body["error"] = result.error
    click.echo(orjson.dumps(body).decode())
    if not result.healthy:
        sys.exit(EXIT_FAILED)


# -- events --------------------------------------------------------------------------------


@click.group()
def events() -> None:
    """Read stored sessions."""


@events.command("get")
@click.argument("lobby_session_id")
@_format_option(
    "json", "ndjson", help="json: {lobby_session_id, events, count}; ndjson: one event per line."
)
@click.option("--event-type", default=None, help="Only frames with this event, e.g. player_goal.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Write to FILE instead of standard output.",
)
@_url_option
@_token_option
def events_get(
    lobby_session_id: str,
    fmt: str,
    event_type: str | None,
    output: str,
    url: str,
    token: str | None,
) -> None:
    """Every stored frame of LOBBY_SESSION_ID, oldest first.

    Pages through /v3/lobby-session-events, so memory stays constant however
    long the session; each event is {lobby_session_id, user_id, data}.
    """
    import os

    from nevr_events.client.http import Client
    from nevr_events.exceptions import ClientError

    out: IO[bytes] = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115
    try:
        with Client(url, token=token) as client:
            _write_events(out, client, lobby_session_id, fmt, event_type)
    except ClientError as exc:
        if output != "-":
            out.close()
            os.unlink(output)
        _fail(str(exc))
    finally:
        if output != "-" and not out.closed:
            out.close()


def _write_events(
    out: IO[bytes], client: Any, session_id: str, fmt: str, event_type: str | None
) -> None:
    events_iter = client.iter_session_events(session_id, event_type=event_type)
    first = next(events_iter, None)
    # The server's canonical (lower-case) id, even for an empty session.
    canonical = first.lobby_session_id if first else _canonical(session_id)
    entries = (event.to_legacy() for event in _chain(first, events_iter))
    if fmt == "json":
        out.writelines(legacy_json(canonical, entries))
        out.write(b"\n")
    else:
        out.writelines(ndjson_chunks(entries))
    out.flush()


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
        yield from rest


def _canonical(session_id: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(session_id))
    except ValueError:
        return session_id


# -- stream --------------------------------------------------------------------------------


class _Pacer:
    """Sleeps between frames for ``--rate`` or ``--realtime``."""

    def __init__(self, rate: float | None, realtime: bool) -> None:
        self.rate = rate
        self.realtime = realtime
        self.start = time.monotonic()
        self.count = 0
        self.source: str | None = None
        self.base: tuple[datetime, float] | None = None

    def wait(self, source: str, stamp: datetime | None) -> None:
        now = time.monotonic()
        if self.rate:
            due = self.start + self.count / self.rate
            self.count += 1
            if due > now:
                time.sleep(due - now)
        elif self.realtime and stamp is not None:
            if source != self.source or self.base is None:
                self.source, self.base = source, (stamp, now)
                return
            due = self.base[1] + (stamp - self.base[0]).total_seconds()
            if due > now:
                time.sleep(min(due - now, 60.0))


class _Progress:
    """tqdm on a terminal, else a plain line every ``interval`` seconds."""

    def __init__(self, enabled: bool, interval: float = 5.0) -> None:
        self.tty = enabled and sys.stderr.isatty()
        self.plain = enabled and not self.tty
        self.interval = interval
        self.started = time.monotonic()
        self.last = self.started
        self.bar: Any = None
        if self.tty:
            from tqdm import tqdm

            self.bar = tqdm(unit=" frames", file=sys.stderr, dynamic_ncols=True)

    def update(self, stream: Any, parse_errors: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < (0.25 if self.tty else self.interval):
            return
        self.last = now
        stats = stream.stats()
        errors = stats.rejected + stats.lost + parse_errors
        if self.bar is not None:
            self.bar.update(stats.sent - self.bar.n)
            self.bar.set_postfix(stored=stats.stored + stats.duplicates, errors=errors)
        elif self.plain:
            elapsed = max(now - self.started, 1e-6)
            click.echo(
                f"sent {stats.sent} ({stats.sent / elapsed:.0f} frames/s), "
                f"stored {stats.stored + stats.duplicates}, errors {errors}",
                err=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), help="Frames per second.")
@click.option("--realtime", is_flag=True, help="Pace frames by their recorded timestamps.")
@click.option("--node-id", default=None, help="Sent as X-Node-ID.")
@click.option(
    "--max-in-flight",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Frames sent but not yet answered before sending waits.",
)
@click.option(
    "--retry-for",
    default="60s",
    show_default=True,
    help="Give up after failing to reconnect for this long.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output (the summary is printed).")
@click.option(
    "--spool",
    type=click.Path(file_okay=False),
    default=None,
    help="Keep frames in this directory until the server answers (survives outages "
    "and restarts; see `nevr-events spool`).",
)
@_url_option
@_token_option
def stream(
    files: tuple[str, ...],
    rate: float | None,
    realtime: bool,
    node_id: str | None,
    max_in_flight: int,
    retry_for: str,
    quiet: bool,
    spool: str | None,
    url: str,
    token: str | None,
) -> None:
    """Send frames from FILES: NDJSON (one envelope or frame per line, `-` for stdin)
    or .echoreplay, .tape and .nevrcap recordings (told apart by content).

    Frames go as fast as the server takes them unless --rate or --realtime is
    given. Lines that cannot be parsed are reported (file:line) and skipped.
    Exit status: 0 all stored, 1 frames rejected or lost, 3 only parse errors.
    """
    from nevr_events.client.framestream import FrameStream
    from nevr_events.client.replay import LineError, read_frames
    from nevr_events.exceptions import ClientError, ConfigError, ReplayFileError, StreamError
    from nevr_events.server.config import parse_duration

    if rate and realtime:
        raise click.UsageError("--rate and --realtime exclude each other")
    try:
        retry_seconds = parse_duration("--retry-for", retry_for)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None
    try:
        sender = FrameStream(
            url,
            token,
            node_id=node_id,
            max_in_flight=max_in_flight,
            retry_for=retry_seconds,
            spool=spool,
        )
    except (ClientError, ValueError) as exc:
        _fail(str(exc))
        return

    pacer = _Pacer(rate, realtime)
    progress = _Progress(not quiet)
    parse_errors = 0
    started = time.monotonic()
    interrupted = False
    try:
        for path in files:
            try:
                for item in read_frames(path):
                    if isinstance(item, LineError):
                        parse_errors += 1
                        _echo_above(progress, f"skipped {item}")
                        continue
                    pacer.wait(item.source, item.timestamp)
                    sender.send(item.message, tag=item.where)
                    progress.update(sender, parse_errors)
            except ReplayFileError as exc:
                parse_errors += 1
                _echo_above(progress, f"skipped file {exc}")
            except (OSError, ValueError) as exc:  # unreadable file, broken zip
                parse_errors += 1
                _echo_above(progress, f"skipped the rest of {path}: {exc}")
        progress.update(sender, parse_errors, force=True)
        result = sender.close()
    except StreamError as exc:
        _echo_above(progress, f"error: {exc}")
        result = sender.close(timeout=0)
    except KeyboardInterrupt:
        interrupted = True
        _echo_above(progress, "interrupted: waiting up to 5s for replies")
        result = sender.close(timeout=5)
    progress.close()
    report(result, time.monotonic() - started, parse_errors, spool)
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if not result.ok or sender.error is not None:
        sys.exit(EXIT_FAILED)
    if parse_errors:
        sys.exit(EXIT_PARSE_ERRORS)


def _echo_above(progress: _Progress, message: str) -> None:
    if progress.bar is not None:
        progress.bar.write(message, file=sys.stderr)
    else:
        click.echo(message, err=True)


CLIENT_COMMANDS = (health, events, stream)
