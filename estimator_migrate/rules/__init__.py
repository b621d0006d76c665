"""Rewrite rules. Each module registers handlers for the SDK names it rewrites or reports;
importing the package imports every module, so a new rule never edits a central list."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

# canonical SDK name (see analysis/symbols.py) -> handlers called with (FileContext, ast.Call)
CALL_HANDLERS: dict[str, list[Callable]] = {}
_loaded = False


def on_call(*canonical_names: str):
    def register(func: Callable) -> Callable:
        for name in canonical_names:
            CALL_HANDLERS.setdefault(name, []).append(func)
        return func

    return register


def load_rules() -> dict[str, list[Callable]]:
    global _loaded
    if not _loaded:
        for info in pkgutil.walk_packages(__path__, __name__ + "."):
            importlib.import_module(info.name)
        _loaded = True
    return CALL_HANDLERS
