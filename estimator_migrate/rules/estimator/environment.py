"""The software environment: packages, dependency files, docker image, registry, user-managed
Python and run-level environment variables (spec §2, §4.1, traps T3-T10, T16).

The recipe (``run.Recipe``) lists the same SDK calls, in the same order, that the estimator made
on its own ``CondaDependencies``, so the environment comes out identical. What is excluded by
``environment_definition`` and which parameters install packages come from ``params.TABLE``.
"""

from __future__ import annotations

import ast

from estimator_migrate.rules.estimator import curated, faithful
from estimator_migrate.rules.estimator.params import EXCLUDED_BY_DEFINITION
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.run import (
    AddCondaPackage,
    AddCondaPackages,
    Arg,
    BaseImage,
    BaseImageRegistry,
    CondaFile,
    EnvObject,
    Hoisted,
    PipRequirementsFile,
    SetPipRequirements,
    UserManaged,
)


def environment(plan: Plan) -> None:
    if plan.given("environment_definition"):
        _definition(plan)
        return
    if not _valid(plan):
        return
    steps = plan.run.recipe().steps
    conda_file = _first_given(plan, "conda_dependencies_file", "conda_dependencies_file_path")
    pip_file = _first_given(plan, "pip_requirements_file", "pip_requirements_file_path")
    source_dir = plan.code("source_directory") if plan.literal("source_directory") not in ("", None) else plan.q(".")

    if conda_file:
        steps.append(CondaFile(source_dir, plan.code(conda_file), conda_file))
    else:
        pip_items = _list_items(plan, "pip_packages")
        if pip_file:
            # The estimator read the file at construction and merged pip_packages into it (T9).
            reqs = plan.ctx.unique_name(f"{plan.env_label}_requirements")
            handle = plan.ctx.unique_name("requirements_file")
            extra = plan.ctx.unique_name("package") if pip_items else ""
            steps.append(PipRequirementsFile(source_dir, plan.code(pip_file), pip_file, tuple(pip_items), reqs, handle,
                                             extra))
        elif pip_items and plan.shared_after("pip_packages"):
            # The estimator inserted azureml-defaults into the caller's list and kept that very
            # list as the pip section; other code sees both, so do exactly the same: on the one
            # object (an expression that is not a name is evaluated once, before), and only when
            # the list is not empty (the estimator skipped an empty one).
            held = plan.operand("pip_packages")
            if not _names_one_object(plan.kwargs["pip_packages"]):
                held = plan.ctx.unique_name(f"{plan.env_label}_pip_packages")
                plan.run.hoisted.append(Hoisted(held, plan.code("pip_packages")))
            guard = pip_items[0].startswith("*") and not _never_empty(plan, plan.kwargs["pip_packages"])
            steps.append(SetPipRequirements(shared=held, only_if_items=guard))
        elif pip_items:
            steps.append(SetPipRequirements(tuple(pip_items)))
        for item in _list_items(plan, "conda_packages"):
            if item.startswith("*"):  # only known at run time: the same loop the estimator ran
                steps.append(AddCondaPackages(item[1:], plan.ctx.unique_name("package")))
            else:
                steps.append(AddCondaPackage(item, "conda_packages"))

    if plan.scenario is not None:
        # Framework packages, scenario image, framework variables, after the user's packages.
        if plan.ctx.settings.environment == "curated":
            curated.environment(plan, plan.scenario)
        else:
            faithful.environment(plan, plan.scenario)
    elif plan.kind != "Estimator":
        plan.block("EM309", f"no environment recipe is known for this {plan.kind} estimator")
        return
    else:
        _generic_image(plan)
    if plan.given("image_registry_details"):
        # The SDK set it only when truthy (a None held in a variable kept the default registry).
        expr = plan.kwargs["image_registry_details"]
        plan.run.recipe().steps.append(BaseImageRegistry(plan.code("image_registry_details"),
                                                         only_if_truthy=not _builds_a_registry(plan, expr)))
    if plan.has("user_managed") and plan.literal("user_managed") is not False:
        # Whatever was given (True, None, a variable) is what the estimator stored there.
        plan.run.recipe().steps.append(UserManaged(plan.code("user_managed")))
    if plan.given("environment_variables"):
        plan.run.environment_variables = Arg(plan.code("environment_variables"), "environment_variables")


def _generic_image(plan: Plan) -> None:
    steps = plan.run.recipe().steps
    custom = _first_given(plan, "custom_docker_image", "custom_docker_base_image")
    if custom:
        steps.append(BaseImage(image=plan.code(custom), param=custom))
        return
    gpu = plan.truthy("use_gpu")
    if gpu:
        steps.append(BaseImage(param="use_gpu"))
    elif gpu is None:
        steps.append(BaseImage(gpu_when=plan.operand("use_gpu", "test"), param="use_gpu"))


def _definition(plan: Plan) -> None:
    conflicts = [p for p in EXCLUDED_BY_DEFINITION if plan.given(p) and plan.truthy(p) is not False]
    if conflicts:
        plan.block("EM305", f"`environment_definition` together with {', '.join(f'`{c}`' for c in conflicts)}: "
                   "the SDK raised TrainingException here",
                   "Put those settings on the Environment object itself.")
        return
    plan.definition = True
    for ignored in ("use_docker", "custom_docker_base_image"):
        if plan.given(ignored):
            plan.note("EM203", f"`{ignored}` was ignored by the estimator because `environment_definition` "
                      "was given; it is dropped", "Docker use follows `environment.docker` as before.")
    env = EnvObject(plan.code("environment_definition"))
    plan.run.environment = env
    if plan.scenario is not None and plan.kind == "PyTorch":
        # The estimator used the caller's object and added nothing, except PyTorch, which wrote
        # NCCL_TREE_THRESHOLD into it (T7, §5.2 step 4).
        expr = plan.kwargs["environment_definition"]
        if not (isinstance(expr, ast.Name) or isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name)):
            env.holder = plan.ctx.unique_name(f"{plan.env_label}_env")
        env.variables.append(faithful.nccl(plan))


def _valid(plan: Plan) -> bool:
    def truthy(p: str) -> bool:
        return plan.given(p) and plan.truthy(p) is not False

    conda_file = truthy("conda_dependencies_file") or truthy("conda_dependencies_file_path")
    pip_file = truthy("pip_requirements_file") or truthy("pip_requirements_file_path")
    if conda_file and (truthy("pip_packages") or truthy("conda_packages") or pip_file):
        plan.block("EM305", "a conda dependencies file together with pip/conda packages or a requirements file: "
                   "the SDK raised TrainingException here", "Put every package in the conda file.")
        return False
    if plan.truthy("user_managed") and (conda_file or pip_file or truthy("pip_packages") or truthy("conda_packages")):
        plan.block("EM305", "`user_managed=True` with packages: the SDK raised UserErrorException here",
                   "Drop the packages, or let Azure ML manage the environment.")
        return False
    if plan.given("custom_docker_image") and plan.given("custom_docker_base_image"):
        plan.block("EM305", "both `custom_docker_image` and `custom_docker_base_image`: the SDK raised "
                   "TrainingException here", "Keep `custom_docker_image` only.")
        return False
    if plan.literal("use_docker") is False and (plan.given("custom_docker_image")
                                               or plan.given("custom_docker_base_image")):
        plan.block("EM305", "`use_docker=False` with a custom image: the SDK raised TrainingException here")
        return False
    for param in ("pip_packages", "conda_packages"):
        if plan.given(param) and isinstance(plan.literal(param), str):
            plan.block("EM305", f"`{param}` is a string, not a list; the estimator added it character by "
                       "character", "Pass a list of package specifications.")
            return False
    return True


def _first_given(plan: Plan, *params: str):
    """The first parameter given a non-None value (``x`` wins over the deprecated ``x_path``)."""
    for p in params:
        if plan.given(p) and plan.truthy(p) is not False:
            return p
    return None


def _list_items(plan: Plan, param: str) -> list[str]:
    """The element expressions of a list argument; ``*name`` when it is only known at run time."""
    if not plan.given(param):
        return []
    ctx = plan.ctx
    resolved = plan.resolve(plan.kwargs[param])
    if isinstance(resolved, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in resolved.elts) \
            and all(plan.portable(e) for e in resolved.elts):
        return [ctx.segment(e) for e in resolved.elts]
    return [f"*{plan.operand(param, 'star')}"]  # read from the list itself, when the estimator read it


# What may be done to a list that certainly keeps it non-empty.
_GROWING = ("append", "extend", "insert")


def _never_empty(plan: Plan, expr: ast.AST) -> bool:
    """Whether the list ``expr`` names is certainly not empty: every assignment to the name is a
    non-empty list display, and every other use only reads it, grows it or hands it to an
    estimator (which inserted into it)."""
    if not isinstance(expr, ast.Name):
        return False
    names = plan.ctx.names
    scope = names.scope_of.get(id(expr), names.module_scope)
    bindings = names.bindings_of(expr.id, scope)
    if not bindings or not all(isinstance(b.node, ast.Assign) and isinstance(b.value, (ast.List, ast.Tuple)) and
                               b.value.elts and not any(isinstance(e, ast.Starred) for e in b.value.elts)
                               for b in bindings):
        return False
    for use in names.uses(expr.id, scope):
        parent = plan.ctx.parent(use)
        if isinstance(parent, ast.Attribute) and parent.attr in _GROWING and \
                isinstance(plan.ctx.parent(parent), ast.Call):
            continue
        if isinstance(parent, ast.keyword) and parent.arg == "pip_packages":
            continue
        return False
    return True


def _names_one_object(expr: ast.AST) -> bool:
    """Whether evaluating ``expr`` twice gives the same object (a name, or attributes of one)."""
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


def _builds_a_registry(plan: Plan, expr: ast.expr) -> bool:
    """Whether ``expr`` certainly holds a ContainerRegistry (built by its constructor, a name
    every assignment of which is one): then the estimator's truth test always passed."""
    def constructs(value) -> bool:
        return isinstance(value, ast.Call) and \
            (plan.ctx.names.qualified_name(value.func) or "").endswith(".ContainerRegistry")

    if constructs(expr):
        return True
    if not isinstance(expr, ast.Name):
        return False
    names = plan.ctx.names
    bindings = names.bindings_of(expr.id, names.scope_of.get(id(expr), names.module_scope))
    return bool(bindings) and all(isinstance(b.node, ast.Assign) and constructs(b.value) for b in bindings)
