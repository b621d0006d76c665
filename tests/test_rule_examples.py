"""Fixit style: a rule's documented example is real. Where a rule shows code before and after
(`--explain`, SARIF help, docs), the tool turns the one into the other."""

import textwrap

import pytest

from estimator_migrate import migrate_source
from estimator_migrate.codes import PLANNED, RULES, TARGET_V2
from estimator_migrate.settings import Settings

# The names the examples use, imported the way user code does; import lines are not compared.
PRELUDE = """\
from azureml.core import Datastore, Experiment, Workspace
from azureml.train.dnn import PyTorch
from azureml.train.estimator import Estimator
from azureml.train.hyperdrive import BanditPolicy, HyperDriveConfig, PrimaryMetricGoal, RandomParameterSampling, uniform
from azureml.pipeline.core import Pipeline, PipelineData
from azureml.pipeline.steps import EstimatorStep, PythonScriptStep
"""

# Manual rules show advice, not tool output, as their "use instead". Codes no rule emits yet (the
# v2 target's, codes.PLANNED) have their examples proven by tests/test_v2_blocks_codes.py.
EXAMPLES = [r for r in RULES.values() if r.fixable and r.example and r.fixed_example and r.code not in PLANNED]


def _code(text: str) -> str:
    return "".join(line for line in textwrap.dedent(text).strip().splitlines(True)
                   if not line.startswith(("from ", "import "))).strip()


def test_fixable_rules_show_an_example():
    assert {"EM101", "EM102", "EM103", "EM104", "EM105", "EM106"} <= {r.code for r in EXAMPLES}


@pytest.mark.parametrize("rule", EXAMPLES, ids=[r.code for r in EXAMPLES])
def test_example_is_what_the_tool_does(rule):
    settings = Settings(target="v2") if rule.code in TARGET_V2 else Settings()
    result = migrate_source(PRELUDE + textwrap.dedent(rule.example).strip() + "\n", settings=settings)
    assert _code(result.new_source) == _code(rule.fixed_example)
    assert rule.code in {f.code for f in result.findings}
