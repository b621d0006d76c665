"""EM101/EM102: an estimator construction becomes Environment + ScriptRunConfig.

This module is the driver: it checks where the call stands, collects its arguments into a
Plan, runs the concerns of ``SEQUENCE`` in order (each fills in what the estimator did with
the parameters it owns, ``params.TABLE``), checks the later uses of the estimator, and hands
the run description to the renderer (``render_src``), whose edit replaces the statement.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Callable

from estimator_migrate.analysis import contents, static
from estimator_migrate.analysis.context import FileContext
from estimator_migrate.analysis.symbols import ESTIMATORS
from estimator_migrate.findings import Severity
from estimator_migrate.rules import on_call
from estimator_migrate.rules.downstream.attributes import blocking_use
from estimator_migrate.rules.downstream.hyperdrive import blocking_hyperdrive, hyperdrive_around
from estimator_migrate.rules.downstream.migrated import remember
from estimator_migrate.rules.downstream.submit import blocking_submit
from estimator_migrate.rules.estimator import (
    arguments,
    compute,
    data,
    distributed,
    docker,
    environment,
    framework,
    params,
    render_src,
    render_v2,
    script,
)
from estimator_migrate.rules.estimator.params import ACCEPTED, DEFAULTS
from estimator_migrate.rules.estimator.plan import Plan


@dataclasses.dataclass(frozen=True)
class Concern:
    name: str  # as in params.TABLE's concern column
    handler: Callable[[Plan], None]
    always: bool = True  # also run when none of its parameters is given (defaults that matter)

    @property
    def params(self) -> tuple[str, ...]:
        return params.owned_by(self.name)


# The concerns, in the order they run. A later one reads what an earlier one found: arguments
# and data register data references in order, framework picks the scenario the environment
# builds, environment says whether docker follows an environment_definition.
SEQUENCE: tuple[Concern, ...] = (
    Concern("compute", compute.compute),
    Concern("script", script.script),
    Concern("arguments", arguments.arguments, always=False),
    Concern("data", data.data),
    Concern("framework", framework.framework),
    Concern("environment", environment.environment),
    Concern("docker", docker.docker),
    Concern("distributed", distributed.distributed, always=False),
)
# Expressions a new statement may not be hoisted out of: they run zero or many times.
_CONDITIONAL = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.IfExp, ast.BoolOp)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@on_call(*ESTIMATORS)
def migrate_estimator(ctx: FileContext, call: ast.Call) -> None:
    if ctx.settings.target == "v2":
        from estimator_migrate.rules import pipeline_v2

        if pipeline_v2.owner(ctx, call) is not None:
            return  # the estimator of an EstimatorStep: its pipeline rewrites it
    plan = describe(ctx, call)
    if plan is None:
        return
    if ctx.settings.target == "v2":  # the same run description, written as an azure-ai-ml command job
        render_v2.migrate(ctx, plan)
        return
    kind, stmt = plan.kind, plan.stmt
    code = "EM101" if kind == "Estimator" else "EM102"
    lines = (stmt.lineno, call.lineno)
    out = render_src.translate(plan) if not plan.blockers else None
    if out is not None and _passed_on(plan, out):  # pragma: no cover - a bug in a concern, caught here
        plan.block("EM902", f"no rule mapped {', '.join(f'`{p}`' for p in _passed_on(plan, out))} onto "
                   "ScriptRunConfig")
    if plan.blockers:
        for b in plan.blockers:
            node, message = b.node or call, b.message
            if not stmt.lineno <= node.lineno <= (stmt.end_lineno or stmt.lineno):
                # The value stands elsewhere (a dictionary shared by several estimators): the finding
                # belongs to this construction, which is what is left unchanged; the message says where.
                node, message = call, f"{message} (the value on line {node.lineno})"
            ctx.report(b.code, node, f"{kind} left unchanged: {message}", b.hint, lines=lines)
        return
    if out is None or not ctx.may_fix(code, call, *lines):
        return
    edit = render_src.render(plan, out)
    before = len(ctx.findings)
    ctx.report(code, call, f"`{kind}` is deprecated; rewritten to `ScriptRunConfig` with an explicit "
               f"`Environment`", fixed=True, severity=Severity.WARNING, lines=lines)
    for n in plan.notes:
        ctx.report(n.code, n.node or call, n.message, n.hint, fixed=True, lines=lines)
    edit.findings = ctx.findings[before:]
    ctx.edits.append(edit)
    remember(ctx, plan)  # for the rules that follow the estimator to its uses, in later passes


def describe(ctx: FileContext, call: ast.Call) -> Plan | None:
    """What the estimator construction ``call`` meant (``plan.run``), or why it cannot be
    migrated (``plan.blockers``): the call checked, every concern of SEQUENCE run, the later
    uses of the estimator checked. None when the call itself was already reported (``*args``,
    an unknown parameter, a construction that shares its line, ...). Renders nothing."""
    kind = ctx.canonical_name(call.func)
    assert kind is not None  # the engine dispatched the call by this name
    code = "EM101" if kind == "Estimator" else "EM102"
    stmt = ctx.enclosing_statement(call)
    lines = (stmt.lineno, call.lineno)

    plan_or_none = _collect(ctx, call, stmt, kind, code, lines)
    if plan_or_none is None:
        return None
    plan = plan_or_none
    for c in SEQUENCE:
        if c.always or any(p in plan.kwargs for p in c.params):
            c.handler(plan)
            if plan.blockers:
                break
    around = hyperdrive_around(ctx, call) if not plan.blockers else None
    if around is not None:
        # HyperDrive removed the tuned arguments from an estimator's; the rewrite does that on a
        # ScriptRunConfig held in a variable (the HyperDrive rule reads its arguments there).
        plan.block("EM310", f"it is built inside the HyperDrive configuration on line {around.lineno}, which "
                   "removed the tuned flags from an estimator's arguments; the tool carries that over only for an "
                   "estimator held in a variable",
                   "Assign the estimator to a variable, pass that to HyperDrive, then run the tool again.")
    if not plan.blockers and plan.holder and _IDENT.fullmatch(plan.holder):
        use = blocking_use(ctx, stmt, plan.holder)
        if use is not None:
            plan.block("EM310", f"`{ctx.segment(use)}` (line {use.lineno}) uses the estimator in a way a "
                       "ScriptRunConfig cannot follow, so the construction is left as it is",
                       "Change that use by hand (see `--explain EM310`), then run the tool again.")
        clean, base = plan.pairs_clean, plan.kwargs.get("script_params")
        found = blocking_submit(ctx, stmt, plan.holder, clean, base) if not plan.blockers else None
        if found is not None:
            submit, why = found
            plan.block("EM310", f"its submit on line {submit.lineno} passes overrides the tool cannot carry over "
                       f"({why}), so the construction is left as it is",
                       "Fold the overrides into `script_params` by hand (or submit without them), then run the "
                       "tool again.")
        found_hd = blocking_hyperdrive(ctx, stmt, plan.holder, clean, base, plan.argument_values) \
            if not plan.blockers else None
        if found_hd is not None:
            code_hd, _, why, hint = found_hd
            plan.block(code_hd, why, hint)
    return plan


def _collect(ctx: FileContext, call: ast.Call, stmt: ast.stmt, kind: str, code: str, lines) -> Plan | None:
    def stop(c: str, message: str, hint: str = "") -> None:
        ctx.report(c, call, f"{kind} left unchanged: {message}", hint, lines=lines)

    kwargs: dict[str, ast.expr] = {}
    unpacked: dict[str, str] = {}
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            stop("EM303", "`*args` hides which parameters are passed", "Spell the arguments out as keywords.")
            return None
        if i > 0:
            stop("EM305", f"{kind} takes only `source_directory` positionally; this call raised TypeError")
            return None
        kwargs["source_directory"] = arg
    for kw in call.keywords:
        if kw.arg is None:
            found = _unpacked(ctx, kw.value, call)
            if isinstance(found, str):
                stop("EM303", f"`**{ctx.segment(kw.value)}` hides which parameters are passed: {found}",
                     "Spell the keyword arguments out (or build them in one dictionary literal), then run the "
                     "tool again.")
                return None
            entries = found
        else:
            entries = [(kw.arg, kw.value, None)]
        for name, value, code in entries:
            if name in kwargs:
                stop("EM305", f"`{name}` is given twice; this call raised TypeError")
                return None
            kwargs[name] = value
            if code is not None:
                unpacked[name] = code
    unknown = sorted(set(kwargs) - ACCEPTED[kind])
    if unknown:
        stop("EM305", f"{kind} does not accept {', '.join(f'`{u}`' for u in unknown)} (TypeError)")
        return None
    if not ctx.owns_lines(stmt) or isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With,
                                                      ast.AsyncWith, ast.Try, ast.FunctionDef,
                                                      ast.AsyncFunctionDef, ast.ClassDef)):
        stop("EM308", "the construction shares its line or statement header with other code",
             "Move it into an assignment on its own line, then run the tool again.")
        return None
    node = ctx.parent(call)
    while node is not None and node is not stmt:
        if isinstance(node, _CONDITIONAL):
            stop("EM308", f"it is built inside a {type(node).__name__.lower()}, where the environment "
                 "statements cannot be placed", "Build it in an assignment statement of its own first.")
            return None
        node = ctx.parent(node)

    plan = Plan(ctx, call, stmt, kind, kwargs)
    plan.unpacked = unpacked
    for param in list(kwargs):
        if param in DEFAULTS and _is_default(plan.literal(param), DEFAULTS[param]):
            del kwargs[param]
            plan.defaulted.add(param)
    target = None
    if isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is call:
        target = stmt.target
    if target is not None and _simple_target(target):
        plan.holder = ctx.segment(target)
    base = _IDENT.findall(plan.holder)[-1] if plan.holder and _IDENT.findall(plan.holder) else "src"
    plan.env_label = base
    m = re.search(r"""(['"])""", ctx.segment(call))
    plan.quote = m.group(1) if m else '"'
    return plan


def _unpacked(ctx: FileContext, expr: ast.expr, call: ast.Call):
    """The (parameter, value node, value code) entries of ``**expr`` when it is certainly a
    dictionary literal with string keys; else why not. A literal value is written as it stands;
    any other is read from the dictionary (``settings["compute_target"]``), which holds the very
    object the estimator got."""
    value: ast.expr | None = expr
    if isinstance(expr, ast.Name):
        value = contents.followed_value(ctx, expr, call)
        if not isinstance(value, ast.Dict):
            return (f"`{expr.id}` is not certainly a dictionary literal here (built at run time, in a branch, or "
                    "changed in place)")
    if not isinstance(value, ast.Dict):
        return "it is not a dictionary literal"
    if any(k is None or not (isinstance(k, ast.Constant) and isinstance(k.value, str)) for k in value.keys):
        return "its keys are not all written out as strings"
    entries: dict[str, tuple] = {}
    for key, item in zip(value.keys, value.values, strict=True):
        assert isinstance(key, ast.Constant) and isinstance(key.value, str)  # checked above
        if value is expr or static.is_literal(ctx.names, item, call):
            code = ctx.segment(item)
        else:
            assert isinstance(expr, ast.Name)  # the dictionary was followed from a name
            quote = "'" if ctx.segment(key).startswith("'") else '"'
            code = f"{expr.id}[{quote}{key.value}{quote}]"
        entries[key.value] = (key.value, item, code)  # a repeated key: the last one wins, as in Python
    return list(entries.values())


def _is_default(value, default) -> bool:
    return value is not static.UNKNOWN and type(value) is type(default) and value == default


def _passed_on(plan: Plan, out: render_src.Src) -> list[str]:
    """Estimator parameters that would reach ScriptRunConfig as they are, though it has no such
    parameter (or not with that meaning): a concern forgot one. Never written out."""
    return [p for p in plan.kwargs if params.PARAMS[p].src.action is not params.Action.KEEP
            and p not in out.arg_changes]


def _simple_target(node: ast.expr) -> bool:
    """Names, attributes and constant subscripts: safe to evaluate again in later statements."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _simple_target(node.value)
    if isinstance(node, ast.Subscript):
        return _simple_target(node.value) and isinstance(node.slice, (ast.Constant, ast.Name))
    return False
