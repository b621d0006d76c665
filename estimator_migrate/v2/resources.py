"""ScriptRunConfig-era distributed and docker settings -> ``command()`` keywords (spec v2 §6,
V8..V12).

v2 distributions carry no node count: ``instance_count`` is always written (without it no
resources are sent, V8). ``MpiDistribution()`` without a count sends none, so the count is always
written; ``PyTorchDistribution`` wants processes per instance where v1's ``process_count`` was the
total (V10), and has no backend (V9, reported); ``TensorFlowDistribution`` defaults differ from
v1's (V11), so both counts are written, and v1 ran one node per worker. ``DockerConfiguration``'s
``shm_size`` default (``2g``) is written, since v2 sends nothing unless given (V12).
Arguments are code text; each function returns ``command()`` keyword -> code.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from estimator_migrate.v2.snippet import Import, Report

V1_SIGNATURES: dict[str, tuple[str, ...]] = {
    "MpiConfiguration": ("process_count_per_node", "node_count"),
    "PyTorchConfiguration": ("communication_backend", "process_count", "node_count"),
    "TensorflowConfiguration": ("worker_count", "parameter_server_count"),
    "DockerConfiguration": ("use_docker", "shared_volumes", "arguments", "shm_size"),
}
_DEFAULTS = {"process_count_per_node": "1", "node_count": "1", "communication_backend": '"Nccl"',
             "process_count": "None", "worker_count": "1", "parameter_server_count": "1",
             "use_docker": "False", "shared_volumes": "True", "arguments": "[]", "shm_size": '"2g"'}


def _bind(name: str, args: Sequence[str], kwargs: Mapping[str, str]) -> dict[str, str]:
    params = V1_SIGNATURES[name]
    if len(args) > len(params):
        raise ValueError(f"{name}() takes {len(params)} positional arguments")
    bound = {p: _DEFAULTS[p] for p in params}
    bound.update(zip(params, args, strict=False))
    bound.update(kwargs)
    return bound


def _literal(code: str):
    try:
        return True, ast.literal_eval(code)
    except (ValueError, SyntaxError, TypeError):
        return False, None


def _atom(code: str) -> str:
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return f"({code})"
    return code if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Constant, ast.Subscript)) else f"({code})"


def distributed_job_config(name: str, args: Sequence[str] = (), kwargs: Mapping[str, str] | None = None
                           ) -> tuple[dict[str, str], tuple[Import, ...], tuple[Report, ...]]:
    """``MpiConfiguration`` / ``PyTorchConfiguration`` / ``TensorflowConfiguration`` (as given to
    ``ScriptRunConfig(distributed_job_config=...)``) -> ``distribution=`` and ``instance_count=``."""
    bound = _bind(name, args, kwargs or {})
    if name == "MpiConfiguration":
        return ({"instance_count": bound["node_count"],
                 "distribution": f"MpiDistribution(process_count_per_instance={bound['process_count_per_node']})"},
                (("azure.ai.ml", "MpiDistribution"),), ())
    if name == "TensorflowConfiguration":
        return ({"instance_count": bound["worker_count"],
                 "distribution": f"TensorFlowDistribution(worker_count={bound['worker_count']}, "
                                 f"parameter_server_count={bound['parameter_server_count']})"},
                (("azure.ai.ml", "TensorFlowDistribution"),), ())
    if name != "PyTorchConfiguration":
        raise KeyError(f"not a distributed job configuration: {name}")
    reports: list[Report] = [Report("EM454", f"the PyTorch backend {bound['communication_backend']} has no v2 field; "
                                             "the script's init_process_group decides (V9)",
                                    "Check that the script initialises the backend it used.")]
    total, nodes = bound["process_count"], bound["node_count"]
    ok_total, total_value = _literal(total)
    ok_nodes, nodes_value = _literal(nodes)
    if ok_total and not total_value:
        per_instance = "1"
    elif ok_total and ok_nodes and isinstance(total_value, int) and isinstance(nodes_value, int) and nodes_value:
        per_instance = str(total_value // nodes_value)
        if total_value % nodes_value:
            reports.append(Report("EM453", f"process_count={total_value} is not a multiple of "
                                           f"node_count={nodes_value}; "
                                           f"v2 runs {total_value // nodes_value} per node (V10)",
                                  "Make the total a multiple of the node count."))
    elif ok_total:
        per_instance = f"{total} // {_atom(nodes)}"
    else:
        per_instance = f"{_atom(total)} // {_atom(nodes)} if {total} else 1"
    distribution = f"PyTorchDistribution(process_count_per_instance={per_instance})"
    return ({"instance_count": nodes, "distribution": distribution},
            (("azure.ai.ml", "PyTorchDistribution"),), tuple(reports))


def docker_runtime_config(args: Sequence[str] = (), kwargs: Mapping[str, str] | None = None, *, local: bool = False
                          ) -> tuple[dict[str, str], tuple[Report, ...]]:
    """``DockerConfiguration(...)`` -> ``shm_size=`` (its ``2g`` default written) and
    ``docker_args=`` (a list is sent as a list). ``use_docker=False`` matters only on ``'local'``
    (v2 local runs need Docker, V13); ``shared_volumes`` has no v2 field."""
    bound = _bind("DockerConfiguration", args, kwargs or {})
    out = {"shm_size": bound["shm_size"]}
    if bound["arguments"] not in ("[]", "None", "()"):
        out["docker_args"] = bound["arguments"]
    reports: list[Report] = []
    if local and bound["use_docker"] != "True":
        reports.append(Report("EM502", "a local run without Docker: v2 local jobs always run in Docker (V13)",
                              "Run the script with python directly, or install Docker."))
    if bound["shared_volumes"] != "True":
        reports.append(Report("EM505", "DockerConfiguration(shared_volumes=...) has no v2 counterpart",
                              "Remove it; check what the script expects of the host."))
    return out, tuple(reports)
