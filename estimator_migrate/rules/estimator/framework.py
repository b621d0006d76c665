"""EM102: what the framework estimators (PyTorch, TensorFlow, Chainer, SKLearn) added on top of
the generic one (spec §5, traps T20-T24, T32, T35, T36, T38).

Each of them picked a *scenario* by framework, ``framework_version`` and ``use_gpu``: a base
image and a conda specification (python pin, framework pip packages) that it merged into the
user's packages. The table of scenarios is data (``data/scenarios.json``, written from the SDK
by ``scripts/generate_scenarios.py``). This module only chooses the scenario and hands two
hooks to the environment concern, which calls them after it has written the user's packages:

* ``framework_env``: the environment the estimator would have built. ``faithful`` (default)
  emits the same SDK calls the estimator made, in the same order; ``curated`` names the legacy
  curated environment instead (not equivalent, always reported).
* ``framework_definition``: for ``environment_definition=``, where PyTorch still wrote
  ``NCCL_TREE_THRESHOLD`` into the caller's Environment.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import pathlib
import re
from typing import Dict, List, Optional, Set, Tuple

from estimator_migrate.analysis import static
from estimator_migrate.rules.estimator.plan import Plan, concern
from estimator_migrate.analysis.symbols import FRAMEWORKS

_TABLE_PATH = pathlib.Path(__file__).resolve().parents[2] / "data" / "scenarios.json"
SCENARIOS: Dict[str, dict] = json.loads(_TABLE_PATH.read_text(encoding="utf-8"))["frameworks"]

# The estimator's own CondaDependencies() packages never count as user-specified (§5.3 step 3).
_DEFAULT_PACKAGE_NAMES = {"azureml-defaults", "python"}
# The private registry of the prebuilt framework images (§5.2 step 2, T23).
_PRIVATE_REGISTRY = "viennaprivate.azurecr.io"
# Compute targets the framework-image path was skipped for (the SDK's _NON_CACHED_REGIONS).
_NON_CACHED_REGIONS = "chinaeast2, usgovarizona, usgovvirginia, usnateast, usnatwest"

# Legacy curated environment names (spec §5.4, from the September 2020 public list). The mapping
# from a scenario to a name is inferred; the environments were removed from workspaces in 2021.
# Chainer 7.0.0 never had one.
CURATED_NAMES: Dict[Tuple[str, str, str], str] = {}
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
# Compute target expressions that give an AmlCompute (or very likely one).
_COMPUTE_FACTORIES = {f"{m}.{c}{s}" for m in ("azureml.core.compute", "azureml.core.compute.amlcompute",
                                               "azureml.core.compute.compute", "azureml.core")
                      for c in ("AmlCompute", "ComputeTarget") for s in ("", ".create")}


@dataclasses.dataclass(frozen=True)
class Scenario:
    framework: str
    version: str
    processor: str  # cpu | gpu
    base_image: str
    channels: Tuple[str, ...]
    conda_packages: Tuple[str, ...]
    pip_packages: Tuple[str, ...]

    @property
    def private_image(self) -> str:
        return f"{_PRIVATE_REGISTRY}/{self.framework.lower()}:{self.version}-{self.processor}"


def scenario(framework: str, version: str, processor: str) -> Optional[Scenario]:
    entry = SCENARIOS.get(framework, {}).get("versions", {}).get(version, {}).get(processor)
    if entry is None:
        return None
    return Scenario(framework, version, processor, entry["base_image"], tuple(entry["channels"]),
                    tuple(entry["conda_packages"]), tuple(entry["pip_packages"]))


def package_name(spec: str) -> str:
    """The SDK's ``CondaDependencies._get_package_name``: the name before any version or extras."""
    if spec.endswith(".whl"):
        return re.split("-", re.split("/", spec)[-1])[0]
    return re.split(r"[\[=|<|>|~|!]", spec)[0]


def merged_packages(found: Scenario, user_specs: List[str]) -> Tuple[List[str], List[str], List[str]]:
    """(channels, conda, pip) the estimator merged in after the user's packages: the scenario's,
    minus those the user named (``_check_package_conflicts`` / ``_remove_package_conflicts``)."""
    framework_names = {package_name(p) for p in found.pip_packages + found.conda_packages}
    common = [n for n in (package_name(s) for s in user_specs)
              if n in framework_names and n not in _DEFAULT_PACKAGE_NAMES]
    pip, conda = list(found.pip_packages), list(found.conda_packages)
    for name in common:
        if any(p.startswith(name) for p in pip):
            same = [p for p in pip if package_name(p) == name]
            if same:
                pip.remove(same[-1])
        if any(c.startswith(name) for c in conda) and name in conda:
            conda.remove(name)  # remove_conda_package matches the exact string only
    return list(found.channels), conda, pip


# -- the concern -----------------------------------------------------------------------------
@concern("framework", 45, "framework_version", always=True)
def framework(plan: Plan) -> None:
    if plan.kind not in FRAMEWORKS:
        return
    plan.drop("framework_version")
    version = _version(plan)
    if version is None:
        return
    processor = _processor(plan, version)
    if processor is None:
        return
    found = scenario(plan.kind, version, processor)
    if found is None:  # pragma: no cover - every supported version has both scenarios but SKLearn's gpu
        plan.block("EM305", f"{plan.kind} {version} has no {processor.upper()} scenario: the SDK raised here")
        return
    if not _optimized_mode(plan):
        return
    plan.facts["scenario"] = found
    plan.facts["framework_definition"] = _definition
    if plan.ctx.settings.environment == "curated":
        plan.facts["framework_env"] = _curated
    else:
        plan.facts["framework_env"] = _faithful
        _private_image_note(plan, found)


def _version(plan: Plan) -> Optional[str]:
    table = SCENARIOS[plan.kind]
    supported = list(table["versions"])
    value = plan.literal("framework_version", None)
    if value is None:
        return table["default_version"]  # T22: the class default, not the newest version
    if value is static.UNKNOWN:
        plan.block("EM309", f"`framework_version={plan.code('framework_version')}` is not a literal, so the "
                   "framework scenario (image and packages) cannot be chosen",
                   f"Write the version as a string literal, one of {', '.join(supported)}.")
        return None
    if not isinstance(value, str):
        plan.block("EM305", f"`framework_version={value!r}` is not a string: the SDK raised TrainingException "
                   f"here (it accepted only strings such as {plan.q(supported[-1])})",
                   "Quote the version, then run the tool again.")
        return None
    if value not in supported:
        plan.block("EM305", f"{plan.kind} {value} is not a version the estimator supported "
                   f"({', '.join(supported)}): the SDK raised TrainingException here")
        return None
    return value


def _processor(plan: Plan, version: str) -> Optional[str]:
    gpu = plan.truthy("use_gpu")
    if gpu is None:
        cpu, gpu_scenario = scenario(plan.kind, version, "cpu"), scenario(plan.kind, version, "gpu")
        if cpu is not None and gpu_scenario is not None and \
                dataclasses.replace(cpu, processor="gpu") == gpu_scenario:
            return "cpu"  # both scenarios are the same: use_gpu made no difference
        plan.block("EM309", f"`use_gpu={plan.code('use_gpu')}` is only known at run time, and it chose between "
                   f"the CPU and GPU scenarios of {plan.kind}", "Use a literal True or False.")
        return None
    return "gpu" if gpu else "cpu"


def _optimized_mode(plan: Plan) -> bool:
    """``_enable_optimized_mode=True`` raised on anything but an AmlCompute target, and with a
    custom image or environment definition; otherwise it took the private image path."""
    if plan.truthy("_enable_optimized_mode") is not True:
        return True
    target = _target_kind(plan)
    if target == "name":
        plan.block("EM305", "`_enable_optimized_mode=True` with a compute target given by name: the SDK raised "
                   "TrainingException here (optimized mode needed an AmlCompute object)")
        return False
    for param in ("custom_docker_image", "environment_definition"):
        if plan.given(param):
            plan.block("EM305", f"`_enable_optimized_mode=True` with `{param}`: the SDK raised TrainingException here")
            return False
    return True


def _target_kind(plan: Plan) -> str:
    """'name' (a string: full build), 'amlcompute' (an expression that gives a cluster object) or
    'unknown' (a variable the tool cannot see into)."""
    if not plan.given("compute_target"):
        return "unknown"
    if isinstance(plan.literal("compute_target"), str):
        return "name"
    expr = static.resolve_identity(plan.ctx.names, plan.kwargs["compute_target"])
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Attribute) \
            and expr.value.attr == "compute_targets":
        return "amlcompute"  # ws.compute_targets["name"]
    if isinstance(expr, ast.Call) and plan.ctx.names.qualified_name(expr.func) in _COMPUTE_FACTORIES:
        return "amlcompute"
    return "unknown"


def _user_dependencies(plan: Plan) -> Optional[bool]:
    """Whether the user's packages made the conda dependencies differ from the default
    (``_user_dependencies_provided``); None when that depends on run-time values."""
    answers = []
    for param in ("pip_packages", "conda_packages", "conda_dependencies_file", "conda_dependencies_file_path",
                  "pip_requirements_file", "pip_requirements_file_path"):
        if not plan.given(param):
            continue
        value = plan.literal(param)
        answers.append(None if value is static.UNKNOWN else bool(value))
    if any(answers):
        return True
    return None if None in answers else False


def _private_image_note(plan: Plan, found: Scenario) -> None:
    """T23: with an AmlCompute cluster and nothing to install, the estimator skipped the build
    and ran Azure ML's prebuilt image from a private registry; nobody can pull that any more."""
    if plan.given("environment_definition") or plan.given("custom_docker_image"):
        return
    optimized = plan.truthy("_enable_optimized_mode") is True
    deps = _user_dependencies(plan)
    if deps is True and not optimized:
        return
    target = _target_kind(plan)
    if target == "name":
        return
    certain = target == "amlcompute" and (deps is False or optimized)
    what = "extra packages installed on top of it" if optimized and deps is not False else "no extra packages"
    condition = "" if certain else (
        "if `compute_target` is an AmlCompute cluster" + (" and no packages were added" if deps is None else ""))
    plan.note("EM203", f"{condition + ', ' if condition else ''}the estimator ran on the prebuilt image "
              f"`{found.private_image}` from Azure ML's private registry ({what}); that cannot be reproduced, "
              f"so the migrated environment is the full build of the same {found.framework} {found.version} "
              f"{found.processor.upper()} scenario",
              f"The full build installs the scenario's packages on `{found.base_image}`; check that it still "
              f"builds. The estimator itself built it this way on clusters in {_NON_CACHED_REGIONS}.")


# -- faithful: the estimator's own calls ----------------------------------------------------
def _faithful(plan: Plan) -> None:
    found: Scenario = plan.facts["scenario"]
    cd = "{env}.python.conda_dependencies"
    conda_file = plan.given("conda_dependencies_file") or plan.given("conda_dependencies_file_path")
    specs: List[str] = []
    if not conda_file:
        specs_or_none = _user_specs(plan)
        if specs_or_none is None:
            return
        specs = specs_or_none
    if plan.given("custom_docker_image"):
        plan.env_line(f"{{env}}.docker.base_image = {plan.code('custom_docker_image')}", "custom_docker_image")
    # The requirements file is read at run time: its package names are compared there.
    requirements = not conda_file and (plan.given("pip_requirements_file")
                                       or plan.given("pip_requirements_file_path"))
    if requirements and any(package_name(c) != "python" for c in found.conda_packages + found.channels):
        # pragma: no cover - no shipped scenario has conda packages besides python, nor channels
        plan.block("EM309", "the conda packages the estimator merged depend on the names in the requirements "
                   "file, which are only known at run time")
        return
    plan.env_line(f"# What the {found.framework} {found.version} {found.processor.upper()} estimator added"
                  + (" (unless the requirements name them):" if requirements else ":"))
    if not conda_file:  # T35: with a conda file the estimator added no framework packages
        channels, conda, pip = merged_packages(found, specs)
        user_pip = requirements or (plan.given("pip_packages") and bool(plan.literal("pip_packages")))
        user_python = [s for s in specs if package_name(s) == "python" and s not in conda]
        for channel in channels:
            plan.env_line(f"{cd}.add_channel({plan.q(channel)})")
        for package in conda:
            line = f"{cd}.add_conda_package({plan.q(package)})"
            if package_name(package) == "python" and user_python:
                line += f"  # wins over {user_python[-1]}, as in the estimator"
            plan.env_line(line)
        if requirements:
            _merge_after_requirements(plan, pip)
            pip = []
        for package in pip:
            if package == "azureml-defaults" and not user_pip:
                continue  # re-adding the default's only pip entry changes nothing
            plan.env_line(f"{cd}.add_pip_package({plan.q(package)})")
        _overridden_pins(plan, found, specs)
    _image(plan, found)
    if plan.kind == "PyTorch":
        _nccl(plan, "{env}")


def _merge_after_requirements(plan: Plan, pip: List[str]) -> None:
    """The estimator's name comparison, done at run time: a framework package whose name the
    merged pip list already holds was left out (``_remove_package_conflicts``)."""
    cd = "{env}.python.conda_dependencies"
    conda_dependencies = plan.use("CondaDependencies")
    named = plan.ctx.unique_name(f"{plan.env_label}_named")
    package = plan.ctx.unique_name("package")
    rest = [p for p in pip if p != "azureml-defaults"]
    if "azureml-defaults" in pip:
        plan.env_line(f"{cd}.add_pip_package({plan.q('azureml-defaults')})")
    if not rest:
        return
    plan.env_line(f"{named} = {{{conda_dependencies}._get_package_name({package})")
    plan.env_line(f"{' ' * len(named)}    for {package} in {cd}.pip_packages}}")
    plan.env_line(f"for {package} in [{', '.join(plan.q(p) for p in rest)}]:")
    plan.env_line(f"    if {conda_dependencies}._get_package_name({package}) not in {named}:")
    plan.env_line(f"        {cd}.add_pip_package({package})")


def _user_specs(plan: Plan) -> Optional[List[str]]:
    """The user's pip and conda specifications when they are known statically; else report."""
    specs: List[str] = []
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


def _overridden_pins(plan: Plan, found: Scenario, specs: List[str]) -> None:
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
    plan.env_line(f"{{env}}.docker.base_image = {plan.q(found.base_image)}", "use_gpu")


def _nccl(plan: Plan, env: str) -> None:
    # T36: every PyTorch estimator set it, CPU too. Mutate the dict: the setter is deprecated.
    line = f"{env}.environment_variables[{plan.q('NCCL_TREE_THRESHOLD')}] = {plan.q('0')}"
    if env == "{env}":
        plan.env_line(line)
    else:
        plan.pre_lines.append(line)


def _definition(plan: Plan) -> None:
    """environment_definition: the estimator used the caller's object and added nothing, except
    PyTorch, which wrote NCCL_TREE_THRESHOLD into it (T7, §5.2 step 4)."""
    if plan.kind != "PyTorch":
        return
    expr = plan.kwargs["environment_definition"]
    if isinstance(expr, ast.Name) or (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name)):
        _nccl(plan, plan.code("environment_definition"))
        return
    holder = plan.ctx.unique_name(f"{plan.env_label}_env")
    plan.pre_lines.append(f"{holder} = {plan.code('environment_definition')}")
    _nccl(plan, holder)
    plan.rename("environment_definition", "environment", holder)


# -- curated: a named environment, not equivalent --------------------------------------------
def _curated(plan: Plan) -> None:
    found: Scenario = plan.facts["scenario"]
    name = CURATED_NAMES.get((found.framework, found.version, found.processor))
    if name is None:
        plan.block("EM309", f"there is no curated environment for {found.framework} {found.version} "
                   f"{found.processor.upper()}", "Run with `--environment faithful` to rebuild the scenario.")
        return
    unsupported = [p for p in ("conda_dependencies_file", "conda_dependencies_file_path", "pip_requirements_file",
                               "pip_requirements_file_path", "custom_docker_image", "custom_docker_base_image",
                               "image_registry_details") if plan.given(p)]
    if plan.truthy("user_managed") is not False:
        unsupported.append("user_managed")
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
    get = f"{plan.use('Environment')}.get(workspace={workspace}, name={plan.q(name)})"
    additions = _curated_additions(plan)
    if additions is None:
        return
    plan.env_lines.clear()  # the generic lines replace the pip list; on a curated env they add to it
    plan.note("EM202", f"`{name}` is inferred from {found.framework} {found.version} {found.processor.upper()}: "
              "the legacy curated environments were removed from workspaces in 2021 and never held exactly the "
              "estimator's packages; the run will fail if the name no longer exists",
              "Prefer the faithful strategy, or pick a current curated environment from your workspace.")
    if not additions and plan.kind != "PyTorch":
        plan.add_arg("environment", get)
        return
    env = plan.ctx.unique_name(f"{plan.env_label}_env")
    plan.pre_lines.append(f"{env} = {get}.clone({plan.q(env.replace('_', '-'))})")
    plan.pre_lines += [line.replace("{env}", env) for line in additions]
    if plan.kind == "PyTorch":
        _nccl(plan, env)
    plan.add_arg("environment", env)


def _curated_additions(plan: Plan) -> Optional[List[str]]:
    cd = "{env}.python.conda_dependencies"
    lines: List[str] = []
    for param, method in (("pip_packages", "add_pip_package"), ("conda_packages", "add_conda_package")):
        if not plan.given(param):
            continue
        value = plan.literal(param)
        if value is static.UNKNOWN or not isinstance(value, (list, tuple)):
            plan.block("EM309", f"`{param}` is not a literal list, so the packages to add to the curated "
                       "environment are unknown", "Run with `--environment faithful`.")
            return None
        for item in value:
            if not isinstance(item, str):
                plan.block("EM309", f"`{param}` holds a value that is not a string", "Run with `--environment faithful`.")
                return None
            if method == "add_pip_package" and item.startswith("-"):
                lines.append(f"{cd}.set_pip_option({plan.q(item)})")  # add_pip_package rejects options
            else:
                lines.append(f"{cd}.{method}({plan.q(item)})")
    return lines


def find_workspace(plan: Plan) -> Optional[str]:
    """A name bound to the workspace that is visible where the estimator is built."""
    ctx = plan.ctx
    scope = ctx.names.scope_of.get(id(plan.call), ctx.names.module_scope)
    candidates: List[Tuple[int, str]] = []
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
    seen: Set[str] = set()
    for _, name in sorted(candidates):
        if name in seen:
            continue
        seen.add(name)
        bindings = ctx.names.bindings_of(name, scope)
        if bindings and all(b.kind != "import" for b in bindings):
            return name
    return None
