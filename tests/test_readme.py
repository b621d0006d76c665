"""The README stays true: its example is what the tool produces, its rule table lists every
code, and its test command is the one CI runs."""

import pathlib
import re

from estimator_migrate import migrate_source
from estimator_migrate.codes import RULES

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_before_after_example_is_real_output():
    before, after = re.findall(r"```python\n(.*?)```", README, re.S)[:2]
    assert migrate_source(before).new_source == after


def test_rule_table_lists_every_code():
    for code, rule in RULES.items():
        assert f"| {code} | {rule.name} |" in README, code


def test_ci_runs_the_readme_test_command():
    assert "bash scripts/test.sh" in README
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/run-example.sh" in README


def test_the_example_command_is_the_one_the_readme_describes():
    script = (ROOT / "scripts" / "run-example.sh").read_text()
    assert "fix --diff --report" in script and "fixtures/example/" in script
    assert "estimator-migrate fix --diff --report <a temporary file> fixtures/example/" in README
