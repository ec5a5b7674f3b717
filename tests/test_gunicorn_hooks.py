"""The gunicorn internals ``server/ops/gunicorn_hooks.py`` relies on are still there.

The behaviour itself (SIGINT and SIGTERM drain streams, then exit 0) is tested
on live servers in ``test_lifecycle.py``; this fails first, and by name, when a
gunicorn release renames what the hooks use.
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace

from flask import Flask
from gunicorn.arbiter import Arbiter
from gunicorn.workers.base import Worker
from gunicorn.workers.ggevent import GeventWorker

from nevr_events.server.ops.gunicorn_hooks import close_worker, make_sigint_graceful
from nevr_events.server.runtime import runtime_of


def test_master_signal_handlers_are_looked_up_by_name() -> None:
    assert callable(Arbiter.handle_int) and callable(Arbiter.handle_term)
    # The master dispatches a signal to getattr(self, "handle_<name>") at the time it
    # arrives, so replacing the attribute on the instance takes effect.
    assert "handle_%s" in inspect.getsource(Arbiter)

    class FakeArbiter:
        def handle_int(self) -> str:
            return "fast"

        def handle_term(self) -> str:
            return "graceful"

    arbiter = FakeArbiter()
    make_sigint_graceful(arbiter)
    assert arbiter.handle_int() == "graceful"


def test_worker_loop_watches_alive_and_holds_the_app() -> None:
    assert "self.alive" in inspect.getsource(GeventWorker.run)
    assert "self.wsgi" in inspect.getsource(Worker.load_wsgi)


def test_worker_exit_closes_the_app_the_worker_loaded(app: Flask) -> None:
    assert close_worker(SimpleNamespace(wsgi=None), timeout=5)  # no app loaded: nothing to close
    runtime = runtime_of(app)
    assert not runtime.closed
    assert close_worker(SimpleNamespace(wsgi=app), timeout=5)
    assert runtime.closed and runtime.stopping.is_set()
