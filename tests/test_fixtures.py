"""Golden tests over every fixture pair: exact output, exact finding codes, output parses,
and a second run changes nothing."""

import ast

import pytest
from fixture_cases import ROOT, cases

from estimator_migrate import migrate_source

PACKAGE = ROOT.parent.parent / "estimator_migrate"

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden(case):
    result = migrate_source(case.source, path=str(case.input))
    assert result.new_source == case.expected_source
    assert {f.code for f in result.findings} == case.expected_codes


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_output_parses_and_is_stable(case):
    first = migrate_source(case.source).new_source
    ast.parse(first)
    second = migrate_source(first)
    assert second.new_source == first
    assert all(not f.fixed for f in second.findings), "a second run found more to rewrite"


def test_fixture_folders_mirror_the_rules():
    """Every rule module (a registered call handler) and every estimator concern has a fixture
    folder named after it, and every fixture folder is named after a module of the package: a
    rule, or the stage its cases exercise (imports, runtime_helpers, static, params)."""
    from estimator_migrate.rules import load_rules
    from estimator_migrate.rules.estimator.driver import SEQUENCE

    folders = {p.name for p in ROOT.iterdir() if p.is_dir()}
    rule_modules = {handler.__module__.rsplit(".", 1)[-1] for handlers in load_rules().values() for handler in handlers}
    concerns = {c.name for c in SEQUENCE}
    assert not (rule_modules | concerns) - folders, "rules without fixtures"
    modules = {p.stem for p in PACKAGE.rglob("*.py")}
    assert not folders - modules, "fixture folders that name no module"
    assert all(any(p.glob("*.py")) for p in ROOT.iterdir() if p.is_dir()), "an empty fixture folder"
