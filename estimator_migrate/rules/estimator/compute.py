"""Where the run goes: ``compute_target`` stays; run-based compute (``vm_size``, ``vm_priority``,
no target) has no ScriptRunConfig equivalent (spec §2, T11)."""

import ast

from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.run import Arg


def compute(plan: Plan) -> None:
    if plan.given("vm_size") or plan.given("vm_priority"):
        which = [p for p in ("vm_size", "vm_priority") if plan.given(p)]
        plan.block("EM302", f"{' and '.join(f'`{w}`' for w in which)} asked for run-based compute, which "
                   "ScriptRunConfig cannot create",
                   "Create an AmlCompute cluster with that VM size (and priority) and pass it as `compute_target`.")
        return
    if not plan.given("compute_target"):
        plan.block("EM305", "no `compute_target` and no `vm_size`: the SDK raised TrainingException here",
                   "Pass the compute target the job should run on.")
        return
    nodes = plan.literal("node_count", 1)
    if isinstance(nodes, int) and not isinstance(nodes, bool) and nodes > 1 and _by_name(plan):
        # Spec §2.1: distributed training needed an AmlCompute/KubernetesCompute object; the
        # estimator raised for a name, so this code never ran (a ScriptRunConfig would run).
        plan.block("EM305", f"`node_count={nodes}` with a compute target given by name: the SDK raised "
                   "TrainingException here (distributed training needs an AmlCompute or KubernetesCompute "
                   "object)", "Pass the cluster object, e.g. `ws.compute_targets[name]`, then run the tool again.")
        return
    plan.run.compute = Arg(plan.code("compute_target"), "compute_target")


def _by_name(plan: Plan) -> bool:
    """The compute target is a string: a literal (or a name holding one), or a ``.name``."""
    if isinstance(plan.literal("compute_target"), str):
        return True
    target = plan.resolve(plan.kwargs["compute_target"])
    return isinstance(target, ast.Attribute) and target.attr == "name"
