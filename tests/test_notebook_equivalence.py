"""Notebooks end to end with the real engine and the real SDK: the code cells of each fixture
notebook, before and after migration, build the same run configurations."""

import os
import pathlib
import re
import sys
import types

import nbformat
import pytest

from estimator_migrate.core import migrate_bytes
from estimator_migrate.io.notebook import build_module, load_notebook
from estimator_migrate.settings import Settings

try:
    from equivalence import harness
except ImportError as exc:  # pragma: no cover - depends on the test environment
    if os.environ.get("CI"):
        raise
    pytest.skip(f"azureml SDK not installed ({exc})", allow_module_level=True)

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "notebooks"
NOTEBOOKS = ["training", "magics", "outputs_attachments", "late_imports", "runtime_automagic"]
# IPython lines are masked as placeholder names in the module; for running it they do nothing.
_PLACEHOLDER = re.compile(r"__em_ipython_\d+_\d+")


def runnable(data: bytes) -> str:
    return _PLACEHOLDER.sub("None", build_module(load_notebook(data)).text)


@pytest.fixture(autouse=True)
def widgets_stand_in(monkeypatch):
    """``azureml.widgets`` only displays runs in Jupyter; a do-nothing stand-in is enough."""
    stub = types.ModuleType("azureml.widgets")
    stub.RunDetails = lambda run: types.SimpleNamespace(show=lambda: None)
    monkeypatch.setitem(sys.modules, "azureml.widgets", stub)


@pytest.mark.sdk
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_cells_build_the_same_runs(name, tmp_path):
    data = (FIXTURES / f"{name}.ipynb").read_bytes()
    result = migrate_bytes(data, f"{name}.ipynb", Settings())
    new_data = result.new_data
    assert result.error is None
    assert result.changed, "the fixture notebook has an estimator to migrate"
    nbformat.validate(nbformat.reads(new_data.decode("utf-8"), as_version=4))
    before, before_rec = harness.run_fixture(runnable(data), str(tmp_path / "before"))
    after, after_rec = harness.run_fixture(runnable(new_data), str(tmp_path / "after"))
    problems = harness.compare(before, before_rec, after, after_rec)
    assert not problems, "\n".join(problems)
    assert [v for v in before.values() if isinstance(v, harness.MMLBaseEstimator)] or before_rec.submitted
