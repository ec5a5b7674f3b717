"""The ``nevr-events`` command line."""

from nevr_events.cli.main import main

__all__ = ["main"]
