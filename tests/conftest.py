"""Fixtures: a real database (FerretDB, or MONGO_URI when set) and a live server."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pymongo
import pytest
from flask import Flask

from nevr_events import Settings, create_app
from nevr_events.server.devdb import LocalFerretDB
from tests.rabbitmq import LocalRabbitMQ
from tests.support import SECRET, LiveServer


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    """A real MongoDB-wire database for the whole run.

    ``MONGO_URI`` wins when set (a real MongoDB); otherwise a throw-away
    FerretDB is started on a loopback port and stopped at the end.
    """
    if uri := os.environ.get("MONGO_URI"):
        yield uri
        return
    with LocalFerretDB() as db:
        yield db.uri


@pytest.fixture(scope="session")
def _databases(mongo_uri: str) -> Iterator[list[str]]:
    """Names of the databases the run created; dropped at the end."""
    names: list[str] = []
    yield names
    client: pymongo.MongoClient = pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=3000)
    for name in names:
        with contextlib.suppress(pymongo.errors.PyMongoError):
            client.drop_database(name)
    client.close()


@pytest.fixture
def database_name(_databases: list[str]) -> str:
    """A fresh database for one test: isolated data."""
    name = f"nevr_test_{uuid.uuid4().hex[:12]}"
    _databases.append(name)
    return name


@pytest.fixture
def settings(mongo_uri: str, database_name: str) -> Settings:
    return Settings(
        mongo_uri=mongo_uri, database_name=database_name, jwt_secret=SECRET, mongo_timeout=3.0
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """A fresh app on a fresh database, for Flask test-client tests."""
    application = create_app(settings)
    yield application
    application.extensions["nevr_events.server.store"].close()


@pytest.fixture(scope="module")
def server(mongo_uri: str, _databases: list[str]) -> Iterator[LiveServer]:
    """A live gunicorn + gevent server for a test module, on its own database.

    Tests share it but isolate their data by using fresh session ids.
    """
    name = f"nevr_live_{uuid.uuid4().hex[:12]}"
    _databases.append(name)
    live = LiveServer(mongo_uri, name).start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def rabbitmq() -> Iterator[LocalRabbitMQ]:
    """One throw-away RabbitMQ (Debian's rabbitmq-server) for the run, on a loopback port."""
    with LocalRabbitMQ() as broker:
        yield broker
