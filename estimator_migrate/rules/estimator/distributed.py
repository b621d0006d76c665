"""Distributed training: ``node_count``, ``process_count_per_node``, ``distributed_backend``,
``distributed_training`` and TensorFlow's worker counts give the run's distribution and node
count (``run.Distribution``, ``run.node_count``; spec §6, T17-T20). The tables below are what
each estimator class accepted; anything else raised, so that code never ran.
"""

from __future__ import annotations

import ast

from estimator_migrate.analysis import static
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.run import Distribution

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
        _ignored_worker_counts(plan)
        return

    n = node_code or "1"
    plan.run.node_count = node_code
    if backend:
        b = backend.lower()
        if b not in BACKENDS[kind]:
            plan.block("EM305", f"{kind} does not support `distributed_backend={backend!r}`: the SDK raised "
                       "TrainingException here")
            return
        if b == "mpi":
            _emit(plan, Distribution("mpi", process_count_per_node=pcpn_code))
        elif b in ("gloo", "nccl"):
            _emit(plan, _pytorch(plan, b.capitalize(), pcpn_code, per_node))
        elif b == "ps":
            w = plan.code("worker_count") if plan.has("worker_count") else None
            p = plan.code("parameter_server_count") if plan.has("parameter_server_count") else None
            _emit(plan, Distribution("tensorflow", worker_count=w, parameter_server_count=p))
        return

    # The class of the object is what built it; what it holds is only known when nothing can
    # have changed it before the estimator read it.
    assert training is not None  # no backend, so distributed_training is given
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
        plan.run.node_count = node_code if node_code and nodes != 1 else None  # the run's, not distributed
        plan.note("EM203", f"`{cls}` was accepted but ignored by {kind}; the job was not distributed and "
                  "the migrated job is not either", "Add `distributed_job_config=...` if you want distribution.")
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
        _emit(plan, Distribution("mpi", process_count_per_node=pcpn))
    elif cls in ("Gloo", "Nccl"):
        _emit(plan, _pytorch(plan, cls, pcpn_code, per_node))
    elif cls in ("ParameterServer", "TensorflowConfiguration"):
        w = args.get("worker_count") or (positional[0] if positional else None)
        p = args.get("parameter_server_count") or (positional[1] if len(positional) > 1 else None)
        _emit(plan, Distribution("tensorflow", worker_count=w, parameter_server_count=p))


# The estimator kept these objects themselves as the run configuration's section (spec §6), and
# ScriptRunConfig does the same with distributed_job_config; Mpi and ParameterServer were copied.
_KEPT_CLASSES = ("MpiConfiguration", "TensorflowConfiguration")


def _readable(plan: Plan, call: ast.expr) -> bool:
    """A constructor call whose arguments can be copied to the estimator call unchanged in meaning."""
    if not isinstance(call, ast.Call) or any(isinstance(a, ast.Starred) for a in call.args) \
            or any(k.arg is None for k in call.keywords):
        return False
    return all(plan.portable(a) for a in list(call.args) + [k.value for k in call.keywords])


def _from_object(plan: Plan, cls: str, node_code: str | None, per_node, pcpn_code: str | None) -> None:
    """The configuration object may have been changed after it was built (``dist.worker_count =
    2``): use the object itself where ScriptRunConfig accepts it, else read its fields when the
    estimator did, at construction. Either way exactly what the estimator used."""
    obj = plan.code("distributed_training")
    if cls in _KEPT_CLASSES:
        _emit(plan, Distribution("object", config=obj))
    elif cls == "Mpi":
        _emit(plan, Distribution("mpi", process_count_per_node=f"{obj}.process_count_per_node"))
    elif cls == "ParameterServer":
        _emit(plan, Distribution("tensorflow", worker_count=f"{obj}.worker_count",
                                 parameter_server_count=f"{obj}.parameter_server_count", read_from=obj))
    else:  # Gloo, Nccl: nothing in them to read
        _emit(plan, _pytorch(plan, cls, pcpn_code, per_node))


def _pytorch(plan: Plan, backend: str, pcpn: str | None, per_node) -> Distribution:
    if pcpn and per_node != 1:
        plan.note("EM203", f"`process_count_per_node={pcpn}` was ignored by the estimator with {backend}; the "
                  "migrated job also runs one process per node",
                  "To run several processes per node set `process_count` (total processes) on "
                  "PyTorchConfiguration; that changes the job.")
    return Distribution("pytorch", backend=backend)


def _emit(plan: Plan, dist: Distribution) -> None:
    plan.run.distribution = dist


def _ignored_worker_counts(plan: Plan) -> None:
    for p in ("worker_count", "parameter_server_count"):
        if plan.given(p) and plan.literal(p) != 1:
            plan.note("EM203", f"`{p}` was ignored by the estimator without `distributed_backend='ps'`; dropped")
