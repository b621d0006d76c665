"""estimator-migrate: rewrite Azure ML SDK v1 estimators into ScriptRunConfig + Environment."""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Finding", "Result", "Settings", "Severity", "__version__", "migrate_source"]

if TYPE_CHECKING:
    from estimator_migrate.core import Result, migrate_source
    from estimator_migrate.findings import Finding, Severity
    from estimator_migrate.settings import Settings

_EXPORTS = {"Result": "core", "migrate_source": "core", "Finding": "findings", "Severity": "findings",
            "Settings": "settings"}


def __getattr__(name: str) -> Any:
    # The public names are imported on first use (PEP 562): the CLI imports this package on
    # every run, and on a tree without estimators it never needs the engine.
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(f"estimator_migrate.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
