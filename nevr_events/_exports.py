"""Lazy re-exports for the packages' ``__init__`` modules (PEP 562 ``__getattr__``).

A package names its public API once, as ``{module: names}``; each name is
imported from its module on first use. Importing a light module (gunicorn
loads ``nevr_events.server.config`` before gevent patches the standard library)
then never drags in Flask, pymongo or prometheus-client, and a subpackage's
face can name modules that import back into the package without a cycle.
Each ``__init__`` repeats the names under ``TYPE_CHECKING`` for type checkers;
``tests/test_public_api.py`` keeps the two equal.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_exports(
    package: str, table: Mapping[str, Sequence[str]]
) -> tuple[dict[str, str], Callable[[str], Any]]:
    """``({name: module}, __getattr__)`` for a package whose names live in ``table``'s modules."""
    names = {name: module for module, listed in table.items() for name in listed}

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return names, __getattr__
