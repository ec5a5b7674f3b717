"""Gunicorn settings for nevr-events (``gunicorn -c python:nevr_events.server.gunicorn_config``).

Everything comes from the same environment variables as the app, so
``nevr-events serve`` and a bare ``gunicorn`` run behave the same.
"""

from __future__ import annotations

from typing import Any

from nevr_events.server.config import Settings
from nevr_events.server.gunicorn_hooks import install_worker_shutdown, make_sigint_graceful

_settings = Settings.from_env()

bind = [_settings.bind]
workers = _settings.workers
worker_class = "gevent"
worker_connections = 2000
# Streams are long requests: SERVER_TIMEOUT bounds the graceful shutdown.
graceful_timeout = max(1, round(_settings.server_timeout))
timeout = 60
keepalive = 75
loglevel = _settings.log_level
accesslog = "-"
errorlog = "-"
# %(U)s is the path without the query string: `?token=` never reaches the log.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
proc_name = "nevr-events"
# Gunicorn 23+'s control socket is one per-user path shared by every instance;
# nevr-events is managed with signals, so leave it off.
control_socket_disable = True


def when_ready(server: Any) -> None:
    # Gunicorn's SIGINT is a fast, ungraceful stop; make it drain like SIGTERM
    # so Ctrl-C never cuts a stream between storing a frame and answering it.
    make_sigint_graceful(server)
    server.log.info("nevr-events listening on %s", ", ".join(bind))


def post_worker_init(worker: Any) -> None:
    import logging

    # The service's own log lines go where gunicorn's error log goes, same format.
    package_log = logging.getLogger("nevr_events")
    package_log.handlers = list(worker.log.error_log.handlers)
    package_log.setLevel(loglevel.upper())
    package_log.propagate = False
    install_worker_shutdown(worker)


def worker_exit(server: Any, worker: Any) -> None:
    # Gunicorn exits once no request is open; the writer may still be storing
    # the last batch, so wait for the drain to finish (bounded by its deadline).
    runtime = worker.wsgi.extensions.get("nevr_events.runtime") if worker.wsgi else None
    if runtime is not None and runtime.stopping.is_set():
        runtime.wait_stopped(_settings.server_timeout)
