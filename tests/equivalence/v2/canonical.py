"""One canonical form for a v1 run (estimator, ScriptRunConfig, HyperDriveConfig) and a recorded
v2 submission (command job, sweep), so that the two can be compared field by field (spec v2 §11.3,
§11.4).

A canonical job is a dict with these keys (all compared, see ``compare.py``)::

    kind, code, argv, compute, instance_count, distribution, shm_size, docker_args, timeout_s,
    environment {ref, image, conda, build}, environment_variables, inputs, outputs, experiment

plus ``notes`` and ``unmappable`` (lists of strings, never compared: what the harness cannot
prove, or what v2 has no counterpart for). A sweep adds ``trial`` (a canonical job), and
``search_space``, ``sampling``, ``policy``, ``objective``, ``limits``.

Data inputs and outputs appear in ``argv`` as ``<input:NAME>`` / ``<output:NAME>`` and in
``inputs``/``outputs`` keyed by NAME, where v1 names are first passed through the rename map
(default: :func:`v2_name`, the identifier rule the codemod applies, spec V4). Tuned values appear
as ``<sweep:KEY>`` where KEY is the v2 search-space key (:func:`v2_search_name`).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
import warnings
from collections.abc import Mapping
from typing import Any

import isodate
import yaml
from azureml.core.runconfig import RunConfiguration
from azureml.core.script_run_config import get_run_config_from_script_run
from azureml.data.data_reference import DataReference
from azureml.data.dataset_consumption_config import DatasetConsumptionConfig
from azureml.data.output_dataset_config import OutputDatasetConfig
from azureml.train.hyperdrive import HyperDriveConfig

from equivalence import harness

EXAMPLE_ENV_VAR = ("EXAMPLE_ENV_VAR", "EXAMPLE_VALUE")  # every v1 Environment carries it (spec §5.2)
COMMON_RUNTIME_VAR = "AZUREML_COMPUTE_USE_COMMON_RUNTIME"  # create_or_update adds it for local runs
V1_DEFAULT_OUTPUT = "azureml://datastores/workspaceblobstore/paths/dataset/${{name}}/${{output_name}}"
_SHELL_OPERATORS = re.compile(r"&&|\|\||[;|<>`]|\$\(|\$[A-Za-z_{]")


# -- names ---------------------------------------------------------------------------------------
def v2_name(name: str) -> str:
    """The identifier a v1 data name becomes in v2 (``^[a-zA-Z_][a-zA-Z0-9_]*$``, spec V4)."""
    name = re.sub(r"\W", "_", name, flags=re.ASCII)
    return f"_{name}" if not name or name[0].isdigit() else name


def v2_search_name(key: str) -> str:
    """A v1 parameter-space key (``--batch-size``) as a v2 search-space key (``batch_size``, V30)."""
    return v2_name(key.lstrip("-"))


def _renamer(rename: Mapping[str, str] | None):
    rename = dict(rename or {})
    return lambda name: rename.get(name, v2_name(name))


def _datastore_uri(datastore: str, path: str | None) -> str:
    # Normalised as the v2 side is (_norm_uri): a datastore root has no trailing slash either.
    return _norm_uri(f"azureml://datastores/{datastore}/paths/{(path or '').strip('/')}")


def _norm_uri(uri: str | None) -> str | None:
    if uri is None:
        return None
    arm = re.match(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.MachineLearningServices/"
                   r"workspaces/[^/]+/(data|models)/([^/]+)/versions/(.+)$", uri)
    if arm:
        name, version = arm.group(2), arm.group(3)
        return f"azureml:{name}{version}" if version.startswith("@") else f"azureml:{name}:{version}"
    return uri.rstrip("/") if uri.startswith("azureml://") else uri


def _rel(path: str, base: str) -> str:
    return os.path.relpath(os.path.normpath(os.path.join(base, path)), base).replace(os.sep, "/")


# -- v1 side ---------------------------------------------------------------------------------------
def _v1_token(arg, rename, notes: list[str]) -> str:
    if isinstance(arg, bool):
        notes.append(f"boolean argument {arg!r}: v2 writes {arg!s}; v1's command-line spelling is unverified (V6)")
        return str(arg)
    if isinstance(arg, (int, float)):
        return json.dumps(arg)
    if isinstance(arg, DataReference):
        return f"<input:{rename(arg.data_reference_name)}>"
    if isinstance(arg, DatasetConsumptionConfig):
        return f"<input:{rename(arg.name)}>"
    if isinstance(arg, OutputDatasetConfig):
        return f"<output:{rename(arg.name)}>"
    if isinstance(arg, str):
        m = re.fullmatch(r"\$AZUREML_DATAREFERENCE_(\w+)", arg)
        if m:
            return f"<input:{rename(m.group(1))}>"
        m = re.fullmatch(r"(DatasetConsumptionConfig|DatasetOutputConfig):(.+)", arg)
        if m:
            return f"<{'input' if m.group(1).startswith('DatasetC') else 'output'}:{rename(m.group(2))}>"
        return arg
    if arg is None:
        notes.append("a None argument (v1 sent JSON null)")
        return "None"
    return f"<unknown:{type(arg).__name__}>"


def _v1_environment(env, notes: list[str]) -> dict[str, Any]:
    ref = env.environment_variables.get(harness.CURATED_MARKER)
    if ref is not None:  # a registered environment (Environment.get stand-in)
        version = getattr(env, "version", None)
        return {"ref": f"{ref}:{version}" if version else f"{ref}@latest", "image": None, "conda": None, "build": None}
    docker = env.docker
    image = docker.base_image
    if image and docker.base_image_registry is not None and docker.base_image_registry.address:
        image = f"{docker.base_image_registry.address}/{image}"
        if docker.base_image_registry.username or docker.base_image_registry.password:
            notes.append("registry credentials have no v2 counterpart (V16)")
    build = None
    if docker.base_dockerfile:
        build, image = "<dockerfile>", None
        notes.append("a v1 base_dockerfile: compare the v2 build context by hand")
    conda = None
    if not env.python.user_managed_dependencies:
        conda = yaml.safe_load(env.python.conda_dependencies.serialize_to_string())
    return {"ref": None, "image": image, "conda": conda, "build": build}


def _v1_env_vars(env, rc) -> dict[str, str]:
    merged = dict(env.environment_variables or {})
    merged.pop(harness.CURATED_MARKER, None)
    merged.update(rc.environment_variables or {})
    if merged.get(EXAMPLE_ENV_VAR[0]) == EXAMPLE_ENV_VAR[1]:
        del merged[EXAMPLE_ENV_VAR[0]]
    return {str(k): str(v) for k, v in merged.items()}


def _v1_distribution(rc, unmappable: list[str]) -> dict[str, Any] | None:
    comm = str(rc.communicator or "None").lower()
    nodes = rc.node_count or 1
    if comm in ("intelmpi", "mpi"):
        return {"type": "mpi", "process_count_per_instance": rc.mpi.process_count_per_node}
    if comm in ("nccl", "gloo"):
        unmappable.append(f"PyTorch backend {comm}: v2 has no backend field, the script's init_process_group "
                          "decides (V9)")
        total = rc.pytorch.process_count
        if total is not None and total % nodes:
            unmappable.append(f"process_count {total} is not a multiple of node_count {nodes} (V10)")
        return {"type": "pytorch", "process_count_per_instance": total // nodes if total else 1}
    if comm == "parameterserver":
        return {"type": "tensorflow", "worker_count": rc.tensorflow.worker_count,
                "parameter_server_count": rc.tensorflow.parameter_server_count}
    if comm not in ("none", ""):
        unmappable.append(f"communicator {rc.communicator} has no v2 distribution")
    return None


def _dataset_uri(dataset, notes: list[str]) -> tuple[str | None, str]:
    kind = type(dataset).__name__
    dtype = "mltable" if kind == "TabularDataset" else "uri_folder"
    if getattr(dataset, "name", None):
        version = getattr(dataset, "version", None)
        return (f"azureml:{dataset.name}:{version}" if version else f"azureml:{dataset.name}@latest"), dtype
    notes.append(f"an unregistered {kind}: its location is not compared")
    return f"<unregistered {kind}>", dtype


def _v1_output(out, notes: list[str], unmappable: list[str]) -> dict[str, Any]:
    mode = {"mount": "rw_mount", "upload": "upload"}.get(str(out.mode).lower(), str(out.mode))
    uri = V1_DEFAULT_OUTPUT
    destination = getattr(out, "destination", None)
    if destination:
        store, path = destination
        path = (path or "").replace("{run-id}", "${{name}}").replace("{output-name}", "${{output_name}}")
        uri = _datastore_uri(getattr(store, "name", store), path)
    if getattr(out, "_registration", None) is not None and getattr(out._registration, "name", None):
        notes.append(f"output registered as {out._registration.name}: v2 Output(name=...) (not compared)")
    upload = getattr(out, "_upload_options", None)
    if upload is not None and (getattr(upload, "overwrite", False) or getattr(upload, "source_globs", None)):
        unmappable.append("as_upload(overwrite=/source_globs=) has no v2 counterpart")
    return {"type": "uri_folder", "uri": uri, "mode": mode}


def _v1_output_data(out, unmappable: list[str]) -> dict[str, Any]:
    """An output as the run configuration holds it (an estimator's script_params output is there,
    its argument only the text ``DatasetOutputConfig:name``): location and mechanism."""
    mode = {"mount": "rw_mount", "upload": "upload"}.get(str(out.mechanism).lower(), str(out.mechanism).lower())
    uri = V1_DEFAULT_OUTPUT
    location = getattr(out, "output_location", None)
    data_path = getattr(location, "data_path", None) if location is not None else None
    if location is not None and (getattr(location, "dataset", None) is not None or data_path is None):
        uri = "<output_data>"
    elif data_path is not None:
        path = (data_path.relative_path or "").replace("{run-id}", "${{name}}").replace("{output-name}",
                                                                                      "${{output_name}}")
        uri = _datastore_uri(data_path.datastore_name, path)
    options = getattr(out, "additional_options", None)
    if options is not None and getattr(options, "path_on_compute", None):
        unmappable.append("an output's path_on_compute has no v2 counterpart (V25)")
    upload = getattr(options, "upload_options", None) if options is not None else None
    if upload is not None and (getattr(upload, "overwrite", False) or getattr(upload, "source_globs", None)):
        unmappable.append("as_upload(overwrite=/source_globs=) has no v2 counterpart")
    return {"type": "uri_folder", "uri": uri, "mode": mode}


def v1_job(config, *, base: str = ".", rename: Mapping[str, str] | None = None,
           experiment: str | None = None) -> dict[str, Any]:
    """Canonical form of an estimator or ScriptRunConfig (its effective RunConfiguration)."""
    source_directory, rc = harness.effective(config)
    return v1_run_config(source_directory, rc, base=base, rename=rename, experiment=experiment)


def v1_run_config(source_directory: str, rc: RunConfiguration, *, base: str = ".",
                  rename: Mapping[str, str] | None = None, experiment: str | None = None) -> dict[str, Any]:
    name = _renamer(rename)
    notes: list[str] = []
    unmappable: list[str] = []
    interpreter = rc.environment.python.interpreter_path or "python"
    if rc.command:
        if isinstance(rc.command, str):
            argv = shlex.split(rc.command)
        else:
            argv = " ".join(str(x) for x in rc.command).split()
            notes.append("v1 command list: joined with spaces; how the v1 service ran it is unverified (V40)")
    else:
        argv = [interpreter, rc.script] + [_v1_token(a, name, notes) for a in (rc.arguments or [])]
    inputs: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for ref_name, ref in (rc.data_references or {}).items():
        uri = _datastore_uri(ref.data_store_name, ref.path_on_data_store)
        mode = str(ref.mode).lower()
        if ref.path_on_compute:
            unmappable.append(f"{ref_name}: path_on_compute has no v2 counterpart (V25)")
        if mode == "upload":
            outputs[name(ref_name)] = {"type": None, "uri": uri, "mode": "upload"}
        else:
            inputs[name(ref_name)] = {"type": None, "uri": uri, "mode": {"mount": "ro_mount"}.get(mode, mode)}
    data = dict(rc.data or {})
    for arg in rc.arguments or []:
        if isinstance(arg, DatasetConsumptionConfig):
            data.setdefault(arg.name, arg)
        elif isinstance(arg, OutputDatasetConfig):
            outputs[name(arg.name)] = _v1_output(arg, notes, unmappable)
    for data_name, dcc in data.items():
        uri, dtype = _dataset_uri(dcc.dataset, notes)
        mode = {"mount": "ro_mount"}.get(str(dcc.mode).lower(), str(dcc.mode).lower())
        if dcc.path_on_compute:
            unmappable.append(f"{data_name}: path_on_compute has no v2 counterpart (V25)")
        inputs[name(data_name)] = {"type": dtype, "uri": uri, "mode": mode}
    for out_name, out in (rc.output_data or {}).items():
        if name(out_name) not in outputs:
            outputs[name(out_name)] = _v1_output_data(out, unmappable)
    target = rc.target
    target = getattr(target, "name", target)
    if target is None or target == "amlcompute":
        unmappable.append("run-based compute (vm_size): closest v2 form is serverless instance_type (V14)")
    if target == "local" and not rc.docker.use_docker:
        unmappable.append("local run without docker: v2 local runs need Docker (V13)")
    if rc.docker.shared_volumes is False:
        pass
    if getattr(rc, "source_directory_data_store", None):
        unmappable.append("source_directory_data_store has no v2 counterpart")
    docker_args = list(rc.docker.arguments or []) or None
    return {
        "kind": "command",
        "code": _rel(source_directory or ".", base),
        "argv": argv,
        "compute": target,
        "instance_count": rc.node_count or 1,
        "distribution": _v1_distribution(rc, unmappable),
        "shm_size": rc.docker.shm_size,
        "docker_args": docker_args,
        "timeout_s": rc.max_run_duration_seconds,
        "environment": _v1_environment(rc.environment, notes),
        "environment_variables": _v1_env_vars(rc.environment, rc),
        "inputs": inputs,
        "outputs": outputs,
        "experiment": experiment,
        "notes": notes,
        "unmappable": unmappable,
    }


# v1 names: "RANDOM", "GRID", "BayesianOptimization" (mixed case: compared upper-cased).
_V1_SAMPLING = {"RANDOM": "random", "GRID": "grid", "BAYESIANOPTIMIZATION": "bayesian"}
_V1_POLICY = {"Bandit": "bandit", "MedianStopping": "median_stopping", "TruncationSelection": "truncation_selection"}


def _v1_trial(hd: HyperDriveConfig):
    """The run configuration HyperDrive's child runs start from, with the tuned arguments an
    estimator also had as fixed arguments removed (HyperDrive's ``_remove_duplicate_arguments``)."""
    if hd.estimator is not None:
        rc = get_run_config_from_script_run(hd.estimator._get_script_run_config())
        source_directory = hd.estimator.source_directory
    elif hd.run_config is not None:
        rc = get_run_config_from_script_run(hd.run_config)
        source_directory = hd.run_config.source_directory
    else:
        raise NotImplementedError("a HyperDriveConfig over a pipeline is not compared")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = HyperDriveConfig._remove_duplicate_arguments(rc, hd._generator_config, hd.estimator is not None)
    return source_directory, rc


def _split_sweep_args(argv: list[str]) -> tuple[list[str], list[list[str]]]:
    """Sampled values as (flag, placeholder) pairs, order-free: whether v1 appended them at the end
    or in some order is unverified (spec §11.4); the rest of argv keeps its order."""
    fixed, pairs = [], []
    i = 0
    while i < len(argv):
        if (i + 1 < len(argv) and argv[i + 1].startswith("<sweep:") and argv[i].startswith("-")
                and not argv[i].startswith("<")):
            pairs.append([argv[i], argv[i + 1]])
            i += 2
        else:
            fixed.append(argv[i])
            i += 1
    return fixed, sorted(pairs)


def v1_sweep(hd: HyperDriveConfig, *, base: str = ".", rename: Mapping[str, str] | None = None,
             experiment: str | None = None) -> dict[str, Any]:
    source_directory, rc = _v1_trial(hd)
    trial = v1_run_config(source_directory, rc, base=base, rename=rename)
    space = hd._generator_config["parameter_space"]
    for key in space:  # v1 passed each sampled value to the script as "<key> <value>" (spec §8.1)
        trial["argv"] += [key, f"<sweep:{v2_search_name(key)}>"]
        if not key.startswith("-"):
            trial["notes"].append(f"search key {key!r} has no leading dash: how v1 passed it is unverified")
    trial["argv"], trial["sweep_args"] = _split_sweep_args(trial["argv"])
    props = dict(hd._generator_config.get("properties") or {})
    policy_config = hd._policy_config or {"name": "Default"}
    policy = None
    if policy_config["name"] != "Default":
        p = dict(policy_config.get("properties") or {})
        policy = {"type": _V1_POLICY.get(policy_config["name"], policy_config["name"]),
                  "evaluation_interval": p.get("evaluation_interval"), "delay_evaluation": p.get("delay_evaluation")}
        if policy["type"] == "bandit":
            policy.update(slack_factor=p.get("slack_factor") or 0, slack_amount=p.get("slack_amount") or 0)
        if policy["type"] == "truncation_selection":
            policy["truncation_percentage"] = p.get("truncation_percentage")
            if p.get("exclude_finished_jobs"):
                trial["unmappable"].append("TruncationSelectionPolicy(exclude_finished_jobs=True) has no v2 field")
    if hd._resume_from or hd._resume_child_runs:
        trial["unmappable"].append("HyperDrive warm start (resume_from/resume_child_runs) has no v2 counterpart")
    duration = hd._max_duration_minutes
    return {
        "kind": "sweep",
        "trial": trial,
        # As sent: JSON (a tuple among choice values is a list on the wire, as in v2's body).
        "search_space": {v2_search_name(k): json.loads(json.dumps(v)) for k, v in space.items()},
        "sampling": {"type": _V1_SAMPLING.get(hd._generator_config["name"].upper(), hd._generator_config["name"]),
                     "rule": props.get("rule"), "seed": props.get("seed")},
        "policy": policy,
        "objective": {"primary_metric": hd._primary_metric_config["name"],
                      "goal": str(hd._primary_metric_config["goal"]).lower()},
        "limits": {"max_total_trials": hd._max_total_runs, "max_concurrent_trials": hd._max_concurrent_runs,
                   "timeout_s": duration * 60 if duration is not None else None},
        "experiment": experiment,
    }


def v1_canonical(config, **kwargs) -> dict[str, Any]:
    if isinstance(config, HyperDriveConfig):
        return v1_sweep(config, **kwargs)
    return v1_job(config, **kwargs)


# -- v2 side ---------------------------------------------------------------------------------------
_MODES = {"ReadOnlyMount": "ro_mount", "ReadWriteMount": "rw_mount", "Download": "download", "Upload": "upload",
          "Direct": "direct", "EvalMount": "eval_mount", "EvalDownload": "eval_download"}
# Exactly the SDK's own form (no spaces inside the braces): whether the service also substitutes
# ``${{ inputs.x }}`` is unverified, so such text stays text and gets a note.
_PLACEHOLDER = re.compile(r"\$\{\{(inputs|outputs|search_space)\.([A-Za-z0-9_]+)\}\}")
_SPACED_PLACEHOLDER = re.compile(r"\$\{\{\s+(inputs|outputs|search_space)\."
                                 r"|\$\{\{(inputs|outputs|search_space)\.\w+\s+\}\}")
_OPTIONAL = re.compile(r"\$\[\[(.*?)\]\]", re.DOTALL)


def substitute(command: str, literals: Mapping[str, str], known: Mapping[str, str], notes: list[str]) -> str:
    """The v2 service's textual substitution (spec §3): a literal input becomes its value, a data
    input or output a ``<input:x>``/``<output:x>`` marker, a search-space key ``<sweep:x>``.
    ``$[[...]]`` segments are kept when every input they name is given, dropped otherwise."""
    def optional(m):
        names = [n for kind, n in _PLACEHOLDER.findall(m.group(1)) if kind == "inputs"]
        return m.group(1) if all(n in literals or n in known for n in names) else ""

    def one(m):
        kind, name = m.group(1), m.group(2)
        if kind == "inputs":
            if name in literals:
                return literals[name]
            if name in known:
                return f"<input:{name}>"
            notes.append(f"command references unknown input {name!r}")
            return f"<missing-input:{name}>"
        if kind == "outputs":
            return f"<output:{name}>"
        return f"<sweep:{name}>"

    return _PLACEHOLDER.sub(one, _OPTIONAL.sub(optional, command))


def argv_of(command: str, literals: Mapping[str, str], known: Mapping[str, str], notes: list[str]) -> list[str]:
    text = substitute(command, literals, known, notes)
    if _SPACED_PLACEHOLDER.search(command):
        notes.append("a placeholder with spaces inside the braces: the SDK does not check it, substitution unverified")
    if _SHELL_OPERATORS.search(_PLACEHOLDER.sub("", command)):
        notes.append("the command uses shell syntax (operators, variables): argv is what a shell would split")
    try:
        return shlex.split(text)
    except ValueError as exc:  # unbalanced quotes: the shell would refuse too
        return [f"<unparsable command: {exc}>", text]


def _iso_seconds(value: str | None) -> int | None:
    if value is None:
        return None
    return int(isodate.parse_duration(value).total_seconds())


def _v2_environment(submission, env_id: str | None) -> dict[str, Any]:
    asset = submission.environment(env_id)
    if asset is None:
        ref = env_id or None
        m = re.match(r"^/subscriptions/.+/environments/([^/]+)/versions/(.+)$", ref or "")
        if m:
            ref = f"{m.group(1)}{m.group(2)}" if m.group(2).startswith("@") else f"{m.group(1)}:{m.group(2)}"
        elif ref and ref.startswith("azureml:"):
            ref = ref[len("azureml:"):]
        return {"ref": ref, "image": None, "conda": None, "build": None}
    props = asset["rest"]["properties"]
    conda = props.get("condaFile")
    build = props.get("build")
    return {"ref": None if asset["anonymous"] else f"{asset['name']}:{asset['version']}",
            "image": props.get("image"), "conda": yaml.safe_load(conda) if conda else None,
            "build": f"<build:{build.get('contextUri')}:{build.get('dockerfilePath')}>" if build else None}


def _v2_distribution(dist: dict[str, Any] | None) -> dict[str, Any] | None:
    if not dist:
        return None
    kind = str(dist.get("distributionType") or dist.get("distribution_type") or dist.get("type")).lower()
    if kind == "tensorflow":
        return {"type": "tensorflow", "worker_count": dist.get("workerCount", dist.get("worker_count")),
                "parameter_server_count": dist.get("parameterServerCount", dist.get("parameter_server_count"))}
    if kind in ("mpi", "pytorch"):
        return {"type": kind, "process_count_per_instance":
                dist.get("processCountPerInstance", dist.get("process_count_per_instance"))}
    rest = {k: v for k, v in dist.items() if k not in ("distributionType", "distribution_type", "type")}
    return {"type": kind, **rest}


def _v2_data(entries: Mapping[str, Any], key: str) -> tuple[dict[str, Any], dict[str, str]]:
    data, literals = {}, {}
    for name, entry in (entries or {}).items():
        kind = entry.get(key)
        if kind == "literal":
            literals[name] = str(entry.get("value"))
            continue
        data[name] = {"type": kind, "uri": _norm_uri(entry.get("uri")),
                      "mode": _MODES.get(entry.get("mode"), entry.get("mode"))}
    return data, literals


def _compute_of(props: Mapping[str, Any], resources: Mapping[str, Any]) -> str | None:
    compute_id = props.get("computeId")
    if compute_id:
        return compute_id.rstrip("/").split("/")[-1]
    if ((resources or {}).get("properties") or {}).get("IsLocal"):
        return "local"
    if (resources or {}).get("instanceType"):
        return f"serverless:{resources['instanceType']}"
    return None


def _code_of(submission, code_id: str | None, base: str) -> str | None:
    code = submission.code_asset(code_id)
    if code is None:
        return code_id
    return os.path.relpath(code["path"], os.path.realpath(base)).replace(os.sep, "/")


def v2_command(submission, props: Mapping[str, Any], *, base: str, inputs=None, outputs=None) -> dict[str, Any]:
    notes: list[str] = []
    unmappable: list[str] = []
    data_in, literals = _v2_data(inputs if inputs is not None else props.get("inputs"), "jobInputType")
    data_out, _ = _v2_data(outputs if outputs is not None else props.get("outputs"), "jobOutputType")
    for name in literals:
        if f"inputs.{name}" not in re.sub(r"\s", "", props.get("command") or ""):
            notes.append(f"literal input {name!r} is not used by the command")
    argv = argv_of(props.get("command") or "", literals, {**data_in}, notes)
    resources = props.get("resources") or {}
    compute = _compute_of(props, resources)
    env_vars = dict(props.get("environmentVariables") or {})
    if compute == "local" and env_vars.get(COMMON_RUNTIME_VAR) == "true":
        del env_vars[COMMON_RUNTIME_VAR]
    docker_args = resources.get("dockerArgsList")
    if docker_args is None and resources.get("dockerArgs"):
        docker_args = shlex.split(resources["dockerArgs"])
        notes.append("docker_args given as one string: split like a shell would")
    if props.get("queueSettings"):
        notes.append(f"queue settings {props['queueSettings']} (v1 had no job tier)")
    return {
        "kind": "command",
        "code": _code_of(submission, props.get("codeId"), base),
        "argv": argv,
        "compute": compute,
        "instance_count": resources.get("instanceCount") or 1,
        "distribution": _v2_distribution(props.get("distribution")),
        "shm_size": resources.get("shmSize"),
        "docker_args": list(docker_args) if docker_args else None,
        "timeout_s": _iso_seconds((props.get("limits") or {}).get("timeout")),
        "environment": _v2_environment(submission, props.get("environmentId")),
        "environment_variables": {str(k): str(v) for k, v in env_vars.items()},
        "inputs": data_in,
        "outputs": data_out,
        "experiment": props.get("experimentName"),
        "notes": notes,
        "unmappable": unmappable,
    }


_V2_POLICY = {"Bandit": "bandit", "MedianStopping": "median_stopping", "TruncationSelection": "truncation_selection"}


def v2_sweep(submission, props: Mapping[str, Any], *, base: str) -> dict[str, Any]:
    trial_props = dict(props.get("trial") or {})
    trial_props["computeId"] = props.get("computeId")
    trial = v2_command(submission, trial_props, base=base, inputs=props.get("inputs"), outputs=props.get("outputs"))
    limits = props.get("limits") or {}
    trial["timeout_s"] = _iso_seconds(limits.get("trialTimeout"))  # .sweep() drops the command's own (V33)
    trial["experiment"] = None
    trial["argv"], trial["sweep_args"] = _split_sweep_args(trial["argv"])
    sampling = props.get("samplingAlgorithm") or {}
    policy_rest = props.get("earlyTermination")
    policy = None
    if policy_rest:
        policy = {"type": _V2_POLICY.get(policy_rest.get("policyType"), policy_rest.get("policyType")),
                  "evaluation_interval": policy_rest.get("evaluationInterval"),
                  "delay_evaluation": policy_rest.get("delayEvaluation")}
        if policy["type"] == "bandit":
            policy.update(slack_factor=policy_rest.get("slackFactor") or 0,
                          slack_amount=policy_rest.get("slackAmount") or 0)
        if policy["type"] == "truncation_selection":
            policy["truncation_percentage"] = policy_rest.get("truncationPercentage")
    objective = props.get("objective") or {}
    return {
        "kind": "sweep",
        "trial": trial,
        "search_space": copy.deepcopy(props.get("searchSpace") or {}),
        "sampling": {"type": str(sampling.get("samplingAlgorithmType")).lower(),
                     "rule": sampling.get("rule"), "seed": sampling.get("seed")},
        "policy": policy,
        "objective": {"primary_metric": objective.get("primaryMetric"), "goal": str(objective.get("goal")).lower()},
        "limits": {"max_total_trials": limits.get("maxTotalTrials"),
                   "max_concurrent_trials": limits.get("maxConcurrentTrials"),
                   "timeout_s": _iso_seconds(limits.get("timeout"))},
        "experiment": props.get("experimentName"),
    }


def v2_canonical(submission, *, base: str = ".") -> dict[str, Any]:
    """Canonical form of a recorded v2 submission (see ``recorder.Submission``)."""
    props = submission.properties
    kind = props["jobType"]
    if kind == "Command":
        return v2_command(submission, props, base=base)
    if kind == "Sweep":
        return v2_sweep(submission, props, base=base)
    if kind == "Pipeline":
        from equivalence.v2 import pipelines
        return pipelines.v2_pipeline(submission, base=base)
    raise NotImplementedError(f"job type {kind} is not compared")
