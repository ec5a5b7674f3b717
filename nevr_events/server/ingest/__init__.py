"""Ingest: the agents' WebSocket stream, from a received message to its acknowledged write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nevr_events._exports import lazy_exports

EXPORTS, __getattr__ = lazy_exports(
    __name__,
    {
        "nevr_events.server.ingest.documents": ("build_document",),
        "nevr_events.server.ingest.session": ("Ingest", "StreamOptions", "StreamSession"),
        "nevr_events.server.ingest.writer": ("BatchWriter", "WriterObserver"),
        "nevr_events.server.ingest.ratelimit": ("TokenBucket",),
        "nevr_events.server.ingest.wsconn": ("ServerSocket",),
    },
)
__all__ = sorted(EXPORTS)

if TYPE_CHECKING:
    from nevr_events.server.ingest.documents import build_document as build_document
    from nevr_events.server.ingest.ratelimit import TokenBucket as TokenBucket
    from nevr_events.server.ingest.session import Ingest as Ingest
    from nevr_events.server.ingest.session import StreamOptions as StreamOptions
    from nevr_events.server.ingest.session import StreamSession as StreamSession
    from nevr_events.server.ingest.writer import BatchWriter as BatchWriter
    from nevr_events.server.ingest.writer import WriterObserver as WriterObserver
    from nevr_events.server.ingest.wsconn import ServerSocket as ServerSocket
