"""``--target v2``: a ``HyperDriveConfig(estimator=est, ...)`` becomes a sweep over the command
node the estimator became (EM403), with the v2 sweep blocks (``estimator_migrate/v2/sweep.py``).

The tuned flags move into the trial command as ``--lr ${{inputs.lr}}`` (v2 passes a sampled
value only where the command names it, V31) and the fixed value HyperDrive replaced goes; v1's
defaults v2 does not share are written (policy evaluation interval V29, concurrency and the
7-day limit V32, the trial's time limit as ``trial_timeout`` V33).

Only what the file spells out is translated: the HyperDriveConfig assigned to a name, its
sampling and policy built in the call or in a statement of their own, a search space written as
a dictionary literal of ``choice``/``uniform``/... calls. The sampling and policy statements go
when the HyperDriveConfig was their only user. Anything else leaves the estimator and the
HyperDriveConfig unchanged (EM508, EM512, EM510).
"""

from __future__ import annotations

import ast
import dataclasses
import math
from typing import TYPE_CHECKING

from estimator_migrate.analysis import static
from estimator_migrate.analysis.context import FileContext
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.v2 import command as v2command
from estimator_migrate.v2 import sweep as v2sweep
from estimator_migrate.v2.conda import NeverRan
from estimator_migrate.v2.names import Names
from estimator_migrate.v2.snippet import Report, Snippet

if TYPE_CHECKING:
    from estimator_migrate.rules.src_v2 import SrcPlan

_MODULES = ("azureml.train.hyperdrive", "azureml.train.hyperdrive.runconfig", "azureml.train.hyperdrive.sampling",
            "azureml.train.hyperdrive.policy", "azureml.train.hyperdrive.parameter_expressions")
_SAMPLINGS = ("RandomParameterSampling", "GridParameterSampling", "BayesianParameterSampling")
_POLICIES = ("BanditPolicy", "MedianStoppingPolicy", "TruncationSelectionPolicy", "NoTerminationPolicy")
_ALLOWED = {"hyperparameter_sampling", "primary_metric_name", "primary_metric_goal", "max_total_runs",
            "max_concurrent_runs", "max_duration_minutes", "policy", "estimator", "run_config"}


@dataclasses.dataclass
class Sweep:
    call: ast.Call  # HyperDriveConfig(...)
    stmt: ast.Assign
    holder: str
    tuned: list[v2sweep.Tuned]
    sampling: Snippet
    goal: Snippet
    policy: Snippet | None
    primary_metric: str
    limits: dict[str, str]
    reports: list[Report]
    removed: list[ast.stmt]  # sampling / policy statements only the HyperDriveConfig used
    shared: bool = False  # the estimator is also submitted as it is (shared_items)


def _blocked(code: str, message: str, hint: str = "", node: ast.expr | None = None):
    from estimator_migrate.rules.estimator.render_v2 import _Blocked

    return _Blocked(code, message, hint, node)


def _v1_name(ctx: FileContext, func: ast.expr, names: tuple[str, ...]) -> str | None:
    qual = ctx.names.qualified_name(func) or ""
    module, _, name = qual.rpartition(".")
    return name if module in _MODULES and name in names else None


def hyperdrive_call(ctx: FileContext, use: ast.Name) -> ast.Call | None:
    """The ``HyperDriveConfig(...)`` call ``use`` is the ``estimator`` argument of."""
    call = ctx.parent(use)
    if isinstance(call, ast.keyword):
        call = ctx.parent(call)
    if isinstance(call, ast.Call) and ctx.canonical_name(call.func) in ("HyperDriveConfig", "HyperDriveRunConfig"):
        return call
    return None


def _built(ctx: FileContext, expr: ast.expr, hd: ast.Call) -> tuple[ast.expr, ast.stmt | None]:
    """What ``expr`` was built by, and the statement to remove when ``hd`` was its only user."""
    if not isinstance(expr, ast.Name):
        return expr, None
    from estimator_migrate.rules.downstream.migrated import uses_of

    binding = static.reaching_binding(ctx.names, expr)
    if binding is None or binding.value is None or not isinstance(binding.node, ast.Assign):
        raise _blocked("EM512", f"`{expr.id}` is not certainly built by one assignment in this file",
                       "Build it in one assignment before the HyperDriveConfig.", expr)
    stmt = binding.node
    only = len(stmt.targets) == 1 and [u for u in uses_of(ctx, expr.id, stmt)] == [expr]
    return binding.value, stmt if only else None


def translate(plan: Plan | SrcPlan, use: ast.Name) -> Sweep:
    """The sweep for the HyperDriveConfig that ``use`` (the estimator's name) stands in."""
    ctx = plan.ctx
    hd = hyperdrive_call(ctx, use)
    assert hd is not None
    stmt = ctx.enclosing_statement(hd)
    kind = ctx.canonical_name(hd.func) or ""
    if kind not in ("HyperDriveConfig", "HyperDriveRunConfig") or not (
            isinstance(stmt, ast.Assign) and stmt.value is hd and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)):
        raise _blocked("EM508", f"the HyperDrive configuration on line {hd.lineno} is not a `HyperDriveConfig(...)` "
                       "assigned to a name", "Assign it to a variable of its own, then run the tool again.", use)
    if any(isinstance(a, ast.Starred) for a in hd.args) or any(k.arg is None for k in hd.keywords):
        raise _blocked("EM512", f"the HyperDriveConfig on line {hd.lineno} hides its arguments", "Spell them out.")
    # The deprecated HyperDriveRunConfig(estimator, ...) built the same HyperDriveConfig (its
    # keywords are a subset: anything else was a TypeError).
    signature = v2sweep.V1_SIGNATURES[kind]
    given = [*signature[:len(hd.args)], *(k.arg for k in hd.keywords)]
    if kind == "HyperDriveRunConfig" and (len(hd.args) > len(signature) or len(set(given)) < len(given) or
                                          any(k.arg not in signature for k in hd.keywords)):
        raise _blocked("EM510", f"the {kind} on line {hd.lineno} takes other arguments (TypeError)",
                       "Fix the v1 code first.")
    bound_nodes = dict(zip(signature, hd.args, strict=False))
    bound_nodes.update({k.arg: k.value for k in hd.keywords if k.arg})
    extra = ", ".join(f"`{e}`" for e in sorted(set(bound_nodes) - _ALLOWED))
    if extra:
        raise _blocked("EM505", f"the HyperDriveConfig on line {hd.lineno} passes {extra}, which the v2 sweep has no "
                       "counterpart for", "Write the sweep by hand (see `--explain EM403`).")
    # An estimator is HyperDrive's `estimator`, a ScriptRunConfig (rules/src_v2.py) its `run_config`.
    role = "estimator" if isinstance(plan, Plan) else "run_config"
    if bound_nodes.get(role) is not use or ("estimator" in bound_nodes and "run_config" in bound_nodes):
        raise _blocked("EM508", f"it is not the `{role}` of the HyperDriveConfig on line {hd.lineno}")
    missing = [p for p in ("hyperparameter_sampling", "primary_metric_name", "primary_metric_goal", "max_total_runs")
               if p not in bound_nodes]
    if missing:
        raise _blocked("EM510", f"the HyperDriveConfig on line {hd.lineno} lacks {', '.join(missing)} (TypeError)")
    code = {k: ctx.segment(v) for k, v in bound_nodes.items()}
    reports: list[Report] = []
    removed: list[ast.stmt] = []
    try:
        sampling_name, sampling, entries, definitions = _sampling(plan, bound_nodes["hyperparameter_sampling"], hd,
                                                                  removed)
        v2sweep.check_space(sampling_name, definitions)
        policy = _policy(plan, bound_nodes.get("policy"), hd, removed)
        goal = v2sweep.goal(code["primary_metric_goal"])
        if isinstance(plan, Plan):
            timeout = plan.run.timeout.code if plan.run.timeout is not None else None
        else:
            timeout = plan.timeout_code
        limits, found = v2sweep.limits(max_total_runs=code["max_total_runs"],
                                       max_concurrent_runs=code.get("max_concurrent_runs"),
                                       max_duration_minutes=code.get("max_duration_minutes"), trial_timeout=timeout)
    except NeverRan as exc:
        raise _blocked("EM510", f"the HyperDriveConfig on line {hd.lineno} is a combination the SDK refused ({exc})",
                       "Fix the v1 code first.") from None
    reports += found
    if sampling_name == "BayesianParameterSampling" and policy is not None:
        reports.append(Report("EM453", "Bayesian sampling with an early termination policy: v1 documented it as not "
                              "supported (its client sent it anyway); the v2 sweep sends it too, and whether the "
                              "service accepts it is not verified", "Drop the policy (Bayesian sampling takes none)."))
    tuned = v2sweep.search_space(entries, Names())
    return Sweep(hd, stmt, stmt.targets[0].id, tuned, sampling, goal, policy, code["primary_metric_name"], limits,
                 reports, removed)


def refuse_local(sweep: Sweep | None, compute: object) -> None:
    """A sweep over a run on ``compute_target="local"``: v1 HyperDrive refused it at submit
    (``_search._is_supported_compute_target``), and azure-ai-ml's submit of a local sweep fails
    too (it sets ``environment_variables`` on the SweepJob, which has none). Nothing to migrate."""
    if sweep is not None and compute == "local":
        raise _blocked("EM510", f"the HyperDriveConfig on line {sweep.call.lineno} tunes a run on compute 'local', "
                       "which v1 HyperDrive refused at submit (\"Automated hyperparameter tuning is not supported "
                       "for types DatabricksCompute and local.\"); a v2 sweep cannot run locally either",
                       "Give the run a cluster (`compute_target=\"cpu-cluster\"`), then run the tool again.")


def _sampling(plan: Plan | SrcPlan, expr: ast.expr, hd: ast.Call, removed: list[ast.stmt]):
    ctx = plan.ctx
    built, stmt = _built(ctx, expr, hd)
    name = _v1_name(ctx, built.func, _SAMPLINGS) if isinstance(built, ast.Call) else None
    if name is None or not isinstance(built, ast.Call) or any(k.arg is None for k in built.keywords):
        raise _blocked("EM512", f"the sampling `{ctx.segment(expr)}` is not a HyperDrive sampling built in this file",
                       "Build it with RandomParameterSampling / GridParameterSampling / BayesianParameterSampling "
                       "in the file.")
    args = {p: a for p, a in zip(v2sweep.V1_SIGNATURES[name], built.args, strict=False)}
    args.update({k.arg: k.value for k in built.keywords if k.arg})
    space_expr = args.get("parameter_space")
    space, space_stmt = _built(ctx, space_expr, built) if space_expr is not None else (None, None)
    if space_stmt is not None and (stmt is not None or not isinstance(expr, ast.Name)):
        removed.append(space_stmt)  # the search space's own statement, used by the sampling only
    if not isinstance(space, ast.Dict) or not space.keys:
        raise _blocked("EM512", "the search space is not a dictionary literal the tool can read",
                       "Write the search space as a dictionary literal of choice()/uniform()/... calls.")
    entries: list[tuple[str, Snippet]] = []
    definitions = {}
    for key, value in zip(space.keys, space.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            raise _blocked("EM512", "a search-space key is not a string literal", "Write the flags as strings.")
        fn = _v1_name(ctx, value.func, tuple(v2sweep.V1_SIGNATURES)) if isinstance(value, ast.Call) else None
        if fn is None or not isinstance(value, ast.Call) or fn[0].isupper() or \
                any(isinstance(a, ast.Starred) for a in value.args) or any(k.arg is None for k in value.keywords):
            raise _blocked("EM512", f"the search-space entry {key.value!r} is not a choice()/uniform()/... call",
                           "Write it as one.")
        fargs = [ctx.segment(a) for a in value.args]
        fkwargs = {k.arg: ctx.segment(k.value) for k in value.keywords if k.arg}
        try:
            entries.append((key.value, v2sweep.parameter_expression(fn, fargs, fkwargs)))
        except ValueError as exc:
            raise _blocked("EM512", f"the search-space entry {key.value!r}: {exc}", "Write its options as literals.") \
                from None
        definitions[key.value] = v2sweep.v1_definition(fn, fargs, fkwargs) or [fn, None]
    properties = args.get("properties")
    sampling = v2sweep.sampling(name, ctx.segment(properties) if properties is not None else None)
    if stmt is not None:
        removed.append(stmt)
    return name, sampling, entries, definitions


def _policy(plan: Plan | SrcPlan, expr: ast.expr | None, hd: ast.Call, removed: list[ast.stmt]) -> Snippet | None:
    ctx = plan.ctx
    if expr is None or (isinstance(expr, ast.Constant) and expr.value is None):
        return None
    built, stmt = _built(ctx, expr, hd)
    name = _v1_name(ctx, built.func, _POLICIES) if isinstance(built, ast.Call) else None
    if name is None or not isinstance(built, ast.Call) or any(isinstance(a, ast.Starred) for a in built.args) or \
            any(k.arg is None for k in built.keywords):
        raise _blocked("EM512", f"the policy `{ctx.segment(expr)}` is not a HyperDrive policy built in this file",
                       "Build it with BanditPolicy / MedianStoppingPolicy / TruncationSelectionPolicy in the file.")
    bound = v2sweep.bind(name, [ctx.segment(a) for a in built.args],
                         {k.arg: ctx.segment(k.value) for k in built.keywords if k.arg})
    if name == "TruncationSelectionPolicy" and "exclude_finished_jobs" in bound:  # pragma: no cover - not bindable
        raise _blocked("EM505", "`exclude_finished_jobs` has no v2 counterpart")
    if stmt is not None:
        removed.append(stmt)
    return v2sweep.policy(name, bound)


def trial_items(sweep: Sweep, items: list[v2command.Item], estimator: bool = True
                ) -> tuple[list[v2command.Item], dict[str, str], tuple[Report, ...]]:
    """The trial command's items and its inputs ({name: default code}). ``estimator=False``: a
    ScriptRunConfig's arguments, which HyperDrive left as they were (the sampled value follows)."""
    try:
        new_items, reports = v2sweep.trial_arguments(items, sweep.tuned, estimator=estimator)
    except ValueError:
        raise _blocked("EM512", "a flag of `script_params` is only known at run time, so the tuned flags cannot be "
                       "told apart", "Write the flags as string literals.") from None
    except NeverRan as exc:
        raise _blocked("EM510", f"HyperDrive refused these arguments ({exc})", "Fix the v1 code first.") from None
    pairs: dict[str, v2command.Item] = {}
    for key, value in zip(items[::2], items[1::2], strict=False):
        if isinstance(key, str):
            pairs[key.lstrip("-")] = value
    inputs = {t.name: v2sweep.trial_input(pairs.get(t.key.lstrip("-")), t.distribution) for t in sweep.tuned}
    return new_items, inputs, reports


def shared_items(sweep: Sweep, items: list[v2command.Item]
                 ) -> tuple[list[v2command.Item], dict[str, str], tuple[Report, ...]]:
    """The command of an estimator that is both submitted as it is and swept: one node whose
    tuned values are inputs with v1's fixed values (``--lr ${{inputs.lr}}``, ``inputs={"lr": 0.01}``)
    in their place. Submitted as it is, it passes v1's arguments in v1's order; called with the
    distributions (``node(lr=Choice(...))``, a new node) the sampled value takes the fixed value's
    place, which is what HyperDrive's removal of the fixed value and appending of the sampled one
    gave (no fixed value is left over, V31), the flag's position apart.

    Only when HyperDrive's reading of the arguments is that plain: flag/value pairs, each flag a
    string written once, each tuned flag given a fixed literal (the tuned key spelled exactly as
    the flag, so the sampled value follows the same flag)."""
    keys = [k for k in items[::2] if isinstance(k, str)]
    if len(items) % 2 or len(keys) < len(items[::2]) or len(set(keys)) < len(keys):
        raise _blocked("EM508", "the estimator is also submitted as it is, and its `script_params` are not plain "
                       "flag/value pairs with each flag written once as a string, so one command cannot serve both "
                       "the submit and the sweep", "Give the HyperDriveConfig an estimator of its own, then run "
                       "the tool again.")
    _, _, reports = trial_items(sweep, list(items))
    pairs = dict(zip(keys, items[1::2], strict=True))
    out = list(items)
    inputs: dict[str, str] = {}
    for t in sweep.tuned:
        value = pairs.get(t.key)
        other = [k for k in pairs if k != t.key and k.lstrip("-") == t.key.lstrip("-")]
        if other:
            raise _blocked("EM508", f"the estimator is also submitted as it is, and the tuned {t.key!r} is spelled "
                           f"{other[0]!r} in its `script_params` (HyperDrive dropped that value and passed the sampled "
                           "one under the key's spelling), so one command cannot serve both",
                           "Spell the search key as the flag, then run the tool again.")
        if t.key not in pairs:
            raise _blocked("EM508", f"the estimator is also submitted as it is, and its `script_params` give no fixed "
                           f"value for the tuned {t.key!r}, so one command cannot serve both the submit (without "
                           "it) and the sweep (with it)", "Give the HyperDriveConfig an estimator of its own, then "
                           "run the tool again.")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or \
                (isinstance(value, float) and not math.isfinite(value)) or (isinstance(value, str) and "'" in value):
            raise _blocked("EM508", f"the estimator is also submitted as it is, and the fixed value of the tuned "
                           f"{t.key!r} is not a plain number or string, which a literal input must be",
                           "Give the HyperDriveConfig an estimator of its own, then run the tool again.")
        index = 2 * keys.index(t.key) + 1
        out[index] = v2command.Placeholder("inputs", t.name, quote=t.quote or isinstance(value, str))
        inputs[t.name] = v2sweep.trial_input(value, t.distribution)
    return out, inputs, reports
