"""Golden tests over every fixture pair: exact output, exact finding codes, output parses,
and a second run changes nothing."""

import ast

import pytest

from estimator_migrate import migrate_source
from fixture_cases import cases

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


def test_every_concern_has_fixtures():
    concerns = {c.input.parent.name for c in CASES}
    assert {"driver", "arguments", "environment", "docker", "distributed", "data", "compute"} <= concerns
