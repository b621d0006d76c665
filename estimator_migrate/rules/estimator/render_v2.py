"""The SDK v2 renderer (``--target v2``, issue 14): writes a ``Run`` (what the estimator meant,
``run.py``) as an azure-ai-ml ``command(...)`` job in the estimator statement's place.

The run description is the one ``render_src`` writes as a ScriptRunConfig; the v2 building blocks
(``estimator_migrate/v2``) spell each part: the command string (every literal token shell-quoted,
V1), the environment the estimator built (image and the whole conda document, inline: v2 has no
default image or packages, V5, V7), node count, distribution, shared memory and the time limit
(written even where v1 used a default, V8-V12).

v2 needs values where ScriptRunConfig took objects (a compute *name*, an image *string*, a
package *list*), so what is not a literal in the file is not guessed at: the construction is
left as it is and reported (EM5xx), never half-migrated. The later uses of the estimator decide
too: a v2 node can only be submitted through an ``MLClient`` (``v2_client`` rewrites
``Experiment(ws, name).submit(est)`` and the workspace), so any other use (a HyperDriveConfig, a
pipeline step, an attribute) leaves the estimator unchanged, reported.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from typing import Any

import libcst as cst

from estimator_migrate.analysis import data_objects, static
from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.findings import Severity
from estimator_migrate.rules.edits import new_group
from estimator_migrate.rules.estimator import data_v2, sweep_v2
from estimator_migrate.rules.estimator import run as r
from estimator_migrate.rules.estimator.plan import Message, Plan
from estimator_migrate.rules.estimator.render_src import comments_in
from estimator_migrate.text import end_of, indentation
from estimator_migrate.v2 import command as v2command
from estimator_migrate.v2 import environment as v2env
from estimator_migrate.v2.conda import CondaDocument, NeverRan, v1_defaults
from estimator_migrate.v2.names import Names
from estimator_migrate.v2.snippet import Report, py_string

MAX_LINE = 99
# v1 codes of the concerns' blockers -> the v2 family's (the message says what is wrong either way).
_V2_CODE = {"EM302": "EM501", "EM306": "EM508"}
MEMORY_KEY = "v2_nodes"  # ctx.memory: holders of command nodes this renderer wrote
_ENV_REFERENCE = re.compile(r"\$\{?[A-Za-z_]")  # $NAME / ${NAME} in an argument
COMPUTE_KEY = "v2_compute"  # ctx.memory: names of compute objects replaced by their name
_COMPUTE_CLASSES = {f"{m}.{c}" for m in ("azureml.core", "azureml.core.compute", "azureml.core.compute.compute",
                                          "azureml.core.compute.amlcompute") for c in ("ComputeTarget", "AmlCompute")}


def _compute_object(ctx: FileContext, expr: ast.expr) -> bool:
    """``expr`` certainly holds a v1 compute object: a lookup or construction of one, or a name
    every assignment of which (in its scope) is one."""
    if _is_compute_call(ctx, expr):
        return True
    if not isinstance(expr, ast.Name):
        return False
    scope = ctx.names.scope_of.get(id(expr), ctx.names.module_scope)
    home = ctx.names.defining_scope(expr.id, scope)
    bindings = home.bindings.get(expr.id, []) if home is not None else []
    return bool(bindings) and all(b.kind == "other" and b.value is not None and _is_compute_call(ctx, b.value)
                                  for b in bindings)


def _is_compute_call(ctx: FileContext, expr: ast.expr) -> bool:
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Attribute) and \
            expr.value.attr == "compute_targets":
        return True
    if not isinstance(expr, ast.Call):
        return False
    qual = ctx.names.qualified_name(expr.func) or ""
    return qual in _COMPUTE_CLASSES or any(qual == f"{c}.{m}" for c in _COMPUTE_CLASSES
                                           for m in ("create", "attach"))


def lookup_name(ctx: FileContext, expr: ast.expr) -> str | None:
    """The compute name of ``ws.compute_targets["x"]``, ``ComputeTarget(ws, "x")`` or
    ``ComputeTarget(workspace=ws, name="x")`` (also AmlCompute), else None."""
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Attribute) and \
            expr.value.attr == "compute_targets" and isinstance(expr.slice, ast.Constant) and \
            isinstance(expr.slice.value, str):
        return expr.slice.value
    if isinstance(expr, ast.Call) and ctx.names.qualified_name(expr.func) in _COMPUTE_CLASSES:
        name = expr.args[1] if len(expr.args) > 1 else next((k.value for k in expr.keywords if k.arg == "name"), None)
        if isinstance(name, ast.Constant) and isinstance(name.value, str) and \
                all(k.arg in ("workspace", "name") for k in expr.keywords) and len(expr.args) <= 2:
            return name.value
    return None


class _Blocked(Exception):
    def __init__(self, code: str, message: str, hint: str = "", node: ast.expr | None = None):
        super().__init__(message)
        self.message = Message(code, message, hint, node)


@dataclasses.dataclass
class Job:
    """What ``command(...)`` is given: (keyword, code) in order, the statements before it, and
    what to report as review findings."""

    keywords: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    env_code: str | None = None  # Environment(...) assigned to env_name before the node
    env_name: str = ""
    pre_lines: list[str] = dataclasses.field(default_factory=list)
    reports: list[Report] = dataclasses.field(default_factory=list)
    inputs: dict[str, str] = dataclasses.field(default_factory=dict)  # literal inputs (tuned flags' defaults)
    # environment_definition built in the file: its statement becomes the v2 Environment (env_lines),
    # the statements that changed it go (removed)
    env_statement: ast.stmt | None = None
    env_lines: list[str] = dataclasses.field(default_factory=list)
    removed: list[ast.stmt] = dataclasses.field(default_factory=list)
    takeover: list[str] = dataclasses.field(default_factory=list)  # v1 names v2's take over once rewritten
    outputs: dict[str, str] = dataclasses.field(default_factory=dict)  # data outputs (name -> Output code)
    run_time_io: tuple[str, str] | None = None  # names of the inputs/outputs script_params_command gave


def _literal(code: str | None) -> Any:
    if code is None:
        return static.UNKNOWN
    try:
        return ast.literal_eval(code)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return static.UNKNOWN


def _value(plan: Plan, code: str | None, param: str | None = None) -> Any:
    """The literal value of ``code`` (a concern's code text), else of the parameter it came
    from when that is a name certainly holding a literal, else UNKNOWN."""
    found = _literal(code)
    if found is static.UNKNOWN and param is not None and plan.has(param) and code == plan.code(param):
        found = plan.literal(param)
    return found


def use(ctx: FileContext, name: str, at: ast.expr | None = None) -> str:
    """The local name for an azure-ai-ml name: itself unless the file binds it to something else
    where the new code goes (then an alias; imports.fix_imports adds the import)."""
    from estimator_migrate.rewrite.imports import ALIAS_PREFIX, V2_IMPORT_FROM

    scope = ctx.names.scope_of.get(id(at), ctx.names.module_scope) if at is not None else ctx.names.module_scope
    bindings = ctx.names.bindings_of(name, scope)
    expected = f"{V2_IMPORT_FROM[name]}.{name}" if name in V2_IMPORT_FROM else name
    if not bindings or all(b.kind == "import" and b.qualname == expected for b in bindings):
        return name
    return ALIAS_PREFIX + name


# -- the handler ------------------------------------------------------------------------------
def migrate(ctx: FileContext, plan: Plan) -> None:
    """Called by the driver for every estimator when the target is v2."""
    from estimator_migrate.rules import v2_client

    kind, call, stmt = plan.kind, plan.call, plan.stmt
    lines = (stmt.lineno, call.lineno)
    job = None
    sweep = None
    if not plan.blockers:
        try:
            hd_use = v2_client.check_uses(ctx, plan, shared=True)
            if hd_use is not None:
                sweep = sweep_v2.translate(plan, hd_use)
                v2_client.check_sweep_uses(ctx, sweep)
                from estimator_migrate.rules.downstream.migrated import uses_of

                assert plan.holder is not None
                sweep.shared = len(uses_of(ctx, plan.holder, plan.stmt)) > 1
            job = translate(plan, sweep)
        except _Blocked as exc:
            plan.blockers.append(exc.message)
    if plan.blockers:
        for b in plan.blockers:
            node, message = b.node or call, b.message
            if not stmt.lineno <= node.lineno <= (stmt.end_lineno or stmt.lineno):
                # As the default target (driver.py): the finding belongs to the construction left
                # unchanged, where users (and the fuzzer) look; the message says where the value is.
                line = ctx.origin_line(node.lineno)
                node = call
                if f"line {line}" not in message:
                    message = f"{message} (the value on line {line})"
            ctx.report(_V2_CODE.get(b.code, b.code), node, f"{kind} left unchanged: {message}", b.hint, lines=lines)
        return
    assert job is not None
    if not ctx.may_fix("EM401", call, *lines):
        return
    edit = render(plan, job)
    group = new_group() if sweep is not None or job.env_statement is not None or job.removed else 0
    edit.group = group
    if job.env_statement is not None:
        env_indent = indentation(ctx.lines[job.env_statement.lineno - 1])
        ctx.edits.append(Edit(job.env_statement.lineno, end_of(job.env_statement)[0],
                              "".join(env_indent + ln + ctx.newline for ln in job.env_lines), group=group))
    for gone in job.removed:
        ctx.edits.append(Edit(gone.lineno, end_of(gone)[0], "", group=group))
    if job.takeover:
        from estimator_migrate.rules.src_v2 import take_over

        take_over(ctx, job.takeover)
    before = len(ctx.findings)
    ctx.report("EM401", call, f"`{kind}` is SDK v1 (out of support); rewritten to an azure-ai-ml `command()` job "
               "with the environment it built written out", fixed=True, severity=Severity.WARNING, lines=lines)
    seen = set()
    for rep in job.reports:
        if (rep.code, rep.message) not in seen:
            seen.add((rep.code, rep.message))
            ctx.report(rep.code, call, rep.message, rep.hint, fixed=True, lines=lines)
    for n in plan.notes:
        if "ScriptRunConfig" not in n.message and "run_config" not in n.message:
            ctx.report(n.code, n.node or call, n.message, n.hint, fixed=True, lines=lines)
    if sweep is not None:
        ctx.edits += render_sweep(plan, sweep, group)
        report_sweep(ctx, sweep)
    edit.findings = ctx.findings[before:]
    ctx.edits.append(edit)
    assert plan.holder is not None  # check_uses blocks a construction without one
    ctx.memory.setdefault(MEMORY_KEY, {})[plan.holder] = ctx.origin_line(stmt.lineno)


# -- the run, as command() keywords -------------------------------------------------------------
def translate(plan: Plan, sweep: sweep_v2.Sweep | None = None) -> Job:
    run, job = plan.run, Job()
    # (a reference's object is not needed: its Input replaces it; a run-time script_params is kept)
    references = {ref.code for ref in run.data_references if not ref.run_time}
    for name, code in [(h.name, h.code) for h in run.hoisted if h.name not in references]:
        job.pre_lines.append(f"{name} = {code}")
    if run.source_directory is None:  # pragma: no cover - the script concern blocks first
        raise _Blocked("EM305", "no `source_directory`")
    job.keywords.append(("code", run.source_directory.code))
    job.keywords.append(("command", _command(plan, job, sweep)))
    if job.run_time_io is not None:  # the helper's inputs (and the tuned ones) and outputs
        given, made = job.run_time_io
        tuned = "".join(f", {py_string(k)}: {v}" for k, v in job.inputs.items())
        job.keywords += [("inputs", f"{{**{given}{tuned}}}" if tuned else given), ("outputs", made)]
    elif job.inputs:
        entries = [f"{py_string(k)}: {v}" for k, v in job.inputs.items()]
        one = "{" + ", ".join(entries) + "}"
        many = "{\n" + "".join(f"    {_wrap_call(e, 8)},\n" for e in entries) + "}"
        job.keywords.append(("inputs", one if len(one) <= 80 else many))
    if job.outputs:
        entries = [f"{py_string(k)}: {v}" for k, v in job.outputs.items()]
        one = "{" + ", ".join(entries) + "}"
        many = "{\n" + "".join(f"    {_wrap_call(e, 8)},\n" for e in entries) + "}"
        job.keywords.append(("outputs", one if len(one) <= 80 else many))
    _data(plan)
    variables = _environment(plan, job)
    if variables is not None:
        job.keywords.append(("environment_variables", variables))
    compute = _compute(plan, job)
    sweep_v2.refuse_local(sweep, _value(plan, compute, "compute_target"))
    job.keywords.append(("compute", compute))
    _distribution(plan, job)
    docker = run.docker
    if docker is not None and docker.shm_size != "None":
        job.keywords.append(("shm_size", docker.shm_size))
    elif docker is None and isinstance(run.environment, r.EnvObject):
        # The estimator set no docker settings for the user's Environment: the run configuration's 2g stayed.
        job.keywords.append(("shm_size", '"2g"'))
    if run.timeout is not None:
        value = _value(plan, run.timeout.code, "max_run_duration_seconds")
        if value is not None:
            if value is static.UNKNOWN or not isinstance(value, int) or isinstance(value, bool):
                raise _Blocked("EM512", f"`max_run_duration_seconds={run.timeout.code}` is not a literal number of "
                               "seconds; v2's `timeout` takes an int (V39)", "Write the number of seconds.")
            job.keywords.append(("timeout", run.timeout.code))
    return job


def _command(plan: Plan, job: Job, sweep: sweep_v2.Sweep | None = None) -> str:
    run = plan.run
    if run.script is None:
        raise _Blocked("EM305", "no `entry_script`: there is no script to run", "Pass `entry_script=`.")
    script = _value(plan, run.script.code, "entry_script")
    if not isinstance(script, str):
        raise _Blocked("EM512", f"`entry_script={run.script.code}` is not a literal; the v2 command names the script",
                       "Write the script's file name as a string literal.")
    if script.lower().endswith(".ipynb"):  # pragma: no cover - the script concern blocks first
        raise _Blocked("EM508", f"entry script {script!r} is a notebook")
    items: list[v2command.Item | r.DataArg] = []
    args = run.arguments
    if args is not None and args.groups is None:
        return _run_time_command(plan, job, script, sweep)
    for group in (args.groups or []) if args is not None else []:
        for item in group.items:
            if isinstance(item, r.DataArg):
                items.append(item)
                continue
            value = _literal(item)
            if isinstance(value, str) and _ENV_REFERENCE.search(value):
                raise _Blocked("EM505", f"the argument {value!r} reads an environment variable of the v1 job; the v2 "
                               "command quotes each argument for its shell (so `$NAME` would reach the script as "
                               "text), and v1's `AZ_BATCHAI_*`/`AZUREML_*` variables are not set in v2 jobs",
                               "Read the value in the script from the v2 job's environment (for PyTorch `RANK`, "
                               "`WORLD_SIZE`, `MASTER_ADDR`), drop the argument, then run the tool again.")
            if value is static.UNKNOWN:
                items.append(v2command.Expr(item))
            elif isinstance(value, (str, int, float, bool)) or value is None:
                items.append(value)
            else:
                raise _Blocked("EM512", f"the argument `{item}` is not a single value", "Flatten it by hand.")
    taken = Names([t.name for t in sweep.tuned] if sweep is not None else [])
    items, dataset_inputs, job.outputs, translated = data_v2.script_params_data(plan, items, taken)
    plain, data_inputs = data_v2.script_params_inputs(plan, items, taken)
    data_inputs = {**dataset_inputs, **data_inputs}
    if dataset_inputs or job.outputs:
        what = [f"input `{n}`" for n in dataset_inputs] + [f"output `{n}`" for n in job.outputs]
        job.reports.append(Report("EM407", "the dataset(s) and output(s) in `script_params` became "
                                  f"{', '.join(what)} of the job; a script that read them through "
                                  "`Run.get_context().input_datasets`/`output_datasets` must take the path from its "
                                  "argument", "Check that the script reads its data from the argument."))
    if data_inputs.keys() - dataset_inputs.keys():
        data_inputs_refs = [n for n in data_inputs if n not in dataset_inputs]
        job.reports.append(Report("EM407", f"the DataReference{'s' if len(data_inputs_refs) > 1 else ''} in "
                                  f"`script_params` became input{'s' if len(data_inputs_refs) > 1 else ''} "
                                  f"{', '.join(f'`{n}`' for n in data_inputs_refs)} of the job", ""))
    if any(isinstance(i, v2command.Expr) for i in plain) and not _scalar_values(plan, translated):
        raise _Blocked("EM506", "`script_params` holds values the tool cannot tell from data (a dataset, an output "
                       "or a DataReference becomes an `Input`/`Output` in v2, not text)",
                       "Write the v2 inputs and outputs by hand (see `--explain EM407`), or write the values as "
                       "literals.")
    if sweep is not None and sweep.shared:
        plain, job.inputs, found = sweep_v2.shared_items(sweep, plain)
        job.reports += found
    elif sweep is not None:
        plain, job.inputs, found = sweep_v2.trial_items(sweep, plain)
        job.reports += found
    job.inputs.update(data_inputs)
    built = v2command.build(plain, script=script)
    job.reports += built.snippet.reports
    if built.runtime:
        job.reports.append(Report("EM453", "some script arguments are only known at run time; the command quotes "
                                  "each one (`shlex.quote(str(value))`), which assumes a string or a number",
                                  "Check that the command passes the values the script expects."))
    return built.snippet.code


_DATA_KINDS = (data_objects.DATASET, data_objects.OUTPUT, data_objects.DATAREF, data_objects.DATASTORE,
               data_objects.RAW_DATASET, data_objects.PIPELINE, data_objects.UNKNOWN_DATA)


def _run_time_command(plan: Plan, job: Job, script: str, sweep: sweep_v2.Sweep | None) -> str:
    """``script_params`` only known at run time: the v2 helper ``script_params_command`` (written
    into the file once, ``v2/helpers.py``) flattens that same dictionary where the estimator did,
    quotes each token for v2's shell and gives the command, inputs and outputs. It cannot take v1
    data (an azure-ai-ml ``Input`` is needed, and the v1 object raises TypeError when the program
    runs): a dictionary that may hold any is left unchanged and reported."""
    from estimator_migrate.analysis import contents
    from estimator_migrate.rewrite import runtime_helpers
    from estimator_migrate.text import shift_continuations
    from estimator_migrate.v2 import helpers as v2helpers

    ctx, args = plan.ctx, plan.run.arguments
    assert args is not None and args.run_time is not None
    if sweep is not None and sweep.shared:
        raise _Blocked("EM508", f"the HyperDriveConfig on line {sweep.call.lineno} sweeps it, it is also submitted as "
                       "it is, and its `script_params` are only known at run time: the helper's command for the "
                       "sweep drops the tuned values, the plain submit needs them, so one command cannot serve both",
                       "Give the HyperDriveConfig an estimator of its own, then run the tool again.")
    _data(plan)  # (resume_from, data registered elsewhere: their own message first)
    expr = plan.kwargs["script_params"]
    parts = None if "script_params" in plan.unpacked else contents.parts_of(plan, expr, 0)
    if parts is not None:
        data = next((p for p in parts if contents.may_be(plan, p, _DATA_KINDS)), None)
        if data is not None:
            raise _Blocked("EM506", f"`script_params` is only known at run time and may hold v1 data "
                           f"(`{ctx.segment(data)}`), which a v2 job takes as an azure-ai-ml `Input`/`Output`; the "
                           "run-time helper cannot convert a v1 data object", "Put an azure-ai-ml `Input`/`Output` "
                           "in its place (see `--explain EM407`), or write `script_params` as a dictionary literal, "
                           "then run the tool again.", data)
    else:
        data = next((n for n in ast.walk(ctx.tree) if isinstance(n, (ast.Call, ast.Subscript)) and
                     data_objects.classify(plan, n) in _DATA_KINDS), None)
        if data is not None:
            raise _Blocked("EM506", "`script_params` is built where the tool cannot see all it holds, and this file "
                           f"uses v1 data (`{ctx.segment(data)}`, line {data.lineno}), which a v2 job takes as an "
                           "azure-ai-ml `Input`/`Output`; the run-time helper cannot convert a v1 data object",
                           "Write `script_params` as a dictionary literal (or put azure-ai-ml `Input`/`Output` "
                           "objects in it), then run the tool again.")
    helper = runtime_helpers.helper_name(ctx, v2helpers.SCRIPT_PARAMS)
    base = v2command.build([], script=script).snippet.code
    label = plan.env_label
    names = [ctx.unique_name(f"{label}_{what}") for what in ("command", "inputs", "outputs")]
    tuned = ""
    if sweep is not None:
        # HyperDrive's reading of the arguments (fixed values of tuned flags removed, the sampled
        # ones appended as '${{inputs.x}}') is the helper's too; the tuned inputs are declared with
        # a value of their distribution (the sweep replaces them).
        from estimator_migrate.v2 import sweep as v2sweep

        _, found = v2sweep.trial_arguments([], sweep.tuned, estimator=True)
        job.reports += found
        job.inputs = {t.name: v2sweep.trial_input(None, t.distribution) for t in sweep.tuned}
        tuned = ", tuned={" + ", ".join(f"{py_string(t.key)}: {py_string(t.name)}" for t in sweep.tuned) + "}"
    head = f"{', '.join(names)} = {helper}({base}, "
    indent = len(indentation(ctx.lines[plan.stmt.lineno - 1]))
    code = args.run_time
    if "\n" in code or indent + len(head) + len(code) + len(tuned) + 1 > MAX_LINE:
        head = f"{', '.join(names)} = {helper}(\n    {base}, "
        code = shift_continuations(code, indent + 4 + len(base) + 2 - args.column)
        last = code.rsplit("\n", 1)[-1]
        start = 4 if "\n" in code else indent + 4 + len(base) + 2
        if tuned and sweep is not None and start + len(last) + len(tuned) + 1 > MAX_LINE:
            tuned = ",\n    " + tuned[2:]
            if indent + len(tuned) - 1 > MAX_LINE:  # one tuned flag a line
                entries = "".join(f"        {py_string(t.key)}: {py_string(t.name)},\n" for t in sweep.tuned)
                tuned = ",\n    tuned={\n" + entries + "    }"
    else:
        code = shift_continuations(code, indent + len(head) - args.column)
    job.pre_lines += (head + code + tuned + ")").split("\n")
    job.run_time_io = (names[1], names[2])
    job.reports.append(Report("EM453", "`script_params` is only known at run time: the command is built when the "
                              "program runs, by the function `" + helper + "` written into this file (the estimator's "
                              "flattening; each token quoted for v2's shell, booleans written `True`/`False` (V6), "
                              "numbers as v1 wrote them). A v1 DataReference, dataset or output in the dictionary "
                              "makes it raise TypeError" + (
                                  "; under the HyperDriveConfig, where HyperDrive's two-by-two reading of the "
                                  "arguments met a non-string in a flag's place (a bare flag before a boolean or "
                                  "number), HyperDrive raised AttributeError at submit and nothing ran: the function "
                                  "raises the same error where the command is built, before the statements up to "
                                  "the submit" if sweep is not None else ""),
                              "Check that the command passes the values the script expects; pass data as azure-ai-ml "
                              "`Input`/`Output` objects."))
    return names[0]


def _scalar_values(plan: Plan, translated: frozenset[int] | set[int] = frozenset()) -> bool:
    """Every value of ``script_params`` (a dictionary the tool can see) is a plain value: no
    dataset, output or DataReference, which v1 resolved at submit and v2 passes as data."""
    resolved = plan.resolve(plan.kwargs["script_params"])
    if not isinstance(resolved, ast.Dict):
        return False
    values: list[ast.expr] = []
    for key, value in zip(resolved.keys, resolved.values, strict=True):
        if key is None:
            return False
        values.append(key)
        inner = plan.resolve(value)
        values += list(inner.elts) if isinstance(inner, (ast.List, ast.Tuple)) else [value]
    return all(id(v) in translated or data_objects.classify(plan, v) == data_objects.SCALAR for v in values)


def _data(plan: Plan) -> None:
    run = plan.run
    if run.source_directory_data_store is not None:
        raise _Blocked("EM504", "`source_directory_data_store` has no v2 counterpart",
                       "Remove the setting; v2 uploads the code folder itself.")
    if any(ref.source != "script_params" for ref in run.data_references) or run.datasets:
        raise _Blocked("EM506", "the estimator registers data through `inputs` (a DataReference, a datastore or a "
                       "dataset the script finds by name or through `AZUREML_DATAREFERENCE_*`); the v2 target only "
                       "migrates references passed in `script_params` (V27)", "Pass the data as a script parameter "
                       "(or write the v2 `Input` by hand, see `--explain EM407`), then run the tool again.")
    if run.resume_from is not None:
        raise _Blocked("EM506", "`resume_from` is not migrated to v2 yet (an `Input` named MODEL_LOCATION and "
                       "`--resume-from ${{inputs.MODEL_LOCATION}}`)", "Write the input by hand.")


def _compute(plan: Plan, job: Job | None = None) -> str:
    compute = plan.run.compute
    if compute is None:  # pragma: no cover - the compute concern blocks first
        raise _Blocked("EM501", "no compute target")
    value = _value(plan, compute.code, "compute_target")
    if not isinstance(value, str) and compute.code == plan.code("compute_target"):
        expr = plan.kwargs["compute_target"]
        # A compute object's name never changes: follow the name even if the object was used since.
        binding = static.reaching_binding(plan.ctx.names, expr) if isinstance(expr, ast.Name) else None
        built = binding.value if binding is not None and binding.value is not None else plan.resolve(expr)
        name = lookup_name(plan.ctx, built)
        if name is not None:
            # ``ws.compute_targets["x"]`` / ``ComputeTarget(ws, "x")``: the object's name is "x".
            if isinstance(expr, ast.Name):
                plan.ctx.memory.setdefault(COMPUTE_KEY, {})[expr.id] = True
            return plan.q(name)
    if not isinstance(value, str) and compute.code == plan.code("compute_target") and \
            _compute_object(plan.ctx, plan.kwargs["compute_target"]):
        # A compute object built (or fetched) in this file: v2 takes its name.
        return f"{plan.operand('compute_target')}.name"
    if not isinstance(value, str):
        raise _Blocked("EM512", f"`compute_target={compute.code}` is not a name string; v2's `compute` takes the "
                       "compute's name", "Pass the cluster's name (`compute_target=\"cpu-cluster\"`), then run the "
                       "tool again.")
    docker = plan.run.docker
    if value == "local" and docker is not None and _literal(docker.use_docker) is not True:
        raise _Blocked("EM502", "a 'local' run without Docker (or with `use_docker` only known at run time): v2 local "
                       "jobs always run in Docker", "Run the script with python directly, or use Docker.")
    if value == "local" and isinstance(plan.run.environment, r.EnvObject) and not _docker_enabled(job):
        # v1 took the run's Docker setting from the Environment (`docker.enabled`, off by default);
        # the environment's translation took over its `env.docker.enabled = True` (job.removed).
        raise _Blocked("EM502", "a 'local' run with `environment_definition`: v1 ran it in Docker only when the "
                       "Environment's `docker.enabled` was True (off by default, then in the caller's Python); "
                       "v2 local jobs always run in Docker", "Run the script with python directly, or use Docker.")
    return compute.code


def _docker_enabled(job: Job | None) -> bool:
    """The Environment built in the file, whose changes the translation took over (it refuses any
    other), turned Docker on (`env.docker.enabled = True`)."""
    for stmt in job.removed if job is not None else []:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and stmt.value.value is True and \
                isinstance(stmt.targets[0], ast.Attribute) and stmt.targets[0].attr == "enabled" and \
                isinstance(stmt.targets[0].value, ast.Attribute) and stmt.targets[0].value.attr == "docker":
            return True
    return False


def _distribution(plan: Plan, job: Job) -> None:
    run = plan.run
    dist, nodes = run.distribution, run.node_count
    if dist is None:
        if nodes is not None:
            job.keywords.append(("instance_count", nodes))
        return
    if dist.kind == "object" or dist.read_from is not None:
        raise _Blocked("EM512", "the distributed configuration is an object the v2 target does not translate yet",
                       "Write `distribution=` and `instance_count=` by hand (see `--explain EM402`).")
    job.keywords.append(("instance_count", nodes or "1"))  # V8: distributions carry no node count
    if dist.kind == "mpi":
        per_node = dist.process_count_per_node or "1"
        code = f"{use(plan.ctx, 'MpiDistribution', plan.call)}(process_count_per_instance={per_node})"
    elif dist.kind == "pytorch":
        job.reports.append(Report("EM454", f"the PyTorch backend `{dist.backend}` has no v2 field; the training "
                                  "script's `init_process_group(backend=...)` decides it (V9)",
                                  "Check that the script picks the backend it used."))
        code = f"{use(plan.ctx, 'PyTorchDistribution', plan.call)}(process_count_per_instance=1)"
    else:
        code = (f"{use(plan.ctx, 'TensorFlowDistribution', plan.call)}(worker_count={dist.worker_count or '1'}, "
                f"parameter_server_count={dist.parameter_server_count or '1'})")
    job.keywords.append(("distribution", code))


# -- environment --------------------------------------------------------------------------------
def _environment(plan: Plan, job: Job) -> str | None:
    """Adds ``environment=`` (and the Environment statement); returns the code of the job's
    environment variables (the Environment's merged with the run's, V17), or None."""
    env = plan.run.environment
    if isinstance(env, r.EnvObject):
        return _environment_object(plan, job, env)
    if isinstance(env, r.Curated):
        raise _Blocked("EM505", "`--environment curated` names a v1 curated environment, which v2 does not have (V42)",
                       "Run with `--environment faithful`, or pick a v2 curated environment by hand.")
    steps = env.steps if isinstance(env, r.Recipe) else []
    defaults = v1_defaults()
    image: str = defaults["default_cpu_image"]
    doc: CondaDocument | None = CondaDocument.default()
    conda_path: str | None = None
    variables: dict[str, Any] = {}
    user_managed = False
    try:
        for step in steps:
            if isinstance(step, r.Comment):
                continue
            if isinstance(step, r.BaseImage):
                image = _image(plan, step, defaults)
            elif isinstance(step, r.EnvVariable):
                name, value = _literal(step.name), _literal(step.value)
                if not isinstance(name, str) or value is static.UNKNOWN:
                    raise _Blocked("EM512", "an environment variable of the environment is not a literal",
                                   "Write it as a literal.")
                variables[name] = value
            elif isinstance(step, r.UserManaged):
                value = _value(plan, step.code, "user_managed")
                if value is static.UNKNOWN:
                    raise _Blocked("EM512", "`user_managed` is only known at run time", "Write True or False.")
                user_managed = bool(value)
            elif isinstance(step, r.CondaFile):
                conda_path = f"{use(plan.ctx, 'os', plan.call)}.path.join({step.source_directory}, {step.file})"
            elif conda_path is not None:
                raise _Blocked("EM512", "packages are added to a conda file read when the job is built",
                               "Put the packages into the conda file.")
            else:
                assert doc is not None
                _apply(plan, doc, step)
    except NeverRan as exc:
        raise _Blocked("EM510", f"the environment is a combination the SDK refused ({exc})",
                       "Fix the v1 code first.") from None
    job.env_name = plan.ctx.unique_name(f"{plan.env_label}_env")
    inner = "    "
    lines = [f"{inner}image={py_string(image)},"]
    if conda_path is not None and not user_managed:
        lines.append(f"{inner}conda_file={conda_path},")
    elif not user_managed:
        assert doc is not None
        conda = v2env.readable_conda(doc.data())
        lines.append(f"{inner}conda_file={layout(conda, len(inner) + len('conda_file='), inner)},")
    job.env_code = f"{use(plan.ctx, 'Environment', plan.call)}(\n" + "\n".join(lines) + "\n)"
    if plan.scenario is not None:
        job.reports.append(Report("EM452", f"the {plan.kind} {plan.scenario.version} environment is rebuilt field by "
                                  f"field ({image}, python pinned by the scenario); whether that old image and python "
                                  "still build is not verified", "Move to a current environment (an azureml curated "
                                  "one, or your own image and packages) and test the job."))
    job.keywords.append(("environment", job.env_name))
    run_level = plan.run.environment_variables
    if run_level is None:
        return v2env.literal(variables) if variables else None
    if not variables:
        return run_level.code
    given = _value(plan, run_level.code, "environment_variables")
    if isinstance(given, dict):
        if set(given) & set(variables):
            raise _Blocked("EM512", "a run-level environment variable has the same name as one the environment set",
                           "Remove one of them.")
        return v2env.literal({**variables, **given})
    return "{" + ", ".join(f"{py_string(k)}: {v2env.literal(v)}" for k, v in variables.items()) + \
        f", **{run_level.code}}}"


def _environment_object(plan: Plan, job: Job, env: r.EnvObject) -> str | None:
    """``environment_definition=env``: the v1 Environment built (or fetched) in the file, as the
    ScriptRunConfig target translates it (rules/src_v2.py), plus the variables the estimator wrote
    into it (PyTorch's NCCL_TREE_THRESHOLD) and the run's, on the job (V17)."""
    from estimator_migrate.rules import src_v2

    expr = plan.kwargs.get("environment_definition")
    if env.holder is not None or not isinstance(expr, ast.Name) or env.code != expr.id:
        raise _Blocked("EM512", "`environment_definition` is not a name bound to an Environment built in this file",
                       "Write `environment=\"<name>:<version>\"` for a registered one, or an azure-ai-ml "
                       "`Environment` by hand.")
    src_plan = src_v2.SrcPlan(plan.ctx, plan.call, plan.stmt, plan.holder, plan.quote)
    found = src_v2._Job()
    try:
        variables = src_v2._environment(src_plan, expr, found)
    except src_v2._Blocked as exc:
        raise _Blocked(exc.code, exc.message, exc.hint, exc.node if isinstance(exc.node, ast.expr) else None) \
            from None
    for name_code, value_code in env.variables:
        name, value = _literal(name_code), _literal(value_code)
        if not isinstance(name, str) or value is static.UNKNOWN:
            raise _Blocked("EM512", "a variable the estimator wrote into the environment is not a literal", "")
        variables[name] = value
    job.keywords += found.keywords
    job.env_statement, job.env_lines, job.removed = found.env_stmt, found.env_lines, found.removed
    job.takeover = found.takeover
    if found.env_stmt is None and found.env_lines:
        job.pre_lines += found.env_lines
    run_level = plan.run.environment_variables
    if run_level is None:
        return v2env.literal(variables) if variables else None
    if not variables:
        return run_level.code
    given = _value(plan, run_level.code, "environment_variables")
    if isinstance(given, dict):
        return v2env.literal({**variables, **given})
    return "{" + ", ".join(f"{py_string(k)}: {v2env.literal(v)}" for k, v in variables.items()) + \
        f", **{run_level.code}}}"


def layout(value: Any, col: int, indent: str, width: int = MAX_LINE) -> str:
    """A Python literal for JSON-like ``value`` that starts at column ``col`` in a block indented
    ``indent``, laid out as a person would: on one line when it fits; a list of plain values
    wrapped and aligned after its bracket; a one-key dictionary kept on its key's line; anything
    else one item a line."""
    inline = v2env.literal(value, width=10**6)
    if col + len(inline) <= width or not isinstance(value, (list, dict)) or not value:
        return inline
    inner = indent + "    "
    if isinstance(value, dict) and len(value) == 1:
        key, item = next(iter(value.items()))
        head = "{" + py_string(key) + ": "
        return head + layout(item, col + len(head), indent, width - 1) + "}"
    if isinstance(value, dict):
        items = [f"{inner}{py_string(k)}: {layout(v, len(inner) + len(py_string(k)) + 2, inner, width - 1)},"
                 for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{indent}}}"
    if all(not isinstance(v, (list, dict)) for v in value):
        lines: list[str] = []
        line = "["
        for i, v in enumerate(value):
            text = v2env.literal(v) + ("," if i < len(value) - 1 else "]")
            start = col if not lines else 0  # a continuation line holds its own indentation
            if line != "[" and start + len(line) + 1 + len(text) > width:
                lines.append(line)
                line = " " * (col + 1) + text
            else:
                line += ("" if line == "[" else " ") + text
        return "\n".join(lines + [line])
    items = [f"{inner}{layout(v, len(inner), inner, width - 1)}," for v in value]
    return "[\n" + "\n".join(items) + f"\n{indent}]"


def _image(plan: Plan, step: r.BaseImage, defaults: dict[str, Any]) -> str:
    if step.image is not None:
        value = _value(plan, step.image, step.param)
        if not isinstance(value, str):
            raise _Blocked("EM512", f"the image `{step.image}` is not a literal string", "Write the image name.")
        return value
    if step.gpu_when is not None:
        gpu = _value(plan, step.gpu_when, "use_gpu")
        if gpu is static.UNKNOWN:
            raise _Blocked("EM512", f"`use_gpu={step.gpu_when}` is only known at run time; the v2 environment names "
                           "its image", "Write True or False.")
        return str(defaults["default_gpu_image" if gpu else "default_cpu_image"])
    return str(defaults["default_gpu_image"])


def _apply(plan: Plan, doc: CondaDocument, step: r.Step) -> None:
    """One SDK call the estimator made on its conda dependencies, on the document."""
    if isinstance(step, r.SetPipRequirements):
        if step.shared is not None:
            raise _Blocked("EM512", f"the estimator inserted `azureml-defaults` into `{step.shared}` and kept that "
                           "very list, which is used again later (changes made to it later reached the v1 "
                           "environment)", "Give the estimator a list of its own (`pip_packages=[...]`), then run "
                           "the tool again.")
        else:
            doc.set_pip_requirements(["azureml-defaults", *(_string(plan, c, "pip_packages") for c in step.items)])
    elif isinstance(step, r.AddCondaPackage):
        doc.add_conda_package(_string(plan, step.code, step.param))
    elif isinstance(step, r.AddChannel):
        doc.add_channel(_string(plan, step.code))
    elif isinstance(step, r.AddPipPackage):
        doc.add_pip_package(_string(plan, step.code))
    elif isinstance(step, r.SetPipOption):
        doc.set_pip_option(_string(plan, step.code))
    elif isinstance(step, r.BaseImageRegistry):
        raise _Blocked("EM503", "`image_registry_details` is not migrated to v2 (an image address and no "
                       "registry credentials, V16)", "Push the image to the workspace's registry and name it in "
                       "`custom_docker_image`.")
    else:
        raise _Blocked("EM512", "the estimator's packages are only known at run time (a requirements file, or a list "
                       "the tool cannot read)", "Write the packages as a list of string literals.")


def _string(plan: Plan, code: str, param: str | None = None) -> str:
    value = _literal(code)
    if not isinstance(value, str):
        raise _Blocked("EM512", f"the package `{code}` is not a string literal; the v2 environment lists its packages",
                       "Write the packages as string literals.")
    return value


# -- splicing -----------------------------------------------------------------------------------
def render(plan: Plan, job: Job) -> Edit:
    ctx, call, stmt = plan.ctx, plan.call, plan.stmt
    nl = ctx.newline
    indent = indentation(ctx.lines[stmt.lineno - 1])
    lines: list[str] = list(job.pre_lines)
    node = cst.parse_expression(ctx.segment(call))
    lines += [text for text, _ in comments_in(node)]  # the call's comments, kept above it
    if job.env_code is not None:
        env_lines = job.env_code.split("\n")
        lines.append(f"{job.env_name} = {env_lines[0]}")
        lines += env_lines[1:]
    (call_end, call_end_col), stmt_end = end_of(call), end_of(stmt)[0]
    c1 = ctx.char_col(call.lineno, call.col_offset)
    c2 = ctx.char_col(call_end, call_end_col)
    prefix = ("".join(ctx.lines[stmt.lineno - 1:call.lineno - 1]) + ctx.lines[call.lineno - 1][:c1])[len(indent):]
    suffix = ctx.lines[call_end - 1][c2:] + "".join(ctx.lines[call_end:stmt_end])
    func = use(ctx, "command", call)
    one = f"{func}(" + ", ".join(f"{k}={v}" for k, v in job.keywords) + ")"
    if "\n" not in one and len(indent) + len(prefix) + len(one) + len(suffix.rstrip("\r\n")) <= MAX_LINE:
        call_text = one
    else:
        inner = indent + "    "
        body = "".join(f"{inner}{k}={_indented(v, inner)},{nl}" for k, v in job.keywords)
        call_text = f"{func}({nl}{body}{indent})"
    text = "".join(indent + ln + nl if ln else nl for ln in lines)
    last = prefix + call_text + suffix
    return Edit(stmt.lineno, stmt_end, text + indent + last)


def _indented(code: str, indent: str) -> str:
    """A multi-line value (an inline dictionary) continued at ``indent``."""
    first, *rest = code.split("\n")
    return "\n".join([first] + [indent + line for line in rest])


def report_sweep(ctx: FileContext, sweep: sweep_v2.Sweep) -> None:
    """The findings of a HyperDriveConfig made a sweep (estimator or ScriptRunConfig), and its
    holder remembered for the submit rewrite."""
    ctx.report("EM403", sweep.call, "`HyperDriveConfig` -> a v2 sweep over the command, the tuned flags as "
               "`${{inputs.x}}` in it and v1's limits and policy settings written out", fixed=True,
               severity=Severity.WARNING, lines=(sweep.stmt.lineno,))
    for rep in sweep.reports + list(sweep.sampling.reports) + list(sweep.goal.reports) + \
            (list(sweep.policy.reports) if sweep.policy is not None else []):
        ctx.report(rep.code, sweep.call, rep.message, rep.hint, fixed=True, lines=(sweep.stmt.lineno,))
    ctx.memory.setdefault(MEMORY_KEY, {})[sweep.holder] = ctx.origin_line(sweep.stmt.lineno)


def render_sweep(plan: Plan, sweep: sweep_v2.Sweep, group: int) -> list[Edit]:
    """The edits that replace the HyperDriveConfig statement (and drop the sampling and policy
    statements only it used)."""
    from estimator_migrate.v2 import sweep as v2sweep

    ctx, stmt = plan.ctx, sweep.stmt
    nl = ctx.newline
    indent = indentation(ctx.lines[stmt.lineno - 1])
    assert plan.holder is not None
    snippet = v2sweep.sweep_code(plan.holder, sweep.tuned, sampling_algorithm=sweep.sampling,
                                 primary_metric=sweep.primary_metric, goal_code=sweep.goal,
                                 early_termination=sweep.policy, limit_kwargs=sweep.limits, indent=indent,
                                 prefix=len(sweep.holder) + 3)
    text = snippet.code
    replaced = [stmt, *sweep.removed]
    for _, name in snippet.imports:
        if not name:
            continue
        if _only_in(ctx, name, replaced):
            # A v1 name read only by what this rewrite replaces: its import goes, v2's comes.
            ctx.memory.setdefault("v2_takeover", {})[name] = True
            continue
        local = use(ctx, name, sweep.call)
        if local != name:
            text = re.sub(rf"\b{name}\(", f"{local}(", text)
    text = f"{indent}{sweep.holder} = {text}{nl}".replace("\n", nl) if nl != "\n" else \
        f"{indent}{sweep.holder} = {text}{nl}"
    edits = [Edit(stmt.lineno, end_of(stmt)[0], text)]
    for gone in sweep.removed:
        edits.append(Edit(gone.lineno, end_of(gone)[0], ""))
    for e in edits:
        e.group = group
    return edits


def _only_in(ctx: FileContext, name: str, statements: list[ast.stmt]) -> bool:
    """Every binding of ``name`` is an import and every read of it is inside ``statements``."""
    spans = [(st.lineno, end_of(st)[0]) for st in statements]
    bindings = ctx.names.bindings_of(name, ctx.names.module_scope)
    if not bindings:
        return True
    if any(b.kind != "import" for b in bindings):
        return False
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) and \
                not any(a <= node.lineno <= b for a, b in spans):
            return False
    return True


def _wrap_call(entry: str, col: int, width: int = MAX_LINE) -> str:
    """``"name": Input(a, b, c)`` starting at column ``col`` (relative to the statement, inside a
    keyword indented 4), its arguments continued under the first one when the line is too long."""
    if col + len(entry) + 1 <= width:
        return entry
    head, sep, call_text = entry.partition(": ")
    try:
        call = ast.parse(call_text, mode="eval").body
    except SyntaxError:
        return entry
    if not isinstance(call, ast.Call) or call.args:
        return entry
    args = [f"{k.arg}={ast.get_source_segment(call_text, k.value)}" for k in call.keywords]
    func = ast.get_source_segment(call_text, call.func) or ""
    start = head + sep + func + "("
    align = col + len(start)
    lines: list[str] = []
    line = start
    for i, arg in enumerate(args):
        text = arg + ("," if i < len(args) - 1 else ")")
        if line.strip() and not line.endswith("(") and (col if not lines else 0) + len(line) + 1 + len(text) > width:
            lines.append(line.rstrip())
            line = " " * (align - 4) + text  # _indented adds the keyword's indentation (4)
        else:
            line += ("" if line.endswith("(") else " ") + text
    return "\n".join(lines + [line])
