"""Every exception the package raises to its callers, in one place (as httpx does).

Server side: ``ConfigError``, ``InvalidFrame``/``InvalidSessionId``, ``AuthError``,
``StoreUnavailable``. Client side: ``ClientError`` and its subclasses, and
``ReplayFileError``. HTTP error answers of the server are werkzeug's own
``BadRequest``/``Unauthorized``; the client's classes for those answers end in
``Error`` (``BadRequestError``, ``UnauthorizedError``) so the two never share a name.

Not here, on purpose: exceptions that never leave their module. The GraphQL
package's ``UserError``/``RequestError`` become GraphQL error answers, and
``wire.fastframe_compile``'s ``Invalid``/``Slow``/``Fallback`` steer the fast
validator; callers only ever see ``InvalidFrame`` from it.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "BadRequestError",
    "ClientError",
    "ConfigError",
    "ConnectError",
    "InvalidFrame",
    "InvalidSessionId",
    "NevrEventsError",
    "NotFoundError",
    "ReplayFileError",
    "ServerError",
    "SpoolError",
    "SpoolFull",
    "SpoolLocked",
    "StoreUnavailable",
    "StreamError",
    "TransportError",
    "UnauthorizedError",
]


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


class BadRequestError(ClientError):
    """HTTP 400: the request is malformed (bad session id, limit or cursor)."""


class UnauthorizedError(ClientError):
    """HTTP 401 (or 403): the token is missing, expired or signed with another secret."""


class NotFoundError(ClientError):
    """HTTP 404: no such route (check the base URL)."""


class ServerError(ClientError):
    """HTTP 5xx: the server or its database failed; retrying later may work."""


class TransportError(ClientError):
    """No usable HTTP/WebSocket answer: timeout, reset connection, protocol error.


    ``status`` is None without an HTTP answer; a refused stream handshake
    (other than 401/403) carries its HTTP status, e.g. 404 for a wrong path."""


class ConnectError(TransportError):
    """The server could not be reached (refused, unknown host, TLS handshake failed)."""


class StreamError(ClientError):
    """A ``FrameStream`` cannot go on: closed, gave up reconnecting, or a limit was hit."""


class ReplayFileError(NevrEventsError):
    """A whole recording file cannot be read (missing, not a recording, empty archive)."""


# The names these classes had before 0.2, kept so that existing code keeps working.
# Prefer the ``...Error`` names: werkzeug's BadRequest/Unauthorized/NotFound are the
# server's answers, these are what a client raises on receiving them.
BadRequest = BadRequestError
Unauthorized = UnauthorizedError
NotFound = NotFoundError


class SpoolError(StreamError):
    """A ``FrameStream`` spool directory cannot be used: unknown format, unwritable, corrupt."""


class SpoolFull(SpoolError):
    """``send`` found the spool at ``spool_max_bytes``: the frame was not spooled (nor sent)."""


class SpoolLocked(SpoolError):
    """Another process (or another ``FrameStream``) already sends from this spool directory."""
