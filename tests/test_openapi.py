"""``GET /openapi.json`` describes every route, and live responses conform to it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests
from flask import Flask

from nevr_events.server.openapi import document
from tests.support import ROOT, LiveServer

# The CLI of the environment under test (not whichever `st` is first on PATH).
SCHEMATHESIS = [sys.executable, "-m", "schemathesis.cli"]
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Examples per operation and phase: enough to find mismatches, bounded in time.
MAX_EXAMPLES = 25


def app_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or (rule.websocket and rule.rule == "/"):
            continue  # the upgrade at `/` is described with the plain `GET /`
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    return routes


def test_every_route_is_documented(app: Flask) -> None:
    documented = {
        (path, method)
        for path, item in document()["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert app_routes(app) == documented


def test_the_document_is_served(server: LiveServer) -> None:
    response = requests.get(server.url + "/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json() == document()
    assert response.json()["openapi"].startswith("3.1")


def test_docs_link_to_the_document() -> None:
    assert "/openapi.json" in (ROOT / "docs" / "operations.md").read_text()


def test_schemathesis_finds_no_failure(server: LiveServer, tmp_path: Path) -> None:
    run = subprocess.run(
        [
            *SCHEMATHESIS,
            "--config-file",
            str(CONFIG),
            "--no-color",
            "run",
            server.url + "/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            "20261127",  # reproducible in CI; change it locally to explore
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--header",
            f"Authorization: Bearer {server.token('schemathesis')}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # Every operation but the document itself, which schemathesis leaves out.
    paths = document()["paths"]
    operations = sum(len(item) for path, item in paths.items() if path != "/openapi.json")
    assert f"{operations} selected / {operations} total" in run.stdout
