"""The faithful framework environment: the SDK calls the framework estimator made on its own
``CondaDependencies``, in the same order, after the user's packages (spec §5.2, §5.3, T35, T36,
T38). The default strategy; ``curated.py`` is the other one.
"""

from __future__ import annotations

from estimator_migrate.analysis import static
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.run import (
    AddChannel,
    AddCondaPackage,
    AddPipPackage,
    AddPipPackagesUnlessNamed,
    BaseImage,
    Code,
    Comment,
    EnvVariable,
)
from estimator_migrate.rules.estimator.scenarios import Scenario, merged_packages, package_name


def environment(plan: Plan, found: Scenario) -> None:
    steps = plan.run.recipe().steps
    conda_file = plan.given("conda_dependencies_file") or plan.given("conda_dependencies_file_path")
    specs: list[str] = []
    if not conda_file:
        specs_or_none = _user_specs(plan)
        if specs_or_none is None:
            return
        specs = specs_or_none
    if plan.given("custom_docker_image"):
        steps.append(BaseImage(image=plan.code("custom_docker_image"), param="custom_docker_image"))
    # The requirements file is read at run time: its package names are compared there.
    requirements = not conda_file and (plan.given("pip_requirements_file")
                                       or plan.given("pip_requirements_file_path"))
    if requirements and any(package_name(c) != "python" for c in found.conda_packages + found.channels):
        # pragma: no cover - no shipped scenario has conda packages besides python, nor channels
        plan.block("EM309", "the conda packages the estimator merged depend on the names in the requirements "
                   "file, which are only known at run time")
        return
    steps.append(Comment(f"What the {found.framework} {found.version} {found.processor.upper()} estimator added"
                         + (" (unless the requirements name them):" if requirements else ":")))
    if not conda_file:  # T35: with a conda file the estimator added no framework packages
        channels, conda, pip = merged_packages(found, specs)
        user_pip = requirements or (plan.given("pip_packages") and bool(plan.literal("pip_packages")))
        user_python = [s for s in specs if package_name(s) == "python" and s not in conda]
        for channel in channels:
            steps.append(AddChannel(plan.q(channel)))
        for package in conda:
            wins = package_name(package) == "python" and user_python
            steps.append(AddCondaPackage(plan.q(package),
                                         comment=f"# wins over {user_python[-1]}, as in the estimator" if wins else ""))
        if requirements:
            _merge_after_requirements(plan, pip)
            pip = []
        for package in pip:
            if package == "azureml-defaults" and not user_pip:
                continue  # re-adding the default's only pip entry changes nothing
            steps.append(AddPipPackage(plan.q(package)))
        _overridden_pins(plan, found, specs)
    _image(plan, found)
    if plan.kind == "PyTorch":
        steps.append(EnvVariable(*nccl(plan)))


def _merge_after_requirements(plan: Plan, pip: list[str]) -> None:
    """The estimator's name comparison, done at run time: a framework package whose name the
    merged pip list already holds was left out (``_remove_package_conflicts``)."""
    steps = plan.run.recipe().steps
    named = plan.ctx.unique_name(f"{plan.env_label}_named")
    package = plan.ctx.unique_name("package")
    rest = [p for p in pip if p != "azureml-defaults"]
    if "azureml-defaults" in pip:
        steps.append(AddPipPackage(plan.q("azureml-defaults")))
    if rest:
        steps.append(AddPipPackagesUnlessNamed(tuple(plan.q(p) for p in rest), named, package))


def _user_specs(plan: Plan) -> list[str] | None:
    """The user's pip and conda specifications when they are known statically; else report."""
    specs: list[str] = []
    for param in ("pip_packages", "conda_packages"):
        if not plan.given(param):
            continue
        value = plan.literal(param)
        if value is static.UNKNOWN or not isinstance(value, (list, tuple)) \
                or not all(isinstance(v, str) for v in value):
            plan.block("EM309", f"`{param}` is not a literal list of strings, so which framework packages "
                       "the estimator kept (a same-named user package replaced them) is unknown",
                       f"Write `{param}` as a list of string literals.")
            return None
        specs += [v for v in value if not v.startswith("-")]  # pip options name no package
    return specs


def _overridden_pins(plan: Plan, found: Scenario, specs: list[str]) -> None:
    """T38: the scenario's python pin and unpinned azureml-defaults win over the user's."""
    scenario_python = next((c for c in found.conda_packages if package_name(c) == "python"), None)
    for spec in specs:
        name = package_name(spec)
        if name == "python" and scenario_python and spec != scenario_python:
            plan.note("EM203", f"`{spec}` in `conda_packages` was replaced by the {found.framework} scenario's "
                      f"`{scenario_python}`, as the estimator did; the migrated environment keeps that",
                      "Change the python pin on the environment if the job needs another python.")
        elif name == "azureml-defaults" and spec != "azureml-defaults":
            plan.note("EM203", f"the pin `{spec}` was replaced by an unpinned `azureml-defaults` from the "
                      f"{found.framework} scenario, as the estimator did; the migrated environment keeps that")


def _image(plan: Plan, found: Scenario) -> None:
    if plan.given("custom_docker_image"):
        return  # written before the scenario's lines: it is the user's, not the estimator's
    if plan.given("custom_docker_base_image"):
        # The framework estimators only honoured custom_docker_image: the scenario image won.
        plan.note("EM203", f"`custom_docker_base_image` was overwritten by the {found.framework} scenario's image "
                  "in the estimator; the migrated environment uses the scenario image too",
                  "Use `environment.docker.base_image = ...` if the custom image was what you wanted.")
    plan.run.recipe().steps.append(BaseImage(image=plan.q(found.base_image), param="use_gpu"))


def nccl(plan: Plan) -> tuple[Code, Code]:
    """T36: every PyTorch estimator set NCCL_TREE_THRESHOLD=0 in its environment's variables, CPU
    too (a variable of the Environment, not of the run)."""
    return plan.q("NCCL_TREE_THRESHOLD"), plan.q("0")
