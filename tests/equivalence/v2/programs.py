"""Run a whole v1 program and its migrated v2 program offline and compare them end to end.

"Every submit of the original against every ``create_or_update`` of the migrated program, in
order, plus bound objects": estimators, ScriptRunConfigs and HyperDriveConfigs the original binds
to a name but never submits are compared with the v2 node bound to the same name (recorded as
if it were submitted).

Both programs run with sockets and DNS blocked. The v1 program runs on the v1 harness's
stand-ins (``harness.offline_sdk``) with three additions: the experiment name of each submit is
kept, ``Dataset.get_by_name`` returns a *registered* stand-in (name and version survive, so
``azureml:<name>:<version>`` can be compared), and
``Environment.get`` keeps the version it was asked for.

The v2 program runs with the real azure-ai-ml: ``MLClient.from_config`` reads a ``config.json``
written into the work folder, and ``jobs.create_or_update`` records (``recorder.offline_v2``).
Sockets are blocked for the whole v2 run.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from typing import Any

from azureml.core import Dataset, Environment, Experiment
from azureml.core.script_run_config import ScriptRunConfig
from azureml.data.abstract_dataset import _DatasetRegistration
from azureml.train.estimator import MMLBaseEstimator
from azureml.train.hyperdrive import HyperDriveConfig

from equivalence import harness
from equivalence.v2 import canonical, recorder
from equivalence.v2 import compare as comparing

try:
    from azureml.pipeline.core import Pipeline
except ImportError:  # pragma: no cover - depends on the test environment
    Pipeline = None

from azure.ai.ml.entities import Job
from azure.ai.ml.entities._builders import BaseNode


@dataclasses.dataclass
class V1Submit:
    config: Any
    experiment: str | None
    kwargs: dict[str, Any]
    canonical: dict[str, Any]


@dataclasses.dataclass
class V1Run:
    namespace: dict[str, Any]
    submits: list[V1Submit]
    workdir: str


@dataclasses.dataclass
class V2Run:
    namespace: dict[str, Any]
    submissions: list[recorder.Submission]
    workdir: str


def _write_sources(workdir: str) -> None:
    src_dir = os.path.join(workdir, "src")
    os.makedirs(src_dir, exist_ok=True)
    for name, text in harness.SOURCE_FILES.items():
        with open(os.path.join(src_dir, name), "w") as f:
            f.write(text)


def _registered_dataset(workspace, name, version="latest"):
    dataset = Dataset.File.from_files(f"https://example.invalid/{name}/", validate=False)
    dataset._registration = _DatasetRegistration(None, None, name=name,
                                                 version=None if version == "latest" else int(version))
    return dataset


def _v1_canonical_of(config, kwargs, experiment, workdir, rename) -> dict[str, Any]:
    try:
        if isinstance(config, MMLBaseEstimator) and kwargs:
            return {"error": f"submit overrides {sorted(kwargs)} are not compared (T34: report them)"}
        if Pipeline is not None and isinstance(config, Pipeline):
            from equivalence.v2 import pipelines
            return pipelines.v1_pipeline(config, base=workdir, rename=rename, experiment=experiment,
                                         submit_kwargs=kwargs)
        return canonical.v1_canonical(config, base=workdir, rename=rename, experiment=experiment)
    except Exception as exc:  # the comparison names it; the same failure on both sides is unlikely
        return {"error": f"{type(exc).__name__}: {exc}"}


def run_v1_program(source: str, workdir: str, *, rename=None, compute_location: str = "westeurope") -> V1Run:
    """Execute a v1 program on the stand-ins; canonicalise each submit when it happens."""
    _write_sources(workdir)
    submits: list[V1Submit] = []
    rec = harness.Recorder()
    namespace: dict[str, Any] = {"__name__": "__fixture__"}
    old = os.getcwd()
    os.chdir(workdir)
    try:
        with recorder.blocked_network(), harness.offline_sdk(rec, compute_location), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stand_in_submit, stand_in_get = Experiment.submit, Environment.get

            def submit(self, config, tags=None, **kwargs):
                submits.append(V1Submit(config, self._name, kwargs,
                                        _v1_canonical_of(config, kwargs, self._name, workdir, rename)))
                return stand_in_submit(self, config, tags, **kwargs)

            def environment_get(workspace=None, name=None, version=None, label=None):
                env = stand_in_get(workspace, name, version, label)
                env.version = version
                return env

            saved = [(Experiment, "submit", stand_in_submit),
                     (Environment, "get", Environment.__dict__["get"]),
                     (Dataset, "get_by_name", Dataset.__dict__["get_by_name"])]
            Experiment.submit = submit
            Environment.get = staticmethod(environment_get)
            Dataset.get_by_name = staticmethod(_registered_dataset)
            try:
                exec(compile(source, os.path.join(workdir, "program.py"), "exec"), namespace)
            finally:
                for owner, name, value in saved:
                    setattr(owner, name, value)
    finally:
        os.chdir(old)
    return V1Run(namespace, submits, workdir)


def run_v2_program(source: str, workdir: str, compute_location: str = "westeurope") -> V2Run:
    """Execute a migrated v2 program offline; every ``create_or_update`` is recorded."""
    _write_sources(workdir)
    recorder.config_json(workdir)
    namespace: dict[str, Any] = {"__name__": "__fixture__"}
    old = os.getcwd()
    os.chdir(workdir)
    try:
        # A migrated file may keep v1 objects it does not hand to v2 (a workspace still used for
        # something else, a compute object whose name the job takes): they get the v1 stand-ins.
        with recorder.offline_v2() as rec, harness.offline_sdk(harness.Recorder(), compute_location), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, os.path.join(workdir, "program.py"), "exec"), namespace)
    finally:
        os.chdir(old)
    return V2Run(namespace, rec.submissions, workdir)


def _is_v1_job(value) -> bool:
    return isinstance(value, (MMLBaseEstimator, ScriptRunConfig, HyperDriveConfig))


def _consumed(namespace: dict[str, Any]) -> set:
    """ids of estimators / ScriptRunConfigs / run configs used by a HyperDriveConfig or a step."""
    consumed = set()
    steps = []
    for value in namespace.values():
        if isinstance(value, HyperDriveConfig):
            consumed |= {id(value.estimator), id(value.run_config)}
        elif Pipeline is not None and isinstance(value, Pipeline):
            steps += list(getattr(value, "_steps", []))
        elif hasattr(value, "_runconfig"):
            steps.append(value)
    for step in steps:
        consumed.add(id(getattr(step, "_runconfig", None)))  # an EstimatorStep shares its estimator's
    consumed.discard(id(None))
    return consumed


def _record_bound(value, workdir: str) -> recorder.Submission:
    """Record a v2 node the program built but did not submit, as a submit would send it (this
    mutates the node, V20; the program has finished, so nothing else sees it)."""
    old = os.getcwd()
    os.chdir(workdir)
    try:
        return recorder.record(value)
    finally:
        os.chdir(old)


def compare_runs(before: V1Run, after: V2Run, *, rename=None) -> list[str]:
    problems: list[str] = []
    if len(before.submits) != len(after.submissions):
        problems.append(f"submitted {len(before.submits)} jobs in v1, {len(after.submissions)} in v2")
    for i, (old, new) in enumerate(zip(before.submits, after.submissions, strict=False), 1):
        if "error" in old.canonical:
            problems.append(f"submit #{i}: v1 side: {old.canonical['error']}")
            continue
        new_canonical = canonical.v2_canonical(new, base=after.workdir)
        problems += [f"submit #{i}: {d}" for d in comparing.compare(old.canonical, new_canonical)]
    submitted = {id(s.config) for s in before.submits}
    consumed = _consumed(before.namespace)
    for name, value in before.namespace.items():
        if not _is_v1_job(value) or id(value) in submitted:
            continue
        if id(value) in consumed or id(getattr(value, "run_config", None)) in consumed:
            continue  # compared as the trial of its HyperDriveConfig or as a pipeline step
        new = after.namespace.get(name)
        if not isinstance(new, (BaseNode, Job)):
            problems.append(f"{name}: the v2 program binds {type(new).__name__} to this name, not a job")
            continue
        try:
            old_canonical = canonical.v1_canonical(value, base=before.workdir, rename=rename)
            new_canonical = canonical.v2_canonical(_record_bound(new, after.workdir), base=after.workdir)
        except Exception as exc:
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        problems += [f"{name}: {d}" for d in comparing.compare(old_canonical, new_canonical)]
    return problems


def compare_programs(v1_source: str, v2_source: str, workdir: str, *, rename=None,
                     compute_location: str = "westeurope") -> tuple[list[str], V1Run, V2Run]:
    """Run both programs in ``workdir/v1`` and ``workdir/v2``; return (differences, runs)."""
    before = run_v1_program(v1_source, os.path.join(workdir, "v1"), rename=rename, compute_location=compute_location)
    after = run_v2_program(v2_source, os.path.join(workdir, "v2"), compute_location)
    return compare_runs(before, after, rename=rename), before, after


def reported(run: V1Run) -> list[str]:
    """Everything the v1 side says v2 cannot express (to be reported, never a mismatch)."""
    out: list[str] = []
    for submit in run.submits:
        out += comparing.reported(submit.canonical)
    return out
