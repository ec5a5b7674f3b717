"""The OpenAPI 3.1 description of the HTTP API at ``GET /openapi.json`` (no token).

The document (``openapi.json`` beside this module) is written by hand and
kept true by tests: every route of the app must be in it, and schemathesis
checks live responses against it (``tests/test_openapi.py``).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import orjson
from flask import Blueprint, Response

bp = Blueprint("openapi", __name__)


@functools.cache
def _body() -> bytes:
    return resources.files(__package__).joinpath("openapi.json").read_bytes()


@functools.cache
def document() -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(_body())
    return value


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return Response(_body(), mimetype="application/json")
