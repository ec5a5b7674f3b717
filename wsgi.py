"""WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app``."""

from nevr_events import create_app

app = create_app()
