"""The parameter table (rules/estimator/params.py) against the installed SDK: every class
accepts exactly the parameters the table gives it, with the defaults the table says; and every
row belongs to a concern that runs."""

import importlib
import inspect

import pytest

from estimator_migrate.rules.estimator import params
from estimator_migrate.rules.estimator.driver import SEQUENCE

CLASSES = {"Estimator": "azureml.train.estimator", "PyTorch": "azureml.train.dnn", "TensorFlow": "azureml.train.dnn",
           "Chainer": "azureml.train.dnn", "SKLearn": "azureml.train.sklearn"}


@pytest.mark.sdk
@pytest.mark.parametrize("cls", list(CLASSES))
def test_table_matches_the_sdk_signature(cls):
    try:
        module = importlib.import_module(CLASSES[cls])
    except ImportError as exc:  # pragma: no cover - depends on the test environment
        pytest.skip(f"azureml SDK not installed ({exc})")
    signature = inspect.signature(getattr(module, cls).__init__)
    sdk = {name: p.default for name, p in signature.parameters.items() if name != "self"
           and p.kind is not inspect.Parameter.VAR_KEYWORD}
    assert set(sdk) == params.ACCEPTED[cls]
    for name, default in sdk.items():
        if default is inspect.Parameter.empty:
            assert params.PARAMS[name].default is params.REQUIRED, name
        else:
            assert params.DEFAULTS[name] == default and type(params.DEFAULTS[name]) is type(default), name


def test_every_row_has_a_concern_that_runs():
    names = [c.name for c in SEQUENCE]
    assert len(set(names)) == len(names)
    for row in params.TABLE:
        assert row.concern in names, row.name
        assert row.classes <= params.ESTIMATOR, row.name
        assert (row.src.action is params.Action.RENAME) == bool(row.src.keyword), row.name
        assert row.spec.startswith("§"), row.name
    assert len(params.PARAMS) == len(params.TABLE)


def test_derived_lists():
    assert params.PACKAGE_PARAMS == ("pip_packages", "conda_packages", "conda_dependencies_file",
                                     "conda_dependencies_file_path", "pip_requirements_file",
                                     "pip_requirements_file_path")
    assert set(params.EXCLUDED_BY_DEFINITION) == set(params.PACKAGE_PARAMS) | {
        "custom_docker_image", "image_registry_details", "use_gpu", "user_managed", "shm_size", "environment_variables"}
    dropped = [p.name for p in params.TABLE if p.concern == "script" and p.src.action is params.Action.DROP]
    assert dropped == ["_disable_validation", "_show_lint_warnings", "_show_package_warnings"]
