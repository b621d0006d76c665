"""The pure core: source text in, migrated source text and findings out. No file I/O."""

from __future__ import annotations

import dataclasses
from typing import Optional, Tuple

from estimator_migrate.findings import Finding
from estimator_migrate.settings import Settings


@dataclasses.dataclass(frozen=True)
class Result:
    source: str
    new_source: str
    findings: Tuple[Finding, ...] = ()
    # Set when the source could not be processed at all (for example a syntax error); the
    # findings then hold one EM901/EM902 finding and new_source == source.
    error: Optional[str] = None
    # Findings silenced by ``# noqa`` / ``# estimator-migrate: ignore`` comments.
    suppressed: int = 0

    @property
    def changed(self) -> bool:
        return self.new_source != self.source


def migrate_source(source: str, *, path: str = "<string>", settings: Settings = Settings()) -> Result:
    """Migrate every estimator in ``source`` (a whole module, newlines as in the file)."""
    from estimator_migrate.engine import run_engine

    return run_engine(source, path=path, settings=settings)
