"""The curated framework environment (``--environment curated``): the legacy curated
environment named for the scenario, cloned when packages are added (spec §5.4). Not equivalent,
always reported (EM202).
"""

from __future__ import annotations

import ast

from estimator_migrate.analysis import static
from estimator_migrate.rules.estimator.faithful import nccl
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.run import (
    AddCondaPackage,
    AddPipPackage,
    Curated,
    EnvVariable,
    SetPipOption,
    Step,
)
from estimator_migrate.rules.estimator.scenarios import Scenario

# Legacy curated environment names (spec §5.4, from the September 2020 public list). The mapping
# from a scenario to a name is inferred; the environments were removed from workspaces in 2021.
# Chainer 7.0.0 never had one.
CURATED_NAMES: dict[tuple[str, str, str], str] = {}
for _v in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"):
    for _p in ("cpu", "gpu"):
        CURATED_NAMES["PyTorch", _v, _p] = f"AzureML-PyTorch-{_v}-{_p.upper()}"
for _v in ("1.10", "1.12", "1.13", "2.0", "2.1", "2.2", "2.3"):
    for _p in ("cpu", "gpu"):
        CURATED_NAMES["TensorFlow", _v, _p] = f"AzureML-TensorFlow-{_v}-{_p.upper()}"
for _p in ("cpu", "gpu"):
    CURATED_NAMES["Chainer", "5.1.0", _p] = f"AzureML-Chainer-5.1.0-{_p.upper()}"
CURATED_NAMES["SKLearn", "0.20.3", "cpu"] = "AzureML-Scikit-learn-0.20.3"

# Calls that give a workspace object, by qualified name (for the curated strategy).
_WORKSPACE_FACTORIES = {f"{m}.Workspace{s}" for m in ("azureml.core", "azureml.core.workspace")
                        for s in ("", ".from_config", ".get", ".create")}
_WORKSPACE_USERS = {f"{m}.{c}" for m in ("azureml.core", "azureml.core.experiment", "azureml.core.compute",
                                         "azureml.core.compute.compute")
                    for c in ("Experiment", "ComputeTarget")}


# -- curated: a named environment, not equivalent --------------------------------------------
def environment(plan: Plan, found: Scenario) -> None:
    name = CURATED_NAMES.get((found.framework, found.version, found.processor))
    if name is None:
        plan.block("EM309", f"there is no curated environment for {found.framework} {found.version} "
                   f"{found.processor.upper()}", "Run with `--environment faithful` to rebuild the scenario.")
        return
    unsupported = [p for p in ("conda_dependencies_file", "conda_dependencies_file_path", "pip_requirements_file",
                               "pip_requirements_file_path", "custom_docker_image", "custom_docker_base_image",
                               "image_registry_details") if plan.given(p)]
    if plan.has("user_managed") and plan.literal("user_managed") is not False:
        unsupported.append("user_managed")  # whatever was given (None too) is what the estimator stored
    if unsupported:
        plan.block("EM309", f"{', '.join(f'`{p}`' for p in unsupported)} cannot be carried onto a curated "
                   "environment", "Run with `--environment faithful`, which reproduces them.")
        return
    workspace = find_workspace(plan)
    if workspace is None:
        plan.block("EM309", "the curated strategy needs a workspace to look the environment up in, and none "
                   "was found in this module (Workspace.from_config(), Workspace.get(...), Experiment(ws, ...))",
                   "Create the workspace object in this module, or run with `--environment faithful`.")
        return
    additions = _curated_additions(plan)
    if additions is None:
        return
    plan.note("EM202", f"`{name}` is inferred from {found.framework} {found.version} {found.processor.upper()}: "
              "the legacy curated environments were removed from workspaces in 2021 and never held exactly the "
              "estimator's packages; the run will fail if the name no longer exists",
              "Prefer the faithful strategy, or pick a current curated environment from your workspace.")
    # The user's packages are added to the curated environment (the generic recipe's pip list
    # would replace its packages), in a clone of it.
    env = Curated(name, workspace)
    plan.run.environment = env
    if not additions and plan.kind != "PyTorch":
        return
    env.clone = plan.ctx.unique_name(f"{plan.env_label}_env")
    env.steps += additions
    if plan.kind == "PyTorch":
        env.steps.append(EnvVariable(*nccl(plan)))


def _curated_additions(plan: Plan) -> list[Step] | None:
    lines: list[Step] = []
    for param, method in (("pip_packages", AddPipPackage), ("conda_packages", AddCondaPackage)):
        if not plan.given(param):
            continue
        value = plan.literal(param)
        if value is static.UNKNOWN or not isinstance(value, (list, tuple)):
            plan.block("EM309", f"`{param}` is not a literal list, so the packages to add to the curated "
                       "environment are unknown", "Run with `--environment faithful`.")
            return None
        for item in value:
            if not isinstance(item, str):
                plan.block("EM309", f"`{param}` holds a value that is not a string",
                           "Run with `--environment faithful`.")
                return None
            if method is AddPipPackage and item.startswith("-"):
                lines.append(SetPipOption(plan.q(item)))  # add_pip_package rejects options
            else:
                lines.append(method(plan.q(item)))
    return lines


def find_workspace(plan: Plan) -> str | None:
    """A name bound to the workspace that is visible where the estimator is built."""
    ctx = plan.ctx
    scope = ctx.names.scope_of.get(id(plan.call), ctx.names.module_scope)
    candidates: list[tuple[int, str]] = []
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Call) \
                and ctx.names.qualified_name(node.value.func) in _WORKSPACE_FACTORIES:
            candidates.append((node.lineno, node.targets[0].id))
        elif isinstance(node, ast.Call) and ctx.names.qualified_name(node.func) in _WORKSPACE_USERS:
            arg = next((kw.value for kw in node.keywords if kw.arg == "workspace"), None)
            if arg is None and node.args:
                arg = node.args[0]
            if isinstance(arg, ast.Name):
                candidates.append((node.lineno, arg.id))
    seen: set[str] = set()
    for _, name in sorted(candidates):
        if name in seen:
            continue
        seen.add(name)
        bindings = ctx.names.bindings_of(name, scope)
        if bindings and all(b.kind != "import" for b in bindings):
            return name
    return None
