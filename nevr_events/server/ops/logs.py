"""Structured logs (``LOG_FORMAT=json``) and the request id of every HTTP request.

With ``LOG_FORMAT=json`` gunicorn's error log, its access log and the
service's own log all write one JSON object per line: ``ts``, ``level``,
``logger``, ``msg``, ``pid``, and the fields a call adds with ``extra=``
(streams add ``user``, ``node`` and ``counts``). Access lines carry the path
without its query string, so a ``?token=`` never reaches a log in either
format; no log line holds a header value other than the user agent.

Every HTTP response carries ``X-Request-ID``: the caller's own, when it sent
a short printable one, else a new random id. Log lines written while the
request runs, and its access line, carry it as ``request_id``.
"""

from __future__ import annotations

import logging
import re
import traceback
import uuid
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import orjson
from flask import Flask, Response, g, has_request_context, request
from gunicorn.glogging import Logger as GunicornBaseLogger

from nevr_events.wire.api import format_time

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
# Attributes every LogRecord has; anything else came from ``extra=``.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "ts": format_time(stamp),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        if has_request_context() and (request_id := g.get("request_id")):
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return orjson.dumps(entry, default=str).decode()


class GunicornLogger(GunicornBaseLogger):
    """Gunicorn's logger, writing JSON lines when ``LOG_FORMAT=json``."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from nevr_events.server.config import Settings

        self.json = Settings.from_env().log_format == "json"
        if self.json:
            for handler in [*self.error_log.handlers, *self.access_log.handlers]:
                handler.setFormatter(JsonFormatter())
            # Python's warnings would otherwise print plain lines to stderr.
            logging.captureWarnings(True)
            logging.getLogger("py.warnings").handlers = list(self.error_log.handlers)

    def access(
        self, resp: Any, req: Any, environ: MutableMapping[str, Any], request_time: Any
    ) -> None:
        if not self.json:
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        status = str(atoms.get("s", "-"))
        fields = {
            "remote": atoms.get("h"),
            "method": atoms.get("m"),
            "path": atoms.get("U"),  # without the query string: `?token=` stays out
            "status": int(status) if status.isdigit() else status,
            "bytes": atoms.get("B"),
            "duration_ms": atoms.get("M"),
            "user_agent": atoms.get("a"),
            "request_id": atoms.get("{x-request-id}o"),
        }
        self.access_log.info("%s %s %s", fields["method"], fields["path"], status, extra=fields)


def init_app(app: Flask) -> None:
    @app.before_request
    def _assign_request_id() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        valid = _VALID_REQUEST_ID.fullmatch(given)
        g.request_id = given if valid else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        # A request refused before the hooks ran (e.g. 404) still gets an id.
        response.headers[REQUEST_ID_HEADER] = g.get("request_id") or uuid.uuid4().hex
        return response
