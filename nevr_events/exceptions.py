"""Every exception the package raises on purpose, in one place (as httpx does)."""

from __future__ import annotations


class NevrEventsError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(NevrEventsError):
    """A setting is missing or has a bad value; the message names the variable."""


class InvalidFrame(NevrEventsError):
    """A stream message is not a valid telemetry envelope or frame.

    The message is the reason sent back to the agent, so it must be clear and
    must never contain secrets.
    """


class InvalidSessionId(InvalidFrame):
    """A lobby session id that is not a UUID."""


class AuthError(NevrEventsError):
    """A request without a valid token."""


class StoreUnavailable(NevrEventsError):
    """The database did not acknowledge a write or answer a read in time."""
