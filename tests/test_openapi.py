"""``GET /openapi.json`` describes every route, and live responses conform to it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import requests
from flask import Flask

from nevr_events.server.reads.openapi import document
from tests.support import ROOT, LiveServer, envelope, make_frame, new_session_id, send_frames

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


def conforms(body: object, schema: str) -> list[str]:
    """What in ``body`` breaks the document's ``components/schemas/<schema>`` (formats too)."""
    validator = jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": document()["components"]},
        validate_formats=True,
    )
    return [str(error) for error in validator.iter_errors(body)]


def test_live_and_match_responses_with_data_conform(server: LiveServer) -> None:
    """schemathesis sees an empty database; here the live and match routes answer with a
    stored match, and every body (and the download's headers) fits the document."""
    sid = new_session_id(upper=False)
    goal = {"player_goal": {"player_slot": 2, "total_goals": 1, "points": 2}}
    ws = server.connect()
    frames = [envelope(make_frame(sid, i, events=[goal] if i == 2 else None)) for i in range(4)]
    frames.append(envelope(make_frame(new_session_id(), 0)))  # a second match: two pages
    assert all(reply["stored"] for reply in send_frames(ws, frames))
    ws.close()
    operations = document()["paths"]

    streams = server.get("/api/v3/stream").json()
    assert not conforms(streams, "LiveStreams")
    assert sid in {stream["match_id"] for stream in streams["streams"]}
    info = server.get(f"/api/v3/stream/{sid}/info").json()
    assert not conforms(info, "LiveStreamInfo") and info["frames"] == 4
    first = server.get("/api/v3/matches", params={"limit": 1}).json()
    assert not conforms(first, "MatchPage") and first["next"]
    second = server.get("/api/v3/matches", params={"limit": 1, "cursor": first["next"]}).json()
    assert not conforms(second, "MatchPage")
    summary = server.get(f"/api/v3/matches/{sid}").json()
    assert not conforms(summary, "MatchSummary")
    assert summary["event_types"] == {"player_goal": 1}

    download = operations["/api/v3/matches/{match_id}/download"]["get"]["responses"]["200"]
    disposition = download["headers"]["Content-Disposition"]["schema"]["pattern"]
    for fmt, content_type in (
        ("echoreplay", "application/zip"),
        ("ndjson", "application/x-ndjson"),
    ):
        response = server.get(f"/api/v3/matches/{sid}/download", params={"format": fmt})
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == content_type
        assert content_type in download["content"]
        assert re.match(disposition, response.headers["Content-Disposition"])

    health = requests.get(server.url + "/health", timeout=10).json()
    assert not conforms(health, "Health") and health["amqp"] == "off"
    # The document refuses what it should: a body without a required field.
    assert conforms({"streams": [{"match_id": sid}]}, "LiveStreams")
