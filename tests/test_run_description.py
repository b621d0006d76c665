"""The run description the concerns fill in (rules/estimator/run.py): what the estimator meant,
with no ScriptRunConfig text in it. The v2 target renders the same description."""

import ast
import dataclasses

from estimator_migrate.analysis.context import FileContext
from estimator_migrate.analysis.symbols import ESTIMATORS
from estimator_migrate.rules import load_rules
from estimator_migrate.rules.estimator import driver
from estimator_migrate.rules.estimator import run as r
from estimator_migrate.settings import Settings


def describe(source: str, settings: Settings = Settings()):
    load_rules()
    ctx = FileContext(source, ast.parse(source), "t.py", settings)
    call = next(c for c in ctx.names.calls if ctx.canonical_name(c.func) in ESTIMATORS)
    plan = driver.describe(ctx, call)
    assert plan is not None and not plan.blockers
    return plan.run


def assert_no_target_text(run: r.Run) -> None:
    text = repr(dataclasses.asdict(run))
    for word in ("ScriptRunConfig", "run_config", "{env}", "{src}", "conda_dependencies", "DockerConfiguration"):
        assert word not in text, word


def test_pytorch_distributed_run():
    run = describe(
        "from azureml.train.dnn import PyTorch, Nccl\n"
        "est = PyTorch(source_directory='src', entry_script='train.py', compute_target=gpu_cluster,\n"
        "              script_params={'--lr': 0.1, '--fast': ''}, pip_packages=['pillow'],\n"
        "              use_gpu=True, node_count=2, distributed_training=Nccl(), framework_version='1.6')\n")
    assert run.kind == "PyTorch"
    assert run.source_directory == r.Arg("'src'", "source_directory")
    assert run.script == r.Arg("'train.py'", "entry_script")
    assert run.compute == r.Arg("gpu_cluster", "compute_target")
    assert run.arguments is not None and run.arguments.run_time is None
    assert [i for g in run.arguments.groups for i in g.items] == ["'--lr'", "0.1", "'--fast'"]
    assert run.distribution == r.Distribution("pytorch", backend="Nccl")
    assert run.node_count == "2"
    assert run.docker == r.Docker("True", "None")
    assert run.timeout is None
    steps = run.environment.steps
    assert steps[0] == r.SetPipRequirements(("'pillow'",))
    assert isinstance(steps[1], r.Comment) and "PyTorch 1.6 GPU" in steps[1].text
    assert r.AddPipPackage("'torch==1.6.0'") in steps
    image = next(s for s in steps if isinstance(s, r.BaseImage))
    assert "cuda" in image.image
    assert steps[-1] == r.EnvVariable("'NCCL_TREE_THRESHOLD'", "'0'")
    assert_no_target_text(run)


def test_run_time_arguments_and_data():
    run = describe(
        "from azureml.core import Datastore\n"
        "from azureml.train.estimator import Estimator\n"
        "ds = Datastore.get(ws, 'store')\n"
        "params = build()\n"
        "est = Estimator('src', entry_script='t.py', compute_target=target, script_params=params,\n"
        "                inputs=[ds.path('data').as_mount()], max_run_duration_seconds=60)\n")
    assert run.arguments == r.Arguments(run_time="params", column=run.arguments.column)
    # The dictionary may hold references (out of sight): they are registered at run time, after
    # those of ``inputs`` (the renderer keeps the estimator's order).
    from_params, from_inputs = run.data_references
    assert from_params == r.DataReference("script_params", "params", run_time=True)
    assert from_inputs == r.DataReference("inputs", from_inputs.code)
    assert run.hoisted == [r.Hoisted(from_inputs.code, "ds.path('data').as_mount()")]
    assert run.timeout == r.Arg("60", "max_run_duration_seconds")
    assert run.environment == r.Recipe()  # no steps: the default environment is the estimator's
    assert_no_target_text(run)


def test_environment_definition_and_curated():
    run = describe("from azureml.train.dnn import PyTorch\n"
                   "est = PyTorch('src', compute_target='c', environment_definition=env)\n")
    assert run.environment == r.EnvObject("env", None, [("'NCCL_TREE_THRESHOLD'", "'0'")])
    assert run.docker is None  # docker settings follow the environment
    run = describe("from azureml.core import Workspace\nfrom azureml.train.sklearn import SKLearn\n"
                   "ws = Workspace.from_config()\nest = SKLearn('src', compute_target='c', pip_packages=['x'])\n",
                   Settings(environment="curated"))
    assert run.environment == r.Curated("AzureML-Scikit-learn-0.20.3", "ws", "est_env", [r.AddPipPackage("'x'")])
