"""Machine-readable findings in ruff's shape (one object per finding, a JSON array)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from estimator_migrate.report.common import all_findings, kind, level, rule_name


def render(results: Sequence, **_) -> str:
    items = []
    for _result, finding in all_findings(results):
        items.append({
            "code": finding.code,
            "name": rule_name(finding.code),
            "message": finding.message,
            "hint": finding.hint or None,
            "severity": level(finding),
            "kind": kind(finding),  # fixed / review / manual
            "fixed": finding.fixed,
            "filename": finding.path,
            "location": {"row": finding.line, "column": finding.column},
            "end_location": {"row": finding.end_line or finding.line,
                             "column": finding.end_column or finding.column},
            "cell": finding.cell,
        })
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
