"""The vendored GraphiQL files are the ones scripts/fetch_graphiql.py fetched."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from tests.support import ROOT

VENDOR = ROOT / "nevr_events" / "server" / "graphql" / "static" / "vendor"


def test_vendored_files_match_the_checksum_manifest() -> None:
    listed = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    on_disk = {
        p.relative_to(VENDOR).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in VENDOR.rglob("*")
        if p.is_file() and p.name != "SHA256SUMS"
    }
    assert on_disk == listed
    # Each package ships with its licence, and the page's three scripts are there.
    for folder in ("graphiql-4.1.2", "react-18.3.1", "react-dom-18.3.1"):
        assert f"{folder}/LICENSE" in listed
    page = (VENDOR.parent / "ide.html").read_text()
    for name in listed:
        if name.endswith((".js", ".css")):
            assert f"/v3/graphiql/vendor/{name}" in page


def test_fetch_script_check_agrees() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/fetch_graphiql.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
