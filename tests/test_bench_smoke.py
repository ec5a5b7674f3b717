"""Every benchmark script still runs: a module move or a renamed helper cannot break one silently.

Scripts are found by globbing ``bench/*.py``: a file with a ``__main__`` block is a
script and must start (``--help``) and finish its smallest run (``--smoke``, which
``bench.harness.parse`` adds) with exit status 0; any other file is shared plumbing
and must import. A new script is covered without touching this file. The runs use
loopback only (their own gunicorn, SQLite file, FerretDB or RabbitMQ) and assert
nothing about speed: figures belong in BENCHMARKS.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nevr_events.testing import ROOT

BENCH = ROOT / "bench"
# A hung smoke run fails instead of holding the suite; a healthy one takes seconds.
TIMEOUT = 180


def _is_script(path: Path) -> bool:
    return 'if __name__ == "__main__":' in path.read_text()


SCRIPTS = sorted(p for p in BENCH.glob("*.py") if _is_script(p))
HELPERS = sorted(p for p in BENCH.glob("*.py") if not _is_script(p) and p.name != "__init__.py")


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The checkout only: bench/ itself on the path would let bench/amqp.py shadow the
    # `amqp` library in the servers the scripts start.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_the_glob_finds_the_scripts() -> None:
    names = {p.name for p in SCRIPTS}
    assert {"live.py", "ingest.py", "spool.py"} <= names
    assert "harness.py" in {p.name for p in HELPERS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_starts_and_names_its_smoke_run(script: Path) -> None:
    done = _run(script, "--help")
    assert done.returncode == 0, done.stderr
    assert "--smoke" in done.stdout, f"{script.name} must parse with bench.harness.parse"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_smallest_run_exits_cleanly(script: Path) -> None:
    done = _run(script, "--smoke")
    assert done.returncode == 0, f"{script.name} --smoke:\n{done.stdout[-2000:]}\n{done.stderr}"
    assert done.stdout.strip(), f"{script.name} --smoke printed no result"


@pytest.mark.parametrize("helper", HELPERS, ids=lambda p: p.name)
def test_helper_imports(helper: Path) -> None:
    # In a child: harness installs a SIGTERM handler, which must not land in pytest.
    done = _run(Path("-c"), f"import bench.{helper.stem}")
    assert done.returncode == 0, done.stderr
