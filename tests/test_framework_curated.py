"""The ``curated`` environment strategy (spec §5.4): a named curated environment instead of the
rebuilt scenario. It is never run-configuration equivalent, so what is proven is narrower:
the name matches framework, version and CPU/GPU, the user's packages are added to it, every
other field of the run configuration is the estimator's, and each rewrite is reported."""

import textwrap

import pytest
from fixture_cases import cases

from estimator_migrate import migrate_source
from estimator_migrate.rules.estimator import curated as curated_strategy
from estimator_migrate.rules.estimator import scenarios
from estimator_migrate.settings import Settings

CURATED = Settings(environment="curated")
FRAMEWORK_PAIRS = [c for c in cases("framework") if c.expected is not None]


def curated(source: str):
    return migrate_source(textwrap.dedent(source), settings=CURATED)


def test_names_the_curated_environment_and_reports_it():
    result = curated("""\
        from azureml.core import Workspace
        from azureml.train.dnn import TensorFlow

        ws = Workspace.from_config()
        est = TensorFlow(source_directory="src", entry_script="train.py", compute_target="gpu-cluster",
                         framework_version="2.2", use_gpu=True)
        """)
    assert 'environment=Environment.get(workspace=ws, name="AzureML-TensorFlow-2.2-GPU")' in result.new_source
    assert "add_pip_package" not in result.new_source
    [note] = [f for f in result.findings if f.code == "EM202"]
    assert "AzureML-TensorFlow-2.2-GPU" in note.message and "removed" in note.message


def test_user_packages_clone_the_environment_and_are_added():
    result = curated("""\
        from azureml.core import Workspace
        from azureml.train.sklearn import SKLearn

        ws = Workspace.from_config()
        est = SKLearn(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                      pip_packages=["lightgbm", "--extra-index-url https://example.invalid/simple"],
                      conda_packages=["numpy"])
        """)
    expected = textwrap.dedent("""\
        est_env = Environment.get(workspace=ws, name="AzureML-Scikit-learn-0.20.3").clone("est-env")
        est_env.python.conda_dependencies.add_pip_package("lightgbm")
        est_env.python.conda_dependencies.set_pip_option("--extra-index-url https://example.invalid/simple")
        est_env.python.conda_dependencies.add_conda_package("numpy")
        est = ScriptRunConfig(""")
    assert expected in result.new_source
    assert "set_pip_requirements" not in result.new_source  # it would drop the curated packages


@pytest.mark.parametrize("setup, expected", [
    ("ws = Workspace.get(name='w', subscription_id='s', resource_group='r')", "ws"),
    ("workspace = Workspace('s', 'r', 'w')", "workspace"),
    ("my_ws = load()\nexp = Experiment(my_ws, 'train')", "my_ws"),
    ("target_ws = load()\ncluster = ComputeTarget(workspace=target_ws, name='c')", "target_ws"),
])
def test_finds_the_workspace(setup, expected):
    source = ("from azureml.core import Experiment, Workspace\n"
              "from azureml.core.compute import ComputeTarget\n"
              "from azureml.train.dnn import Chainer\n\n"
              f"{setup}\n"
              "est = Chainer(source_directory='src', entry_script='train.py', compute_target='cpu-cluster')\n")
    result = migrate_source(source, settings=CURATED)
    assert f"Environment.get(workspace={expected}, name='AzureML-Chainer-5.1.0-CPU')" in result.new_source


@pytest.mark.parametrize("source, why", [
    ("from azureml.train.dnn import PyTorch\n"
     "est = PyTorch(source_directory='src', compute_target='local')\n", "workspace"),
    ("from azureml.core import Workspace\nfrom azureml.train.dnn import Chainer\nws = Workspace.from_config()\n"
     "est = Chainer(source_directory='src', compute_target='local', framework_version='7.0.0')\n",
     "no curated environment"),
    ("from azureml.core import Workspace\nfrom azureml.train.dnn import PyTorch\nws = Workspace.from_config()\n"
     "est = PyTorch(source_directory='src', compute_target='local', custom_docker_image='me/img:1')\n",
     "custom_docker_image"),
    # user_managed=None was stored as it was: it cannot go onto a curated environment either (it
    # used to give the ScriptRunConfig a second environment= keyword, which parses but never ran).
    ("from azureml.core import Workspace\nfrom azureml.train.sklearn import SKLearn\nws = Workspace.from_config()\n"
     "est = SKLearn('src', compute_target='c', user_managed=None)\n", "user_managed"),
])
def test_reports_instead_of_guessing(source, why):
    result = migrate_source(source, settings=CURATED)
    assert result.new_source == source
    [finding] = [f for f in result.findings if f.code == "EM309"]
    assert why in finding.message


# -- against the SDK: every framework fixture, migrated with the curated strategy -------------
@pytest.mark.sdk
@pytest.mark.parametrize("case", FRAMEWORK_PAIRS, ids=[c.id for c in FRAMEWORK_PAIRS])
def test_curated_environment_matches_the_estimator(case, tmp_path):
    harness = pytest.importorskip("equivalence.harness")
    result = migrate_source(case.source, path=str(case.input), settings=CURATED)
    location = harness.FULL_BUILD_REGION if "# equivalence: full-build" in case.source else "westeurope"
    before, brec = harness.run_fixture(case.source, str(tmp_path / "before"), compute_location=location)
    after, arec = harness.run_fixture(result.new_source, str(tmp_path / "after"), compute_location=location)
    estimators = {k: v for k, v in before.items() if isinstance(v, harness.MMLBaseEstimator)}
    assert estimators
    for name, est in estimators.items():
        new = after[name]
        if isinstance(new, harness.MMLBaseEstimator):  # left unchanged: it must have been reported
            assert any(f.code == "EM309" for f in result.findings), name
            continue
        old_rc, new_rc = harness.normalised(est), harness.normalised(new)
        old_env, new_env = old_rc.pop("environment"), new_rc.pop("environment")
        assert harness.differences(old_rc, new_rc) == [], name
        new_environment = harness.effective(new)[1].environment
        marker = new_environment.environment_variables.get(harness.CURATED_MARKER)
        if marker is None or marker == est.run_config.environment.environment_variables.get(harness.CURATED_MARKER):
            # environment_definition: the user's own environment, as before
            assert harness.differences(old_env, new_env) == [], name
            continue
        key = (type(est).FRAMEWORK_NAME, est.framework_version, est._framework_processor)
        assert marker == curated_strategy.CURATED_NAMES[key], name
        assert any(f.code == "EM202" and marker in f.message for f in result.findings)
        if key[0] == "PyTorch":
            assert new_environment.environment_variables["NCCL_TREE_THRESHOLD"] == "0"
        scenario = scenarios.scenario(*key)
        scenario_names = {scenarios.package_name(p) for p in scenario.pip_packages + scenario.conda_packages}
        old_cd, new_cd = est.run_config.environment.python.conda_dependencies, new_environment.python.conda_dependencies
        for mine, theirs in ((old_cd.pip_packages, new_cd.pip_packages),
                             (old_cd.conda_packages, new_cd.conda_packages)):
            added = [p for p in mine if scenarios.package_name(p) not in scenario_names]
            assert set(added) <= set(theirs), (name, added, list(theirs))
