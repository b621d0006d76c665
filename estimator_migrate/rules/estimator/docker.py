"""Docker: ``use_docker`` and ``shm_size`` (T1, T2, T13).

The estimator always sent a docker section (``use_docker`` defaulting to True, ``shm_size``
to None); ScriptRunConfig defaults to ``use_docker=False`` and ``'2g'``, so the renderer writes
both out.
"""

from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.run import Docker


def docker(plan: Plan) -> None:
    if plan.definition:
        return  # docker settings came from the Environment; ScriptRunConfig derives them the same way
    use = plan.code("use_docker") if plan.has("use_docker") else "True"
    shm = plan.code("shm_size") if plan.has("shm_size") else "None"
    plan.run.docker = Docker(use, shm)
