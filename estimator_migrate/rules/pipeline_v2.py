"""``--target v2``: a v1 ``Pipeline`` of ``PythonScriptStep``/``EstimatorStep`` becomes a
``@dsl.pipeline`` of ``command()`` nodes (EM404).

All or nothing per pipeline: the whole pipeline (its steps, the estimators of its EstimatorSteps,
their run configurations, PipelineData, PipelineParameters and DataReferences) is read first;
anything the v2 target cannot prove the same leaves every part of it unchanged and reported
(EM508 with the reason, or the estimator's own EM5xx).

The shape (spec v2 §9, design note §4): each step becomes ``<node>_command = command(name=<step
name>, ...)`` in the step's place; the pipeline statement becomes a ``@dsl.pipeline`` function
whose body calls each command, assigned to a variable named after the step (the node's name,
V35), then ``pipeline = <function>(<data inputs>)``. ``PipelineData`` is an ``Output`` of its
producer and ``producer.outputs.<name>`` for its consumers; a ``PipelineParameter`` is a
parameter of the function with its default; a DataReference or a registered dataset is an input
of the pipeline, given as ``Input(type=..., path=..., mode=...)`` where the function is called.
A PythonScriptStep's ``RunConfiguration()`` (default or built here from literals) is its
environment, with v1's ``2g`` of shared memory written (V12); ``allow_reuse=False`` is
``is_deterministic=False``; a step on another compute than the first step's gets
``node.compute = ...``. The submit (``Experiment(ws, n).submit(pipeline)``) and the workspace are
rewritten by ``v2_client.finish`` like a command job's.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Any

from estimator_migrate.analysis import static
from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.findings import Severity
from estimator_migrate.rules.edits import new_group
from estimator_migrate.text import end_of
from estimator_migrate.v2 import command as v2command
from estimator_migrate.v2 import data as v2data
from estimator_migrate.v2 import environment as v2env
from estimator_migrate.v2.conda import CondaDocument, NeverRan, v1_defaults
from estimator_migrate.v2.names import IDENTIFIER, Names, from_flag, identifier, looks_generated
from estimator_migrate.v2.snippet import Report, py_string

_literal = static.written_literal  # a literal written in place, no names followed

_PIPELINE = {"azureml.pipeline.core.Pipeline", "azureml.pipeline.core.pipeline.Pipeline"}
_PIPELINE_DATA = {"azureml.pipeline.core.PipelineData", "azureml.pipeline.core.builder.PipelineData"}
_PARAMETER = {"azureml.pipeline.core.PipelineParameter", "azureml.pipeline.core.graph.PipelineParameter"}
_DATA_REFERENCE = {"azureml.data.data_reference.DataReference"}
_RUNCONFIG = {"azureml.core.runconfig.RunConfiguration", "azureml.core.RunConfiguration"}
_PYTHON_STEP = {"azureml.pipeline.steps.PythonScriptStep",
                "azureml.pipeline.steps.python_script_step.PythonScriptStep"}
_PSS_PARAMS = ["script_name", "name", "arguments", "compute_target", "runconfig", "runconfig_pipeline_params",
               "inputs", "outputs", "params", "source_directory", "allow_reuse", "version", "hash_paths"]
_ES_PARAMS = ["name", "estimator", "estimator_entry_script_arguments", "runconfig_pipeline_params", "inputs",
              "outputs", "compute_target", "allow_reuse", "version"]
_CONDA_CREATE = {"azureml.core.conda_dependencies.CondaDependencies.create",
                 "azureml.core.runconfig.CondaDependencies.create", "azureml.core.CondaDependencies.create"}
# What ``CondaDependencies.create`` of the pinned v1 SDK (azureml-core 1.61.0) reads from its installation
# (tests/test_v2_pipelines.py compares them with the installed SDK): the default python pin, the pip
# index it writes as options (``sdk_origin_url()`` differs from ``DEFAULT_SDK_ORIGIN``), and the
# package names it pins to the client's version (the shipped scope file holds one character a line).
_CREATE_PYTHON = "3.10.18"
_CREATE_FIND_LINKS = "https://pypi.python.org/simple/index.html"
_CREATE_EXTRA_INDEX = "https://pypi.python.org/simple"
_CREATE_SDK_SCOPE = tuple("azureml-core")
_HINT = "Write the `@dsl.pipeline` by hand (see `--explain EM404`), or change that part, then run the tool again."
_ATTR = "_pipeline_v2"


class _No(Exception):
    """Why a pipeline stays v1."""

    def __init__(self, message: str, node: ast.AST | None = None, code: str = "EM508", hint: str = _HINT):
        super().__init__(message)
        self.message, self.node, self.code, self.hint = message, node, code, hint
        self.steps: set[int] = set()  # the step calls of the pipeline it refuses


@dataclasses.dataclass
class _Step:
    holder: str
    stmt: ast.stmt
    call: ast.Call
    kind: str  # PythonScriptStep / EstimatorStep
    node: str  # the v2 node's name: the variable inside the pipeline function
    command_var: str = ""
    keywords: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    pre_lines: list[str] = dataclasses.field(default_factory=list)
    compute: str = ""
    bindings: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # node call keywords
    reports: list[Report] = dataclasses.field(default_factory=list)
    estimator: ast.Call | None = None
    outputs: dict[str, str] = dataclasses.field(default_factory=dict)  # v1 PipelineData variable -> output name
    output_paths: dict[str, str] = dataclasses.field(default_factory=dict)  # ... -> Output path code (a datastore)


@dataclasses.dataclass
class _Pipe:
    call: ast.Call
    stmt: ast.Assign
    holder: str
    func: str
    steps: list[_Step]
    params: dict[str, str]  # function parameter -> default code (PipelineParameter)
    data: dict[str, str]  # function parameter -> Input code given at the call (DataReference, dataset)
    edits: list[Edit]  # statements replaced or removed besides the steps and the pipeline
    owned: set[int]  # ids of the calls this rewrite replaces (steps, estimators)
    takeover: list[str]
    reports: list[Report]
    default: str = ""  # the default compute (the first step's)
    description: str | None = None  # code of the v1 description (a @dsl.pipeline argument)
    env_vars: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # runconfig -> variables
    force_rerun: bool = False  # the submit's regenerate_outputs=True


class _Plan:
    """What data_v2's helpers need of a plan (the SrcPlan/Plan interface)."""

    def __init__(self, ctx: FileContext, call: ast.Call, stmt: ast.stmt, holder: str | None):
        self.ctx, self.call, self.stmt, self.holder, self.quote = ctx, call, stmt, holder, '"'

    def q(self, text: str) -> str:
        return py_string(text)

    def portable(self, expr: ast.expr) -> bool:
        return static.portable(self.ctx.names, expr, self.call)

    def resolve(self, expr: ast.expr) -> ast.expr:
        return static.resolve(self.ctx.names, expr, self.call)


def _qual(ctx: FileContext, call: ast.expr) -> str:
    return (ctx.names.qualified_name(call.func) if isinstance(call, ast.Call) else None) or ""


def _bind(ctx: FileContext, call: ast.Call, params: list[str], what: str) -> dict[str, ast.expr]:
    if len(call.args) > len(params) or any(isinstance(a, ast.Starred) for a in call.args) or \
            any(k.arg is None for k in call.keywords):
        raise _No(f"the {what} on line {call.lineno} unpacks its arguments (`*`/`**`)", call)
    bound = dict(zip(params, call.args, strict=False))
    for k in call.keywords:
        assert k.arg is not None
        if k.arg not in params:
            raise _No(f"`{k.arg}=` is not a parameter of the {what} on line {call.lineno}", k.value)
        bound[k.arg] = k.value
    return {k: v for k, v in bound.items() if not (isinstance(v, ast.Constant) and v.value is None)}


def _module_assign(ctx: FileContext, name: ast.Name, what: str) -> tuple[ast.Assign, ast.expr]:
    """The ``name = value`` statement (module level, the only binding) that ``name`` reads."""
    binding = static.reaching_binding(ctx.names, name)
    stmt = binding.node if binding is not None else None
    if binding is None or binding.value is None or not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or \
            not isinstance(stmt.targets[0], ast.Name) or ctx.parent(stmt) is not ctx.tree or \
            binding.value is not stmt.value:
        raise _No(f"the {what} `{name.id}` is not certainly assigned by one plain statement at the top level of the "
                  "file", name)
    return stmt, binding.value


def _uses(ctx: FileContext, name: str, stmt: ast.stmt) -> list[ast.Name]:
    from estimator_migrate.rules.downstream.migrated import uses_of

    return uses_of(ctx, name, stmt)


def _inside(node: ast.AST, stmts: list[ast.stmt]) -> bool:
    line = getattr(node, "lineno", 0)
    return any(s.lineno <= line <= end_of(s)[0] for s in stmts)


# -- the analysis, once per pass -----------------------------------------------------------------
def analyze(ctx: FileContext) -> dict[int, _Pipe | _No]:
    found = getattr(ctx, _ATTR, None)
    if found is not None:
        return found
    found = {}
    setattr(ctx, _ATTR, found)
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Call) and _qual(ctx, node) in _PIPELINE:
            try:
                found[id(node)] = _read(ctx, node)
            except _No as exc:
                found[id(node)] = exc
            except Exception as exc:  # noqa: BLE001 - a bug here must not lose the other calls
                found[id(node)] = _No(f"internal error while reading it ({type(exc).__name__}: {exc})", node,
                                      "EM902", "Please report this with the code of the pipeline.")
    return found


def owner(ctx: FileContext, call: ast.Call) -> _Pipe | None:
    """The pipeline that will rewrite ``call`` (an estimator or a step), if any."""
    for pipe in analyze(ctx).values():
        if isinstance(pipe, _Pipe) and id(call) in pipe.owned:
            return pipe
    return None


def refusal(ctx: FileContext, step: ast.Call) -> _No | None:
    """Why the pipeline that lists ``step`` stays v1 (None when it is migrated, or no pipeline
    of this file lists it)."""
    for pipe in analyze(ctx).values():
        if isinstance(pipe, _No) and id(step) in pipe.steps:
            return pipe
    return None


def _read(ctx: FileContext, call: ast.Call) -> _Pipe:
    stmt = ctx.enclosing_statement(call)
    if not (isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1 and
            isinstance(stmt.targets[0], ast.Name) and ctx.parent(stmt) is ctx.tree):
        raise _No("the pipeline is not assigned to a name of its own at the top level of the file", call)
    holder = stmt.targets[0].id
    bound = _bind(ctx, call, ["workspace", "steps", "description", "default_datastore", "default_source_directory",
                              "resolve_closure"], "Pipeline")
    extra = sorted(set(bound) - {"workspace", "steps", "description"})
    if extra:
        raise _No(f"the pipeline passes {', '.join(f'`{e}`' for e in extra)}, which the v2 target does not map",
                  bound[extra[0]])
    steps_expr = bound.get("steps")
    steps_list = static.resolve(ctx.names, steps_expr, call) if steps_expr is not None else None
    if not isinstance(steps_list, (ast.List, ast.Tuple)) or not steps_list.elts or \
            not all(isinstance(e, ast.Name) for e in steps_list.elts):
        raise _No("its `steps` are not a list of step variables written in the file", steps_expr or call)
    list_stmt: ast.stmt | None = None
    if steps_list is not steps_expr:  # ``steps = [a, b]`` read only here: it goes with the pipeline
        assert isinstance(steps_expr, ast.Name)
        list_stmt, _ = _module_assign(ctx, steps_expr, "step list")
        if [u for u in _uses(ctx, steps_expr.id, list_stmt) if u is not steps_expr]:
            raise _No(f"the step list `{steps_expr.id}` is used elsewhere too", steps_expr)
    # the steps (an EstimatorStep of a refused pipeline says why: the calls the list certainly names)
    listed: set[int] = set()
    for elt in steps_list.elts:
        binding = static.reaching_binding(ctx.names, elt) if isinstance(elt, ast.Name) else None
        if binding is not None and isinstance(binding.value, ast.Call):
            listed.add(id(binding.value))
    try:
        steps: list[_Step] = []
        for elt in steps_list.elts:
            assert isinstance(elt, ast.Name)
            step_stmt, value = _module_assign(ctx, elt, "step")
            qual = _qual(ctx, value)
            kind = "PythonScriptStep" if qual in _PYTHON_STEP else \
                "EstimatorStep" if isinstance(value, ast.Call) and ctx.canonical_name(value.func) == "EstimatorStep" \
                else None
            if kind is None or not isinstance(value, ast.Call):
                what = ctx.segment(value.func) if isinstance(value, ast.Call) else ctx.segment(value)
                raise _No(f"its step `{elt.id}` is a `{what}`; only PythonScriptStep and EstimatorStep are migrated",
                          elt)
            if [u for u in _uses(ctx, elt.id, step_stmt) if u is not elt]:
                raise _No(f"the step `{elt.id}` is used elsewhere too (a step object shared by pipelines or read "
                          "after)", elt)
            steps.append(_Step(elt.id, step_stmt, value, kind, ""))
        pipe = _translate(ctx, call, stmt, holder, steps, set(), list_stmt)
        if "description" in bound:
            pipe.description = ctx.segment(bound["description"])
        return pipe
    except _No as exc:
        exc.steps = listed
        raise


def _translate(ctx: FileContext, call: ast.Call, stmt: ast.Assign, holder: str, steps: list[_Step],
               taken_nodes: set[str], list_stmt: ast.stmt | None) -> _Pipe:
    from estimator_migrate.rules import v2_client

    uses = _uses(ctx, holder, stmt)
    validations = [u for u in uses if _validation(ctx, u)]
    uses = [u for u in uses if u not in validations]
    pipe = _Pipe(call, stmt, holder, "", steps, {}, {}, [], set(), [], [])
    # what each step produces (PipelineData in its outputs)
    produced: dict[str, _Step] = {}
    bound_steps: list[dict[str, ast.expr]] = []
    for step in steps:
        params = _PSS_PARAMS if step.kind == "PythonScriptStep" else _ES_PARAMS
        bound = _bind(ctx, step.call, params, step.kind)
        for name in ("runconfig_pipeline_params", "params", "version", "hash_paths"):
            if name in bound:
                raise _No(f"the step `{step.holder}` passes `{name}=`, which has no verified v2 counterpart",
                          bound[name])
        for pd in _names_list(ctx, bound.get("outputs"), step, "outputs"):
            pd_call = _module_assign(ctx, pd, "output")[1]
            if _qual(ctx, pd_call) not in _PIPELINE_DATA:
                raise _No(f"the output `{pd.id}` of step `{step.holder}` is not a PipelineData", pd)
            if pd.id in produced:
                raise _No(f"the PipelineData `{pd.id}` is an output of two steps", pd)
            produced[pd.id] = step
            step.outputs[pd.id], path = _pipeline_data_name(ctx, pd_call, pd)
            if path is not None:
                step.output_paths[pd.id] = path
                pipe.reports.append(Report("EM453", f"the PipelineData `{pd.id}` is written to the datastore it named, "
                                           "under v2's folder layout (`azureml/<job>/<output>`)", "Check what "
                                           "reads that folder outside the pipeline."))
        bound_steps.append(bound)
    removed: dict[int, ast.stmt] = {}  # v1 statements that go with the pipeline
    for u in validations:
        check = ctx.enclosing_statement(u)
        removed[id(check)] = check
        pipe.reports.append(Report("EM453", f"`{holder}.validate()` (line {check.lineno}) was removed: a v2 pipeline "
                                   "job is validated when it is submitted", "To check it before, call "
                                   f"`ml_client.jobs.validate({holder})`."))
    if list_stmt is not None:
        removed[id(list_stmt)] = list_stmt
    replaced = [s.stmt for s in steps] + [stmt]
    env_cache: dict[str, str] = {}
    compute_names: list[str] = []
    for index, (step, bound) in enumerate(zip(steps, bound_steps, strict=True)):
        name = _literal(bound.get("name"))
        if step.kind == "PythonScriptStep" and name is None:
            name = _literal(bound.get("script_name"))
        if not isinstance(name, str) or not name:
            raise _No(f"the step `{step.holder}` has no literal `name`; the v2 node is named after it (V35)",
                      bound.get("name") or step.call)
        node = identifier(name)
        if node != __import__("re").sub(r"\W", "_", name) and not node.startswith("_"):
            raise _No(f"the step name {name!r} is a Python keyword; the v2 node (a variable) cannot have that name",
                      bound.get("name"))
        if node.lower() in taken_nodes:
            raise _No(f"two steps are named {name!r} (the v2 nodes are variables named after them)", step.call)
        taken_nodes.add(node.lower())
        step.node = node
        step.command_var = ctx.unique_name(f"{node}_command")
        step.keywords.append(("name", py_string(name)))
        reuse = _literal(bound.get("allow_reuse"))
        if reuse is static.UNKNOWN or not isinstance(reuse, (bool, type(None))):
            raise _No(f"`allow_reuse` of step `{step.holder}` is not True or False", bound.get("allow_reuse"))
        step.compute = _compute(ctx, bound.get("compute_target"), step)
        compute_names.append(step.compute)
        if step.kind == "PythonScriptStep":
            _python_step(ctx, pipe, step, bound, produced, index, removed, env_cache)
        else:
            _estimator_step(ctx, pipe, step, bound, produced, index, removed)
        if reuse is False:
            step.keywords.append(("is_deterministic", "False"))
    # every statement that goes must only be read by what is replaced or goes
    gone = replaced + list(removed.values())
    for old in removed.values():
        target = old.targets[0] if isinstance(old, ast.Assign) and len(old.targets) == 1 else None
        if isinstance(target, ast.Name):
            for u in _uses(ctx, target.id, old):
                if not _inside(u, gone):
                    raise _No(f"`{target.id}` (line {old.lineno}) is also used on line {u.lineno}, outside the "
                              "pipeline", u)
    # ``store = ws.get_default_datastore()`` read only by what goes (the PipelineData) goes too
    for top in ctx.tree.body:
        if isinstance(top, ast.Assign) and len(top.targets) == 1 and isinstance(top.targets[0], ast.Name) and \
                _default_datastore(ctx, top.value) and id(top) not in removed:
            top_uses = _uses(ctx, top.targets[0].id, top)
            kept = any(f"{top.targets[0].id}." in code for code in pipe.data.values())  # read by an Input's path
            if top_uses and not kept and all(_inside(u, gone) for u in top_uses):
                removed[id(top)] = top
    pipe.edits = [Edit(s.lineno, end_of(s)[0], "") for s in sorted(removed.values(), key=lambda s: s.lineno)]
    # the submit, last: what a reader most often has to change by hand
    submits = [u for u in uses if not isinstance(v2_client.submit_of(ctx, u, holder, pipeline=True), str)]
    others = [u for u in uses if u not in submits]
    if others:
        shown = ", ".join(f"`{_shown(ctx, u)}` (line {u.lineno})" for u in others[:3])
        found = v2_client.submit_of(ctx, others[0], holder, pipeline=True) if len(uses) == 1 else ""
        why = found.replace(" (EM509)", "").replace(" (EM511)", "") if isinstance(found, str) and found and \
            not found.startswith("`") else f"it is used by {shown}, which v2 pipeline jobs have no counterpart for " \
            "in this tool"
        raise _No(why, others[0])
    if len(submits) != 1:
        raise _No(f"the pipeline `{holder}` is submitted {len(submits)} times; v2's create_or_update changes the job "
                  "it is given (V20)", submits[1] if submits else call)
    submit = v2_client.submit_of(ctx, submits[0], holder, pipeline=True)
    assert not isinstance(submit, str)
    rerun = next((k.value for k in submit.call.keywords if k.arg == "regenerate_outputs"), None)
    if rerun is not None:
        if not isinstance(_literal(rerun), bool):
            raise _No("its submit's `regenerate_outputs` is not True or False", rerun)
        pipe.force_rerun = _literal(rerun)  # v2's ``settings.force_rerun``; False is the default on both sides
    experiment = _literal(v2_client._name_arg(submit.experiment))
    pipe.func = ctx.unique_name(identifier(experiment) if isinstance(experiment, str) and experiment
                                else f"{holder}_steps")
    pipe.owned |= {id(s.call) for s in steps}
    pipe.default = compute_names[0]
    # the nodes are locals of the pipeline function: none may hide a name the function reads
    read = set(pipe.params) | set(pipe.data) | {s.command_var for s in steps}
    for code in compute_names:
        read |= {n.id for n in ast.walk(ast.parse(code, mode="eval")) if isinstance(n, ast.Name)}
    for s in steps:
        if s.node in read or s.node in ("dsl", "Input", "Output", "command"):
            raise _No(f"the step name of `{s.holder}` gives the node variable `{s.node}`, which would hide a name "
                      "the pipeline function reads", s.call)
    return pipe


def _shown(ctx: FileContext, use: ast.Name) -> str:
    node: ast.AST = use
    parent = ctx.parent(node)
    while isinstance(parent, (ast.Attribute, ast.Call)) and not (isinstance(parent, ast.Call) and node is not
                                                                 parent.func):
        node, parent = parent, ctx.parent(parent)
    text = ctx.segment(node) if isinstance(node, ast.expr) else use.id
    return text if len(text) <= 60 and "\n" not in text else text.split("(")[0] + "(...)"


def _validation(ctx: FileContext, use: ast.Name) -> bool:
    """``pipeline.validate()`` as a statement of its own, at the top level."""
    attr = ctx.parent(use)
    call = ctx.parent(attr) if isinstance(attr, ast.Attribute) and attr.attr == "validate" else None
    holder = ctx.parent(call) if isinstance(call, ast.Call) else None
    return isinstance(call, ast.Call) and call.func is attr and not call.args and not call.keywords and \
        isinstance(holder, ast.Expr) and ctx.parent(holder) is ctx.tree


def _names_list(ctx: FileContext, expr: ast.expr | None, step: _Step, what: str) -> list[ast.Name]:
    if expr is None:
        return []
    if not isinstance(expr, (ast.List, ast.Tuple)) or not all(isinstance(e, ast.Name) for e in expr.elts):
        raise _No(f"the `{what}` of step `{step.holder}` are not a list of names written in the call", expr)
    return list(expr.elts)  # type: ignore[arg-type]


def _pipeline_data_name(ctx: FileContext, pd_call: ast.expr, pd: ast.Name) -> tuple[str, str | None]:
    """The output name of a PipelineData, and the code of its ``Output`` path when it names a
    datastore other than the default one."""
    assert isinstance(pd_call, ast.Call)
    bound = _bind(ctx, pd_call, ["name", "datastore", "output_name", "output_mode", "output_path_on_compute",
                                 "output_overwrite", "data_type", "is_directory", "pipeline_output_name",
                                 "training_output"], "PipelineData")
    extra = sorted(set(bound) - {"name", "datastore", "output_mode"})
    if extra:
        raise _No(f"the PipelineData `{pd.id}` passes `{extra[0]}=`, which the v2 target does not map", bound[extra[0]])
    if _literal(bound.get("output_mode")) not in (None, "mount"):
        raise _No(f"the PipelineData `{pd.id}` is not mounted (`output_mode`), which the v2 target does not map",
                  bound["output_mode"])
    name = _literal(bound.get("name"))
    if not isinstance(name, str) or not IDENTIFIER.match(name) or identifier(name) != name:
        raise _No(f"the PipelineData `{pd.id}` is not named by a literal that is a valid v2 output name", pd_call)
    path = None
    if "datastore" in bound and not _default_datastore(ctx, bound["datastore"]):
        from estimator_migrate.rules.estimator import data_v2
        from estimator_migrate.rules.estimator.render_v2 import _Blocked

        store = bound["datastore"]
        built = data_v2._follow(_Plan(ctx, pd_call, ctx.enclosing_statement(pd_call), pd.id), store)  # type: ignore[arg-type]
        if not data_v2.datastore_lookup(ctx, built):
            raise _No(f"the PipelineData `{pd.id}` is written to a datastore the tool cannot name (not the default "
                      "one, nor `Datastore(ws, \"name\")`/`Datastore.get(ws, \"name\")`)", store)
        try:
            code = data_v2._datastore_name(_Plan(ctx, pd_call, ctx.enclosing_statement(pd_call), pd.id), store)  # type: ignore[arg-type]
        except _Blocked as exc:
            raise _No(exc.message.message, store, exc.message.code) from None
        store_name = _literal(ast.parse(code, mode="eval").body)
        if not isinstance(store_name, str):
            raise _No(f"the datastore of the PipelineData `{pd.id}` is not named by a literal", store)
        path = py_string(f"azureml://datastores/{store_name}/paths/azureml/${{{{name}}}}/${{{{output_name}}}}/")
    return name, path


def _default_datastore(ctx: FileContext, expr: ast.expr) -> bool:
    built = expr
    if isinstance(expr, ast.Name):
        binding = static.reaching_binding(ctx.names, expr)
        built = binding.value if binding is not None and binding.value is not None else expr
    return isinstance(built, ast.Call) and isinstance(built.func, ast.Attribute) and \
        built.func.attr == "get_default_datastore" and not built.args and not built.keywords


def _compute(ctx: FileContext, expr: ast.expr | None, step: _Step) -> str:
    from estimator_migrate.rules.estimator.render_v2 import COMPUTE_KEY, _compute_object, lookup_name

    if expr is None:
        raise _No(f"the step `{step.holder}` names no `compute_target`", step.call)
    value = _literal(expr)
    if isinstance(value, str):
        if value == "local":
            raise _No("a pipeline step on 'local' compute: v2 pipelines run on a cluster", expr)
        return py_string(value)
    if isinstance(expr, ast.Name):
        binding = static.reaching_binding(ctx.names, expr)
        built = binding.value if binding is not None and binding.value is not None else None
        name = lookup_name(ctx, built) if built is not None else None
        if name is not None:
            ctx.memory.setdefault(COMPUTE_KEY, {})[expr.id] = True
            return py_string(name)
        if isinstance(built, ast.Constant) and isinstance(built.value, str) and built.value != "local":
            return ctx.segment(expr)
    name = lookup_name(ctx, expr)
    if name is not None:
        return py_string(name)
    if _compute_object(ctx, expr) or _compute_lookups(ctx, expr):
        return f"{ctx.segment(expr)}.name"
    raise _No(f"the `compute_target` of step `{step.holder}` is not a compute name or a compute looked up in the file",
              expr)


def _compute_lookups(ctx: FileContext, expr: ast.expr) -> bool:
    """A name every assignment of which (at the top level) is a compute lookup or creation, also
    through ``cts = ws.compute_targets`` (``aml_compute = cts[name]`` or ``ComputeTarget.create(...)``,
    the notebooks' find-or-create cell): it holds a compute object, whose ``.name`` v2 takes."""
    from estimator_migrate.rules.estimator.render_v2 import _is_compute_call

    if not isinstance(expr, ast.Name):
        return False
    bindings = ctx.names.bindings_of(expr.id, ctx.names.module_scope)

    def lookup(value: ast.expr | None) -> bool:
        if value is None:
            return False
        if _is_compute_call(ctx, value):
            return True
        if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
            held = ctx.names.bindings_of(value.value.id, ctx.names.module_scope)
            return bool(held) and all(isinstance(b.value, ast.Attribute) and b.value.attr == "compute_targets"
                                      for b in held)
        return False

    return bool(bindings) and all(b.kind == "other" and lookup(b.value) for b in bindings)


# -- the command line of a step -----------------------------------------------------------------
def _arguments(ctx: FileContext, pipe: _Pipe, step: _Step, args: ast.expr | None, declared: list[ast.Name],
               produced: dict[str, _Step], index: int, removed: dict[int, ast.stmt]):
    """(items, inputs, outputs) of the step's command; adds the node's bindings and the
    pipeline's parameters and data inputs."""
    from estimator_migrate.rules.estimator import data_v2

    items: list[v2command.Item] = []
    inputs: dict[str, str] = {}
    outputs: dict[str, str] = {}
    names = Names()
    if args is None:
        elts: list[ast.expr] = []
    else:
        resolved = static.resolve(ctx.names, args, step.call)
        if not isinstance(resolved, (ast.List, ast.Tuple)):
            raise _No(f"the arguments of step `{step.holder}` are not a list the tool can read", args)
        if resolved is not args:
            if isinstance(args, ast.Name):
                holder_stmt, _ = _module_assign(ctx, args, "argument list")
                if [u for u in _uses(ctx, args.id, holder_stmt) if u is not args]:
                    raise _No(f"the argument list `{args.id}` is used elsewhere too", args)
                removed[id(holder_stmt)] = holder_stmt
        elts = list(resolved.elts)
    seen_data: set[str] = set()
    for elt in elts:
        flag = items[-1] if items and isinstance(items[-1], str) and items[-1].startswith("-") else None
        value = _literal(elt)
        if value is not static.UNKNOWN:
            if isinstance(value, (str, int, float, bool)):
                items.append(value)
                continue
            raise _No(f"the argument `{ctx.segment(elt)}` of step `{step.holder}` is not a single value", elt)
        if isinstance(elt, ast.Name):
            binding = static.reaching_binding(ctx.names, elt)
            built = binding.value if binding is not None else None
            literal = _literal(built) if built is not None else static.UNKNOWN
            if literal is not static.UNKNOWN and isinstance(literal, (str, int, float, bool)) and \
                    static.portable(ctx.names, elt, step.call):
                items.append(v2command.Expr(elt.id))
                continue
            qual = _qual(ctx, built) if built is not None else ""
            if qual in _PIPELINE_DATA:
                seen_data.add(elt.id)
                if elt.id in step.outputs:
                    out = step.outputs[elt.id]
                    where = f", path={step.output_paths[elt.id]}" if elt.id in step.output_paths else ""
                    outputs[out] = _use(ctx, "Output", step.call) + f'(type="uri_folder"{where})'
                    names.add(out)
                    items.append(v2command.Placeholder("outputs", out))
                else:
                    producer = produced.get(elt.id)
                    if producer is None or producer not in pipe.steps[:index]:
                        raise _No(f"the PipelineData `{elt.id}` read by step `{step.holder}` is not an output of an "
                                  "earlier step of the pipeline", elt)
                    name = names.add(from_flag(flag) if flag else producer.outputs[elt.id])
                    inputs[name] = _use(ctx, "Input", step.call) + '(type="uri_folder")'
                    step.bindings.append((name, f"{producer.node}.outputs.{producer.outputs[elt.id]}"))
                    items.append(v2command.Placeholder("inputs", name))
                assert binding is not None
                removed[id(binding.node)] = binding.node
                continue
            if qual in _PARAMETER:
                assert isinstance(built, ast.Call) and binding is not None
                param, default = _parameter(ctx, built, elt)
                if pipe.params.get(param, default) != default or param in pipe.data:
                    raise _No(f"two pipeline parameters are named {param!r}", elt)
                pipe.params[param] = default
                name = names.add(from_flag(flag) if flag else param)
                inputs[name] = default
                step.bindings.append((name, param))
                text = isinstance(_literal(ast.parse(default, mode="eval").body), str)
                items.append(v2command.Placeholder("inputs", name, quote=text))  # a value with a space stays one (V1)
                removed[id(binding.node)] = binding.node
                continue
            if qual in _DATA_REFERENCE:
                assert isinstance(built, ast.Call) and binding is not None
                seen_data.add(elt.id)
                param, code = _data_reference(ctx, built, elt, step)
                if pipe.data.get(param, code) != code or param in pipe.params:
                    raise _No(f"two pipeline inputs would be named {param!r}", elt)
                pipe.data[param] = code
                name = names.add(from_flag(flag) if flag else param)
                inputs[name] = _use(ctx, "Input", step.call) + '(type="uri_folder")'
                step.bindings.append((name, param))
                items.append(v2command.Placeholder("inputs", name))
                removed[id(binding.node)] = binding.node
                continue
        # a registered dataset (``ds.as_named_input("x").as_mount()``), through data_v2
        from estimator_migrate.analysis import data_objects

        plan = _Plan(ctx, step.call, step.stmt, step.holder)
        if data_objects.classify(plan, elt) == data_objects.DATASET:
            from estimator_migrate.rules.estimator.render_v2 import _Blocked

            try:
                dname, code = data_v2.dataset_input(plan, elt, flag, Names())  # type: ignore[arg-type]
            except _Blocked as exc:
                raise _No(exc.message.message, elt, exc.message.code) from None
            if isinstance(elt, ast.Name):
                seen_data.add(elt.id)
            param = dname
            if pipe.data.get(param, code) != code or param in pipe.params:
                raise _No(f"two pipeline inputs would be named {param!r}", elt)
            pipe.data[param] = code
            name = names.add(from_flag(flag) if flag else param)
            inputs[name] = _use(ctx, "Input", step.call) + '(type="uri_folder")'
            step.bindings.append((name, param))
            items.append(v2command.Placeholder("inputs", name))
            continue
        raise _No(f"the argument `{ctx.segment(elt)}` of step `{step.holder}` is not a literal, a PipelineData, a "
                  "PipelineParameter, a DataReference or a registered dataset", elt)
    for d in declared:
        if d.id not in seen_data:
            raise _No(f"`{d.id}` is declared as data of step `{step.holder}` but not passed in its arguments (the "
                      "script would find it by name or through `AZUREML_DATAREFERENCE_*`, which v2 does not set)", d)
    for pd_name in step.outputs:
        if pd_name not in seen_data:
            raise _No(f"the output `{pd_name}` of step `{step.holder}` is not passed in its arguments", step.call)
    return items, inputs, outputs


def _parameter(ctx: FileContext, call: ast.Call, elt: ast.Name) -> tuple[str, str]:
    bound = _bind(ctx, call, ["name", "default_value"], "PipelineParameter")
    name, default = _literal(bound.get("name")), _literal(bound.get("default_value"))
    if not isinstance(name, str) or not IDENTIFIER.match(name) or identifier(name) != name:
        raise _No(f"the PipelineParameter `{elt.id}` is not named by a literal that is a valid Python name", elt)
    if isinstance(default, bool) or not isinstance(default, (str, int, float)):
        raise _No(f"the default of the PipelineParameter `{elt.id}` is not a literal string or number", elt)
    return name, ctx.segment(bound["default_value"])


def _data_reference(ctx: FileContext, call: ast.Call, elt: ast.Name, step: _Step) -> tuple[str, str]:
    from estimator_migrate.rules.estimator import data_v2
    from estimator_migrate.rules.estimator.render_v2 import _Blocked

    bound = _bind(ctx, call, ["datastore", "data_reference_name", "path_on_datastore", "mode", "path_on_compute",
                              "overwrite"], "DataReference")
    if "path_on_compute" in bound:
        raise _No(f"the DataReference `{elt.id}` sets `path_on_compute`, which v2 has no counterpart for (V25)", elt,
                  "EM506")
    mode = _literal(bound.get("mode")) or "mount"
    if mode not in ("mount", "download"):
        raise _No(f"the DataReference `{elt.id}` has mode {mode!r}; only mount and download map to v2 inputs", elt)
    path = bound.get("path_on_datastore")
    if path is not None and not isinstance(_literal(path), str):
        raise _No(f"the path of the DataReference `{elt.id}` is not a literal", path)
    if "datastore" not in bound:
        raise _No(f"the DataReference `{elt.id}` names no datastore", elt)
    plan = _Plan(ctx, call, ctx.enclosing_statement(call), elt.id)
    try:
        store = data_v2._datastore_name(plan, bound["datastore"])  # type: ignore[arg-type]
    except _Blocked as exc:
        raise _No(exc.message.message, elt, exc.message.code) from None
    snippet = v2data.data_reference(store, ctx.segment(path) if path is not None else None, mode=mode)
    ref_name = _literal(bound.get("data_reference_name"))
    param = identifier(ref_name) if isinstance(ref_name, str) and ref_name and not looks_generated(ref_name) \
        else identifier(elt.id)
    local = _use(ctx, "Input", step.call)
    return param, (local + snippet.code[len("Input"):] if local != "Input" else snippet.code)


def _use(ctx: FileContext, name: str, at: ast.expr | None) -> str:
    from estimator_migrate.rules.estimator.render_v2 import use

    return use(ctx, name, at)


# -- PythonScriptStep ------------------------------------------------------------------------------
def _python_step(ctx: FileContext, pipe: _Pipe, step: _Step, bound: dict[str, ast.expr],
                 produced: dict[str, _Step], index: int, removed: dict[int, ast.stmt], env_cache: dict[str, str]):
    script = _literal(static.resolve(ctx.names, bound["script_name"], step.call)) if "script_name" in bound else None
    if not isinstance(script, str) or not script:
        raise _No(f"the `script_name` of step `{step.holder}` is not a string literal", bound.get("script_name"))
    source = bound.get("source_directory")
    if source is None or not isinstance(_literal(source), str) and not static.portable(ctx.names, source, pipe.call):
        raise _No(f"step `{step.holder}` names no `source_directory` the tool can read (v2's `code`)", step.call)
    step.keywords.append(("code", ctx.segment(source)))
    declared = _names_list(ctx, bound.get("inputs"), step, "inputs")
    items, inputs, outputs = _arguments(ctx, pipe, step, bound.get("arguments"), declared, produced, index, removed)
    _command(step, script, items, inputs, outputs)
    runconfig = bound.get("runconfig")
    key = runconfig.id if isinstance(runconfig, ast.Name) else ""
    if runconfig is not None and not isinstance(runconfig, ast.Name):
        raise _No(f"the `runconfig` of step `{step.holder}` is not a variable bound to a RunConfiguration()",
                  runconfig)
    if key not in env_cache:
        env_cache[key] = _runconfig_environment(ctx, pipe, step, runconfig, removed)
    step.keywords.append(("environment", env_cache[key]))
    variables = pipe.env_vars.get(key)
    if variables:
        step.keywords.append(("environment_variables", v2env.literal(variables)))
    step.keywords.append(("shm_size", '"2g"'))  # RunConfiguration's default; v2 sends none (V12)


def _command(step: _Step, script: str, items, inputs: dict[str, str], outputs: dict[str, str]) -> None:
    built = v2command.build(items, script=script)
    step.reports += built.snippet.reports
    step.keywords.append(("command", built.snippet.code))
    if inputs:
        step.keywords.append(("inputs", _mapping(inputs)))
    if outputs:
        step.keywords.append(("outputs", _mapping(outputs)))


def _mapping(entries: dict[str, str]) -> str:
    from estimator_migrate.rules.src_v2 import _mapping as mapping

    return mapping(entries)


def _runconfig_environment(ctx: FileContext, pipe: _Pipe, step: _Step, runconfig: ast.Name | None,
                           removed: dict[int, ast.stmt]) -> str:
    """The v2 environment of a RunConfiguration: ``Environment(image=..., conda_file=...)`` written
    before the first command that needs it, under a name of its own."""
    from estimator_migrate.rules.estimator.render_v2 import layout

    defaults = v1_defaults()
    image = str(defaults["default_cpu_image"])
    doc = CondaDocument.default()
    variables: dict[str, Any] = {}
    user_managed = False
    if runconfig is not None:
        rc_stmt, built = _module_assign(ctx, runconfig, "run configuration")
        initial = None  # RunConfiguration(conda_dependencies=<created>): v1 sets it on the default configuration
        if isinstance(built, ast.Call) and not built.args and len(built.keywords) == 1 and \
                built.keywords[0].arg == "conda_dependencies":
            initial = _created(ctx, built.keywords[0].value, removed)
        if _qual(ctx, built) not in _RUNCONFIG or not isinstance(built, ast.Call) or built.args or \
                built.keywords and initial is None:
            raise _No(f"the run configuration `{runconfig.id}` is not built by `RunConfiguration()` without arguments "
                      "(or with `conda_dependencies=` a `CondaDependencies.create(...)`)", runconfig)
        if initial is not None:
            try:
                doc.__dict__.update(_conda_create(ctx, initial).__dict__)
            except NeverRan as exc:
                raise _No(f"the run configuration is a combination the SDK refused ({exc})", runconfig,
                          "EM510") from None
        steps_using = [s.call for s in pipe.steps]
        changes: list[ast.stmt] = []
        for u in _uses(ctx, runconfig.id, rc_stmt):
            parent = ctx.parent(u)
            if isinstance(parent, ast.keyword) and parent.arg == "runconfig" and ctx.parent(parent) in steps_using:
                continue
            change = _rc_change(ctx, u, rc_stmt)
            if change is None or change.lineno > min(s.stmt.lineno for s in pipe.steps):
                raise _No(f"the run configuration `{runconfig.id}` is used on line {u.lineno} in a way the v2 target "
                          "cannot follow (only packages added to its conda dependencies, its base image, its "
                          "variables and `user_managed_dependencies`, before the steps)", u)
            changes.append(change)
        for change in changes:
            if isinstance(change, ast.Assign) and isinstance(change.value, ast.Name) and \
                    isinstance(change.targets[0], ast.Attribute) and \
                    change.targets[0].attr == "conda_dependencies":  # ``rc.environment.python.conda_dependencies = cd``
                _created(ctx, change.value, removed)
        try:
            for change in changes:
                image, user_managed = _apply(ctx, change, doc, variables, image, user_managed)
        except NeverRan as exc:
            raise _No(f"the run configuration is a combination the SDK refused ({exc})", runconfig, "EM510") from None
        removed[id(rc_stmt)] = rc_stmt
        for change in changes:
            removed[id(change)] = change
    pipe.env_vars[runconfig.id if runconfig is not None else ""] = variables
    inner = "    "
    lines = [f"{inner}image={py_string(image)},"]
    if not user_managed:
        conda = v2env.readable_conda(doc.data())
        lines.append(f"{inner}conda_file={layout(conda, len(inner) + len('conda_file='), inner)},")
    name = ctx.unique_name(f"{runconfig.id}_env" if runconfig is not None else "step_env")
    env = _use(ctx, "Environment", step.call)
    if runconfig is not None:
        pipe.takeover.append("RunConfiguration")
    code = f"{env}(\n" + "\n".join(lines) + "\n)"
    first, *rest = code.split("\n")
    step.pre_lines += [f"{name} = {first}", *rest]
    return name


def _rc_change(ctx: FileContext, use: ast.Name, rc_stmt: ast.stmt) -> ast.stmt | None:
    from estimator_migrate.rules.src_v2 import _base, _path

    stmt = ctx.enclosing_statement(use)
    if ctx.parent(stmt) is not ctx.tree:
        return None
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        if isinstance(func, ast.Attribute) and func.attr in ("add_pip_package", "add_conda_package", "add_channel") \
                and _path(func.value) == [use.id, "environment", "python", "conda_dependencies"] and \
                _base(func.value) is use:
            return stmt
        return None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if _base(target) is not use:
            return None
        path = _path(target)
        if path in ([use.id, "environment", "docker", "base_image"],
                    [use.id, "environment", "python", "user_managed_dependencies"],
                    [use.id, "environment", "environment_variables"]):
            return stmt
        if isinstance(target, ast.Subscript) and _path(target.value) == [use.id, "environment",
                                                                           "environment_variables"]:
            return stmt
        if path == [use.id, "environment", "python", "conda_dependencies"] and \
                (_qual(ctx, stmt.value) in _CONDA_CREATE or isinstance(stmt.value, ast.Name)):
            return stmt  # a new document, built by v1's ``CondaDependencies.create`` (see ``_conda_create``)
        if path == [use.id, "environment", "docker", "enabled"] and isinstance(stmt.value, ast.Constant) and \
                stmt.value.value is True:
            return stmt  # v2 jobs always run in Docker
        if path == [use.id, "target"]:
            return stmt  # the step's compute_target replaces the run configuration's
    return None


def _apply(ctx: FileContext, stmt: ast.stmt, doc: CondaDocument, variables: dict[str, Any], image: str,
           user_managed: bool) -> tuple[str, bool]:
    def literal_str(node: ast.expr) -> str:
        value = _literal(node)
        if not isinstance(value, str):
            raise _No(f"`{ctx.segment(node)}` is not a string literal; the v2 environment lists its values", node)
        return value

    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        call = stmt.value
        assert isinstance(call.func, ast.Attribute)
        if len(call.args) != 1 or call.keywords:
            raise _No(f"`{ctx.segment(call)}` is not one literal package", call)
        getattr(doc, call.func.attr)(literal_str(call.args[0]))
        return image, user_managed
    assert isinstance(stmt, ast.Assign)
    target = stmt.targets[0]
    if isinstance(target, ast.Subscript):
        key, value = _literal(target.slice), _literal(stmt.value)
        if not isinstance(key, str) or value is static.UNKNOWN:
            raise _No("an environment variable is not a literal", stmt.value)
        variables[key] = value
        return image, user_managed
    from estimator_migrate.rules.src_v2 import _path

    path = _path(target) or []
    if path[-1] in ("enabled", "target"):
        return image, user_managed
    if path[-1] == "environment_variables":
        value = _literal(stmt.value)
        if not isinstance(value, dict):
            raise _No("the environment variables are not a dictionary literal", stmt.value)
        variables.clear()
        variables.update(value)
        return image, user_managed
    if path[-1] == "base_image":
        return literal_str(stmt.value), user_managed
    if path[-1] == "conda_dependencies":
        doc.__dict__.update(_conda_create(ctx, _created(ctx, stmt.value, {})).__dict__)
        return image, user_managed
    value = _literal(stmt.value)
    if not isinstance(value, bool):
        raise _No("`user_managed_dependencies` is not True or False", stmt.value)
    return image, value


def _created(ctx: FileContext, value: ast.expr, removed: dict[int, ast.stmt]) -> ast.Call:
    """The ``CondaDependencies.create(...)`` call ``value`` is, or that the name ``value`` is bound
    to at the top level and read only here (its statement then goes with the run configuration)."""
    if isinstance(value, ast.Call) and _qual(ctx, value) in _CONDA_CREATE:
        return value
    if not isinstance(value, ast.Name):
        raise _No(f"`{ctx.segment(value)}` is not a `CondaDependencies.create(...)` the tool can read", value)
    stmt, built = _module_assign(ctx, value, "conda dependencies")
    if not (isinstance(built, ast.Call) and _qual(ctx, built) in _CONDA_CREATE):
        raise _No(f"the conda dependencies `{value.id}` are not built by `CondaDependencies.create(...)`", value)
    others = [u for u in _uses(ctx, value.id, stmt) if u is not value]
    if others:
        raise _No(f"the conda dependencies `{value.id}` are also used on line {others[0].lineno} (v1 shares the "
                  "object with the run configuration)", others[0])
    removed[id(stmt)] = stmt
    return built


def _conda_create(ctx: FileContext, call: ast.Call) -> CondaDocument:
    """``CondaDependencies.create(...)`` of literal arguments, step by step as v1 builds it."""
    from estimator_migrate.v2.conda import package_name

    bound = _bind(ctx, call, ["pip_indexurl", "pip_packages", "conda_packages", "python_version",
                              "pin_sdk_version"], "`CondaDependencies.create`")
    values = {k: _literal(v) for k, v in bound.items()}
    given = dict(zip(["pip_indexurl", "pip_packages", "conda_packages", "python_version"], call.args, strict=False))
    given.update((k.arg, k.value) for k in call.keywords if k.arg)
    explicit = given.get("python_version")
    if isinstance(explicit, ast.Constant) and explicit.value is None:
        raise _No("`CondaDependencies.create(python_version=None)` fails in v1 (a TypeError), so this pipeline "
                  "never ran", explicit, "EM510")
    for key in ("pip_packages", "conda_packages"):
        value = values.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
            raise _No(f"`{key}=` of `CondaDependencies.create` is not a list of string literals; the v2 environment "
                      "lists its packages", bound[key])
    indexurl = values.get("pip_indexurl")
    if indexurl is not None and not isinstance(indexurl, str):
        raise _No("`pip_indexurl=` of `CondaDependencies.create` is not a string literal", bound["pip_indexurl"])
    python = values.get("python_version", _CREATE_PYTHON)
    if not isinstance(python, str) and python is not None:
        raise _No("`python_version=` of `CondaDependencies.create` is not a string literal", bound["python_version"])
    pin = values.get("pin_sdk_version", True)
    if not isinstance(pin, bool):
        raise _No("`pin_sdk_version=` of `CondaDependencies.create` is not True or False", bound["pin_sdk_version"])
    doc = CondaDocument.default()
    doc.set_pip_option(f"--find-links {indexurl or _CREATE_FIND_LINKS}")
    doc.set_pip_option(f"--extra-index-url {_CREATE_EXTRA_INDEX}")
    doc.set_python_version(python)
    pip = values.get("pip_packages")
    if pip is None:
        pip = ["azureml-defaults"]
    else:
        for package in doc.pip_packages:
            doc.remove_pip_package(package)
    for package in pip:
        if pin and package_name(package) in _CREATE_SDK_SCOPE:
            raise _No(f"v1 pinned the pip package {package!r} to the SDK version installed where the pipeline was "
                      "submitted, which the tool cannot know", call)
        doc.add_pip_package(package)
    for package in values.get("conda_packages") or []:
        doc.remove_conda_package(package)
    for package in values.get("conda_packages") or []:
        doc.add_conda_package(package)
    return doc


# -- EstimatorStep ---------------------------------------------------------------------------------
def _estimator_step(ctx: FileContext, pipe: _Pipe, step: _Step, bound: dict[str, ast.expr],
                    produced: dict[str, _Step], index: int, removed: dict[int, ast.stmt]) -> None:
    from estimator_migrate.rules.estimator import driver
    from estimator_migrate.rules.estimator.render_v2 import _V2_CODE, _Blocked, _value, translate

    est = bound.get("estimator")
    if not isinstance(est, ast.Name):
        raise _No(f"the estimator of step `{step.holder}` is not a variable", est or step.call)
    est_stmt, est_call = _module_assign(ctx, est, "estimator")
    if not isinstance(est_call, ast.Call) or est_call.func is None or \
            ctx.canonical_name(est_call.func) not in ("Estimator", "PyTorch", "TensorFlow", "Chainer", "SKLearn"):
        raise _No(f"the estimator `{est.id}` of step `{step.holder}` is not built by an estimator class here", est)
    if [u for u in _uses(ctx, est.id, est_stmt) if u is not est]:
        raise _No(f"the estimator `{est.id}` is used elsewhere too", est)
    if "estimator_entry_script_arguments" not in bound:
        raise _No(f"step `{step.holder}` has no `estimator_entry_script_arguments` (v1 refuses that)", step.call)
    found = analyze(ctx)  # the estimators' plans, by call, next to the pipelines
    if id(est_call) not in found:
        found[id(est_call)] = driver.describe(ctx, est_call)  # type: ignore[assignment]
    plan: Any = found[id(est_call)]
    if plan is None:
        raise _No(f"the estimator `{est.id}` is reported at its construction", est)
    if plan.blockers:
        b = plan.blockers[0]
        raise _No(f"its estimator `{est.id}`: {b.message}", b.node or est_call, _V2_CODE.get(b.code, b.code), b.hint)
    for name in ("script_params", "inputs"):
        if name in plan.kwargs and _literal(plan.kwargs[name]) is not None:
            raise _No(f"the estimator `{est.id}` passes `{name}=`, which v1 refuses in an EstimatorStep", est)
    if plan.run.compute is not None:  # the step's compute runs the estimator (EstimatorStep resets its target)
        from estimator_migrate.rules.estimator.run import Arg

        plan.run.compute = Arg('"step-compute"', "compute_target")
    try:
        job = translate(plan)
    except _Blocked as exc:
        m = exc.message
        raise _No(f"its estimator `{est.id}`: {m.message}", m.node or est_call, m.code, m.hint) from None
    if job.env_statement is not None or job.removed or job.inputs or job.outputs:
        raise _No(f"the estimator `{est.id}` builds its environment or data apart from its construction; the v2 "
                  "target migrates that for a submitted estimator only", est)
    script = _value(plan, plan.run.script.code if plan.run.script else None, "entry_script")
    if not isinstance(script, str):
        raise _No(f"the entry script of the estimator `{est.id}` is not a literal", est)
    items, inputs, outputs = _arguments(ctx, pipe, step, bound.get("estimator_entry_script_arguments"),
                                        _names_list(ctx, bound.get("inputs"), step, "inputs"), produced, index,
                                        removed)
    step.keywords.append(("code", dict(job.keywords)["code"]))
    _command(step, script, items, inputs, outputs)
    for key, code in job.keywords:
        if key not in ("code", "command", "compute", "inputs", "outputs"):
            step.keywords.append((key, code))
    step.pre_lines += list(job.pre_lines)
    if job.env_code is not None:
        env_lines = job.env_code.split("\n")
        step.pre_lines += [f"{job.env_name} = {env_lines[0]}", *env_lines[1:]]
    step.reports += job.reports
    step.estimator = est_call
    pipe.takeover += job.takeover
    removed[id(est_stmt)] = est_stmt
    pipe.owned.add(id(est_call))


# -- the handlers -----------------------------------------------------------------------------------
def migrate(ctx: FileContext, call: ast.Call) -> None:
    """The ``Pipeline(...)`` handler under ``--target v2``."""
    from estimator_migrate.rules import v2_client
    from estimator_migrate.rules.estimator.render_v2 import MAX_LINE, MEMORY_KEY, _indented
    from estimator_migrate.rules.src_v2 import take_over

    stmt = ctx.enclosing_statement(call)
    if any(e.start <= stmt.lineno <= e.end for e in ctx.edits):
        return
    pipe = analyze(ctx).get(id(call))
    if pipe is None:
        return
    if isinstance(pipe, _No):
        ctx.report(pipe.code, pipe.node if isinstance(pipe.node, ast.expr) else call,
                   f"Pipeline left unchanged (with its steps): {pipe.message}", pipe.hint, lines=(stmt.lineno,))
        return
    if not ctx.may_fix("EM404", call, stmt.lineno):
        return
    nl = ctx.newline
    group = new_group()
    before = len(ctx.findings)
    ctx.report("EM404", call, f"`Pipeline` of {len(pipe.steps)} step(s) -> a `@dsl.pipeline` of command nodes, each "
               "assigned to a variable named after its step", fixed=True, severity=Severity.WARNING,
               lines=(stmt.lineno,))
    seen = set()
    for rep in pipe.reports:
        ctx.report(rep.code, call, rep.message, rep.hint, fixed=True, lines=(stmt.lineno,))
    for step in pipe.steps:
        for rep in step.reports:
            if (rep.code, rep.message) not in seen:
                seen.add((rep.code, rep.message))
                ctx.report(rep.code, step.call, rep.message, rep.hint, fixed=True, lines=(step.stmt.lineno,))
    func = _use(ctx, "command", call)
    edits: list[Edit] = []
    for step in pipe.steps:
        indent = ""
        inner = "    "
        head = f"{step.command_var} = "
        one = f"{func}(" + ", ".join(f"{k}={v}" for k, v in step.keywords) + ")"
        if "\n" not in one and len(head) + len(one) <= MAX_LINE:
            text = head + one
        else:
            body = "".join(f"{inner}{k}={_indented(v, inner)},{nl}" for k, v in step.keywords)
            text = f"{head}{func}({nl}{body})"
        pre = "".join(indent + ln + nl for ln in step.pre_lines)
        edits.append(Edit(step.stmt.lineno, end_of(step.stmt)[0], pre + text + nl))
    # the pipeline function
    dsl = _use(ctx, "dsl", call)
    params = list(pipe.data) + [f"{p}={d}" for p, d in pipe.params.items()]
    nodes: list[str] = []
    default = pipe.default
    for step in pipe.steps:
        args = ", ".join(f"{k}={v}" for k, v in step.bindings)
        nodes.append(f"    {step.node} = {step.command_var}({args})")
        if step.compute != default:
            nodes.append(f"    {step.node}.compute = {step.compute}")
    decorator = f"default_compute={default}" + (f", description={pipe.description}" if pipe.description else "")
    lines = [f"@{dsl}.pipeline({decorator})", f"def {pipe.func}({', '.join(params)}):", *nodes, "", ""]
    call_args = ", ".join(f"{k}={v}" for k, v in pipe.data.items())
    invocation = f"{pipe.holder} = {pipe.func}({call_args})"
    if len(invocation) > MAX_LINE:
        invocation = f"{pipe.holder} = {pipe.func}(" + "\n" + "".join(f"    {k}={_spread(v, '    ')},\n" for k, v in
                                                                    pipe.data.items()) + ")"
    lines += invocation.split("\n")
    if pipe.force_rerun:  # v1's submit(..., regenerate_outputs=True): no step reuses an earlier run
        lines.append(f"{pipe.holder}.settings.force_rerun = True")
    prev = ctx.lines[stmt.lineno - 2] if stmt.lineno >= 2 else ""
    lead = nl if prev.strip() else ""
    edits.append(Edit(stmt.lineno, end_of(stmt)[0], lead + nl + "".join(ln + nl if ln else nl for ln in lines)))
    edits += _removals(ctx, pipe)
    for e in edits:
        e.group = group
    edits[0].findings = ctx.findings[before:]
    ctx.edits += edits
    take_over(ctx, pipe.takeover)
    ctx.memory.setdefault(v2_client.PIPELINE_SUBMITS, {})[pipe.holder] = True
    ctx.memory.setdefault(MEMORY_KEY, {})[pipe.holder] = ctx.origin_line(stmt.lineno)


def _spread(code: str, indent: str) -> str:
    """``Input(a=..., b=...)`` one keyword a line, when the call would not fit on one."""
    if len(indent) * 2 + len(code) <= MAX_LINE_FIT:
        return code
    call = ast.parse(code, mode="eval").body
    if not isinstance(call, ast.Call) or call.args:
        return code
    inner = indent * 2
    parts = "".join(f"\n{inner}{k.arg}={ast.get_source_segment(code, k.value)}," for k in call.keywords)
    return f"{ast.get_source_segment(code, call.func)}({parts}\n{indent})"


MAX_LINE_FIT = 95


def _removals(ctx: FileContext, pipe: _Pipe) -> list[Edit]:
    """The statements that go, each with the blank lines around it, keeping one blank line where
    the statements stood between blank lines (a run of removed and blank lines)."""
    removed: set[int] = set()
    for e in pipe.edits:
        removed |= set(range(e.start, e.end + 1))
    protected: set[int] = set()
    for s in [p.stmt for p in pipe.steps] + [pipe.stmt]:
        protected |= set(range(s.lineno, end_of(s)[0] + 1))
    nl = ctx.newline
    out: list[Edit] = []
    n = len(ctx.lines)

    def loose(line: int) -> bool:
        return line not in protected and (line in removed or not ctx.lines[line - 1].strip())

    i = 1
    while i <= n:
        if not loose(i):
            i += 1
            continue
        j = i
        while j + 1 <= n and loose(j + 1):
            j += 1
        if any(k in removed for k in range(i, j + 1)):
            blank = any(k not in removed for k in range(i, j + 1))
            out.append(Edit(i, j, nl if blank and i > 1 and j < n else ""))
        i = j + 1
    return out


def estimator_step(ctx: FileContext, call: ast.Call) -> None:
    """The ``EstimatorStep(...)`` handler: nothing when its pipeline is migrated; else why not."""
    if owner(ctx, call) is not None:
        return
    line = ctx.enclosing_statement(call).lineno
    if any(e.start <= line <= e.end for e in ctx.edits):
        return
    why = refusal(ctx, call)
    reason = f": its pipeline is left unchanged ({why.message})" if why is not None else \
        " outside a `Pipeline` the v2 target migrates"
    ctx.report("EM508", call, f"`{ctx.segment(call.func)}` (a pipeline step) is not migrated by `--target v2`{reason}",
               "Write the v2 code by hand (see `--explain EM404`).")
