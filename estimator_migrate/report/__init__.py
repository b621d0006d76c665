"""Renderers: each module turns a list of core.FileResult into one string in one format.

``render(name, results, **context)`` picks the module; every renderer accepts the same
keyword context (what cli.py passes: mode, root, baselined, suppressed, ...) and ignores what it
does not need.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

FORMATS = ("text", "json", "github", "sarif", "junit")


def render(name: str, results: Sequence, **context) -> str:
    if name not in FORMATS:
        raise ValueError(f"unknown output format {name!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(f"estimator_migrate.report.{name}")
    return module.render(results, **context)
