"""The v2 target's codes (EM4xx, EM5xx in estimator_migrate/codes.py): catalogued with --explain
texts and examples before the v2 renderer emits them. Each rewrite's example is real: the v1
example and its "use instead" v2 code submit the same jobs in the offline v2 equivalence harness
(tests/equivalence/v2/programs.py), with a prelude that gives both the names the examples use."""

import ast
import pathlib
import re
import textwrap

import pytest
from v2blocks_support import make_workdir, need

from estimator_migrate.codes import PLANNED, RULES, TARGET_V2, kind_of
from estimator_migrate.report import common

V1_PRELUDE = """\
from azureml.core import Datastore, Environment, Experiment, ScriptRunConfig, Workspace
from azureml.core.runconfig import MpiConfiguration, PyTorchConfiguration
from azureml.pipeline.core import Pipeline, PipelineData
from azureml.pipeline.steps import PythonScriptStep
from azureml.train.dnn import PyTorch
from azureml.train.estimator import Estimator
from azureml.train.hyperdrive import (BanditPolicy, HyperDriveConfig, PrimaryMetricGoal, RandomParameterSampling,
                                      TruncationSelectionPolicy, uniform)

ws = Workspace.from_config()
src = ScriptRunConfig(source_directory="src", script="train.py", compute_target="cpu-cluster")
"""

V2_PRELUDE = """\
from azure.ai.ml import Input, MLClient, MpiDistribution, Output, PyTorchDistribution, command, dsl
from azure.ai.ml.entities import Environment
from azure.ai.ml.sweep import BanditPolicy, TruncationSelectionPolicy, Uniform
from azure.identity import DefaultAzureCredential

ml_client = MLClient.from_config(credential=DefaultAzureCredential())
src = command(code="src", command="python train.py", compute="cpu-cluster", shm_size="2g", timeout=2592000,
              environment=Environment(image="mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1",
                                      conda_file={"name": "project_environment",
                                                  "channels": ["anaconda", "conda-forge"],
                                                  "dependencies": ["python=3.8.13", {"pip": ["azureml-defaults"]}]}))
"""

V2_REWRITES = [r for r in RULES.values() if r.code in TARGET_V2 and r.fixable]


def test_the_family():
    assert {r.code[:3] for r in RULES.values() if r.code in TARGET_V2} == {"EM4", "EM5"}
    assert PLANNED <= TARGET_V2
    for rule in RULES.values():
        if rule.code in TARGET_V2:
            assert rule.fixable == rule.code.startswith("EM4"), rule.code
            assert rule.example, f"{rule.code} has no example"
            assert rule.explain().startswith(f"# {rule.code} ({rule.name})")
            ast.parse(textwrap.dedent(rule.example))
            if rule.fixed_example:
                ast.parse(textwrap.dedent(rule.fixed_example))
    assert [kind_of(c) for c in ("EM101", "EM203", "EM310", "EM407", "EM451", "EM512", "EM903")] == \
        ["fixed", "review", "manual", "fixed", "review", "manual", "manual"]


def test_the_blocks_report_catalogued_codes():
    blocks = pathlib.Path(__file__).resolve().parent.parent / "estimator_migrate" / "v2"
    used = {code for path in blocks.glob("*.py") for code in re.findall(r'"(EM\d{3})"', path.read_text())}
    assert used and used <= TARGET_V2, used - TARGET_V2


def test_report_kinds_for_the_new_family():
    """The reports read the new codes' kinds from codes.kind_of: EM5xx need a person (error
    level, like EM3xx), EM45x are reviews."""
    from estimator_migrate.findings import Finding

    manual = Finding(code="EM501", message="m", line=1, column=1)
    review = Finding(code="EM451", message="m", line=1, column=1, fixed=True)
    assert common.kind(manual) == common.MANUAL and common.level(manual) == "error"
    assert common.kind(review) == common.REVIEW == kind_of("EM451")


def _assigned(source):
    return {t.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


@pytest.mark.sdk
@pytest.mark.parametrize("rule", V2_REWRITES, ids=[r.code for r in V2_REWRITES])
def test_the_example_is_an_equivalent_migration(rule, tmp_path):
    programs = need("equivalence.v2.programs")
    need("azureml.pipeline.steps")
    example, fixed = textwrap.dedent(rule.example), textwrap.dedent(rule.fixed_example)
    problems, before, after = programs.compare_programs(V1_PRELUDE + example, V2_PRELUDE + fixed,
                                                        str(make_workdir(tmp_path)))
    assert not problems, problems
    compared = before.submits or [n for n in _assigned(example) if programs._is_v1_job(before.namespace.get(n))]
    assert compared, "the example binds no job the harness compares"
    assert "import azureml" not in fixed and "from azureml" not in fixed
