#!/usr/bin/env python3
"""Fetches the vendored GraphiQL assets again at the pinned versions.

The IDE page (``/v3/playground``) loads GraphiQL, React and ReactDOM from the
package so that no request leaves the server. This script is how those files
got there: ``npm pack`` each pinned package, take only the browser build and the
licence, and write ``SHA256SUMS`` beside them (checked by tests/test_graphiql_assets.py).

    scripts/fetch_graphiql.py          # re-fetch and rewrite the manifest
    scripts/fetch_graphiql.py --check  # committed files match the manifest (no network)
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "nevr_events" / "server" / "graphql" / "static" / "vendor"
MANIFEST = VENDOR / "SHA256SUMS"
# package, version, files inside the tarball's package/ folder.
PINNED: list[tuple[str, str, list[str]]] = [
    ("graphiql", "4.1.2", ["graphiql.min.js", "graphiql.min.css", "LICENSE"]),
    ("react", "18.3.1", ["umd/react.production.min.js", "LICENSE"]),
    ("react-dom", "18.3.1", ["umd/react-dom.production.min.js", "LICENSE"]),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_lines() -> list[str]:
    files = sorted(p for p in VENDOR.rglob("*") if p.is_file() and p != MANIFEST)
    return [f"{sha256(p)}  {p.relative_to(VENDOR).as_posix()}" for p in files]


def fetch() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, version, members in PINNED:
            spec = f"{name}@{version}"
            packed = subprocess.run(
                ["npm", "pack", spec, "--silent", "--pack-destination", tmp],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
            target = VENDOR / f"{name}-{version}"
            target.mkdir(parents=True, exist_ok=True)
            with tarfile.open(Path(tmp) / packed) as tar:
                for member in members:
                    source = tar.extractfile(f"package/{member}")
                    if source is None:
                        raise SystemExit(f"{spec} has no {member}")
                    (target / Path(member).name).write_bytes(source.read())
    MANIFEST.write_text("\n".join(manifest_lines()) + "\n")


def check() -> int:
    """0 when every file is in the manifest with its sha256, and every listed file exists."""
    expected = set(MANIFEST.read_text().splitlines())
    actual = set(manifest_lines())
    for line in sorted(expected - actual):
        print(f"missing or changed: {line}")
    for line in sorted(actual - expected):
        print(f"not in {MANIFEST.name}: {line}")
    return 0 if expected == actual else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify against SHA256SUMS")
    if parser.parse_args().check:
        return check()
    fetch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
