"""The event store: the only code that talks to the database.

``EventStore`` is the small interface the rest of the service uses. Two
implementations keep the same behaviour: ``SqliteEventStore`` (an embedded
file, the default) and ``MongoEventStore`` (MongoDB, the production store that
scales past one machine). ``open_store`` picks one from a store URL.
"""

from __future__ import annotations

import os

from flask import Flask, current_app

from nevr_events.exceptions import ConfigError
from nevr_events.server.config import MONGO_SCHEMES, SQLITE_SCHEME, Settings
from nevr_events.server.store.base import (
    ArrivalLog,
    EventStore,
    FrameSink,
    MatchIndex,
    PageCursor,
    Presence,
    PublisherState,
    SessionReader,
    StoredDocument,
    WriteOutcome,
    bson_form,
    frame_json,
)
from nevr_events.server.store.mongo import MongoEventStore
from nevr_events.server.store.sqlite import SqliteEventStore

__all__ = [
    "ArrivalLog",
    "EventStore",
    "FrameSink",
    "MatchIndex",
    "MongoEventStore",
    "PageCursor",
    "Presence",
    "PublisherState",
    "SessionReader",
    "SqliteEventStore",
    "StoredDocument",
    "WriteOutcome",
    "bson_form",
    "describe",
    "frame_json",
    "get_store",
    "init_app",
    "open_store",
    "sqlite_path",
]


def sqlite_path(url: str) -> str:
    """The file of a ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` URL."""
    if not url.startswith(SQLITE_SCHEME) or len(url) == len(SQLITE_SCHEME):
        raise ConfigError(f"STORE_URL={url!r}: expected sqlite:///relative.db or sqlite:////abs.db")
    return url[len(SQLITE_SCHEME) :].split("?", 1)[0]


def open_store(settings: Settings, url: str | None = None) -> EventStore:
    """The store a URL names (default: the settings' resolved ``STORE_URL``)."""
    url = url or settings.resolved_store_url
    if url.startswith(MONGO_SCHEMES):
        return MongoEventStore(settings, uri=url)
    return SqliteEventStore(sqlite_path(url), timeout=settings.mongo_timeout)


def describe(settings: Settings) -> str:
    """One log line: where frames go (never a password), and how to choose otherwise."""
    url = settings.resolved_store_url
    if url.startswith(MONGO_SCHEMES):
        return (
            f"frames go to MongoDB {settings.safe_store_url}, "
            f"collection {settings.database_name}.{settings.collection_name}"
        )
    where = os.path.abspath(sqlite_path(url))
    how = "" if settings.store_url else " (set STORE_URL=mongodb://… or MONGO_URI for MongoDB)"
    return f"frames go to the embedded SQLite store {where}{how}"


def init_app(app: Flask, store: EventStore | None = None) -> EventStore:
    """Attach the store to the app (one per process); the schema is made on first use."""
    settings: Settings = app.config["SETTINGS"]
    store = store or open_store(settings)
    app.extensions["nevr_events.server.store"] = store
    return store


def get_store() -> EventStore:
    store: EventStore = current_app.extensions["nevr_events.server.store"]
    return store
