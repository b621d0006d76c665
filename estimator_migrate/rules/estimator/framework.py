"""EM102: what the framework estimators (PyTorch, TensorFlow, Chainer, SKLearn) added on top of
the generic one (spec §5, traps T20-T24, T32, T35, T36, T38).

Each of them picked a *scenario* (``scenarios.py``) by framework, ``framework_version`` and
``use_gpu``: a base image and a conda specification (python pin, framework pip packages) that it
merged into the user's packages. This module only chooses the scenario (``plan.scenario``);
the environment concern, which runs next, builds it after the user's packages with one of the
two strategies, ``faithful.py`` (default) or ``curated.py``.
"""

from __future__ import annotations

import ast
import dataclasses

from estimator_migrate.analysis import static
from estimator_migrate.analysis.symbols import FRAMEWORKS
from estimator_migrate.rules.estimator.params import PACKAGE_PARAMS
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.scenarios import SCENARIOS, Scenario, default_version, scenario

# Compute targets the framework-image path was skipped for (the SDK's _NON_CACHED_REGIONS).
_NON_CACHED_REGIONS = "chinaeast2, usgovarizona, usgovvirginia, usnateast, usnatwest"
# Compute target expressions that give an AmlCompute (or very likely one).
_COMPUTE_FACTORIES = {f"{m}.{c}{s}" for m in ("azureml.core.compute", "azureml.core.compute.amlcompute",
                                               "azureml.core.compute.compute", "azureml.core")
                      for c in ("AmlCompute", "ComputeTarget") for s in ("", ".create")}


# -- the concern -----------------------------------------------------------------------------
def framework(plan: Plan) -> None:
    if plan.kind not in FRAMEWORKS:
        return
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
    plan.scenario = found
    if plan.ctx.settings.environment != "curated":
        _private_image_note(plan, found)


def _version(plan: Plan) -> str | None:
    table = SCENARIOS[plan.kind]
    supported = list(table["versions"])
    value = plan.literal("framework_version", None)
    if value is None:
        return default_version(plan.kind)  # T22: the class default, not the newest version
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


def _processor(plan: Plan, version: str) -> str | None:
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


def _user_dependencies(plan: Plan) -> bool | None:
    """Whether the user's packages made the conda dependencies differ from the default
    (``_user_dependencies_provided``); None when that depends on run-time values."""
    answers = []
    for param in PACKAGE_PARAMS:
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
