"""estimator-migrate: rewrite Azure ML SDK v1 estimators into ScriptRunConfig + Environment.

The library entry point is :func:`migrate_bytes` (the bytes of one file in, a
:class:`FileResult` out); :func:`migrate_source` runs the engine alone on one source text.
"""

from typing import TYPE_CHECKING, Any

# The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.1.0"

__all__ = ["FileResult", "Finding", "Result", "Settings", "Severity", "__version__", "migrate_bytes",
           "migrate_source"]

if TYPE_CHECKING:
    from estimator_migrate.core import FileResult, migrate_bytes, migrate_source
    from estimator_migrate.engine import Result
    from estimator_migrate.findings import Finding, Severity
    from estimator_migrate.settings import Settings

_EXPORTS = {"FileResult": "core", "migrate_bytes": "core", "migrate_source": "core", "Result": "engine",
            "Finding": "findings", "Severity": "findings", "Settings": "settings"}


def __getattr__(name: str) -> Any:
    # The public names are imported on first use (PEP 562): the CLI imports this package on
    # every run, and on a tree without estimators it never needs the engine.
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(f"estimator_migrate.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
