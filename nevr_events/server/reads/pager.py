"""The one keyset pager: a session's stored documents in session order, a page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nevr_events.server.store import PageCursor, SessionReader


def iter_documents(
    store: SessionReader, session_id: str, *, page_size: int, offset: int = 0
) -> Iterator[dict[str, Any]]:
    """Every stored document of a session from the ``offset``-th (0-based) on.

    Only the first page is found by offset; each next one starts after the last
    document read (``PageCursor``), so frames stored meanwhile shift nothing.
    """
    page = store.page(session_id, limit=page_size, offset=offset)
    while page:
        yield from page
        if len(page) < page_size:
            return
        page = store.page(session_id, limit=page_size, after=PageCursor.after(page[-1]))
