"""Issue 13, class 3: a parameter given explicitly as its default (or as None) maps exactly like
the omitted one, for every parameter of every estimator class, and nothing ScriptRunConfig does
not accept is passed on.

The table comes from the installed SDK's own signatures, not from the tool's: each (class,
parameter) pair is tried with the default and with None, written inline and through a variable.
Every call the SDK accepts must be rewritten and submit the same run configuration; every call
it rejects must be left unchanged with a finding.
"""

from __future__ import annotations

import inspect
import os
from typing import NamedTuple

import pytest

try:
    from azureml.train.dnn import Chainer, PyTorch, TensorFlow
    from azureml.train.estimator import Estimator
    from azureml.train.sklearn import SKLearn
    from equivalence import harness
except ImportError as exc:  # pragma: no cover - depends on the test environment
    if os.environ.get("CI"):
        raise
    pytest.skip(f"azureml SDK not installed ({exc})", allow_module_level=True)

from estimator_migrate import migrate_source
from estimator_migrate.rules.estimator.params import ACCEPTED

CLASSES = {"Estimator": (Estimator, "azureml.train.estimator"), "PyTorch": (PyTorch, "azureml.train.dnn"),
           "TensorFlow": (TensorFlow, "azureml.train.dnn"), "Chainer": (Chainer, "azureml.train.dnn"),
           "SKLearn": (SKLearn, "azureml.train.sklearn")}
HEADER = ("from azureml.core import Workspace\nfrom {module} import {cls}\n"
          "ws = Workspace.from_config()\ncluster = ws.compute_targets['cpu-cluster']\n")


class Case(NamedTuple):
    cls: str
    param: str
    value: str  # source text of the value
    via_variable: bool

    @property
    def name(self) -> str:
        value = {"None": "none", "True": "true", "False": "false"}.get(self.value, self.value)
        return f"{self.param.strip('_')}_{value}{'_var' if self.via_variable else ''}"

    def lines(self) -> list[str]:
        arguments = {"entry_script": '"train.py"', "compute_target": "cluster"}
        arguments[self.param] = f"{self.name}_value" if self.via_variable else self.value
        call = f"{self.cls}(source_directory='src', {', '.join(f'{k}={v}' for k, v in arguments.items())})"
        before = [f"{self.name}_value = {self.value}"] if self.via_variable else []
        return before + [f"est_{self.name} = {call}"]


def cases(cls: str) -> list[Case]:
    found = []
    for param, p in inspect.signature(CLASSES[cls][0].__init__).parameters.items():
        if param in ("self", "source_directory"):
            continue
        for value in sorted({repr(p.default), "None"}):
            for via_variable in (False, True):
                found.append(Case(cls, param, value, via_variable))
    return found


def program(cls: str, chosen: list[Case]) -> str:
    module = CLASSES[cls][1]
    return HEADER.format(module=module, cls=cls) + "".join(line + "\n" for c in chosen for line in c.lines())


def accepted_by_sdk(cls: str, every: list[Case], tmp_path) -> list[Case]:
    """The cases whose call the SDK accepts, each tried on its own in one offline session (the
    value written through a variable is the same call)."""
    probe = HEADER.format(module=CLASSES[cls][1], cls=cls) + "accepted = []\n"
    for case in every:
        if not case.via_variable:
            body = "".join(f"    {line}\n" for line in case.lines())
            probe += f"try:\n{body}    accepted.append({case.name!r})\nexcept Exception:\n    pass\n"
    namespace, _ = harness.run_fixture(probe, str(tmp_path / "probe"), compute_location=harness.FULL_BUILD_REGION)
    return [c for c in every if c._replace(via_variable=False).name in namespace["accepted"]]


def test_the_table_covers_every_parameter_the_tool_knows():
    for cls in CLASSES:
        sdk = {c.param for c in cases(cls)} | {"source_directory"}
        assert sdk == ACCEPTED[cls], cls


@pytest.mark.sdk
# The framework classes build their scenario environments (seconds each): with the slow tests.
@pytest.mark.parametrize("cls", [c if c == "Estimator" else pytest.param(c, marks=pytest.mark.slow) for c in CLASSES])
def test_explicit_default_or_none_maps_like_the_omitted_parameter(cls, tmp_path):
    every = cases(cls)
    accepted = accepted_by_sdk(cls, every, tmp_path)
    rejected = [c for c in every if c not in accepted]
    assert len(accepted) > len(every) * 3 // 4, "the table should mostly hold calls that ran"

    # Calls that raised never ran: each is left exactly as it was, with a finding.
    for case in rejected:
        source = program(cls, [case])
        result = migrate_source(source, path=f"{case.name}.py")
        assert result.new_source == source, f"{case.name}: the SDK rejects this call, but it was rewritten"
        assert any(not f.fixed for f in result.findings), f"{case.name}: left unchanged without a finding"

    # Calls that ran: all in one program, each rewritten, all equivalent with the SDK.
    source = program(cls, accepted)
    result = migrate_source(source, path=f"{cls}.py")
    rewrites = [f for f in result.findings if f.code in ("EM101", "EM102") and f.fixed]
    left = [f"{f.code} line {f.line}: {f.message}" for f in result.findings if not f.fixed]
    assert len(rewrites) == len(accepted), "\n".join(left)
    assert f" {cls}(" not in result.new_source
    before, before_rec = harness.run_fixture(source, str(tmp_path / "before"),
                                             compute_location=harness.FULL_BUILD_REGION)
    after, after_rec = harness.run_fixture(result.new_source, str(tmp_path / "after"),
                                           compute_location=harness.FULL_BUILD_REGION)
    problems = harness.compare(before, before_rec, after, after_rec)
    assert not problems, "\n".join(problems)
    assert len([v for v in before.values() if isinstance(v, harness.MMLBaseEstimator)]) == len(accepted)
