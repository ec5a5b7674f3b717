"""Gunicorn settings for nevr-events (``gunicorn -c python:nevr_events.gunicorn_config``).

Everything comes from the same environment variables as the app, so
``nevr-events serve`` and a bare ``gunicorn`` run behave the same.
"""

from __future__ import annotations

from typing import Any

from nevr_events.config import Settings

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


def when_ready(server: Any) -> None:
    # Gunicorn's SIGINT is a fast, ungraceful stop; make it drain like SIGTERM
    # so Ctrl-C never cuts a stream between storing a frame and answering it.
    server.handle_int = server.handle_term
    server.log.info("nevr-events listening on %s", ", ".join(bind))


def post_worker_init(worker: Any) -> None:
    from nevr_events.lifecycle import install_worker_shutdown

    install_worker_shutdown(worker)
