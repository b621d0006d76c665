"""Settings that change what the core does. The CLI fills them from flags and pyproject.toml."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Settings:
    # Codes (or prefixes such as "EM3") to report; empty means all.
    select: frozenset[str] = frozenset()
    # Codes (or prefixes) never reported; a rewrite whose code is ignored is not applied either.
    ignore: frozenset[str] = frozenset()
    # How framework estimators get their environment: "faithful" reproduces the estimator's
    # scenario, "curated" names the (retired) curated environment.
    environment: str = "faithful"
    # Write "# TODO(estimator-migrate): ..." above statements that need manual work.
    add_todo_comments: bool = False
    # What the rewrite produces: "scriptrunconfig" (SDK v1 ScriptRunConfig, the default) or "v2"
    # (azure-ai-ml command jobs, issue 14).
    target: str = "scriptrunconfig"

    def enabled(self, code: str) -> bool:
        if any(code.startswith(p) for p in self.ignore):
            return False
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return True
