"""``--target v2``: a DataReference (or a datastore's root) passed in ``script_params`` becomes an
``Input`` of the command and ``${{inputs.<name>}}`` in its text (EM407).

v1 registered the reference for the run and passed its mount path as the argument; v2 mounts an
``Input(type="uri_folder", path="azureml://datastores/<ds>/paths/<p>", mode=...)`` and
substitutes its path where the command names it. The mode is always written (v2 sends none
otherwise, V24); the input is named after its flag (v1's names were random, V4). The datastore's
name is the literal of ``Datastore.get(ws, "name")`` when the file says so, else read from the v1
datastore object when the program runs (``ds.name``: the workspace then stays, next to the
client).

Only the spellings the tool can read are translated: ``ds.path(p)`` with ``.as_mount()``,
``.as_download()`` or neither, ``ds`` / ``ds.as_mount()`` for the datastore's root. Anything else
(``path_on_compute``, ``DataReference(...)`` built by hand, a reference found at run time,
``inputs=[...]`` the script reads through ``AZUREML_DATAREFERENCE_*``) is left and reported.
"""

from __future__ import annotations

import ast

from estimator_migrate.analysis import data_objects, static
from estimator_migrate.rules.edits import operand
from estimator_migrate.rules.estimator import run as r
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.v2 import command as v2command
from estimator_migrate.v2 import data as v2data
from estimator_migrate.v2.names import Names, readable

_DATASTORE_CLASSES = {"azureml.core.Datastore", "azureml.core.datastore.Datastore"}
DATASTORE_KEY = "v2_datastores"  # ctx.memory: names of datastores replaced by their literal name


def datastore_lookup(ctx, expr: ast.expr) -> bool:
    """``Datastore.get(ws, "name")`` / ``Datastore(ws, "name")``."""
    return isinstance(expr, ast.Call) and ctx.names.qualified_name(expr.func) in \
        {f"{c}.get" for c in _DATASTORE_CLASSES} | _DATASTORE_CLASSES


def _blocked(message: str, node: ast.expr | None = None):
    from estimator_migrate.rules.estimator.render_v2 import _Blocked

    return _Blocked("EM506", message, "Write the v2 `Input` by hand (see `--explain EM407`), then run the tool again.",
                    node)


def _follow(plan: Plan, expr: ast.expr) -> ast.expr:
    """What a name was built by (data objects do not change what they point at once built)."""
    seen = 0
    while isinstance(expr, ast.Name) and seen < 8:
        binding = static.reaching_binding(plan.ctx.names, expr)
        if binding is None or binding.value is None:
            return expr
        expr, seen = binding.value, seen + 1
    return expr


def _datastore_name(plan: Plan, store: ast.expr) -> str:
    """Code for the datastore's name: a literal when the file names it, else ``<store>.name``."""
    built = _follow(plan, store)
    if isinstance(built, ast.Call) and plan.ctx.names.qualified_name(built.func) in \
            {f"{c}.get" for c in _DATASTORE_CLASSES} | _DATASTORE_CLASSES:
        name = built.args[1] if len(built.args) > 1 else next(
            (k.value for k in built.keywords if k.arg in ("datastore_name", "name")), None)
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            if isinstance(store, ast.Name):
                plan.ctx.memory.setdefault(DATASTORE_KEY, {})[store.id] = True
            return plan.q(name.value)
    if not plan.portable(store):
        raise _blocked(f"the datastore `{plan.ctx.segment(store)}` may not mean the same where the job is built",
                       store)
    return f"{operand(plan.ctx.segment(store))}.name"


def reference_input(plan: Plan, ref: r.DataReference) -> str:
    """The ``Input(...)`` code for a reference the estimator registered from ``script_params``."""
    if ref.run_time or ref.node is None:
        raise _blocked("`script_params` holds a DataReference only known at run time")
    expr = ref.node
    node = _follow(plan, expr)
    mode = "mount"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("as_mount",
                                                                                                  "as_download"):
        if node.args or any(k.arg != "path_on_compute" for k in node.keywords):
            raise _blocked(f"`{plan.ctx.segment(ref.node)}` passes arguments v2 has no counterpart for", ref.node)
        if node.keywords:
            raise _blocked(f"`{plan.ctx.segment(ref.node)}` sets `path_on_compute`, which v2 has no counterpart for "
                           "(V25)", ref.node)
        mode = "mount" if node.func.attr == "as_mount" else "download"
        expr = node.func.value
        node = _follow(plan, expr)
    path = None
    if ref.datastore or data_objects.classify(plan, node) == data_objects.DATASTORE:
        store = expr  # the datastore's root
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "path" \
            and len(node.args) == 1 and not node.keywords:
        store = node.func.value
        if not plan.portable(node.args[0]):
            raise _blocked(f"the path `{plan.ctx.segment(node.args[0])}` may not mean the same where the job is "
                           "built", ref.node)
        path = plan.ctx.segment(node.args[0])
    else:
        raise _blocked(f"`{plan.ctx.segment(ref.node)}` is a DataReference the v2 target cannot read "
                       "(only `datastore.path(p)` with `.as_mount()`/`.as_download()`, or a datastore)", ref.node)
    snippet = v2data.data_reference(_datastore_name(plan, store), path, mode=mode)
    from estimator_migrate.rules.estimator.render_v2 import use

    local = use(plan.ctx, "Input", plan.call)
    return local + snippet.code[len("Input"):] if local != "Input" else snippet.code


def script_params_inputs(plan: Plan, items: list[v2command.Item | r.DataArg],
                         names: Names) -> tuple[list[v2command.Item], dict[str, str]]:
    """``items`` with each DataArg replaced by its placeholder, and the inputs (name -> code)."""
    run = plan.run
    if any(ref.source != "script_params" for ref in run.data_references) or run.datasets:
        raise _blocked("the estimator registers data through `inputs` (or the source directory's datastore); a "
                       "script that reads them through `AZUREML_DATAREFERENCE_*` gets nothing in v2 (V27)")
    by_code = {ref.code: ref for ref in run.data_references}
    out: list[v2command.Item] = []
    inputs: dict[str, str] = {}
    for i, item in enumerate(items):
        if not isinstance(item, r.DataArg):
            out.append(item)
            continue
        ref = by_code.get(item.code)
        if ref is None:
            raise _blocked(f"`{item.code}` is a DataReference the tool cannot trace")
        flag = items[i - 1] if i > 0 and isinstance(items[i - 1], str) else None
        name = names.add(readable(flag=flag if isinstance(flag, str) else None))
        inputs[name] = reference_input(plan, ref)
        out.append(v2command.Placeholder("inputs", name))
    return out, inputs
