"""``--target v2``: the workspace and the submits around the command nodes (EM405, EM406).

A v2 node is submitted through an ``MLClient``: ``Experiment(ws, name).submit(est)`` becomes
``ml_client.jobs.create_or_update(est, experiment_name=name)`` (without the name v2 files the job
under the current folder's name, V19), ``run.wait_for_completion()`` becomes
``ml_client.jobs.stream(run.name)``, and ``ws = Workspace.from_config()`` becomes
``ml_client = MLClient.from_config(credential=DefaultAzureCredential())`` (the same config.json,
found the same way). When the workspace is still used for something else (a datastore, a
compute, an estimator left unchanged), it stays and the client is created next to it.

``check_uses`` runs before an estimator is rewritten: every use of it must be such a submit, or
the estimator stays as it is (never a v2 node handed to a v1 call). ``finish`` rewrites the
submits once no estimator is left to rewrite (the engine calls it in a pass without edits), with
the same reading of the code.
"""

from __future__ import annotations

import ast
import dataclasses

from estimator_migrate.analysis import static
from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.findings import Severity
from estimator_migrate.rules.edits import replace_in_statement
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.text import end_of, indentation
from estimator_migrate.v2 import client as v2client

_WORKSPACE = {"azureml.core.Workspace", "azureml.core.workspace.Workspace"}
_EXPERIMENT = {"azureml.core.Experiment", "azureml.core.experiment.Experiment"}
MEMORY_KEY = "v2_nodes"
PIPELINE_SUBMITS = "v2_pipeline_submits"  # the names of the pipelines pipeline_v2 rewrote


@dataclasses.dataclass
class Submit:
    call: ast.Call  # exp.submit(est) / Experiment(ws, "x").submit(est)
    stmt: ast.stmt
    job: str  # the node's name
    experiment: ast.Call  # the Experiment(...) call
    experiment_holder: ast.stmt | None  # ``exp = Experiment(...)`` when the receiver is a name
    workspace: ast.Name  # the workspace argument of the Experiment
    workspace_stmt: ast.Assign  # ``ws = Workspace.from_config()``
    workspace_call: ast.Call
    run: str | None  # ``run = ...submit(est)``
    waits: list[ast.stmt]  # ``run.wait_for_completion(...)`` statements
    mapped: list[tuple[ast.expr, str]]  # ``run.id``, ``run.get_portal_url()``, ...: v2client.RUN_MAPPINGS


def _qualified(ctx: FileContext, func: ast.expr) -> str | None:
    return ctx.names.qualified_name(func)


def _assigned(ctx: FileContext, name: ast.Name) -> tuple[ast.Assign, ast.expr] | None:
    binding = static.reaching_binding(ctx.names, name)
    if binding is None or binding.value is None or not isinstance(binding.node, ast.Assign):
        return None
    return binding.node, binding.value


def _workspace(ctx: FileContext, expr: ast.expr) -> tuple[ast.Assign, ast.Call] | str:
    if not isinstance(expr, ast.Name):
        return f"the experiment's workspace `{ctx.segment(expr)}` is not a name bound to a `Workspace`"
    found = _assigned(ctx, expr)
    if found is None or not isinstance(found[1], ast.Call):
        return f"the workspace `{expr.id}` is not certainly built by one `Workspace...` call in this file"
    call = _workspace_call(ctx, found[0])
    if call is None:
        return f"the workspace `{expr.id}` is not built by `Workspace.from_config()`, `Workspace(...)` or " \
               "`Workspace.get(...)` in a plain assignment"
    return found[0], call


def _workspace_call(ctx: FileContext, stmt: ast.Assign) -> ast.Call | None:
    call = stmt.value
    if not isinstance(call, ast.Call) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
        return None
    qual = _qualified(ctx, call.func) or ""
    ok = qual in _WORKSPACE or any(qual == f"{w}.{m}" for w in _WORKSPACE for m in ("from_config", "get"))
    if not ok or any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    return call


def submit_of(ctx: FileContext, use: ast.Name, job: str, *, pipeline: bool = False) -> Submit | str:
    """The submit ``use`` (a load of the node's name) stands in, or why it is not one the v2
    target can rewrite. A pipeline's submit may pass ``regenerate_outputs`` (pipeline_v2 writes it
    as the job's ``settings.force_rerun``; the create_or_update call drops it)."""
    call = ctx.parent(use)
    if isinstance(call, ast.keyword):  # submit(config=est)
        call = ctx.parent(call)
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "submit"
            and ((call.args and call.args[0] is use) or any(k.arg == "config" and k.value is use
                                                             for k in call.keywords))):
        shown = ctx.segment(call) if isinstance(call, ast.expr) else use.id
        return f"`{shown}` (line {ctx.origin_line(use.lineno)}) uses it"
    receiver = call.func.value
    holder = None
    experiment: ast.expr | None = receiver
    if isinstance(receiver, ast.Name):
        found = _assigned(ctx, receiver)
        holder, experiment = (found[0], found[1]) if found else (None, None)
    if not (isinstance(experiment, ast.Call) and _qualified(ctx, experiment.func) in _EXPERIMENT):
        return f"the submit on line {ctx.origin_line(call.lineno)} is not on an `Experiment(workspace, name)` built " \
               "in this file"
    if any(isinstance(a, ast.Starred) for a in experiment.args) or any(k.arg is None for k in experiment.keywords):
        return f"the experiment on line {ctx.origin_line(experiment.lineno)} hides its arguments"
    taken = ("config", "tags", "regenerate_outputs") if pipeline else ("config", "tags")
    extra = [k.arg for k in call.keywords if k.arg not in taken] + (["*args"] if len(call.args) > 1 else [])
    if extra:
        return f"its submit on line {ctx.origin_line(call.lineno)} passes {', '.join(f'`{e}`' for e in extra)}, " \
               "which a v2 job cannot take as it is (EM509)"
    args = [ctx.segment(a) for a in experiment.args]
    kwargs = {k.arg: ctx.segment(k.value) for k in experiment.keywords if k.arg}
    try:
        bound = v2client.bind("Experiment", args, {k: v for k, v in kwargs.items() if k in ("workspace", "name")})
    except (KeyError, TypeError, ValueError):
        return f"the experiment on line {ctx.origin_line(experiment.lineno)} does not name its workspace and name"
    if set(kwargs) - {"workspace", "name"} or "name" not in bound or "workspace" not in bound:
        return f"the experiment on line {ctx.origin_line(experiment.lineno)} passes more than a workspace and a name"
    ws_expr = experiment.args[0] if experiment.args else next(k.value for k in experiment.keywords
                                                              if k.arg == "workspace")
    found_ws = _workspace(ctx, ws_expr)
    if isinstance(found_ws, str):
        return found_ws
    assert isinstance(ws_expr, ast.Name)
    stmt = ctx.enclosing_statement(call)
    run = None
    waits: list[ast.stmt] = []
    mapped: list[tuple[ast.expr, str]] = []
    if isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1 and \
            isinstance(stmt.targets[0], ast.Name):
        run = stmt.targets[0].id
        from estimator_migrate.rules.downstream.migrated import uses_of

        for run_use in uses_of(ctx, run, stmt):
            parent = ctx.parent(run_use)
            method = parent.attr if isinstance(parent, ast.Attribute) else None
            wait = ctx.parent(parent) if parent is not None else None
            if method == "wait_for_completion" and isinstance(wait, ast.Call) and wait.func is parent and \
                    isinstance(ctx.parent(wait), ast.Expr):
                waits.append(ctx.enclosing_statement(wait))
                continue
            if isinstance(parent, ast.Expr) or (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name)
                                                 and parent.func.id == "print" and parent.args == [run_use]
                                                 and not parent.keywords):
                continue  # shown or printed: the v2 job shows itself
            widget = _run_details(ctx, parent, run_use)
            if widget is not None:
                mapped.append((widget, "details"))
                continue
            if method in v2client.RUN_MAPPINGS:
                whole = wait if method != "id" and isinstance(wait, ast.Call) and wait.func is parent else parent
                if method == "id" or whole is not parent:
                    assert isinstance(whole, ast.expr)
                    mapped.append((whole, method))
                    continue
            report = v2client.run_api_report(method) if method else None
            why = f"{report.message} (EM511)" if report else "a v2 job is not a v1 run"
            shown = ctx.segment(parent if isinstance(parent, ast.expr) else run_use)
            return f"the run it returns is used on line {ctx.origin_line(run_use.lineno)} (`{shown}`): {why}"
    elif not isinstance(stmt, ast.Expr) or stmt.value is not call:
        return f"the submit on line {ctx.origin_line(call.lineno)} is part of a larger expression"
    return Submit(call, stmt, job, experiment, holder, ws_expr, found_ws[0], found_ws[1], run, waits, mapped)


def check_uses(ctx: FileContext, plan: Plan, shared: bool = False) -> ast.Name | None:
    """Raises render_v2._Blocked when a use of the estimator could not follow it into v2; returns
    its use as the ``estimator`` of a HyperDriveConfig when that is its only use (a sweep).
    ``shared=True`` (estimators): the HyperDriveConfig may also share it with one submit the v2
    target rewrites (the node is submitted as it is and swept as ``node(x=...)``, a new node)."""
    from estimator_migrate.rules.downstream.migrated import uses_of
    from estimator_migrate.rules.estimator.render_v2 import _Blocked
    from estimator_migrate.rules.estimator.sweep_v2 import hyperdrive_call

    holder = plan.holder
    if holder is None or not holder.isidentifier():
        raise _Blocked("EM508", "it is not assigned to a plain name, which the v2 submit needs",
                       "Assign the estimator to a variable of its own, then run the tool again.")
    uses = uses_of(ctx, holder, plan.stmt)
    for use in uses:
        if static.reaching_binding(ctx.names, use) is None:
            # A loop or a branch may bind the name to something else first: the submit would get
            # a v2 node on one path and another value (a v1 estimator left as it is) on the other.
            raise _Blocked("EM508", f"`{holder}` on line {ctx.origin_line(use.lineno)} may also hold another value "
                           "bound to that name (a loop or a branch binds it too), and a submit can follow only one "
                           "node into v2", "Give each estimator a name of its own, then run the tool again.", use)
    hyperdrive = [u for u in uses if hyperdrive_call(ctx, u) is not None]
    if hyperdrive and len(uses) == 1:
        return hyperdrive[0]
    if hyperdrive:
        others = [u for u in uses if u is not hyperdrive[0]]
        if shared and len(hyperdrive) == 1 and len(others) == 1:
            found = submit_of(ctx, others[0], holder)
            if isinstance(found, Submit):
                return hyperdrive[0]
            shared_why = f"; the other use: {found.replace(' (EM509)', '').replace(' (EM511)', '')}, and only " \
                  "`Experiment(ws, name).submit(...)` is followed into v2"
        elif shared and len(hyperdrive) == 1:
            lines = ", ".join(str(ctx.origin_line(u.lineno)) for u in others)
            shared_why = f"; it is used {len(others)} more times (lines {lines}), and " \
                  "only one submit of it besides the sweep is followed into v2 (create_or_update changes the " \
                  "job object it is given, V20)"
        elif len(hyperdrive) > 1:
            shared_why = f"; {len(hyperdrive)} HyperDriveConfigs tune it (lines " \
                  f"{', '.join(str(ctx.origin_line(u.lineno)) for u in hyperdrive)}), and only one sweep of a " \
                  "node is followed into v2 (each sweep's command names its own tuned inputs)"
        else:
            shared_why = " (a sweep changes the node's command; a node shared with a submit is followed only for an " \
                  "`Estimator` and its framework classes: HyperDrive kept a ScriptRunConfig's fixed arguments and " \
                  "appended the sampled ones)"
        raise _Blocked("EM508", f"the HyperDriveConfig on line {ctx.origin_line(hyperdrive[0].lineno)} uses it, and so "
                       f"does other code{shared_why}",
                       "Give the HyperDriveConfig an estimator of its own, then run the tool again.", hyperdrive[0])
    if len(uses) > 1:
        raise _Blocked("EM508", f"it is submitted or used {len(uses)} times (lines "
                       f"{', '.join(str(ctx.origin_line(u.lineno)) for u in uses)}); v2's create_or_update changes "
                       "the job object it is given (V20), so a second submit of the same object is not verified",
                       "Build one estimator per submit, then run the tool again.", uses[1])
    for use in uses:
        found = submit_of(ctx, use, holder)
        if isinstance(found, str):
            hd = ctx.parent(use)
            while hd is not None and not isinstance(hd, ast.Call):
                hd = ctx.parent(hd)
            name = ctx.canonical_name(hd.func) if isinstance(hd, ast.Call) else None
            if name == "EstimatorStep":
                from estimator_migrate.rules import pipeline_v2

                why = pipeline_v2.refusal(ctx, hd) if isinstance(hd, ast.Call) else None
                reason = f"its pipeline is left unchanged ({why.message})" if why is not None else \
                    "it is not in a `Pipeline` the v2 target migrates"
                raise _Blocked("EM508", f"the EstimatorStep on line {ctx.origin_line(use.lineno)} uses it, and "
                               f"{reason}",
                               "Write the `@dsl.pipeline` by hand (see `--explain EM404`).", use)
            if "(EM509)" in found:
                raise _Blocked("EM509", found.replace(" (EM509)", ""), "Put the final arguments into the "
                               "estimator's `script_params`, then run the tool again.", use)
            if "(EM511)" in found:
                raise _Blocked("EM511", found.replace(" (EM511)", "") + "; the estimator is left as it is so that "
                               "the run keeps working", "Move that code to the v2 way (MLflow, ml_client.jobs), then "
                               "run the tool again.", use)
            raise _Blocked("EM508", f"{found}, and only `Experiment(ws, name).submit(...)` is followed into v2",
                           "Change that use by hand, or migrate with the default target.", use)
    return None


def check_sweep_uses(ctx: FileContext, sweep) -> None:
    """Every use of the HyperDriveConfig must be a submit the v2 target rewrites."""
    from estimator_migrate.rules.downstream.migrated import uses_of
    from estimator_migrate.rules.estimator.render_v2 import _Blocked

    uses = uses_of(ctx, sweep.holder, sweep.stmt)
    if len(uses) > 1:
        raise _Blocked("EM508", f"its HyperDriveConfig `{sweep.holder}` is used {len(uses)} times; v2's "
                       "create_or_update changes the job object it is given (V20)",
                       "Submit it once, then run the tool again.", uses[1])
    for use in uses:
        found = submit_of(ctx, use, sweep.holder)
        if isinstance(found, str) and "(EM511)" in found:
            raise _Blocked("EM511", f"its HyperDriveConfig `{sweep.holder}`: {found.replace(' (EM511)', '')}; both are "
                           "left as they are", "Move that code to the v2 way (MLflow), then run the tool again.", use)
        if isinstance(found, str):
            raise _Blocked("EM508", f"its HyperDriveConfig `{sweep.holder}`: {found}, and only "
                           "`Experiment(ws, name).submit(...)` is followed into v2",
                           "Change that use by hand, or migrate with the default target.", use)


# -- the rewrite --------------------------------------------------------------------------------
def finish(ctx: FileContext) -> None:
    """Rewrite the submits of the command nodes an earlier pass wrote, their workspace, and the
    compute lookups the nodes no longer need."""
    from estimator_migrate.rules.downstream.migrated import uses_of
    from estimator_migrate.rules.estimator.data_v2 import (
        DATASTORE_KEY,
        LOOKUP_KEY,
        dataset_lookup,
        datastore_lookup,
        output_construction,
    )
    from estimator_migrate.rules.estimator.render_v2 import COMPUTE_KEY, lookup_name

    nodes: dict = ctx.memory.get(MEMORY_KEY, {})
    if not nodes:
        return
    submits: list[Submit] = []
    for holder in nodes:
        for stmt in _node_statements(ctx, holder):
            for use in uses_of(ctx, holder, stmt):
                found = submit_of(ctx, use, holder, pipeline=holder in ctx.memory.get(PIPELINE_SUBMITS, {}))
                if isinstance(found, Submit):
                    submits.append(found)
    # ``cluster = ws.compute_targets["x"]`` that only the estimators used: they now name "x".
    lookups: dict[int, ast.Assign] = {}
    for node in ast.walk(ctx.tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        name = node.targets[0].id
        compute = name in ctx.memory.get(COMPUTE_KEY, {}) and lookup_name(ctx, node.value) is not None
        store = name in ctx.memory.get(DATASTORE_KEY, {}) and datastore_lookup(ctx, node.value)
        data = name in ctx.memory.get(LOOKUP_KEY, {}) and (dataset_lookup(ctx, node.value) or
                                                          output_construction(ctx, node.value))
        if (compute or store or data) and not uses_of(ctx, name, node):
            lookups[id(node)] = node
    for stmt in lookups.values():
        ctx.edits.append(Edit(stmt.lineno, end_of(stmt)[0], ""))
    for ws_stmt in [n for n in ast.walk(ctx.tree) if isinstance(n, ast.Assign)]:
        found_ws = _workspace_statement(ctx, ws_stmt)
        if found_ws is not None:
            _rewrite(ctx, ws_stmt, found_ws, [s for s in submits if s.workspace_stmt is ws_stmt], set(lookups))


def _workspace_statement(ctx: FileContext, stmt: ast.Assign) -> ast.Call | None:
    return _workspace_call(ctx, stmt)


def _node_statements(ctx: FileContext, holder: str) -> list[ast.Assign]:
    """The statements that bind a node the v2 renderers wrote to ``holder``: ``holder =
    command(...)``, ``holder = node(...).sweep(...)`` or ``holder = <a @dsl.pipeline function>(...)``.
    Another binding of the same name (an estimator left as it was, the estimator a factory
    function returns) is not one: the submits it reaches stay v1."""
    pipelines = {node.name for node in ast.walk(ctx.tree) if isinstance(node, ast.FunctionDef)
                 and any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "pipeline"
                         for d in node.decorator_list)}
    found = []
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id == holder and _writes_node(node.value, pipelines):
            found.append(node)
    return found


def _writes_node(value: ast.expr, pipelines: set[str]) -> bool:
    """``command(...)``, ``node(...).sweep(...)`` or a call of a ``@dsl.pipeline`` function."""
    from estimator_migrate.rewrite.imports import ALIAS_PREFIX

    if not isinstance(value, ast.Call):
        return False
    func = value.func
    return (isinstance(func, ast.Name) and func.id in ("command", ALIAS_PREFIX + "command", *pipelines)) or \
        (isinstance(func, ast.Attribute) and func.attr == "sweep")


def _rewrite(ctx: FileContext, ws_stmt: ast.Assign, ws_call: ast.Call, group: list[Submit],
             removed: set[int]) -> None:
    from estimator_migrate.rules.downstream.migrated import uses_of

    target = ws_stmt.targets[0]
    assert isinstance(target, ast.Name)
    ws_name = target.id
    rewritten = {id(s.call) for s in group}
    # Experiments bound to a name whose every use is a rewritten submit go with them.
    removable: dict[int, ast.stmt] = {}
    for s in group:
        holder = s.experiment_holder
        if holder is not None and id(holder) not in removable and isinstance(holder, ast.Assign):
            name = holder.targets[0]
            assert isinstance(name, ast.Name)
            if all(_inside(ctx, u, rewritten) for u in uses_of(ctx, name.id, holder)):
                removable[id(holder)] = holder
    consumed = rewritten | set(removable) | removed
    replace_ws = all(_inside(ctx, u, consumed) for u in uses_of(ctx, ws_name, ws_stmt))
    if not group and not replace_ws:
        return  # still a v1 workspace for v1 code, and nothing to submit through a client
    client = ctx.unique_name("ml_client")
    qual = _qualified(ctx, ws_call.func) or ""
    args = [ctx.segment(a) for a in ws_call.args]
    kwargs = {k.arg: ctx.segment(k.value) for k in ws_call.keywords if k.arg}
    try:
        if qual.endswith(".from_config"):
            snippet = v2client.workspace_from_config(args, kwargs)
        elif qual.endswith(".get"):
            snippet = v2client.workspace_get(args, kwargs)
        else:
            snippet = v2client.workspace(args, kwargs)
    except Exception as exc:  # noqa: BLE001 - an unusual signature: leave it to a person
        ctx.report("EM512", ws_call, f"the workspace construction could not be translated ({exc}); its submits "
                   "were left unchanged", "Create the MLClient by hand.")
        return
    lines = (ws_stmt.lineno,)
    indent = indentation(ctx.lines[ws_stmt.lineno - 1])
    nl = ctx.newline
    new_client = f"{client} = {snippet.code}"
    stmt_end = end_of(ws_stmt)[0]
    if replace_ws:
        ctx.edits.append(Edit(ws_stmt.lineno, stmt_end, indent + new_client + nl))
    else:
        text = "".join(ctx.lines[ws_stmt.lineno - 1:stmt_end])
        if not text.endswith(("\n", "\r")):
            text += nl
        ctx.edits.append(Edit(ws_stmt.lineno, stmt_end, text + indent + new_client + nl))
    ctx.report("EM405", ws_call, f"`{ctx.segment(ws_call.func)}` -> `MLClient`"
               + ("" if replace_ws else f" next to it (the workspace `{ws_name}` is still used)"),
               "azure-identity is not installed by azure-ai-ml: add it to the project's requirements.",
               fixed=True, severity=Severity.WARNING, lines=lines)
    for rep in snippet.reports:
        ctx.report(rep.code, ws_call, rep.message, rep.hint, lines=lines)
    for stmt in removable.values():
        ctx.edits.append(Edit(stmt.lineno, end_of(stmt)[0], ""))
    for s in group:
        experiment = ctx.segment(_name_arg(s.experiment))
        tags = next((ctx.segment(k.value) for k in s.call.keywords if k.arg == "tags"), None)
        parts = [s.job, f"experiment_name={experiment}"] + ([f"tags={tags}"] if tags else [])
        new = f"{client}.jobs.create_or_update({', '.join(parts)})"
        ctx.edits.append(replace_in_statement(ctx, s.stmt, [(s.call, new)]))
        ctx.report("EM406", s.call, f"`.submit({s.job})` -> `{client}.jobs.create_or_update(...)` with the "
                   "experiment's name", fixed=True, severity=Severity.WARNING, lines=(s.stmt.lineno,))
        changes: dict[int, tuple[ast.stmt, list[tuple[ast.expr, str]]]] = {}
        for wait in s.waits:
            assert isinstance(wait, ast.Expr)
            changes.setdefault(id(wait), (wait, []))[1].append((wait.value, f"{client}.jobs.stream({s.run}.name)"))
        for node, method in s.mapped:
            holder_stmt = ctx.enclosing_statement(node)
            if method == "details":
                changes.setdefault(id(holder_stmt), (holder_stmt, []))[1].append((node, f"print({s.run}.studio_url)"))
                ctx.report("EM453", node, "the RunDetails widget has no v2 counterpart; the job's studio link is "
                           "printed instead", "Open the link to follow the job, or stream its log with "
                           f"`{client}.jobs.stream({s.run}.name)`.", fixed=True, lines=(holder_stmt.lineno,))
                continue
            found = v2client.run_call(client, s.run or "", method)
            assert found is not None
            changes.setdefault(id(holder_stmt), (holder_stmt, []))[1].append((node, found.code))
        for holder_stmt, pairs in changes.values():
            ctx.edits.append(replace_in_statement(ctx, holder_stmt, pairs))


def _run_details(ctx: FileContext, parent: ast.AST | None, run_use: ast.Name) -> ast.Call | None:
    """``RunDetails(run).show()`` as a statement of its own (a notebook widget), else None."""
    if not (isinstance(parent, ast.Call) and parent.args == [run_use] and not parent.keywords
            and _qualified(ctx, parent.func) in ("azureml.widgets.RunDetails",
                                                 "azureml.widgets.run_details.RunDetails")):
        return None
    show = ctx.parent(parent)
    call = ctx.parent(show) if isinstance(show, ast.Attribute) and show.attr == "show" else None
    if isinstance(call, ast.Call) and call.func is show and not call.args and not call.keywords and \
            isinstance(ctx.parent(call), ast.Expr):
        return call
    return None


def _name_arg(experiment: ast.Call) -> ast.expr:
    if len(experiment.args) > 1:
        return experiment.args[1]
    return next(k.value for k in experiment.keywords if k.arg == "name")


def _inside(ctx: FileContext, node: ast.AST, ids: set[int]) -> bool:
    current: ast.AST | None = node
    while current is not None:
        if id(current) in ids:
            return True
        current = ctx.parent(current)
    return False


# -- v1 job objects the v2 target does not rewrite yet ----------------------------------------------
def _not_yet(what: str, explain: str):
    def report(ctx: FileContext, call: ast.Call) -> None:
        line = ctx.enclosing_statement(call).lineno
        if any(e.start <= line <= e.end for e in ctx.edits):
            return  # rewritten in this pass (a HyperDriveConfig that became a sweep)
        ctx.report("EM508", call, f"`{ctx.segment(call.func)}` ({what}) is not migrated by `--target v2` yet; it is "
                   "left unchanged", f"Write the v2 code by hand (see `--explain {explain}`).")
    return report


def _src_v2_migrate(ctx: FileContext, call: ast.Call) -> None:
    from estimator_migrate.rules import src_v2

    src_v2.migrate(ctx, call)


def _pipeline(ctx: FileContext, call: ast.Call) -> None:
    from estimator_migrate.rules import pipeline_v2

    pipeline_v2.migrate(ctx, call)


def _pipeline_step(ctx: FileContext, call: ast.Call) -> None:
    from estimator_migrate.rules import pipeline_v2

    pipeline_v2.estimator_step(ctx, call)


# canonical name -> handlers the engine uses under ``--target v2`` instead of the ScriptRunConfig
# target's rules for the same names.
HANDLERS = {
    "ScriptRunConfig": [_src_v2_migrate],
    "HyperDriveConfig": [_not_yet("a HyperDrive run, migrated to a sweep only together with the estimator it tunes: "
                                  "see the finding at the estimator", "EM403")],
    "HyperDriveRunConfig": [_not_yet("a HyperDrive run", "EM403")],
    "EstimatorStep": [_pipeline_step],
    "Pipeline": [_pipeline],
    "HyperDriveStep": [_not_yet("a pipeline step", "EM404")],
}
