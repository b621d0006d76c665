"""Distributed training: ``node_count``, ``process_count_per_node``, ``distributed_backend``,
``distributed_training`` and TensorFlow's worker counts become ``distributed_job_config``
(spec §6, T17-T20). The table below is what each estimator class accepted; anything else
raised, so that code never ran.
"""

from __future__ import annotations

import ast
from typing import Optional

from estimator_migrate.analysis import static
from estimator_migrate.rules.estimator.plan import Plan, concern

# class -> accepted backend strings / distributed_training classes (spec §5.1 and §6)
BACKENDS = {
    "Estimator": {"mpi"},
    "PyTorch": {"mpi", "gloo", "nccl"},
    "TensorFlow": {"mpi", "ps"},
    "Chainer": {"mpi"},
    "SKLearn": set(),
}
TRAINING_CLASSES = {
    "Estimator": {"Mpi", "ParameterServer", "Gloo", "Nccl", "MpiConfiguration"},
    "PyTorch": {"Mpi", "Gloo", "Nccl", "MpiConfiguration"},
    "TensorFlow": {"Mpi", "ParameterServer", "MpiConfiguration", "TensorflowConfiguration"},
    "Chainer": {"Mpi", "MpiConfiguration"},
    "SKLearn": set(),
}
# Accepted by every class but never acted on (T20): the original job was not distributed.
IGNORED_CLASSES = {"PyTorchConfiguration", "TensorflowConfiguration"}


@concern("distributed", 70, "node_count", "process_count_per_node", "distributed_backend",
         "distributed_training", "worker_count", "parameter_server_count")
def distributed(plan: Plan) -> None:
    kind = plan.kind
    nodes = plan.literal("node_count", 1)
    per_node = plan.literal("process_count_per_node", 1)
    backend = plan.literal("distributed_backend", None)
    node_code = plan.code("node_count") if plan.has("node_count") else None
    pcpn_code = plan.code("process_count_per_node") if plan.has("process_count_per_node") else None

    for value, name in ((nodes, "node_count"), (per_node, "process_count_per_node")):
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            plan.block("EM305", f"`{name}={value}`: the SDK raised TrainingException (it must be at least 1)")
            return
    if backend is static.UNKNOWN:
        plan.block("EM309", "`distributed_backend` is not a literal string, so the configuration it selects "
                   "is unknown", "Use `distributed_job_config=MpiConfiguration(...)` (or PyTorch/Tensorflow) by hand.")
        return
    training = plan.kwargs.get("distributed_training")
    if training is not None and plan.value_of(training) is None:
        training = None
    if backend and training is not None:
        plan.block("EM309", "both `distributed_backend` and `distributed_training` are given",
                   "Keep `distributed_training` only, then run the tool again.")
        return
    if not backend and training is None:
        many = [n for n, v in (("node_count", nodes), ("process_count_per_node", per_node))
                if v is static.UNKNOWN or v > 1]
        if any(v is not static.UNKNOWN and v > 1 for v in (nodes, per_node)):
            plan.block("EM305", "`node_count`/`process_count_per_node` above 1 without a distributed backend: "
                       "the SDK raised TrainingException here")
            return
        if many:
            plan.block("EM309", f"{', '.join(f'`{m}`' for m in many)} is only known at run time and no backend "
                       "is given", "Add `distributed_training=...` or a literal count.")
            return
        _drop_all(plan)
        _ignored_worker_counts(plan)
        return

    n = node_code or "1"
    if backend:
        b = backend.lower()
        if b not in BACKENDS[kind]:
            plan.block("EM305", f"{kind} does not support `distributed_backend={backend!r}`: the SDK raised "
                       "TrainingException here")
            return
        if b == "mpi":
            _emit(plan, _mpi(plan, pcpn_code, node_code))
        elif b in ("gloo", "nccl"):
            _emit(plan, _pytorch(plan, b.capitalize(), node_code, pcpn_code, per_node))
        elif b == "ps":
            w = plan.code("worker_count") if plan.has("worker_count") else None
            p = plan.code("parameter_server_count") if plan.has("parameter_server_count") else None
            _emit(plan, _tensorflow(plan, w, p, node_code))
        return

    # The class of the object is what built it; what it holds is only known when nothing can
    # have changed it before the estimator read it.
    built = static.resolve_identity(plan.ctx.names, training)
    cls = plan.ctx.canonical_name(built.func) if isinstance(built, ast.Call) else None
    if cls is None:
        plan.block("EM309", f"`distributed_training={plan.code('distributed_training')}` is not a constructor "
                   "call the tool can read", "Use `distributed_job_config=...` by hand.")
        return
    if cls == "ParallelTaskConfiguration":
        plan.block("EM309", "`ParallelTaskConfiguration` has no `distributed_job_config` equivalent",
                   "Set `src.run_config.paralleltask` and `src.run_config.communicator = 'ParallelTask'` by hand.")
        return
    if cls in IGNORED_CLASSES and cls not in TRAINING_CLASSES[kind]:
        _drop_all(plan)
        plan.note("EM203", f"`{cls}` was accepted but ignored by {kind}; the job was not distributed and "
                  "the migrated job is not either", "Add `distributed_job_config=...` if you want distribution.")
        if node_code and nodes != 1:
            plan.post_line(f"{{src}}.run_config.node_count = {node_code}")
        return
    if cls not in TRAINING_CLASSES[kind]:
        plan.block("EM305", f"{kind} does not support `{cls}`: the SDK raised TrainingException here")
        return
    call = plan.resolve(training)
    if not _readable(plan, call) or (isinstance(training, ast.Name) and cls in _KEPT_CLASSES
                                     and plan.shared_after("distributed_training")):
        _from_object(plan, cls, node_code, per_node, pcpn_code)
        return
    assert isinstance(call, ast.Call)
    args = {kw.arg: plan.ctx.segment(kw.value) for kw in call.keywords if kw.arg}
    positional = [plan.ctx.segment(a) for a in call.args]
    if cls in ("Mpi", "MpiConfiguration"):
        pcpn = args.get("process_count_per_node") or (positional[0] if positional else None)
        own_nodes = args.get("node_count") or (positional[1] if len(positional) > 1 else None)
        if own_nodes and own_nodes != n:
            plan.note("EM203", f"`MpiConfiguration(node_count={own_nodes})` conflicted with the estimator's "
                      f"`node_count`; the estimator's value ({n}) is what ran and is kept")
        _emit(plan, _mpi(plan, pcpn, node_code))
    elif cls in ("Gloo", "Nccl"):
        _emit(plan, _pytorch(plan, cls, node_code, pcpn_code, per_node))
    elif cls in ("ParameterServer", "TensorflowConfiguration"):
        w = args.get("worker_count") or (positional[0] if positional else None)
        p = args.get("parameter_server_count") or (positional[1] if len(positional) > 1 else None)
        _emit(plan, _tensorflow(plan, w, p, node_code))


# The estimator kept these objects themselves as the run configuration's section (spec §6), and
# ScriptRunConfig does the same with distributed_job_config; Mpi and ParameterServer were copied.
_KEPT_CLASSES = ("MpiConfiguration", "TensorflowConfiguration")


def _readable(plan: Plan, call: ast.AST) -> bool:
    """A constructor call whose arguments can be copied to the estimator call unchanged in meaning."""
    if not isinstance(call, ast.Call) or any(isinstance(a, ast.Starred) for a in call.args) \
            or any(k.arg is None for k in call.keywords):
        return False
    return all(plan.portable(a) for a in list(call.args) + [k.value for k in call.keywords])


def _from_object(plan: Plan, cls: str, node_code: Optional[str], per_node, pcpn_code: Optional[str]) -> None:
    """The configuration object may have been changed after it was built (``dist.worker_count =
    2``): use the object itself where ScriptRunConfig accepts it, else read its fields when the
    estimator did, at construction. Either way exactly what the estimator used."""
    obj = plan.code("distributed_training")
    nodes = node_code or "1"
    if cls in _KEPT_CLASSES:
        # ScriptRunConfig takes the node count from the object; the estimator's own node_count ran.
        _emit(plan, obj)
        plan.post_line(f"{{src}}.run_config.node_count = {nodes}")
    elif cls == "Mpi":
        _emit(plan, _mpi(plan, f"{obj}.process_count_per_node", node_code))
    elif cls == "ParameterServer":
        config = f"{plan.use('TensorflowConfiguration')}(worker_count={obj}.worker_count, " \
                 f"parameter_server_count={obj}.parameter_server_count)"
        _emit(plan, config)
        # ScriptRunConfig sets node_count to worker_count; the estimator's node_count ran (T18).
        plan.post_line(f"{{src}}.run_config.node_count = {nodes}")
    else:  # Gloo, Nccl: nothing in them to read
        _emit(plan, _pytorch(plan, cls, node_code, pcpn_code, per_node))


def _mpi(plan: Plan, pcpn: Optional[str], nodes: Optional[str]) -> str:
    parts = []
    if pcpn and pcpn != "1":
        parts.append(f"process_count_per_node={pcpn}")
    if nodes and nodes != "1":
        parts.append(f"node_count={nodes}")  # T17: otherwise it silently runs on one node
    return f"{plan.use('MpiConfiguration')}({', '.join(parts)})"


def _pytorch(plan: Plan, backend: str, nodes: Optional[str], pcpn: Optional[str], per_node) -> str:
    if pcpn and per_node != 1:
        plan.note("EM203", f"`process_count_per_node={pcpn}` was ignored by the estimator with {backend}; the "
                  "migrated job also runs one process per node",
                  "To run several processes per node set `process_count` (total processes) on "
                  "PyTorchConfiguration; that changes the job.")
    parts = [f"communication_backend={plan.q(backend)}"]
    if nodes and nodes != "1":
        parts.append(f"node_count={nodes}")
    return f"{plan.use('PyTorchConfiguration')}({', '.join(parts)})"


def _tensorflow(plan: Plan, workers: Optional[str], servers: Optional[str], nodes: Optional[str]) -> str:
    parts = []
    if workers:
        parts.append(f"worker_count={workers}")
    if servers:
        parts.append(f"parameter_server_count={servers}")
    w = workers or "1"
    if (nodes or "1") != w:
        # ScriptRunConfig sets node_count = worker_count; the estimator kept them apart (T18).
        plan.post_line(f"{{src}}.run_config.node_count = {nodes or '1'}")
        plan.note("EM203", f"ScriptRunConfig sets node_count to worker_count ({w}); the estimator's node_count "
                  f"({nodes or '1'}) is restored on `run_config` afterwards",
                  "Check that the node count is what you want.")
    return f"{plan.use('TensorflowConfiguration')}({', '.join(parts)})"


def _emit(plan: Plan, config: str) -> None:
    _drop_all(plan)
    plan.add_arg("distributed_job_config", config)


def _drop_all(plan: Plan) -> None:
    for p in ("node_count", "process_count_per_node", "distributed_backend", "distributed_training",
              "worker_count", "parameter_server_count"):
        plan.drop(p)


def _ignored_worker_counts(plan: Plan) -> None:
    for p in ("worker_count", "parameter_server_count"):
        if plan.given(p) and plan.literal(p) != 1:
            plan.note("EM203", f"`{p}` was ignored by the estimator without `distributed_backend='ps'`; dropped")
