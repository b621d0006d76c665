"""Docker: ``use_docker`` and ``shm_size`` move to ``DockerConfiguration`` (T1, T2, T13).

The estimator always sent a docker section (``use_docker`` defaulting to True, ``shm_size``
to None); ScriptRunConfig defaults to ``use_docker=False`` and ``'2g'``, so both are explicit.
"""

from estimator_migrate.rules.estimator.plan import Plan, concern


@concern("docker", 60, "use_docker", "shm_size", always=True)
def docker(plan: Plan) -> None:
    if plan.facts.get("environment_definition"):
        # Docker settings came from the Environment, and ScriptRunConfig derives them the same way.
        plan.drop("use_docker")
        plan.drop("shm_size")
        return
    use = plan.code("use_docker") if plan.has("use_docker") else "True"
    shm = plan.code("shm_size") if plan.has("shm_size") else "None"
    plan.drop("use_docker")
    plan.drop("shm_size")
    plan.add_arg("docker_runtime_config", f"{plan.use('DockerConfiguration')}(use_docker={use}, shm_size={shm})")
