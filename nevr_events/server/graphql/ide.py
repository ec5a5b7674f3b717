"""The GraphQL IDE page: the vendored GraphiQL, served from the package.

``GET /v3/playground`` and ``GET /v3/graphiql`` return ``static/ide.html``, which
loads GraphiQL, React and ReactDOM from ``/v3/graphiql/vendor/<package>-<version>/``
(fetched by ``scripts/fetch_graphiql.py``) and our ``ide.js``, which mounts it.
Nothing is loaded from another origin, and the page's CSP says so. None of
these routes needs a token: they hold no data (the page asks for the token).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from flask import Blueprint, Response, send_from_directory

STATIC = resources.files(__package__).joinpath("static")
# No 'unsafe-inline', for styles either: GraphiQL 4.1.2 sets its inline styles
# through the CSSOM (element.style), which CSP allows; the browser test checks
# that the page raises no violation while it is used.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# The vendored files never change under a path: the version is part of it.
IMMUTABLE = "public, max-age=31536000, immutable"


def _static(name: str, mimetype: str) -> Response:
    response = Response(STATIC.joinpath(name).read_bytes(), mimetype=mimetype)
    # Our own files change with the server, under the same path: revalidate.
    response.headers["Cache-Control"] = "no-cache"
    return response


def page() -> Response:
    response = _static("ide.html", "text/html")
    response.headers["Content-Security-Policy"] = CSP
    return response


def script() -> Response:
    return _static("ide.js", "text/javascript")


def stylesheet() -> Response:
    return _static("ide.css", "text/css")


def vendor(filename: str) -> Response:
    # send_from_directory refuses paths that leave the folder (404).
    response = send_from_directory(Path(str(STATIC)) / "vendor", filename, max_age=None)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def register(bp: Blueprint) -> frozenset[str]:
    """Adds the IDE routes to ``bp``; returns their endpoints (served without a token)."""
    bp.add_url_rule("/v3/playground", "playground", page, methods=["GET"])
    bp.add_url_rule("/v3/graphiql", "graphiql", page, methods=["GET"])
    bp.add_url_rule("/v3/graphiql/ide.js", "ide_js", script, methods=["GET"])
    bp.add_url_rule("/v3/graphiql/ide.css", "ide_css", stylesheet, methods=["GET"])
    bp.add_url_rule("/v3/graphiql/vendor/<path:filename>", "vendor", vendor, methods=["GET"])
    return frozenset(
        f"{bp.name}.{e}" for e in ("playground", "graphiql", "ide_js", "ide_css", "vendor")
    )
