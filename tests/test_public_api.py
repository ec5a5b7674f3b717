"""The public face of the package: ``nevr_events`` re-exports the documented API, lazily."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import nevr_events
from nevr_events import exceptions


def test_every_public_name_resolves() -> None:
    for name in nevr_events.__all__:
        assert getattr(nevr_events, name) is not None, name


def test_type_checking_imports_match_the_lazy_table() -> None:
    tree = ast.parse(Path(inspect.getfile(nevr_events)).read_text())
    [block] = [n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n)]
    imported: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names:
            assert alias.asname == alias.name, "re-export as `import X as X`"
            imported[alias.name] = node.module
    assert imported == nevr_events._LAZY_NAMES


def test_every_exception_class_is_exported() -> None:
    classes = {
        name
        for name, value in vars(exceptions).items()
        if isinstance(value, type) and issubclass(value, Exception) and value.__name__ == name
    }
    assert classes == set(exceptions.__all__)
    assert set(exceptions.__all__) <= set(nevr_events.__all__)
    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), exceptions.NevrEventsError)


def test_names_before_the_rename_still_work() -> None:
    assert nevr_events.BadRequest is exceptions.BadRequestError
    assert nevr_events.Unauthorized is exceptions.UnauthorizedError
    assert nevr_events.NotFound is exceptions.NotFoundError


def test_importing_the_package_stays_light() -> None:
    code = (
        "import sys, nevr_events, nevr_events.server.config;"
        "print(sorted(m for m in ('flask', 'pymongo', 'httpx', 'gevent') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
