"""The `nevr-events` client commands, through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from tests.support import SECRET, LiveServer, envelope, make_frame, new_session_id
from tests.test_replay import make_echoreplay

# The console script of the environment under test (next to its python), not
# whatever `nevr-events` comes first on PATH.
SCRIPT = Path(sys.executable).with_name("nevr-events")
ENTRY = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "nevr_events.cli.main"]


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    """Run the CLI with a clean client environment (no inherited URL/token/secret)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NEVR_EVENTS_URL", "NEVR_EVENTS_TOKEN", "JWT_SECRET")
    }
    return subprocess.run(
        [*ENTRY, *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def client_env(server: LiveServer, sub: str = "cli") -> dict[str, str]:
    return {"NEVR_EVENTS_URL": server.url, "NEVR_EVENTS_TOKEN": server.token(sub)}


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "token", "health", "events", "stream"):
        assert command in result.stdout


def test_token_uses_the_server_secret() -> None:
    result = run("token", "--sub", "agent-9", "--ttl", "2h", env={"JWT_SECRET": SECRET})
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), SECRET, algorithms=["HS256"])
    assert claims["sub"] == "agent-9"
    assert claims["exp"] - claims["iat"] == 7200
    issued = datetime.fromtimestamp(claims["iat"], UTC)
    assert abs(issued - datetime.now(UTC)) < timedelta(minutes=1)  # issued now, not a fixed date
    missing = run("token", "--sub", "x")
    assert missing.returncode == 2 and "JWT_SECRET" in missing.stderr


def test_token_ttl_units_are_the_ones_the_help_names() -> None:
    help_text = run("token", "--help").stdout
    assert "ms, s, m or h" in help_text and "7d" not in help_text
    week = run("token", "--sub", "a", "--ttl", "168h", env={"JWT_SECRET": SECRET})
    claims = jwt.decode(week.stdout.strip(), SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 168 * 3600
    days = run("token", "--sub", "a", "--ttl", "7d", env={"JWT_SECRET": SECRET})
    assert days.returncode == 2 and "--ttl" in days.stderr


def test_health(server: LiveServer) -> None:
    result = run("health", "--url", server.url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "healthy"
    down = run("health", env={"NEVR_EVENTS_URL": "http://127.0.0.1:9"})
    assert down.returncode == 1
    assert "cannot connect" in down.stderr


def test_stream_ndjson_then_read_back(server: LiveServer, tmp_path: Path) -> None:
    sid = new_session_id()
    goal = {"player_goal": {"player_slot": 1, "total_goals": 1, "points": 2}}
    lines = [envelope(make_frame(sid, i, events=[goal] if i == 5 else None)) for i in range(40)]
    lines.insert(10, "{this is not json")  # line 11
    lines.append(json.dumps(make_frame(sid, 40)))  # a bare frame, line 42
    source = tmp_path / "frames.ndjson"
    source.write_text("\n".join(lines) + "\n")

    result = run("stream", str(source), env=client_env(server))
    assert result.returncode == 3, result.stderr  # delivered, but one line did not parse
    assert f"skipped {source}:11: line is not valid JSON" in result.stderr
    assert (
        "sent 41, stored 41, duplicates 0, skipped 0, rejected 0, lost 0, parse errors 1"
        in result.stderr
    )

    out = tmp_path / "events.json"
    got = run("events", "get", sid, "-o", str(out), env=client_env(server))
    assert got.returncode == 0, got.stderr
    body = json.loads(out.read_text())
    assert body["lobby_session_id"] == sid.lower() and body["count"] == 41
    assert body["events"][3]["data"]["frame_index"] == 3
    assert {e["user_id"] for e in body["events"]} == {"cli"}

    nd = run("events", "get", sid, "--format", "ndjson", env=client_env(server))
    assert nd.returncode == 0, nd.stderr
    rows = [json.loads(line) for line in nd.stdout.splitlines()]
    assert [r["data"].get("frame_index", 0) for r in rows] == list(range(41))

    goals = run("events", "get", sid, "--event-type", "player_goal", env=client_env(server))
    assert [e["data"]["frame_index"] for e in json.loads(goals.stdout)["events"]] == [5]

    # the same file again: everything is already stored
    again = run("stream", "--rate", "500", str(source), env=client_env(server))
    assert "stored 0, duplicates 41" in again.stderr and again.returncode == 3


def test_stream_echoreplay(server: LiveServer, tmp_path: Path) -> None:
    sid = new_session_id()
    recording = make_echoreplay(tmp_path / "match.echoreplay", sid, lines=300, corrupt=(42,))
    result = run("stream", str(recording), env=client_env(server, "recorder"))
    assert result.returncode == 3, result.stderr
    assert f"{recording}!match.echoreplay:42: session JSON is not valid JSON" in result.stderr
    assert "sent 299, stored 299" in result.stderr and "lost 0" in result.stderr
    assert len(server.stored(sid, with_frame=False)) == 299

    got = run("events", "get", sid.lower(), "--format", "ndjson", env=client_env(server))
    assert len(got.stdout.splitlines()) == 299


def test_stream_rejections_exit_1(server: LiveServer, tmp_path: Path) -> None:
    sid = new_session_id()
    source = tmp_path / "mixed.ndjson"
    source.write_text(
        envelope(make_frame(sid, 0)) + "\n" + envelope(make_frame("not-a-uuid", 1)) + "\n"
    )
    result = run("stream", "--quiet", str(source), env=client_env(server))
    assert result.returncode == 1
    assert f"rejected {source}:2 (frame_index 1): invalid match ID: not-a-uuid" in result.stderr
    assert "stored 1" in result.stderr and "rejected 1" in result.stderr


def test_stream_needs_a_valid_token(server: LiveServer, tmp_path: Path) -> None:
    source = tmp_path / "one.ndjson"
    source.write_text(envelope(make_frame(new_session_id(), 0)) + "\n")
    result = run("stream", "--url", server.url, str(source))
    assert result.returncode == 1
    assert "401" in result.stderr and "missing token" in result.stderr


def test_events_get_errors(server: LiveServer, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    bad = run("events", "get", "nope", "-o", str(out), env=client_env(server))
    assert bad.returncode == 1 and "invalid match ID" in bad.stderr
    assert not out.exists()
    anon = run("events", "get", new_session_id(), "--url", server.url)
    assert anon.returncode == 1 and "401" in anon.stderr
