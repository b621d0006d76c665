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
from typing import Any, Dict, List, Tuple

import azureml.core  # noqa: F401  (import first: see spec T39)
from azureml.core import Dataset, Datastore, Environment, Experiment, Workspace
from azureml.core.compute import AmlCompute, ComputeTarget
from azureml.core.runconfig import RunConfiguration
from azureml.core.script_run_config import ScriptRunConfig, get_run_config_from_script_run
from azureml.core._serialization_utils import _serialize_to_dict
from azureml.data.azure_storage_datastore import AzureBlobDatastore
from azureml.data.dataset_consumption_config import DatasetConsumptionConfig
from azureml.data.output_dataset_config import OutputDatasetConfig
from azureml.data import data_reference as _data_reference_module
from azureml.train.estimator import MMLBaseEstimator

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


class Recorder:
    def __init__(self):
        self.submitted: List[Any] = []


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
        return None

    # DataReference names are random uuids; a fixed sequence per run (like a fixed seed) makes
    # the reference built by the n-th ds.path(...) call carry the same name in both runs.
    counter = itertools.count(1)
    patch(_data_reference_module, "uuid", types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=next(counter))))
    patch(Workspace, "from_config", staticmethod(lambda *a, **k: ws))
    patch(Workspace, "get", staticmethod(lambda *a, **k: ws))
    patch(Experiment, "__init__", experiment_init)
    patch(Experiment, "submit", experiment_submit)
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


def run_fixture(source: str, workdir: str, *, compute_location: str = "westeurope") -> Tuple[Dict[str, Any], Recorder]:
    """Execute fixture code in ``workdir`` (which gets a ``src`` folder); return its globals."""
    src_dir = os.path.join(workdir, "src")
    os.makedirs(src_dir, exist_ok=True)
    for name, text in SOURCE_FILES.items():
        with open(os.path.join(src_dir, name), "w") as f:
            f.write(text)
    recorder = Recorder()
    namespace: Dict[str, Any] = {"__name__": "__fixture__"}
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
def effective(config) -> Tuple[str, RunConfiguration]:
    """(source directory, run configuration as submitted) of an estimator or ScriptRunConfig."""
    if isinstance(config, MMLBaseEstimator):
        return config.source_directory, copy.deepcopy(config.run_config)
    if isinstance(config, ScriptRunConfig):
        return config.source_directory, get_run_config_from_script_run(config)
    raise TypeError(f"not a run configuration factory: {type(config).__name__}")


def _materialise_data(rc: RunConfiguration) -> Dict[str, Any]:
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


def _dcc_key(dcc) -> Tuple:
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


def normalised(config) -> Dict[str, Any]:
    source_directory, rc = effective(config)
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


def differences(a, b, path: str = "") -> List[str]:
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


def compare(before: Dict[str, Any], before_rec: Recorder, after: Dict[str, Any], after_rec: Recorder) -> List[str]:
    """Every estimator bound to a name (and every submitted config) against its migrated twin."""
    problems: List[str] = []
    estimators = {k: v for k, v in before.items() if isinstance(v, MMLBaseEstimator)}
    for name, est in estimators.items():
        new = after.get(name)
        if not isinstance(new, (ScriptRunConfig, MMLBaseEstimator)):  # an estimator may be left on purpose
            problems.append(f"{name}: migrated code has {type(new).__name__}, not a ScriptRunConfig")
            continue
        problems += [f"{name}: {d}" for d in differences(normalised(est), normalised(new))]
    if len(before_rec.submitted) != len(after_rec.submitted):
        problems.append(f"submitted {len(before_rec.submitted)} configs before, {len(after_rec.submitted)} after")
    for i, ((old, old_kw), (new, new_kw)) in enumerate(zip(before_rec.submitted, after_rec.submitted)):
        if isinstance(old, (MMLBaseEstimator, ScriptRunConfig)) and isinstance(new, (MMLBaseEstimator, ScriptRunConfig)):
            problems += [f"submit #{i + 1}: {d}" for d in differences(normalised(old), normalised(new))]
    return problems
