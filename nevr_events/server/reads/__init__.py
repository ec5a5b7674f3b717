"""Reads: stored sessions and matches over HTTP (pages, downloads), the one keyset pager,
and the OpenAPI document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nevr_events._exports import lazy_exports

EXPORTS, __getattr__ = lazy_exports(
    __name__,
    {
        "nevr_events.server.reads.pager": ("iter_documents",),
        "nevr_events.server.reads.openapi": ("document",),
    },
)
__all__ = sorted(EXPORTS)

if TYPE_CHECKING:
    from nevr_events.server.reads.openapi import document as document
    from nevr_events.server.reads.pager import iter_documents as iter_documents
