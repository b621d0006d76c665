"""estimator-migrate: rewrite Azure ML SDK v1 estimators into ScriptRunConfig + Environment."""

__version__ = "0.1.0"

from estimator_migrate.core import Result, migrate_source  # noqa: E402
from estimator_migrate.findings import Finding, Severity  # noqa: E402
from estimator_migrate.settings import Settings  # noqa: E402

__all__ = ["Finding", "Result", "Settings", "Severity", "__version__", "migrate_source"]
