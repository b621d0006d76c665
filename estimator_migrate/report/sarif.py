"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

Rule metadata comes from codes.RULES so --explain, the docs and the alert help text agree.
partialFingerprints are computed here because GitHub's REST upload does not compute them,
and without them every upload duplicates the alerts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from estimator_migrate import __version__
from estimator_migrate.codes import RULES
from estimator_migrate.report.common import fingerprints, kind, level, rule_name

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "estimatorMigrate/v1"


def _rule_descriptor(code: str) -> dict:
    rule = RULES.get(code)
    if rule is None:  # the synthetic file-error code
        text = "The file could not be read or processed."
        return {"id": code, "name": rule_name(code), "shortDescription": {"text": text},
                "fullDescription": {"text": text}, "help": {"text": text, "markdown": text},
                "defaultConfiguration": {"level": "error"}}
    explained = rule.explain()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.why.split()) or rule.summary},
        "help": {"text": explained, "markdown": explained},
        "defaultConfiguration": {"level": "error" if rule.code.startswith(("EM3", "EM9")) else "warning"},
        "properties": {"fixable": rule.fixable, "tags": ["azureml", "migration"]},
    }


def render(results: Sequence, *, root=None, **_) -> str:
    codes = list(RULES)
    entries = fingerprints(results, root)
    index = {code: i for i, code in enumerate(codes)}
    sarif_results: list[dict] = []
    for _result, finding, fingerprint, uri in entries:
        region = {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)}
        if finding.end_line:
            region["endLine"] = max(finding.end_line, region["startLine"])
        if finding.end_column and finding.end_line:
            region["endColumn"] = max(finding.end_column, 1)
        message = finding.message
        if finding.cell is not None:
            message = f"cell {finding.cell}, line {finding.line}: {message}"
        if finding.hint:
            message += f"\nNext step: {finding.hint}"
        item: dict[str, Any] = {
            "ruleId": finding.code,
            "level": level(finding),
            "message": {"text": message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "region": region,
            }}],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
            "properties": {"kind": kind(finding), "fixed": finding.fixed},
        }
        if finding.code in index:
            item["ruleIndex"] = index[finding.code]
        if finding.cell is not None:
            item["properties"]["cell"] = finding.cell
        sarif_results.append(item)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "estimator-migrate", "version": __version__,
                                "rules": [_rule_descriptor(code) for code in codes]}},
            "columnKind": "unicodeCodePoints",
            "results": sarif_results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
