"""The public face of the package: ``nevr_events`` re-exports the documented API, lazily."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import nevr_events
from nevr_events import exceptions
from nevr_events.testing import ROOT

PACKAGES = sorted(
    ".".join(path.relative_to(ROOT).parent.parts)
    for path in (ROOT / "nevr_events").rglob("__init__.py")
    if "EXPORTS" in path.read_text()
)


def test_every_package_with_a_face_is_checked() -> None:
    assert {
        "nevr_events",
        "nevr_events.client",
        "nevr_events.wire",
        "nevr_events.server",
        "nevr_events.server.ingest",
    } <= set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checking_imports_match_the_lazy_table(package: str) -> None:
    module = importlib.import_module(package)
    tree = ast.parse(Path(inspect.getfile(module)).read_text())
    [block] = [n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n)]
    imported: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names:
            assert alias.asname == alias.name, "re-export as `import X as X`"
            imported[alias.name] = node.module
    assert imported == module.EXPORTS


def test_subpackages_export_what_users_import() -> None:
    from nevr_events.client import Client, FrameStream
    from nevr_events.server import Settings, create_app

    assert Client is nevr_events.Client and FrameStream is nevr_events.FrameStream
    assert create_app is nevr_events.create_app and Settings is nevr_events.Settings


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


def test_every_package_says_in_one_sentence_what_it_holds() -> None:
    for init in sorted((ROOT / "nevr_events").rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc, f"{init.relative_to(ROOT)} has no docstring"
        first = doc.split("\n\n", 1)[0]
        assert first.endswith(".") and first.count(". ") == 0, (init.relative_to(ROOT), first)
