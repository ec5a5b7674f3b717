"""Gunicorn configuration: ``gunicorn -c gunicorn.conf.py wsgi:app``.

The settings and hooks live in the package so an installed ``nevr-events serve``
uses the very same ones; the star import brings every one of them (no ``__all__``).
"""

from nevr_events.server.ops.gunicorn_config import *  # noqa: F403
from nevr_events.server.ops.gunicorn_config import (  # noqa: F401
    child_exit,
    on_exit,
    on_starting,
    post_fork,
    post_worker_init,
    when_ready,
    worker_exit,
)
