"""The README's layout table matches the package tree (every module listed, no stale path)."""

from __future__ import annotations

import re

from nevr_events.testing import ROOT

PACKAGE = ROOT / "nevr_events"


def _layout_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Layout")
    return readme[start : readme.index("\n## ", start + 1)]


def test_every_module_is_in_the_layout_table() -> None:
    layout = _layout_section()
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if path.name.endswith("_pb2.py") or (path.name == "__init__.py" and relative.parent.parts):
            continue  # generated code (listed as wire/pb/), and subpackage markers
        parent = relative.parent.as_posix()
        listed = (
            f"`{relative.as_posix()}`" in layout
            or f"`nevr_events/{relative.as_posix()}`" in layout
            or f"`{path.name}`" in layout  # in a row naming its siblings
            or (len(relative.parts) > 2 and f"`{parent}/`" in layout)  # e.g. server/graphql/
        )
        if not listed:
            missing.append(relative.as_posix())
    assert not missing, f"add these modules to README's Layout table: {missing}"


def test_every_path_in_the_layout_table_exists() -> None:
    stale = []
    first_cells = re.findall(r"^\| (.+?) \|", _layout_section(), flags=re.MULTILINE)
    names = []
    for cell in first_cells:
        first, *siblings = re.findall(r"`([\w./]+)`", cell) or [""]
        folder = first.rsplit("/", 1)[0] + "/" if "/" in first.rstrip("/") else ""
        names += [first, *(n if "/" in n else folder + n for n in siblings)]
    assert len(names) > 20
    for name in filter(None, names):
        candidates = [ROOT / name, PACKAGE / name]
        if not any(c.exists() for c in candidates):
            stale.append(name)
    assert not stale, f"README's Layout table names paths that do not exist: {stale}"
