"""HTTP client for the read API: typed results, one connection pool, documented errors.

>>> with Client("http://localhost:8081", token=TOKEN) as client:
...     result = client.get_session_events("8380fae5-e20f-4b61-beda-b94e0811244f")
...     for event in client.iter_session_events(result.lobby_session_id):
...         ...

Every failure is a subclass of :class:`nevr_events.exceptions.ClientError`
(``status`` and the server's ``message``): ``BadRequestError`` (400),
``UnauthorizedError`` (401/403), ``NotFoundError`` (404), ``ServerError`` (5xx),
``ConnectError`` (refused / unreachable) and ``TransportError`` (timeouts and
other transport failures).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import httpx
import orjson

from nevr_events.client.live import Match, MatchPage, WatchedFrame, download_to, watch
from nevr_events.client.results import EventPage, Health, SessionEvent, SessionEvents
from nevr_events.exceptions import (
    BadRequestError,
    ClientError,
    ConnectError,
    NotFoundError,
    ServerError,
    TransportError,
    UnauthorizedError,
)
from nevr_events.wire.api import (
    DEFAULT_URL,
    EVENTS_PAGE_DEFAULT,
    EVENTS_PAGE_MAX,
)

NDJSON = "application/x-ndjson"


def _error_for(response: httpx.Response) -> ClientError:
    """The exception class and message for an error answer."""
    try:
        body = orjson.loads(response.read())
        message = body.get("error") if isinstance(body, dict) else None
    except (orjson.JSONDecodeError, httpx.HTTPError):
        message = None
    status = response.status_code
    message = str(message or response.reason_phrase or "HTTP error")
    if status == 400:
        return BadRequestError(message, status)
    if status in (401, 403):
        return UnauthorizedError(message, status)
    if status == 404:
        return NotFoundError(message, status)
    if status >= 500:
        return ServerError(message, status)
    return ClientError(message, status)


class Client:
    """A small synchronous client of the nevr-events read API.

    One ``httpx.Client`` underneath, so connections are reused across calls.
    Use it as a context manager, or call :meth:`close`.

    :param base_url: ``http(s)://host:port`` of the service.
    :param token: a JWT (``nevr-events token``); reads need one, ``health()`` does not.
    :param timeout: seconds for connecting and for each read of the answer.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        token: str | None = None,
        timeout: float = 30.0,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json", "User-Agent": "nevr-events-client"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- calls -------------------------------------------------------------------------------

    def health(self) -> Health:
        """The service's health; a 503 (database down) is returned, not raised."""
        response = self._request("GET", "/health", ok=(200, 503))
        body = self._json(response)
        return Health(
            status=str(body.get("status", "")),
            timestamp=body.get("timestamp"),
            healthy=response.status_code == 200 and body.get("status") == "healthy",
            error=body.get("error"),
        )

    def get_session_events(self, lobby_session_id: str) -> SessionEvents:
        """Every frame of a session, oldest first, in one call.

        Uses the reference route ``GET /lobby-session-events/{id}``; the whole
        session is held in memory. For long sessions prefer
        :meth:`iter_session_events`.
        """
        response = self._request("GET", f"/lobby-session-events/{_segment(lobby_session_id)}")
        body = self._json(response)
        events = tuple(SessionEvent.from_legacy(e) for e in body.get("events") or ())
        return SessionEvents(
            lobby_session_id=body.get("lobby_session_id", lobby_session_id),
            count=int(body.get("count", len(events))),
            events=events,
        )

    def get_page(
        self,
        lobby_session_id: str,
        *,
        limit: int = EVENTS_PAGE_DEFAULT,
        cursor: str | None = None,
        event_type: str | None = None,
    ) -> EventPage:
        """One page of full stored documents (``GET /v3/lobby-session-events/{id}``)."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        if event_type:
            params["event_type"] = event_type
        response = self._request(
            "GET", f"/v3/lobby-session-events/{_segment(lobby_session_id)}", params=params
        )
        body = self._json(response)
        return EventPage(
            lobby_session_id=body.get("lobby_session_id", lobby_session_id),
            events=tuple(SessionEvent.from_document(d) for d in body.get("frames") or ()),
            total_count=int(body.get("total_count", 0)),
            limit=int(body.get("limit", limit)),
            next=body.get("next"),
        )

    def iter_session_events(
        self,
        lobby_session_id: str,
        event_type: str | None = None,
        *,
        page_size: int = EVENTS_PAGE_MAX,
    ) -> Iterator[SessionEvent]:
        """Every frame of a session, oldest first, fetched lazily page by page.

        Only one page (``page_size`` frames, at most 1000) is held at a time,
        whatever the length of the session. ``event_type`` keeps only frames
        holding an event of that type (e.g. ``"player_goal"``). Frames stored
        while iterating are included if they sort after the current position.
        """
        cursor: str | None = None
        while True:
            page = self.get_page(
                lobby_session_id, limit=page_size, cursor=cursor, event_type=event_type
            )
            yield from page.events
            if not page.next or not page.events:
                return
            cursor = page.next

    def iter_ndjson(self, lobby_session_id: str) -> Iterator[dict[str, Any]]:
        """Raw NDJSON lines of ``GET /lobby-session-events/{id}``, parsed one at a time."""
        path = f"/lobby-session-events/{_segment(lobby_session_id)}"
        try:
            with self._http.stream("GET", path, headers={"Accept": NDJSON}) as response:
                if response.status_code != 200:
                    raise _error_for(response)
                for line in response.iter_lines():
                    if line.strip():
                        yield orjson.loads(line)
        except httpx.HTTPError as exc:
            raise _transport_error(exc, self.base_url) from exc

    # -- live view and matches (nevr_events.client.live) -------------------------------------

    def list_matches(self, *, limit: int = 20, cursor: str | None = None) -> MatchPage:
        """One page of stored matches, newest first (``GET /api/v3/matches``)."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = self._json(self._request("GET", "/api/v3/matches", params=params))
        matches = tuple(Match.from_json(m) for m in body.get("matches") or ())
        return MatchPage(matches=matches, next=body.get("next"))

    def iter_matches(self, *, page_size: int = 100) -> Iterator[Match]:
        """Every stored match, newest first, a page at a time."""
        cursor: str | None = None
        while True:
            page = self.list_matches(limit=page_size, cursor=cursor)
            yield from page.matches
            if not page.next or not page.matches:
                return
            cursor = page.next

    def get_match(self, match_id: str) -> dict[str, Any]:
        """Summary of one match: frames, users, first/last timestamp, event-type counts."""
        return self._json(self._request("GET", f"/api/v3/matches/{_segment(match_id)}"))

    def download(
        self,
        match_id: str,
        dest: str | Path | IO[bytes],
        *,
        format: str = "echoreplay",
        on_chunk: Callable[[int], None] | None = None,
    ) -> int:
        """Save a match as ``.echoreplay`` (zip) or NDJSON; returns the bytes written.

        Streamed a chunk at a time (``on_chunk`` gets each chunk's size). A file
        path is removed again when the download fails.
        """
        if not isinstance(dest, str | Path):
            return self._download(match_id, dest, format, on_chunk)
        path = Path(dest)
        try:
            with open(path, "wb") as out:
                return self._download(match_id, out, format, on_chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def _download(
        self, match_id: str, out: IO[bytes], fmt: str, on_chunk: Callable[[int], None] | None
    ) -> int:
        try:
            return download_to(
                self._http, match_id, out, fmt=fmt, on_chunk=on_chunk, error_for=_error_for
            )
        except httpx.HTTPError as exc:
            raise _transport_error(exc, self.base_url) from exc

    def watch(
        self,
        match_id: str,
        *,
        from_start: bool = False,
        fps: int | None = None,
        on_end: Callable[[str], None] | None = None,
    ) -> Iterator[WatchedFrame]:
        """Frames of a session as they are stored (``WS /api/v3/stream/{id}``).

        Ends when the session has been quiet for the server's ``LIVE_WINDOW``
        or the server shuts down (``on_end`` gets the reason).
        """
        return watch(
            self.base_url,
            self._token,
            match_id,
            from_start=from_start,
            fps=fps,
            timeout=self._timeout,
            on_end=on_end,
        )

    # -- plumbing ----------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any
    ) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise _transport_error(exc, self.base_url) from exc
        if response.status_code not in ok:
            raise _error_for(response)
        return response

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise ServerError(f"answer is not JSON: {exc}", response.status_code) from None
        if not isinstance(body, dict):
            raise ServerError("answer is not a JSON object", response.status_code)
        return body


def _segment(value: str) -> str:
    return quote(value, safe="")


def _transport_error(exc: httpx.HTTPError, base_url: str) -> TransportError:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return ConnectError(f"cannot connect to {base_url}: {exc}")
    if isinstance(exc, httpx.TimeoutException):
        return TransportError(f"timed out talking to {base_url}: {exc}")
    return TransportError(f"request to {base_url} failed: {exc}")
