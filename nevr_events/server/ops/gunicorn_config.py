"""Gunicorn settings (``gunicorn -c python:nevr_events.server.ops.gunicorn_config``).

Everything comes from the same environment variables as the app, so
``nevr-events serve`` and a bare ``gunicorn`` run behave the same.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import tempfile
from typing import Any

from nevr_events.server.config import AUTH_NONE_WARNING, NOTIFY_DIR_ENV, Settings
from nevr_events.server.ops.gunicorn_hooks import (
    close_worker,
    install_worker_shutdown,
    make_sigint_graceful,
)

_settings = Settings.from_env()

# prometheus-client reads this when it is first imported, in each worker (after
# the fork): set it here, in the master, so every worker writes its metrics to
# files that a scrape adds up. Our own directory unless the operator named one.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="nevr-events-metrics-")

# Each worker binds a socket here to hear what the others stored (live view, publisher):
# one folder per server, so two servers on one machine never hear each other.
_notify_dir = tempfile.mkdtemp(prefix="nevr-events-notify-")
os.environ[NOTIFY_DIR_ENV] = _notify_dir

bind = [_settings.bind]
workers = _settings.workers
worker_class = "gevent"
worker_connections = 2000
# Streams are long requests: SERVER_TIMEOUT bounds the graceful shutdown.
graceful_timeout = max(1, round(_settings.server_timeout))
timeout = 60
keepalive = 75
loglevel = _settings.log_level
# LOG_FORMAT=json: gunicorn's own lines and the access log as JSON too.
logger_class = "nevr_events.server.ops.logs.GunicornLogger"
# MAX_HEADER_BYTES: one request header line, larger gets 431 from gunicorn.
limit_request_field_size = _settings.max_header_bytes
accesslog = "-"
errorlog = "-"
# %(U)s is the path without the query string: `?token=` never reaches the log.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'
proc_name = "nevr-events"
# Gunicorn 23+'s control socket is one per-user path shared by every instance;
# nevr-events is managed with signals, so leave it off.
control_socket_disable = True


def on_starting(server: Any) -> None:
    # Figures of a previous run in the same directory must not be added in.
    metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    # Imported here, in the master, only once a worker has gone.
    from prometheus_client import multiprocess

    # A dead worker's live gauges (open streams) must stop counting.
    multiprocess.mark_process_dead(worker.pid, os.environ["PROMETHEUS_MULTIPROC_DIR"])
    # Its notify socket too (a killed worker could not remove it).
    with contextlib.suppress(OSError):
        os.unlink(os.path.join(_notify_dir, f"{worker.pid}.sock"))


def on_exit(server: Any) -> None:
    shutil.rmtree(_notify_dir, ignore_errors=True)
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def when_ready(server: Any) -> None:
    # Gunicorn's SIGINT is a fast, ungraceful stop; make it drain like SIGTERM
    # so Ctrl-C never cuts a stream between storing a frame and answering it.
    make_sigint_graceful(server)
    server.log.info("nevr-events listening on %s", ", ".join(bind))
    if _settings.auth == "none":
        server.log.warning(AUTH_NONE_WARNING)


def post_fork(server: Any, worker: Any) -> None:
    import logging

    # The service's own log lines go where gunicorn's error log goes, same format
    # (JSON lines with LOG_FORMAT=json); set before the app is built, so that
    # what create_app logs (the AUTH=none warning) is formatted too.
    package_log = logging.getLogger("nevr_events")
    package_log.handlers = list(worker.log.error_log.handlers)
    package_log.setLevel(loglevel.upper())
    package_log.propagate = False


def post_worker_init(worker: Any) -> None:
    from nevr_events.server.ops.malloc import pin_mmap_threshold

    pin_mmap_threshold()  # big messages must not leave RSS high once answered
    install_worker_shutdown(worker)
    # What the worker loaded to boot (Flask, protobuf) lives as long as the worker:
    # out of the collector's sight, a full collection walks the few objects made
    # since instead of all of them.
    gc.freeze()


def worker_exit(server: Any, worker: Any) -> None:
    # Gunicorn exits once no request is open; the writer may still be storing
    # the last batch: close the app, bounded by the shutdown deadline.
    close_worker(worker, _settings.server_timeout)
    # Hand the frozen boot objects back to the collector: left frozen, they outlive the
    # interpreter's last collections and are torn down after gevent's modules are,
    # and a logging weakref callback prints a traceback as the worker exits.
    gc.unfreeze()
