"""Every change nevr-events makes to gunicorn's own behaviour, in one place.

Gunicorn's graceful stop only stops accepting and waits for requests; on
SIGINT/SIGQUIT it exits at once. A WebSocket "request" lasts as long as the
stream, so without these a shutdown would either wait out the timeout or cut
streams between storing a frame and answering it. ``gunicorn_config`` calls
them from its server hooks. They rely on gunicorn internals that hooks can reach
but that are not a documented API: ``Arbiter.handle_int``/``handle_term`` (the
master's signal handlers, looked up by name), ``Worker.alive`` (the worker's
accept loop runs while it is true) and ``Worker.wsgi`` (the loaded app);
``tests/test_gunicorn_hooks.py`` checks they are still there.

Light at import: gunicorn loads its config (and so this module) in the master,
before the gevent worker patches the standard library.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gunicorn.workers.base import Worker

    from nevr_events.server.runtime import Runtime


def make_sigint_graceful(arbiter: Any) -> None:
    """The master treats SIGINT (Ctrl-C) like SIGTERM: a graceful stop, not a fast one."""
    arbiter.handle_int = arbiter.handle_term


def install_worker_shutdown(worker: Worker) -> None:
    """Make a gevent worker drain its streams on SIGTERM, SIGINT and SIGQUIT.

    Replaces the worker's own handlers: the worker stops accepting (gunicorn's
    loop watches ``alive``) and the runtime begins to close (``Runtime.close``,
    which ``close_worker`` waits for).
    """
    import gevent

    runtime = _runtime(worker)
    if runtime is None:
        raise RuntimeError("the worker's app is not one create_app built: no graceful drain")

    def handle(_signum: int, _frame: Any) -> None:
        worker.alive = False  # gunicorn's loop stops accepting and waits for requests
        gevent.spawn(runtime.begin_close)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(signum, handle)


def close_worker(worker: Worker, timeout: float) -> bool:
    """At the worker's exit: close its app (``Runtime.close``; it may already be closing
    since a signal, then this waits for it). True when all finished in time."""
    runtime = _runtime(worker)
    return runtime.close(timeout) if runtime is not None else True


def _runtime(worker: Worker) -> Runtime | None:
    """The runtime of the app the worker loaded; None before it loaded one."""
    from flask import Flask

    from nevr_events.server.runtime import runtime_of

    app = getattr(worker, "wsgi", None)
    return runtime_of(app) if isinstance(app, Flask) else None
