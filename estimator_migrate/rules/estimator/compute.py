"""Where the run goes: ``compute_target`` stays; run-based compute (``vm_size``, ``vm_priority``,
no target) has no ScriptRunConfig equivalent (spec §2, T11)."""

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
    plan.run.compute = Arg(plan.code("compute_target"), "compute_target")
