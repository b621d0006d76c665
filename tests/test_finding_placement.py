"""Where findings stand: an estimator the tool leaves unchanged is reported on its own
construction, whatever the value that stopped it and wherever that value stands (a
dictionary shared by several estimators is on another line). Checked on every fixture that
must come out unchanged."""

from __future__ import annotations

import ast

import pytest
from fixture_cases import cases

from estimator_migrate.analysis.symbols import ESTIMATORS
from estimator_migrate.engine import run_engine

# Fixtures that must come out unchanged and expect manual work (not the look-alikes of SDK names).
UNCHANGED = [c for c in cases() if c.expected is None and any(code.startswith("EM3") for code in c.expected_codes)]


def _constructions(tree: ast.Module) -> list[ast.stmt]:
    out = []
    for stmt in ast.walk(tree):
        if not isinstance(stmt, ast.stmt) or isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.If, ast.For,
                                                                ast.While, ast.With, ast.Try, ast.Module)):
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ESTIMATORS:
                    out.append(stmt)
                    break
    return out


@pytest.mark.parametrize("case", UNCHANGED, ids=[c.id for c in UNCHANGED])
def test_every_estimator_left_unchanged_is_reported_on_its_own_statement(case):
    result = run_engine(case.source, path=str(case.input))
    for stmt in _constructions(ast.parse(case.source)):
        lines = range(stmt.lineno, stmt.end_lineno + 1)
        assert any(f.line in lines and f.code.startswith(("EM3", "EM9")) for f in result.findings), \
            f"line {stmt.lineno}: no EM3xx finding on this construction: {[str(f) for f in result.findings]}"
