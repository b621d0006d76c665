"""Run fixture code against the real Azure ML SDK, offline, and compare run configurations.

The fixtures are ordinary user code (``Workspace.from_config()``, ``ws.compute_targets[...]``,
``Experiment(...).submit(...)``). The harness swaps the few SDK entry points that would reach
the service for stand-ins (spec §0): a workspace whose compute targets are AmlCompute objects
built without a service call, a blob datastore, and an Experiment that records what it is
asked to submit. Everything else (estimators, ScriptRunConfig, Environment, ...) is the
real SDK.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import logging
import os
import types
import uuid
import warnings
from typing import Any

import azureml.core  # noqa: F401  (import first: see spec T39)
from azureml.core import Dataset, Datastore, Environment, Experiment, Workspace
from azureml.core._serialization_utils import _serialize_to_dict
from azureml.core.compute import AmlCompute, ComputeTarget
from azureml.core.runconfig import RunConfiguration
from azureml.core.script_run_config import ScriptRunConfig, get_run_config_from_script_run
from azureml.data import data_reference as _data_reference_module
from azureml.data.azure_storage_datastore import AzureBlobDatastore
from azureml.data.dataset_consumption_config import DatasetConsumptionConfig
from azureml.data.output_dataset_config import OutputDatasetConfig
from azureml.train.estimator import MMLBaseEstimator
from azureml.train.hyperdrive import HyperDriveConfig

try:  # pipeline steps are compared when azureml-pipeline-steps is installed
    from azureml.pipeline.core import Pipeline
    from azureml.pipeline.core._python_script_step_base import _PythonScriptStepBase
    from azureml.pipeline.steps import HyperDriveStep
except ImportError:  # pragma: no cover - depends on the test environment
    Pipeline = _PythonScriptStepBase = HyperDriveStep = None

logging.getLogger("azureml").setLevel(logging.ERROR)

SOURCE_FILES = {
    "train.py": "print('training')\n",
    "requirements.txt": "pandas>=1.0\n# plotting\nmatplotlib\n\nscikit-learn==0.24.2\n",
    "environment.yml": "name: project_environment\ndependencies:\n- python=3.8\n- numpy\n- pip:\n  - azureml-defaults\n"
                       "  - torchvision\nchannels:\n- conda-forge\n",
}


# A region without Azure ML's prebuilt framework images (the SDK's _NON_CACHED_REGIONS): framework
# estimators on a cluster there took the full-build path (spec §5.2), the one migration reproduces.
# Fixtures headed ``# equivalence: full-build`` build their original estimators on clusters there.
FULL_BUILD_REGION = "chinaeast2"
# Environment.get(...) stand-ins carry the name they were asked for in this variable (curated tests).
CURATED_MARKER = "STAND_IN_CURATED_ENVIRONMENT"


def stand_in_compute(name: str, location: str = "westeurope") -> AmlCompute:
    target = object.__new__(AmlCompute)
    target._name = name
    for attr, value in (("name", name), ("location", location), ("cluster_location", location)):
        try:
            setattr(target, attr, value)
        except AttributeError:
            target.__dict__[attr] = value
    return target


class _Targets(dict):
    def __init__(self, location: str = "westeurope"):
        super().__init__()
        self.location = location

    def __missing__(self, name):
        self[name] = stand_in_compute(name, self.location)
        return self[name]


class _Datastores(dict):
    def __init__(self, ws):
        super().__init__()
        self.ws = ws

    def __missing__(self, name):
        self[name] = AzureBlobDatastore(None, name, "container", "account")
        return self[name]


class StandInWorkspace:
    name = "stand-in-workspace"
    subscription_id = "00000000-0000-0000-0000-000000000000"
    resource_group = "rg"

    def __init__(self, compute_location: str = "westeurope"):
        self.compute_targets = _Targets(compute_location)
        self.datastores = _Datastores(self)

    def get_default_datastore(self):
        return self.datastores["workspaceblobstore"]


class StandInRun:
    """What ``Experiment.submit`` returns here: every method a notebook calls on a run
    (``wait_for_completion``, ``get_metrics``, ...) does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class Recorder:
    def __init__(self):
        self.submitted: list[Any] = []
        # What each submit sent, taken at submit time: later statements may still change the
        # objects (EstimatorStep resets its estimator), and the estimator merged overrides only then.
        self.snapshots: list[Any] = []


@contextlib.contextmanager
def offline_sdk(recorder: Recorder, compute_location: str = "westeurope"):
    """Patch the service-bound entry points for the duration of one fixture run."""
    ws = StandInWorkspace(compute_location)
    saved = []

    def patch(owner, name, value):
        saved.append((owner, name, vars(owner).get(name)))
        setattr(owner, name, value)

    def experiment_init(self, workspace=None, name=None, *args, **kwargs):
        self._workspace = workspace
        self._name = name

    def experiment_submit(self, config, tags=None, **kwargs):
        recorder.submitted.append((config, kwargs))
        recorder.snapshots.append(submitted_state(config, kwargs))
        return StandInRun()

    def pipeline_init(self, workspace, steps, description=None, *args, **kwargs):
        # The real Pipeline builds its graph against the service; the steps are what matters here.
        self._workspace = workspace
        self._steps = list(steps) if isinstance(steps, (list, tuple)) else [steps]
        self._description = description

    # DataReference names are random uuids; a fixed sequence per run (like a fixed seed) makes
    # the reference built by the n-th ds.path(...) call carry the same name in both runs.
    counter = itertools.count(1)
    patch(_data_reference_module, "uuid", types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=next(counter))))
    patch(Workspace, "from_config", staticmethod(lambda *a, **k: ws))
    patch(Workspace, "get", staticmethod(lambda *a, **k: ws))
    patch(Experiment, "__init__", experiment_init)
    patch(Experiment, "submit", experiment_submit)
    if Pipeline is not None:
        patch(Pipeline, "__init__", pipeline_init)
    patch(ComputeTarget, "__new__", staticmethod(lambda cls, workspace=None, name=None, *a, **k:
                                                 stand_in_compute(name or "compute", compute_location)))
    patch(Environment, "get", staticmethod(stand_in_curated))
    patch(Datastore, "get", staticmethod(lambda workspace, datastore_name: ws.datastores[datastore_name]))
    patch(Datastore, "get_default", staticmethod(lambda workspace: ws.get_default_datastore()))
    patch(Dataset, "get_by_name", staticmethod(lambda workspace, name, version="latest":
                                               Dataset.File.from_files(f"https://example.invalid/{name}/",
                                                                       validate=False)))
    try:
        yield ws
    finally:
        for owner, name, value in reversed(saved):
            if value is None:
                delattr(owner, name)
            else:
                setattr(owner, name, value)


def stand_in_curated(workspace=None, name=None, version=None, label=None) -> Environment:
    env = Environment(name)
    env.environment_variables[CURATED_MARKER] = name
    return env


def run_fixture(source: str, workdir: str, *, compute_location: str = "westeurope") -> tuple[dict[str, Any], Recorder]:
    """Execute fixture code in ``workdir`` (which gets a ``src`` folder); return its globals."""
    src_dir = os.path.join(workdir, "src")
    os.makedirs(src_dir, exist_ok=True)
    for name, text in SOURCE_FILES.items():
        with open(os.path.join(src_dir, name), "w") as f:
            f.write(text)
    recorder = Recorder()
    namespace: dict[str, Any] = {"__name__": "__fixture__"}
    old = os.getcwd()
    os.chdir(workdir)
    try:
        with offline_sdk(recorder, compute_location), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, os.path.join(workdir, "fixture.py"), "exec"), namespace)
    finally:
        os.chdir(old)
    return namespace, recorder


# -- comparison ---------------------------------------------------------------------------------
def effective(config) -> tuple[str, RunConfiguration]:
    """(source directory, run configuration as submitted) of an estimator or ScriptRunConfig."""
    if isinstance(config, MMLBaseEstimator):
        return config.source_directory, copy.deepcopy(config.run_config)
    if isinstance(config, ScriptRunConfig):
        return config.source_directory, get_run_config_from_script_run(config)
    raise TypeError(f"not a run configuration factory: {type(config).__name__}")


def _materialise_data(rc: RunConfiguration) -> dict[str, Any]:
    """What submission does to dataset objects (``_update_args_and_io``), minus the service:
    dataset arguments become placeholders and land in ``data`` / ``output_data``."""
    data = {name: _dcc_key(dcc) for name, dcc in (rc.data or {}).items()}
    outputs = {}
    args = []
    for arg in rc.arguments or []:
        if isinstance(arg, DatasetConsumptionConfig):
            data.setdefault(arg.name, _dcc_key(arg))
            arg = f"DatasetConsumptionConfig:{arg.name}"
        elif isinstance(arg, OutputDatasetConfig):
            outputs[arg.name] = type(arg).__name__
            arg = f"DatasetOutputConfig:{arg.name}"
        args.append(arg)
    for name, out in (rc.output_data or {}).items():
        outputs.setdefault(name, type(out).__name__)
    rc.arguments = args
    rc.data = {}
    rc.output_data = {}
    return {"data": data, "outputs": sorted(outputs)}


def _dcc_key(dcc) -> tuple:
    dataset = dcc.dataset
    definition = getattr(dataset, "_dataflow", None)
    return (dcc.name, dcc.mode, dcc.path_on_compute, type(dataset).__name__,
            repr(getattr(definition, "_steps", None))[:200] if definition is not None else None)


# Spec §6.1 and §4 ("cosmetic"): the only differences the comparison forgives.
_IGNORED = {
    ("amlcompute", "clusterMaxNodeCount"),
    ("environment", "spark", "precachePackages"),
    ("environment", "name"),
    ("mpi", "nodeCount"),
    ("pytorch", "nodeCount"),
}
_COMMUNICATOR = {"mpi": "intelmpi", "intelmpi": "intelmpi"}


def normalised(config) -> dict[str, Any]:
    return normalised_rc(*effective(config))


def normalised_rc(source_directory, rc: RunConfiguration) -> dict[str, Any]:
    extra = _materialise_data(rc)
    d = _serialize_to_dict(rc)
    d = _strip(d, ())
    d["framework"] = str(d.get("framework") or "").lower()
    comm = str(d.get("communicator") or "none").lower()
    d["communicator"] = _COMMUNICATOR.get(comm, comm)
    if d["communicator"] in ("gloo", "nccl") and isinstance(d.get("pytorch"), dict):
        # The estimator's Gloo()/Nccl() set only the communicator and left the pytorch section at
        # its defaults; ScriptRunConfig fills the section in (spec §6: equal but for this).
        d["pytorch"]["communicationBackend"] = d["communicator"]
    if d.get("environmentVariables") is None:
        d["environmentVariables"] = {}
    d["sourceDirectory"] = os.path.normpath(source_directory)
    d.update(extra)
    return d


def _strip(value, path):
    if isinstance(value, dict):
        return {k: _strip(v, path + (k,)) for k, v in value.items() if path + (k,) not in _IGNORED}
    return value


def differences(a, b, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            out += differences(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{path}.{key}" if path else key)
        return out
    if a != b or type(a) is not type(b) and not (a is None or b is None):
        if isinstance(a, float) and isinstance(b, float) and a == b:
            return []
        return [f"{path}: estimator={a!r} migrated={b!r}"]
    return []


def compare(before: dict[str, Any], before_rec: Recorder, after: dict[str, Any], after_rec: Recorder) -> list[str]:
    """Every estimator bound to a name (and every submitted config) against its migrated twin."""
    problems: list[str] = []
    estimators = {k: v for k, v in before.items() if isinstance(v, MMLBaseEstimator)}
    # An estimator handed to HyperDrive is compared through the HyperDrive configuration that holds
    # it, after HyperDrive's own removal of tuned arguments (the migrated one has them removed).
    tuned = {id(v.estimator) for v in before.values() if isinstance(v, HyperDriveConfig)} & \
        {id(v) for v in estimators.values()}
    tuned_after = {id(v.run_config) for v in after.values() if isinstance(v, HyperDriveConfig)}
    # An estimator submitted with overrides is compared through what each submit sent: the overrides
    # may have been folded into the migrated ScriptRunConfig when that submit was its only use.
    tuned |= {id(config) for config, kwargs in before_rec.submitted if kwargs.get("script_params")}
    tuned_after |= {id(v) for v in after.values() if isinstance(v, ScriptRunConfig)}
    for name, est in estimators.items():
        new = after.get(name)
        if id(est) in tuned and id(new) in tuned_after:
            continue
        if not isinstance(new, (ScriptRunConfig, MMLBaseEstimator)):  # an estimator may be left on purpose
            problems.append(f"{name}: migrated code has {type(new).__name__}, not a ScriptRunConfig")
            continue
        problems += [f"{name}: {d}" for d in differences(normalised(est), normalised(new))]
    if len(before_rec.submitted) != len(after_rec.submitted):
        problems.append(f"submitted {len(before_rec.submitted)} configs before, {len(after_rec.submitted)} after")
    # What each submit sent, as it was at submit time (overrides merged, HyperDrive's stripping done).
    for i, (old, new) in enumerate(zip(before_rec.snapshots, after_rec.snapshots, strict=False)):
        problems += [f"submit #{i + 1}: {d}" for d in differences(old, new)]
    # HyperDrive configurations and pipeline steps bound to names, as they stand at the end.
    for name, value in before.items():
        if _downstream(value):
            changes = differences(downstream_state(value), downstream_state(after.get(name)))
            problems += [f"{name}: {d}" for d in changes]
    return problems


# -- downstream uses of estimators (spec §8) ---------------------------------------------------
def _downstream(value) -> bool:
    kinds = tuple(k for k in (HyperDriveConfig, _PythonScriptStepBase, HyperDriveStep, Pipeline) if k is not None)
    return isinstance(value, kinds)


def submitted_state(config, kwargs) -> dict[str, Any]:
    """What ``Experiment.submit(config, **kwargs)`` sends, as comparable data. An estimator merged
    ``script_params``/``inputs`` overrides into its config for this one submit (spec §3, §8.1):
    the SDK's own ``_override_params`` does that here too, on a config that is put back after."""
    try:
        if isinstance(config, MMLBaseEstimator):
            if not kwargs:
                return dict(normalised(config), overridesLeft=[])
            # As the SDK's own submit does (_estimator_submit_method): overrides go on the live
            # config, which is replaced by a deep copy of what it was before, afterwards. Without
            # overrides the config stays the very object (it may share lists with other code).
            saved = copy.deepcopy(config._estimator_config)
            try:
                config._override_params(**kwargs)
                return dict(normalised(config), overridesLeft=[])
            finally:
                config._estimator_config = saved
        if isinstance(config, ScriptRunConfig):
            # A ScriptRunConfig has no overrides: any left over would be an error at submit.
            return dict(normalised(config), overridesLeft=sorted(kwargs))
        return downstream_state(config)
    except Exception as exc:  # the same failure on both sides compares equal
        return {"error": f"{type(exc).__name__}: {exc}"}


def downstream_state(value) -> dict[str, Any]:
    try:
        if isinstance(value, HyperDriveConfig):
            return hyperdrive_state(value)
        if HyperDriveStep is not None and isinstance(value, HyperDriveStep):
            return dict(_step_common(value), hyperdrive=hyperdrive_state(value._hyperdrive_config))
        if _PythonScriptStepBase is not None and isinstance(value, _PythonScriptStepBase):
            return step_state(value)
        if Pipeline is not None and isinstance(value, Pipeline):
            return {"steps": [downstream_state(step) for step in value._steps]}
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"type": type(value).__name__}


def hyperdrive_state(hd) -> dict[str, Any]:
    """The run configuration HyperDrive's child runs get, after HyperDrive's own removal of tuned
    arguments (``_remove_duplicate_arguments``, which only acts on estimators), and its settings."""
    if hd.estimator is not None:
        if not isinstance(hd.estimator, MMLBaseEstimator):
            return {"error": f"estimator= holds a {type(hd.estimator).__name__}, which fails at submit"}
        rc = get_run_config_from_script_run(hd.estimator._get_script_run_config())
    elif hd.run_config is not None:
        rc = get_run_config_from_script_run(hd.run_config)
    else:
        return {"pipeline": repr(hd.pipeline)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = HyperDriveConfig._remove_duplicate_arguments(rc, hd._generator_config, hd.estimator is not None)
    state = normalised_rc(hd.source_directory, rc)
    state["hyperdrive"] = {k: copy.deepcopy(getattr(hd, k, None)) for k in (
        "_generator_config", "_primary_metric_config", "_max_total_runs", "_max_concurrent_runs",
        "_max_duration_minutes", "_policy_config", "_resume_from", "_resume_child_runs")}
    return state


def _port(item) -> tuple:
    return (type(item).__name__, getattr(item, "name", None) or getattr(item, "data_reference_name", None))


def _step_common(step) -> dict[str, Any]:
    args = [_port(a) if not isinstance(a, (str, int, float, bool, type(None))) else a
            for a in (step._arguments or [])]
    return {"name": step.name, "arguments": args, "inputs": [_port(i) for i in step._inputs or []],
            "outputs": [_port(o) for o in step._outputs or []],
            "allowReuse": getattr(step, "_allow_reuse", None), "version": getattr(step, "_version", None)}


def step_state(step) -> dict[str, Any]:
    """A PythonScriptStep (EstimatorStep is one): script, arguments, source directory, target,
    and the RunConfiguration it serialises for the service."""
    target = step._compute_target
    state = _step_common(step)
    state.update(script=step._script_name, sourceDirectory=os.path.normpath(step._source_directory or "."),
                 computeTarget=getattr(target, "name", target),
                 runconfigPipelineParams=sorted((step._runconfig_pipeline_params or {}).items()),
                 runconfigType=type(step._runconfig).__name__)
    rc = step._runconfig
    if isinstance(rc, RunConfiguration):
        rc = copy.deepcopy(rc)
        # normalised_rc treats the source directory separately; keep the run config's own fields as they are.
        state["runconfig"] = normalised_rc(step._source_directory or ".", rc)
        state["runconfig"]["script"] = step._runconfig.script
        state["runconfig"]["target"] = step._runconfig.target
    return state
