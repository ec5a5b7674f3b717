"""Fixtures: a real database on each backend, and a live server.

Storage behaviour runs on both stores: a test module (or test) marked
``both_stores`` gets every backend-dependent fixture (``backend``,
``store_url``, ``settings``, ``app``, ``server``) once per backend; other tests
run on ``DEFAULT_BACKEND``. The MongoDB path uses FerretDB (or ``MONGO_URI``
when set), started only when a test needs it.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pymongo
import pytest
from flask import Flask

from nevr_events import Settings, create_app
from nevr_events.server import close_app
from nevr_events.testing.ferretdb import LocalFerretDB
from tests.rabbitmq import LocalRabbitMQ
from tests.support import SECRET, LiveServer

BACKENDS = ("sqlite", "mongo")
DEFAULT_BACKEND = "sqlite"
# Databases the run created on the MongoDB path; dropped at the end.
_MONGO_DATABASES: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_stores: run the test once on each store (SQLite and MongoDB)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_stores") is not None
        backends = BACKENDS if both else (DEFAULT_BACKEND,)
        metafunc.parametrize("backend", backends, indirect=True, scope="module")


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"mongo"``: the store under test (see ``both_stores``)."""
    return request.param


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    """A real MongoDB-wire database for the whole run.

    ``MONGO_URI`` wins when set (a real MongoDB); otherwise a throw-away
    FerretDB is started on a loopback port and stopped at the end.
    """
    uri = os.environ.get("MONGO_URI")
    with contextlib.ExitStack() as stack:
        if not uri:
            uri = stack.enter_context(LocalFerretDB()).uri
        yield uri
        client: pymongo.MongoClient = pymongo.MongoClient(uri, serverSelectionTimeoutMS=3000)
        for name in _MONGO_DATABASES:
            with contextlib.suppress(pymongo.errors.PyMongoError):
                client.drop_database(name)
        client.close()


def new_database_name(prefix: str = "nevr_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _MONGO_DATABASES.append(name)
    return name


@pytest.fixture(scope="session")
def _databases() -> list[str]:
    """Names of MongoDB databases to drop at the end: append the ones a test makes."""
    return _MONGO_DATABASES


@pytest.fixture
def database_name() -> str:
    """A fresh database for one test: isolated data."""
    return new_database_name()


def _store_url(request: pytest.FixtureRequest, backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'events.db'}"
    return request.getfixturevalue("mongo_uri")


@pytest.fixture
def store_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A fresh, empty store of the backend under test."""
    return _store_url(request, backend, tmp_path)


@pytest.fixture
def settings(store_url: str, database_name: str) -> Settings:
    # The MongoDB path through MONGO_URI, as existing deployments configure it.
    where = (
        {"mongo_uri": store_url} if store_url.startswith("mongodb") else {"store_url": store_url}
    )
    return Settings(**where, database_name=database_name, jwt_secret=SECRET, mongo_timeout=3.0)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """A fresh app on a fresh database, for Flask test-client tests."""
    application = create_app(settings)
    yield application
    close_app(application)


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A live gunicorn + gevent server for a test module, on its own database.

    Tests share it but isolate their data by using fresh session ids.
    """
    url = _store_url(request, backend, tmp_path_factory.mktemp("store"))
    live = LiveServer(url, new_database_name("nevr_live")).start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def rabbitmq() -> Iterator[LocalRabbitMQ]:
    """One throw-away RabbitMQ (Debian's rabbitmq-server) for the run, on a loopback port."""
    with LocalRabbitMQ() as broker:
        yield broker
