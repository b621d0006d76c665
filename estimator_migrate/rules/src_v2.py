"""``--target v2``: a user's own ``ScriptRunConfig`` becomes an azure-ai-ml ``command()`` job
(EM402).

Many projects already moved from estimators to ScriptRunConfig; its arguments map one to one
(spec v2 §2): ``source_directory`` -> ``code``, ``script`` + ``arguments`` -> the command text
(every literal shell-quoted, datasets and outputs as ``${{inputs.x}}``/``${{outputs.x}}``),
``compute_target`` -> ``compute`` (a name), ``distributed_job_config`` -> ``distribution`` and
``instance_count`` (V8), ``docker_runtime_config`` -> ``shm_size``/``docker_args``. What v2 does
not default as ScriptRunConfig did is written: shared memory ``2g`` (V12), 30 days (the SRC
default ``max_run_duration_seconds``), and the environment: none given is v1's default image and
conda document (v2 has neither, V5); ``Environment.get(ws, n, v)`` is ``"n:v"`` (V18); an
``Environment`` built in the file from literals (packages added to its conda dependencies, its
base image, its variables) is written out as a v2 ``Environment`` with the variables moved to
the job (V17).

The construction is rewritten in place, so every expression keeps its meaning. What is not a
literal the v2 job needs, or a v1 object v2 has no counterpart for, leaves the construction
unchanged and reported (EM5xx), never half-migrated.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Any

import libcst as cst

from estimator_migrate.analysis import data_objects, static
from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.findings import Severity
from estimator_migrate.rules.edits import new_group
from estimator_migrate.rules.estimator.render_src import comments_in
from estimator_migrate.text import end_of, indentation
from estimator_migrate.v2 import command as v2command
from estimator_migrate.v2 import environment as v2env
from estimator_migrate.v2 import resources
from estimator_migrate.v2.conda import CondaDocument, NeverRan, v1_defaults
from estimator_migrate.v2.names import Names
from estimator_migrate.v2.snippet import Report, py_string

_literal = static.written_literal  # a literal written in place, no names followed

PARAMS = ["source_directory", "script", "arguments", "run_config", "_telemetry_values", "compute_target",
          "environment", "distributed_job_config", "resume_from", "max_run_duration_seconds", "command",
          "docker_runtime_config"]
SRC_TIMEOUT = "2592000"  # ScriptRunConfig's default max_run_duration_seconds (30 days)
_DISTRIBUTIONS = {"MpiConfiguration", "PyTorchConfiguration", "TensorflowConfiguration"}
_ENVIRONMENT = {"azureml.core.Environment", "azureml.core.environment.Environment"}


class _Blocked(Exception):
    def __init__(self, code: str, message: str, hint: str, node: ast.AST | None = None):
        super().__init__(message)
        self.code, self.message, self.hint, self.node = code, message, hint, node


@dataclasses.dataclass
class SrcPlan:
    """What data_v2 and v2_client need of an estimator Plan: the file, the call, its statement and
    the name it is assigned to."""

    ctx: FileContext
    call: ast.Call
    stmt: ast.stmt
    holder: str | None
    quote: str = '"'
    timeout_code: str | None = SRC_TIMEOUT  # max_run_duration_seconds (a sweep's trial_timeout)

    def q(self, text: str) -> str:
        body = text.replace("\\", "\\\\").replace(self.quote, "\\" + self.quote)
        return f"{self.quote}{body}{self.quote}"

    def portable(self, expr: ast.expr) -> bool:
        return static.portable(self.ctx.names, expr, self.call)

    def resolve(self, expr: ast.expr) -> ast.expr:
        return static.resolve(self.ctx.names, expr, self.call)


def _bind(call: ast.Call) -> dict[str, ast.expr]:
    if len(call.args) > len(PARAMS) or any(isinstance(a, ast.Starred) for a in call.args) or \
            any(k.arg is None for k in call.keywords):
        raise _Blocked("EM512", "its arguments are unpacked (`*`/`**`) and only known at run time",
                       "Write the arguments out, then run the tool again.")
    bound = dict(zip(PARAMS, call.args, strict=False))
    for k in call.keywords:
        assert k.arg is not None
        if k.arg not in PARAMS:
            raise _Blocked("EM510", f"`{k.arg}=` is not a ScriptRunConfig parameter", "Fix the v1 code first.")
        bound[k.arg] = k.value
    return bound


# -- the handler ------------------------------------------------------------------------------
def migrate(ctx: FileContext, call: ast.Call) -> None:
    from estimator_migrate.rules import v2_client
    from estimator_migrate.rules.estimator import sweep_v2
    from estimator_migrate.rules.estimator.render_v2 import MEMORY_KEY, render_sweep, report_sweep
    from estimator_migrate.rules.estimator.render_v2 import _Blocked as PlanBlocked

    stmt = ctx.enclosing_statement(call)
    line = stmt.lineno
    if any(e.start <= line <= e.end for e in ctx.edits):
        return
    holder = stmt.targets[0].id if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
        isinstance(stmt.targets[0], ast.Name) and stmt.value is call else None
    plan = SrcPlan(ctx, call, stmt, holder, _quote_style(ctx, call))
    try:
        if holder is None:
            raise _Blocked("EM508", "it is not assigned to a plain name of its own, which the v2 submit needs",
                           "Assign the ScriptRunConfig to a variable (`src = ScriptRunConfig(...)`), then run the "
                           "tool again.")
        try:
            hd_use = v2_client.check_uses(ctx, plan)  # type: ignore[arg-type]
        except PlanBlocked as exc:
            m = exc.message
            raise _Blocked(m.code, m.message.replace("estimator", "ScriptRunConfig"), m.hint, m.node) from None
        sweep = None
        if hd_use is not None:
            timeout = _bind(call).get("max_run_duration_seconds")
            plan.timeout_code = SRC_TIMEOUT if timeout is None else ctx.segment(timeout)
            sweep = sweep_v2.translate(plan, hd_use)
            v2_client.check_sweep_uses(ctx, sweep)
        job = _translate(plan, sweep)
    except _Blocked as exc:
        ctx.report(exc.code, exc.node if isinstance(exc.node, ast.expr) else call,
                   f"ScriptRunConfig left unchanged: {exc.message}", exc.hint, lines=(line,))
        return
    except PlanBlocked as exc:  # raised by the data blocks
        m = exc.message
        ctx.report(m.code, m.node or call, f"ScriptRunConfig left unchanged: {m.message}", m.hint, lines=(line,))
        return
    if not ctx.may_fix("EM402", call, line):
        return
    before = len(ctx.findings)
    ctx.report("EM402", call, "`ScriptRunConfig` is SDK v1 (out of support); rewritten to an azure-ai-ml "
               "`command()` job with ScriptRunConfig's defaults written out", fixed=True, severity=Severity.WARNING,
               lines=(line,))
    seen = set()
    for rep in job.reports:
        if (rep.code, rep.message) not in seen:
            seen.add((rep.code, rep.message))
            ctx.report(rep.code, call, rep.message, rep.hint, fixed=True, lines=(line,))
    edits = _render(plan, job)
    if sweep is not None:
        ctx.edits += render_sweep(plan, sweep, edits[0].group)  # type: ignore[arg-type]
        report_sweep(ctx, sweep)
    edits[0].findings = ctx.findings[before:]
    ctx.edits += edits
    take_over(ctx, job.takeover)
    assert holder is not None
    ctx.memory.setdefault(MEMORY_KEY, {})[holder] = ctx.origin_line(line)


def _quote_style(ctx: FileContext, call: ast.Call) -> str:
    for node in ast.walk(call):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = ctx.segment(node)
            if text[:1] in ("'", '"'):
                return text[0]
    return '"'


@dataclasses.dataclass
class _Job:
    keywords: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    env_lines: list[str] = dataclasses.field(default_factory=list)  # ``name = Environment(...)`` before the node
    removed: list[ast.stmt] = dataclasses.field(default_factory=list)  # v1 environment statements that go
    env_stmt: ast.stmt | None = None  # the v1 Environment(...) statement the v2 one replaces
    takeover: list[str] = dataclasses.field(default_factory=list)  # v1 names v2's take over (imports)
    reports: list[Report] = dataclasses.field(default_factory=list)
    pre_lines: list[str] = dataclasses.field(default_factory=list)  # the run-time helper's call, before the node


def _translate(plan: SrcPlan, sweep=None) -> _Job:
    from estimator_migrate.rules.estimator import data_v2, sweep_v2

    ctx, job = plan.ctx, _Job()
    bound = _bind(plan.call)
    for name in ("run_config", "command", "resume_from", "_telemetry_values"):
        if name in bound and _literal(bound[name]) is not None:
            raise _Blocked("EM508", f"`{name}=` is not migrated to v2 by the tool",
                           "Write the v2 job by hand (see `--explain EM402`).", bound[name])
    if "source_directory" not in bound:
        raise _Blocked("EM510", "no `source_directory`", "Fix the v1 code first.")
    script = _literal(plan.resolve(bound["script"])) if "script" in bound else None
    if not isinstance(script, str):
        raise _Blocked("EM512", "the `script` is not a string literal; the v2 command names the script",
                       "Write the script's file name as a string literal.", bound.get("script"))
    if script.lower().endswith(".ipynb"):
        raise _Blocked("EM508", f"the script {script!r} is a notebook", "Convert it to a script first.")
    job.keywords.append(("code", ctx.segment(bound["source_directory"])))
    # arguments -> the command
    items: list[v2command.Item] = []
    inputs: dict[str, str] = {}
    outputs: dict[str, str] = {}
    names = Names([t.name for t in sweep.tuned] if sweep is not None else [])
    args = bound.get("arguments")
    if args is not None and _literal(args) is not None and _run_time_arguments(plan, args):
        if sweep is not None:
            raise _Blocked("EM512", "`arguments` is only known at run time and a HyperDriveConfig tunes the "
                           "ScriptRunConfig; the run-time helper does not append the sampled values",
                           "Write the arguments as a list literal, then run the tool again.", args)
        command = _run_time_command(plan, args, script, job)
        args = None
    else:
        command = None
    if args is not None and _literal(args) is not None:
        resolved = plan.resolve(args)
        if not isinstance(resolved, (ast.List, ast.Tuple)):  # pragma: no cover - _run_time_arguments took it
            raise _Blocked("EM512", "`arguments` is only known at run time (not a list the tool can read)",
                           "Write the arguments as a list literal (or a name bound once to one).", args)
        literal_list = resolved is args
        for node in resolved.elts:
            if isinstance(node, ast.Starred):
                raise _Blocked("EM512", "`arguments` unpacks a list only known at run time", "Write the list out.",
                               node)
            value = _literal(node)
            if value is static.UNKNOWN:
                value = _literal(plan.resolve(node))  # a name certainly holding a literal here
            flag = items[-1] if items and isinstance(items[-1], str) else None
            kind = data_objects.classify(plan, node)
            if kind == data_objects.DATASET:
                name, code = data_v2.dataset_input(plan, node, flag, names)  # type: ignore[arg-type]
                inputs[name] = code
                items.append(v2command.Placeholder("inputs", name))
            elif kind == data_objects.OUTPUT:
                name, code = data_v2.output_binding(plan, node, flag, names)  # type: ignore[arg-type]
                outputs[name] = code
                items.append(v2command.Placeholder("outputs", name))
            elif kind != data_objects.SCALAR:
                raise _Blocked("EM506", f"the argument `{ctx.segment(node)}` is a v1 data object ({kind}) the v2 "
                               "target does not translate here", "Write the v2 `Input` by hand (see `--explain "
                               "EM407`), then run the tool again.", node)
            elif value is static.UNKNOWN:
                if not literal_list and not plan.portable(node):
                    raise _Blocked("EM512", f"the argument `{ctx.segment(node)}` is only known at run time",
                                   "Write it as a literal.", node)
                items.append(v2command.Expr(ctx.segment(node)))
            elif isinstance(value, (str, int, float, bool)) or value is None:
                items.append(value)
            else:
                raise _Blocked("EM512", f"the argument `{ctx.segment(node)}` is not a single value",
                               "Flatten it by hand.", node)
    literal_inputs: dict[str, str] = {}
    if sweep is not None:
        items, literal_inputs, found = sweep_v2.trial_items(sweep, items, estimator=False)
        job.reports += found
    built = v2command.build(items, script=script)
    job.reports += built.snippet.reports
    if built.runtime:
        job.reports.append(Report("EM453", "some script arguments are only known at run time; the command quotes "
                                  "each one (`shlex.quote(str(value))`), which assumes a string or a number",
                                  "Check that the command passes the values the script expects."))
    if command is not None:
        job.keywords += list(zip(("command", "inputs", "outputs"), command, strict=True))
    else:
        job.keywords.append(("command", built.snippet.code))
    if inputs or literal_inputs:
        job.keywords.append(("inputs", _mapping({**literal_inputs, **inputs})))
    if outputs:
        job.keywords.append(("outputs", _mapping(outputs)))
    if inputs or outputs:
        job.reports.append(Report("EM407", "the dataset(s) and output(s) in `arguments` became "
                                  f"{', '.join([f'input `{n}`' for n in inputs] + [f'output `{n}`' for n in outputs])}"
                                  " of the job; a script that read them through `Run.get_context()` must take the "
                                  "path from its argument", "Check that the script reads its data from the argument."))
    variables = _environment(plan, bound.get("environment"), job)
    if variables:
        job.keywords.append(("environment_variables", v2env.literal(variables)))
    compute = _compute(plan, bound.get("compute_target"), bound.get("docker_runtime_config"))
    target = bound.get("compute_target")
    if sweep is not None and target is not None:
        value = _literal(target)
        sweep_v2.refuse_local(sweep, _literal(plan.resolve(target)) if value is static.UNKNOWN else value)
    job.keywords.append(("compute", compute))
    _distribution(plan, bound.get("distributed_job_config"), job)
    _docker(plan, bound.get("docker_runtime_config"), job)
    timeout = bound.get("max_run_duration_seconds")
    if timeout is None:
        job.keywords.append(("timeout", SRC_TIMEOUT))
    else:
        value = _literal(timeout)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise _Blocked("EM512", f"`max_run_duration_seconds={ctx.segment(timeout)}` is not a literal number of "
                           "seconds; v2's `timeout` takes an int (V39)", "Write the number of seconds.", timeout)
        if value is not None:
            job.keywords.append(("timeout", ctx.segment(timeout)))
    return job


def _run_time_arguments(plan: SrcPlan, args: ast.expr) -> bool:
    """``arguments`` the tool cannot read item by item: not a list (literal, or a name bound once
    to one), a list that unpacks another (``*extra``), or a list bound to a name whose items are
    only known where it was built."""
    resolved = plan.resolve(args)
    if not isinstance(resolved, (ast.List, ast.Tuple)):
        return True
    if any(isinstance(node, ast.Starred) for node in resolved.elts):
        return True
    if resolved is args:
        return False
    return any(_literal(node) is static.UNKNOWN and _literal(plan.resolve(node)) is static.UNKNOWN
               and data_objects.classify(plan, node) == data_objects.SCALAR and not plan.portable(node)
               for node in resolved.elts)


def _run_time_command(plan: SrcPlan, args: ast.expr, script: str, job: _Job) -> list[str]:
    """``arguments`` only known at run time: the v2 helper ``arguments_command`` (written into the
    file once, ``v2/helpers.py``) takes that same list where the ScriptRunConfig did, quotes each
    item for v2's shell and gives the command, inputs and outputs. It cannot take v1 data (an
    azure-ai-ml ``Input`` is needed; the v1 object raises TypeError when the program runs): a
    file that uses any is left unchanged and reported."""
    from estimator_migrate.rewrite import runtime_helpers
    from estimator_migrate.rules.estimator.render_v2 import _DATA_KINDS, MAX_LINE
    from estimator_migrate.text import shift_continuations
    from estimator_migrate.v2 import helpers as v2helpers

    ctx = plan.ctx
    data = next((n for n in ast.walk(ctx.tree) if isinstance(n, (ast.Call, ast.Subscript)) and
                 data_objects.classify(plan, n) in _DATA_KINDS), None)
    if data is not None:
        raise _Blocked("EM506", "`arguments` is only known at run time, and this file uses v1 data "
                       f"(`{ctx.segment(data)}`, line {data.lineno}), which a v2 job takes as an azure-ai-ml "
                       "`Input`/`Output`; the run-time helper cannot convert a v1 data object",
                       "Write `arguments` as a list literal (or put azure-ai-ml `Input`/`Output` objects in it), "
                       "then run the tool again.", args)
    helper = runtime_helpers.helper_name(ctx, v2helpers.ARGUMENTS)
    base = v2command.build([], script=script).snippet.code
    assert plan.holder is not None
    names = [ctx.unique_name(f"{plan.holder}_{what}") for what in ("command", "inputs", "outputs")]
    column = ctx.char_col(args.lineno, args.col_offset)
    indent = len(indentation(ctx.lines[plan.stmt.lineno - 1]))
    code = ctx.segment(args)
    head = f"{', '.join(names)} = {helper}({base}, "
    if "\n" in code or indent + len(head) + len(code) + 1 > MAX_LINE:
        head = f"{', '.join(names)} = {helper}(\n    {base}, "
        code = shift_continuations(code, indent + 4 + len(base) + 2 - column)
    else:
        code = shift_continuations(code, indent + len(head) - column)
    job.pre_lines += (head + code + ")").split("\n")
    job.reports.append(Report("EM453", "`arguments` is only known at run time: the command is built when the program "
                              f"runs, by the function `{helper}` written into this file (one shell token per item, "
                              "each quoted for v2's shell, booleans written `True`/`False` (V6), numbers as v1 wrote "
                              "them). A v1 DataReference, dataset or output in the list makes it raise TypeError",
                              "Check that the command passes the values the script expects; pass data as azure-ai-ml "
                              "`Input`/`Output` objects."))
    return names


def _mapping(entries: dict[str, str]) -> str:
    from estimator_migrate.rules.estimator.render_v2 import _wrap_call

    items = [f"{py_string(k)}: {v}" for k, v in entries.items()]
    one = "{" + ", ".join(items) + "}"
    return one if len(one) <= 80 else "{\n" + "".join(f"    {_wrap_call(e, 8)},\n" for e in items) + "}"


# -- compute, distribution, docker --------------------------------------------------------------
def _compute(plan: SrcPlan, expr: ast.expr | None, docker: ast.expr | None) -> str:
    from estimator_migrate.rules.estimator.render_v2 import COMPUTE_KEY, _compute_object, lookup_name

    ctx = plan.ctx
    if expr is None or _literal(expr) is None:
        raise _Blocked("EM501", "no `compute_target`: ScriptRunConfig then ran on the local machine", "Pass the "
                       "compute's name (`compute_target=\"cpu-cluster\"` or `\"local\"`), then run the tool again.")
    value = _literal(expr)
    if value is static.UNKNOWN:
        value = _literal(plan.resolve(expr))
    if isinstance(value, str):
        if value == "local" and (docker is None or _docker_kwarg(plan, docker, "use_docker") != "True"):
            raise _Blocked("EM502", "a 'local' run without Docker: v2 local jobs always run in Docker (V13)",
                           "Run the script with python directly, or use Docker.")
        return ctx.segment(expr)
    binding = static.reaching_binding(ctx.names, expr) if isinstance(expr, ast.Name) else None
    built = binding.value if binding is not None and binding.value is not None else plan.resolve(expr)
    name = lookup_name(ctx, built)
    if name is not None:
        if isinstance(expr, ast.Name):
            ctx.memory.setdefault(COMPUTE_KEY, {})[expr.id] = True
        return plan.q(name)
    if _compute_object(ctx, expr):
        text = ctx.segment(expr)
        return f"{text}.name"
    raise _Blocked("EM512", f"`compute_target={ctx.segment(expr)}` is not a name string; v2's `compute` takes the "
                   "compute's name", "Pass the cluster's name, then run the tool again.", expr)


def _call_of(plan: SrcPlan, expr: ast.expr) -> ast.Call | None:
    built = plan.resolve(expr)
    if isinstance(built, ast.Call):
        if built is not expr and not all(plan.portable(a) for a in [*built.args, *(k.value for k in built.keywords)]):
            return None
        return built
    return None


def _docker_kwarg(plan: SrcPlan, docker: ast.expr, name: str) -> str | None:
    call = _call_of(plan, docker)
    if call is None:
        return None
    for k in call.keywords:
        if k.arg == name:
            return plan.ctx.segment(k.value)
    return None


def _distribution(plan: SrcPlan, expr: ast.expr | None, job: _Job) -> None:
    from estimator_migrate.rules.estimator.render_v2 import use

    if expr is None or _literal(expr) is None:
        return
    call = _call_of(plan, expr)
    name = plan.ctx.canonical_name(call.func) if call is not None else None
    if call is None or name not in _DISTRIBUTIONS or any(isinstance(a, ast.Starred) for a in call.args) or \
            any(k.arg is None for k in call.keywords):
        raise _Blocked("EM512", "`distributed_job_config` is not an MpiConfiguration/PyTorchConfiguration/"
                       "TensorflowConfiguration the tool can read", "Write `distribution=` and `instance_count=` by "
                       "hand (see `--explain EM402`).", expr)
    assert name is not None
    try:
        out, imports, reports = resources.distributed_job_config(
            name, [plan.ctx.segment(a) for a in call.args],
            {k.arg: plan.ctx.segment(k.value) for k in call.keywords if k.arg is not None})
    except (KeyError, TypeError) as exc:
        raise _Blocked("EM510", f"`{plan.ctx.segment(call)}` does not bind ({exc})", "Fix the v1 code first.",
                       expr) from None
    job.reports += reports
    distribution = out["distribution"]
    for _, imported in imports:
        if imported:
            local = use(plan.ctx, imported, plan.call)
            if local != imported:
                distribution = distribution.replace(f"{imported}(", f"{local}(", 1)
    job.keywords.append(("instance_count", out["instance_count"]))
    job.keywords.append(("distribution", distribution))
    _drop_if_only_here(plan, expr, job)


def _docker(plan: SrcPlan, expr: ast.expr | None, job: _Job) -> None:
    if expr is None or _literal(expr) is None:
        job.keywords.append(("shm_size", '"2g"'))  # ScriptRunConfig's default; v2 sends none (V12)
        return
    call = _call_of(plan, expr)
    qual = plan.ctx.names.qualified_name(call.func) if call is not None else None
    if call is None or qual not in ("azureml.core.runconfig.DockerConfiguration",
                                    "azureml.core.runconfig.docker_configuration.DockerConfiguration") or \
            any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise _Blocked("EM512", "`docker_runtime_config` is not a DockerConfiguration(...) the tool can read",
                       "Write `shm_size=`/`docker_args=` by hand.", expr)
    out, reports = resources.docker_runtime_config(
        [plan.ctx.segment(a) for a in call.args],
        {k.arg: plan.ctx.segment(k.value) for k in call.keywords if k.arg is not None})
    for rep in reports:
        if rep.code == "EM502":
            continue  # checked with the compute
        raise _Blocked(rep.code, rep.message, rep.hint, expr)
    if out["shm_size"] != "None":  # DockerConfiguration(shm_size=None): none sent, as in v2
        job.keywords.append(("shm_size", out["shm_size"]))
    if "docker_args" in out:
        job.keywords.append(("docker_args", out["docker_args"]))
    _drop_if_only_here(plan, expr, job)


def _drop_if_only_here(plan: SrcPlan, expr: ast.expr, job: _Job) -> None:
    """``name = SomeConfiguration(...)`` read only by this ScriptRunConfig goes with it."""
    from estimator_migrate.rules.downstream.migrated import uses_of

    if not isinstance(expr, ast.Name):
        return
    binding = static.reaching_binding(plan.ctx.names, expr)
    if binding is None:
        return
    stmt = binding.node
    scope = plan.ctx.names.scope_of.get(id(expr), plan.ctx.names.module_scope)
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and \
            stmt.value is binding.value and uses_of(plan.ctx, expr.id, stmt) == [expr] and \
            len(plan.ctx.names.bindings_of(expr.id, scope)) == 1:
        job.removed.append(stmt)


# -- environment ------------------------------------------------------------------------------------
def _environment(plan: SrcPlan, expr: ast.expr | None, job: _Job) -> dict[str, Any]:
    """Adds ``environment=``; returns the environment's variables (the job's in v2, V17).
    Also used by the estimator renderer for ``environment_definition`` (render_v2)."""
    from estimator_migrate.rules.estimator.render_v2 import use

    ctx = plan.ctx
    defaults = v1_defaults()
    image = str(defaults["default_cpu_image"])
    doc = CondaDocument.default()
    variables: dict[str, Any] = {}
    user_managed = False
    env_name = ctx.unique_name(f"{plan.holder}_env")
    conda_path: str | None = None
    if expr is not None and _literal(expr) is not None:
        if not isinstance(expr, ast.Name):
            raise _Blocked("EM512", "the `environment` is not a name bound to an Environment the tool can read",
                           "Bind the environment to a variable first.", expr)
        binding = static.reaching_binding(ctx.names, expr)
        stmt = binding.node if binding is not None else None
        value = binding.value if binding is not None else None
        if not (isinstance(stmt, ast.Assign) and isinstance(value, ast.Call)):
            raise _Blocked("EM512", f"the environment `{expr.id}` is not built in this file",
                           "Write the v2 environment by hand.", expr)
        qual = ctx.names.qualified_name(value.func) or ""
        uses = _env_uses(ctx, expr.id, stmt)
        if qual in {f"{c}.get" for c in _ENVIRONMENT}:
            ref = _registered(plan, value)
            if [u for u in uses if u is not expr]:
                raise _Blocked("EM508", f"the environment `{expr.id}` is used elsewhere too",
                               "Write the v2 environment by hand.", expr)
            job.removed.append(stmt)
            _takeover(ctx, "Environment", stmt, job)
            job.keywords.append(("environment", ref))
            return {}
        if qual in {f"{c}.from_conda_specification" for c in _ENVIRONMENT}:
            bound_env = dict(zip(["name", "file_path"], value.args, strict=False))
            bound_env.update({k.arg: k.value for k in value.keywords if k.arg is not None})
            if len(value.args) > 2 or any(k.arg is None for k in value.keywords) or \
                    set(bound_env) != {"name", "file_path"}:
                raise _Blocked("EM512", "`Environment.from_conda_specification(...)` is not `(name, file_path)`",
                               "Write the v2 environment by hand.", value)
            # v1 read the file when the object was built, from the working folder; so does v2 (V15).
            conda_path = ctx.segment(bound_env["file_path"])
        elif qual not in _ENVIRONMENT:
            raise _Blocked("EM512", f"the environment `{expr.id}` is built by `{ctx.segment(value.func)}`, which the "
                           "v2 target does not translate", "Write the v2 environment by hand.", expr)
        steps = []
        for use_node in uses:
            if use_node is expr:
                continue
            step = _env_step(ctx, use_node)
            if step is not None and (ctx.parent(step) is not ctx.parent(stmt) or
                                     ctx.parent(stmt) is not ctx.parent(plan.stmt)):
                step = None  # under a branch or in another block: not certainly applied
            if step is not None and conda_path is not None and isinstance(step, ast.Expr):
                step = None  # packages added to a document read from a file: not known here
            if step is None or step.lineno > plan.stmt.lineno:
                raise _Blocked("EM512", f"the environment `{expr.id}` is used on line "
                               f"{ctx.origin_line(use_node.lineno)} in a way the v2 target cannot follow (only "
                               "packages added to its conda dependencies, its base image and its variables, before the "
                               "ScriptRunConfig)",
                               "Write the v2 environment by hand.", use_node)
            steps.append(step)
        try:
            for step in steps:
                image, user_managed = _apply(plan, step, doc, variables, image, user_managed)
        except NeverRan as exc:
            raise _Blocked("EM510", f"the environment is a combination the SDK refused ({exc})",
                           "Fix the v1 code first.") from None
        job.removed += steps
        job.env_stmt = stmt
        _takeover(ctx, "Environment", stmt, job)
        env_name = expr.id
    inner = "    "
    lines = [f"{inner}image={py_string(image)},"]
    if not user_managed and conda_path is not None:
        lines.append(f"{inner}conda_file={conda_path},")
    elif not user_managed:
        from estimator_migrate.rules.estimator.render_v2 import layout

        conda = v2env.readable_conda(doc.data())
        lines.append(f"{inner}conda_file={layout(conda, len(inner) + len('conda_file='), inner)},")
    local = "Environment" if "Environment" in job.takeover or ctx.memory.get("v2_takeover", {}).get("Environment") \
        else use(ctx, "Environment", plan.call)
    env_code = f"{local}(\n" + "\n".join(lines) + "\n)"
    first, *rest = env_code.split("\n")
    job.env_lines = [f"{env_name} = {first}", *rest]
    job.keywords.append(("environment", env_name))
    return variables


def _takeover(ctx: FileContext, name: str, stmt: ast.stmt, job: _Job) -> None:
    """Whether the v1 ``Environment`` import may go (v2's takes its name): every read of it is in
    the statement this rewrite replaces. Recorded in the job; the flag the import fixer reads is
    set only when the rewrite's edits are made (``take_over``), never for a construction left."""
    from estimator_migrate.rules.estimator.render_v2 import _only_in

    reads = [n for n in ast.walk(ctx.tree) if isinstance(n, ast.Name) and n.id == name and
             isinstance(n.ctx, ast.Load)]
    if reads and _only_in(ctx, name, [stmt]):
        job.takeover.append(name)


def take_over(ctx: FileContext, names: list[str]) -> None:
    for name in names:
        ctx.memory.setdefault("v2_takeover", {})[name] = True


def _registered(plan: SrcPlan, value: ast.Call) -> str:
    args = dict(zip(["workspace", "name", "version", "label"], value.args, strict=False))
    for k in value.keywords:
        if k.arg is None:
            raise _Blocked("EM512", "`Environment.get(...)` unpacks its arguments", "Write them out.", value)
        args[k.arg] = k.value
    name, version = _literal(args.get("name")), _literal(args.get("version"))
    if not isinstance(name, str) or not (version is None or isinstance(version, (str, int))) or "label" in args:
        raise _Blocked("EM512", "`Environment.get(...)` does not name the environment and version with literals",
                       "Write `environment=\"<name>:<version>\"` by hand.", value)
    return plan.q(f"{name}:{version}" if version is not None else f"{name}@latest")


def _env_uses(ctx: FileContext, name: str, stmt: ast.stmt) -> list[ast.Name]:
    from estimator_migrate.rules.downstream.migrated import uses_of

    return uses_of(ctx, name, stmt)


def _env_step(ctx: FileContext, use_node: ast.Name) -> ast.stmt | None:
    """The statement ``use_node`` starts, when it is one the v2 environment can take."""
    stmt = ctx.enclosing_statement(use_node)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        if isinstance(func, ast.Attribute) and func.attr in ("add_pip_package", "add_conda_package", "add_channel",
                                                             "set_pip_option") and \
                _path(func.value) == [use_node.id, "python", "conda_dependencies"] and \
                _base(func.value) is use_node:
            return stmt
        return None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if _base(target) is not use_node:
            return None
        path = _path(target)
        if path in ([use_node.id, "docker", "base_image"], [use_node.id, "python", "user_managed_dependencies"],
                    [use_node.id, "environment_variables"]):
            return stmt
        if path == [use_node.id, "docker", "enabled"] and isinstance(stmt.value, ast.Constant) and \
                stmt.value.value is True:
            return stmt  # v2 jobs always run in Docker
        if isinstance(target, ast.Subscript) and _path(target.value) == [use_node.id, "environment_variables"]:
            return stmt
    return None


def _base(node: ast.expr) -> ast.expr:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def _path(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _apply(plan: SrcPlan, stmt: ast.stmt, doc: CondaDocument, variables: dict[str, Any], image: str,
           user_managed: bool) -> tuple[str, bool]:
    def literal_str(node: ast.expr) -> str:
        value = _literal(node)
        if not isinstance(value, str):
            raise _Blocked("EM512", f"`{plan.ctx.segment(node)}` is not a string literal; the v2 environment lists "
                           "its values", "Write it as a string literal.", node)
        return value

    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        call = stmt.value
        assert isinstance(call.func, ast.Attribute)
        if len(call.args) != 1 or call.keywords:
            raise _Blocked("EM512", f"`{plan.ctx.segment(call)}` is not one literal package", "Write it as one.", call)
        value = literal_str(call.args[0])
        getattr(doc, call.func.attr)(value)
        return image, user_managed
    assert isinstance(stmt, ast.Assign)
    target = stmt.targets[0]
    if isinstance(target, ast.Subscript):
        key, value = _literal(target.slice), _literal(stmt.value)
        if not isinstance(key, str) or value is static.UNKNOWN:
            raise _Blocked("EM512", "an environment variable is not a literal", "Write it as a literal.", stmt.value)
        variables[key] = value
        return image, user_managed
    path = _path(target) or []
    if path[1:] == ["environment_variables"]:
        value = _literal(stmt.value)
        if not isinstance(value, dict):
            raise _Blocked("EM512", "the environment variables are not a dictionary literal",
                           "Write them as a literal.", stmt.value)
        variables.clear()
        variables.update(value)
        return image, user_managed
    if path[1:] == ["docker", "base_image"]:
        return literal_str(stmt.value), user_managed
    if path[1:] == ["docker", "enabled"]:
        return image, user_managed
    value = _literal(stmt.value)
    if not isinstance(value, bool):
        raise _Blocked("EM512", "`user_managed_dependencies` is not True or False", "Write True or False.",
                       stmt.value)
    return image, value


# -- splicing ---------------------------------------------------------------------------------------
def _render(plan: SrcPlan, job: _Job) -> list[Edit]:
    from estimator_migrate.rules.estimator.render_v2 import MAX_LINE, _indented, use

    ctx, call, stmt = plan.ctx, plan.call, plan.stmt
    nl = ctx.newline
    indent = indentation(ctx.lines[stmt.lineno - 1])
    func = use(ctx, "command", call)
    one = f"{func}(" + ", ".join(f"{k}={v}" for k, v in job.keywords) + ")"
    head = f"{plan.holder} = "
    if "\n" not in one and len(indent) + len(head) + len(one) <= MAX_LINE:
        call_text = one
    else:
        inner = indent + "    "
        body = "".join(f"{inner}{k}={_indented(v, inner)},{nl}" for k, v in job.keywords)
        call_text = f"{func}({nl}{body}{indent})"
    node = cst.parse_expression(ctx.segment(call))
    lines = [text for text, _ in comments_in(node)]  # the call's comments, kept above it
    edits = []
    if job.env_stmt is not None:
        env_indent = indentation(ctx.lines[job.env_stmt.lineno - 1])
        edits.append(Edit(job.env_stmt.lineno, end_of(job.env_stmt)[0],
                          "".join(env_indent + ln + nl for ln in job.env_lines)))
    else:
        lines = job.env_lines + lines
    lines = job.pre_lines + lines
    text = "".join(indent + ln + nl if ln else nl for ln in lines)
    edits.insert(0, Edit(stmt.lineno, end_of(stmt)[0], text + indent + head + call_text + nl))
    for gone in job.removed:
        edits.append(Edit(gone.lineno, end_of(gone)[0], ""))
    group = new_group()
    for e in edits:
        e.group = group
    return edits
