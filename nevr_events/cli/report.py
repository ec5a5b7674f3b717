"""The summary of a stream of frames on stderr: ``stream`` and ``spool drain`` print it."""

from __future__ import annotations

from typing import Any

import click

# Rejected and lost frames listed one by one; the rest are counted.
SHOWN_PROBLEMS = 20


def report(result: Any, elapsed: float, parse_errors: int = 0, spool: str | None = None) -> None:
    """The problems (first ``SHOWN_PROBLEMS``) and the summary line, on stderr."""
    for problem in result.rejections[:SHOWN_PROBLEMS]:
        click.echo(f"rejected {_where(problem)}: {problem.reason}", err=True)
    for problem in result.losses[:SHOWN_PROBLEMS]:
        click.echo(f"lost {_where(problem)}: {problem.reason}", err=True)
    hidden = (
        result.rejected
        + result.lost
        - min(result.rejected, SHOWN_PROBLEMS)
        - min(result.lost, SHOWN_PROBLEMS)
    )
    if hidden > 0:
        click.echo(f"... and {hidden} more", err=True)
    click.echo(
        f"sent {result.sent}, stored {result.stored}, duplicates {result.duplicates}, "
        f"skipped {result.skipped}, rejected {result.rejected}, lost {result.lost}, "
        f"parse errors {parse_errors} in {elapsed:.1f}s"
        + (f" ({result.reconnects} reconnects)" if result.reconnects else "")
        + (f"; {result.recovered} left by an earlier run" if result.recovered else ""),
        err=True,
    )
    if spool and result.pending:
        click.echo(
            f"{result.pending} frames wait in the spool {spool}: "
            f"`nevr-events spool drain {spool}` sends them",
            err=True,
        )


def _where(problem: Any) -> str:
    index = f" (frame_index {problem.frame_index})" if problem.frame_index is not None else ""
    return f"{problem.tag or f'#{problem.position}'}{index}"
