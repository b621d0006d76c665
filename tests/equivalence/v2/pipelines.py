"""Canonical forms for a v1 ``Pipeline`` (PythonScriptStep / EstimatorStep) and a recorded v2
``@dsl.pipeline`` job (spec v2 §9).

A canonical pipeline is ``{"kind": "pipeline", "experiment", "steps": {name: step}}``. Steps are
keyed by the v1 step name passed through ``canonical.v2_name`` (the v2 node name is the variable
the node is assigned to, V35). Each step has the compared fields of a canonical job (``code``,
``argv``, ``compute``, ``instance_count``, ``distribution``, ``shm_size``, ``docker_args``,
``timeout_s``, ``environment``, ``environment_variables``) plus ``reuse``. The data flow is in
``argv``:

* ``<output:NAME>``: an output of this step (v1 PipelineData / OutputFileDatasetConfig);
* ``<from:STEP.NAME>``: the output NAME of another step (v1 PipelineData consumed; v2 binding
  ``${{parent.jobs.STEP.outputs.NAME}}``);
* ``<data:URI|MODE>``: data from outside the pipeline (v1 DataReference / dataset; v2 a pipeline
  input or a node input with a path);
* ``<param:NAME=VALUE>``: a pipeline parameter and its default (v1 PipelineParameter; v2 a
  pipeline function parameter bound with ``${{parent.inputs.NAME}}``).

Not compared: output modes and locations of intermediate data (service defaults on both sides,
unverified), pipeline settings (``continue_on_step_failure``, ``force_rerun``).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from azureml.core.runconfig import RunConfiguration
from azureml.data.data_reference import DataReference
from azureml.data.dataset_consumption_config import DatasetConsumptionConfig
from azureml.data.output_dataset_config import OutputDatasetConfig
from azureml.pipeline.core import PipelineData, PipelineParameter

from equivalence.v2 import canonical

STEP_FIELDS = ("code", "argv", "compute", "instance_count", "distribution", "shm_size", "docker_args",
               "timeout_s", "environment", "environment_variables")


# -- v1 ----------------------------------------------------------------------------------------------
def _producer_name(data) -> str | None:
    producer = getattr(data, "_producer", None)
    return canonical.v2_name(producer.name) if producer is not None else None


def _v1_step_token(arg, step, notes: list[str]) -> str:
    if isinstance(arg, PipelineData):
        if any(o is arg or getattr(o, "_name", None) == arg._name for o in step._outputs or []):
            return f"<output:{canonical.v2_name(arg._name)}>"
        return f"<from:{_producer_name(arg)}.{canonical.v2_name(arg._name)}>"
    if isinstance(arg, PipelineParameter):
        return f"<param:{arg.name}={_literal(arg.default_value)}>"
    if isinstance(arg, DataReference):
        mode = {"mount": "ro_mount"}.get(str(arg.mode).lower(), str(arg.mode).lower())
        uri = canonical._datastore_uri(arg.datastore.name, arg.path_on_datastore)
        return f"<data:{uri}|{mode}>"
    if isinstance(arg, DatasetConsumptionConfig):
        uri, _ = canonical._dataset_uri(arg.dataset, notes)
        mode = {"mount": "ro_mount"}.get(str(arg.mode).lower(), str(arg.mode).lower())
        return f"<data:{uri}|{mode}>"
    if isinstance(arg, OutputDatasetConfig):
        return f"<output:{canonical.v2_name(arg.name)}>"
    m = re.fullmatch(r"DatasetConsumptionConfig:(.+)", arg) if isinstance(arg, str) else None
    if m:  # the step replaced a dataset argument by its name; the dataset is among its inputs
        for consumed in step._inputs or []:
            if isinstance(consumed, DatasetConsumptionConfig) and consumed.name == m.group(1):
                return _v1_step_token(consumed, step, notes)
    return canonical._v1_token(arg, canonical.v2_name, notes)


def _literal(value) -> str:
    if isinstance(value, bool):
        return str(value)
    return json.dumps(value) if isinstance(value, (int, float)) else str(value)


def v1_step(step, *, base: str) -> dict[str, Any]:
    # A step without runconfig gets RunConfiguration() when the graph is built
    # (_PythonScriptStepBase._generate_default_runconfig; its use_docker is not compared).
    rc = copy.deepcopy(step._runconfig) if step._runconfig is not None else RunConfiguration()
    notes: list[str] = []
    tokens = [_v1_step_token(a, step, notes) for a in (step._arguments or [])]
    rc.script = step._script_name
    rc.arguments = tokens
    rc.data_references = {}
    rc.data = {}
    rc.output_data = {}
    target = step._compute_target
    rc.target = getattr(target, "name", target)  # the step's target, not the run config's
    form = canonical.v1_run_config(step._source_directory or ".", rc, base=base)
    form["reuse"] = bool(step._allow_reuse)
    form["notes"] += notes
    if step._runconfig_pipeline_params:
        form["unmappable"].append("runconfig_pipeline_params have no verified v2 counterpart")
    return {k: form[k] for k in STEP_FIELDS + ("reuse", "notes", "unmappable")}


def v1_pipeline(pipeline, *, base: str = ".", rename: Mapping[str, str] | None = None,
                experiment: str | None = None) -> dict[str, Any]:
    steps = {}
    for step in pipeline._steps:
        steps[canonical.v2_name(step.name)] = v1_step(step, base=base)
    return {"kind": "pipeline", "experiment": experiment, "steps": steps}


# -- v2 ----------------------------------------------------------------------------------------------
_PARENT_INPUT = re.compile(r"^\$\{\{parent\.inputs\.([A-Za-z0-9_]+)\}\}$")
_PARENT_OUTPUT = re.compile(r"^\$\{\{parent\.jobs\.([A-Za-z0-9_]+)\.outputs\.([A-Za-z0-9_]+)\}\}$")


def _get(d: Mapping[str, Any], *names, default=None):
    for name in names:
        if d.get(name) is not None:
            return d[name]
    return default


def _data_token(entry: Mapping[str, Any]) -> str:
    mode = canonical._MODES.get(_get(entry, "mode"), _get(entry, "mode"))
    return f"<data:{canonical._norm_uri(_get(entry, 'uri'))}|{mode}>"


def _binding(entry: Mapping[str, Any], pipeline_inputs: Mapping[str, Any]) -> str:
    value = _get(entry, "value")
    if isinstance(value, str):
        m = _PARENT_INPUT.match(value)
        if m:
            source = pipeline_inputs.get(m.group(1)) or {}
            if _get(source, "jobInputType", "job_input_type") == "literal":
                return f"<param:{m.group(1)}={_get(source, 'value')}>"
            return _data_token(source)
        m = _PARENT_OUTPUT.match(value)
        if m:
            return f"<from:{m.group(1)}.{m.group(2)}>"
    if _get(entry, "jobInputType", "job_input_type") == "literal":
        return str(value)
    return _data_token(entry)


def _strip_azureml(ref: str | None) -> str | None:
    if ref and ref.startswith("azureml:") and ref[8:].startswith("/subscriptions/"):
        return ref[len("azureml:"):]
    return ref


def v2_step(submission, node: Mapping[str, Any], props: Mapping[str, Any], *, base: str) -> dict[str, Any]:
    component = submission.component(node.get("componentId"))
    if component is None:
        raise NotImplementedError(f"node uses a registered component {node.get('componentId')}: not compared")
    spec = component["rest"]["properties"]["componentSpec"]
    pipeline_inputs = props.get("inputs") or {}
    notes: list[str] = []
    command = spec.get("command") or ""
    bindings = {name: _binding(entry, pipeline_inputs) for name, entry in (node.get("inputs") or {}).items()}

    def one(m):
        kind, name = m.group(1), m.group(2)
        if kind == "inputs":
            if name in bindings:
                return _shell_safe(bindings[name])
            default = ((spec.get("inputs") or {}).get(name) or {}).get("default")
            return str(default) if default is not None else f"<missing-input:{name}>"
        if kind == "outputs":
            return f"<output:{name}>"
        return f"<sweep:{name}>"

    text = canonical._PLACEHOLDER.sub(one, canonical._OPTIONAL.sub(lambda m: m.group(1), command))
    argv = canonical.shlex.split(text)
    argv = [_unshell(t) for t in argv]
    resources = {**(spec.get("resources") or {}), **(node.get("resources") or {})}
    distribution = node.get("distribution") or spec.get("distribution")
    limits = node.get("limits") or {}
    env_id = _strip_azureml(spec.get("environment"))
    code = submission.code_asset(_strip_azureml(spec.get("code")))
    compute_id = node.get("computeId") or (props.get("settings") or {}).get("default_compute")
    env_vars = _get(node, "environment_variables", "environmentVariables", default={}) or {}
    timeout = _get(limits, "timeout")
    return {
        "code": canonical.os.path.relpath(code["path"], canonical.os.path.realpath(base)) if code else spec.get("code"),
        "argv": argv,
        "compute": compute_id.rstrip("/").split("/")[-1] if compute_id else None,
        "instance_count": _get(resources, "instance_count", "instanceCount", default=1),
        "distribution": canonical._v2_distribution(distribution),
        "shm_size": _get(resources, "shm_size", "shmSize"),
        "docker_args": _get(resources, "docker_args_list", "dockerArgsList"),
        "timeout_s": canonical._iso_seconds(timeout) if isinstance(timeout, str) else timeout,
        "environment": canonical._v2_environment(submission, env_id),
        "environment_variables": {str(k): str(v) for k, v in env_vars.items()},
        "reuse": bool(spec.get("is_deterministic", True)),
        "notes": notes,
        "unmappable": [],
    }


# A binding token stays one token through shlex even if a URI had a space in it.
def _shell_safe(token: str) -> str:
    return token.replace(" ", "\x00") if token.startswith("<") else token


def _unshell(token: str) -> str:
    return token.replace("\x00", " ")


def v2_pipeline(submission, *, base: str = ".") -> dict[str, Any]:
    props = submission.properties
    steps = {name: v2_step(submission, node, props, base=base) for name, node in (props.get("jobs") or {}).items()}
    return {"kind": "pipeline", "experiment": props.get("experimentName"), "steps": steps}
