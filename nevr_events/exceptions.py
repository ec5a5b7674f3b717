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


# --- Client side (nevr_events.client) ---------------------------------------------------


class ClientError(NevrEventsError):
    """A client call failed. ``status`` is the HTTP status (None without an answer);
    ``message`` is the server's own ``error`` text when it sent one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(f"{status}: {message}" if status is not None else message)
        self.message = message
        self.status = status


class BadRequest(ClientError):
    """HTTP 400: the request is malformed (bad session id, limit or cursor)."""


class Unauthorized(ClientError):
    """HTTP 401 (or 403): the token is missing, expired or signed with another secret."""


class NotFound(ClientError):
    """HTTP 404: no such route (check the base URL)."""


class ServerError(ClientError):
    """HTTP 5xx: the server or its database failed; retrying later may work."""


class TransportError(ClientError):
    """No usable HTTP/WebSocket answer: timeout, reset connection, protocol error."""


class ConnectError(TransportError):
    """The server could not be reached (refused, unknown host, TLS handshake failed)."""


class StreamError(ClientError):
    """A ``FrameStream`` cannot go on: closed, gave up reconnecting, or a limit was hit."""


class SpoolError(StreamError):
    """A ``FrameStream`` spool directory cannot be used: unknown format, unwritable, corrupt."""


class SpoolFull(SpoolError):
    """``send`` found the spool at ``spool_max_bytes``: the frame was not spooled (nor sent)."""


class SpoolLocked(SpoolError):
    """Another process (or another ``FrameStream``) already sends from this spool directory."""
