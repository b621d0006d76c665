"""The framework scenario table: shipped as data, checked against the installed SDK (drift),
covered by fixtures (every framework x version x CPU/GPU), and read without importing azureml."""

import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
from fixture_cases import ROOT

from estimator_migrate.rules.estimator import curated, scenarios

REPO = pathlib.Path(__file__).resolve().parent.parent
_FIXTURE_SCENARIO = re.compile(r"^\s*# What the (\w+) (\S+) (CPU|GPU) estimator added[ :(]", re.MULTILINE)


def _generator():
    spec = importlib.util.spec_from_file_location("generate_scenarios", REPO / "scripts" / "generate_scenarios.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.sdk
def test_shipped_table_matches_the_installed_sdk():
    pytest.importorskip("azureml.train.dnn")
    generator = _generator()
    shipped = json.loads(generator.TABLE.read_text(encoding="utf-8"))["frameworks"]
    assert shipped == generator.build_table(), \
        "data/scenarios.json differs from the installed SDK: run scripts/generate_scenarios.py"


@pytest.mark.sdk
def test_supported_versions_and_defaults_are_the_sdks():
    pytest.importorskip("azureml.train.dnn")
    from azureml.train.dnn import Chainer, PyTorch, TensorFlow
    from azureml.train.sklearn import SKLearn

    for cls in (PyTorch, TensorFlow, Chainer, SKLearn):
        entry = scenarios.SCENARIOS[cls.FRAMEWORK_NAME]
        assert list(entry["versions"]) == cls.get_supported_versions()
        assert entry["default_version"] == cls.DEFAULT_VERSION


def test_table_shape():
    assert set(scenarios.SCENARIOS) == {"PyTorch", "TensorFlow", "Chainer", "SKLearn"}
    for name, entry in scenarios.SCENARIOS.items():
        assert entry["default_version"] in entry["versions"]
        for version, processors in entry["versions"].items():
            assert set(processors) == ({"cpu"} if name == "SKLearn" else {"cpu", "gpu"}), (name, version)
            for found in processors.values():
                assert found["base_image"] and found["pip_packages"][0] == "azureml-defaults"


def test_every_scenario_has_a_fixture():
    covered = set()
    for path in (ROOT / "framework").glob("*.expected.py"):
        covered |= {(fw, version, proc.lower()) for fw, version, proc in
                    _FIXTURE_SCENARIO.findall(path.read_text(encoding="utf-8"))}
    wanted = {(fw, version, proc) for fw, entry in scenarios.SCENARIOS.items()
              for version, processors in entry["versions"].items() for proc in processors}
    assert wanted - covered == set()


def test_every_curated_name_points_at_a_scenario():
    for fw, version, proc in curated.CURATED_NAMES:
        assert scenarios.scenario(fw, version, proc) is not None


def test_the_tool_does_not_import_azureml():
    code = ("import sys\n"
            "from estimator_migrate import migrate_source\n"
            "src = 'from azureml.train.dnn import PyTorch\\n'"
            " 'est = PyTorch(source_directory=\"src\", compute_target=\"local\", framework_version=\"1.6\")\\n'\n"
            "assert 'ScriptRunConfig' in migrate_source(src).new_source\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'azureml'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("spec, name", [
    ("torch==1.6.0", "torch"), ("azureml-dataset-runtime[fuse,pandas]", "azureml-dataset-runtime"),
    ("python=3.6.2", "python"), ("torchvision>=0.7", "torchvision"), ("numpy", "numpy"),
    ("https://example.invalid/wheels/horovod-0.20.0-cp36-none-any.whl", "horovod"),
])
def test_package_name_is_the_sdks(spec, name):
    assert scenarios.package_name(spec) == name
