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
from estimator_migrate.v2.names import Names, looks_generated, readable

_literal_of = static.written_literal  # a literal written in place, no names followed

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


# -- datasets and outputs in script_params ---------------------------------------------------------
_DATASET_CLASSES = {"azureml.core.Dataset", "azureml.core.dataset.Dataset"}
_OUTPUT_CLASSES = {"azureml.data.OutputFileDatasetConfig", "azureml.data.output_dataset_config.OutputFileDatasetConfig"}
LOOKUP_KEY = "v2_data_lookups"  # ctx.memory: names of datasets/outputs replaced by their Input/Output


def _call_args(call: ast.Call, names: list[str]) -> dict[str, ast.expr] | None:
    """The arguments of ``call`` by parameter name (positional ones in ``names``' order), or None
    for a ``*``/``**`` argument or a name not in ``names``."""
    if len(call.args) > len(names) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    found = dict(zip(names, call.args, strict=False))
    for k in call.keywords:
        if k.arg is None or k.arg not in names or k.arg in found:
            return None
        found[k.arg] = k.value
    return found


def dataset_lookup(ctx, expr: ast.expr) -> bool:
    """``Dataset.get_by_name(ws, "name"[, version])`` with literal name and version."""
    if not (isinstance(expr, ast.Call) and ctx.names.qualified_name(expr.func) in
            {f"{c}.get_by_name" for c in _DATASET_CLASSES}):
        return False
    args = _call_args(expr, ["workspace", "name", "version"])
    if args is None or "name" not in args:
        return False
    name, version = _literal_of(args["name"]), _literal_of(args.get("version"))
    return isinstance(name, str) and (version is None or isinstance(version, (str, int))) and \
        not isinstance(version, bool)


def output_construction(ctx, expr: ast.expr) -> bool:
    """``OutputFileDatasetConfig(name=<literal>[, destination=(<datastore>, <literal>)])``."""
    return isinstance(expr, ast.Call) and ctx.names.qualified_name(expr.func) in _OUTPUT_CLASSES


def _remember(plan: Plan, expr: ast.expr) -> None:
    if isinstance(expr, ast.Name):
        plan.ctx.memory.setdefault(LOOKUP_KEY, {})[expr.id] = True


def _strip_mode(plan: Plan, node: ast.expr, modes: tuple[str, ...], what: str) -> tuple[ast.expr, str | None]:
    """``x.as_mount()`` -> (x, "mount"); anything else -> (node, None)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in modes:
        if node.keywords and any(k.arg == "path_on_compute" for k in node.keywords):
            raise _blocked(f"`{plan.ctx.segment(node)}` sets `path_on_compute`, which v2 has no counterpart for "
                           "(V25)", node)
        if node.args or node.keywords:
            raise _blocked(f"`{plan.ctx.segment(node)}` passes arguments v2 has no counterpart for", node)
        return node.func.value, node.func.attr[len("as_"):]
    return node, None


def dataset_input(plan: Plan, expr: ast.expr, flag: str | None, names: Names,
                  by_v1_name: dict[str, str] | None = None) -> tuple[str, str]:
    """A registered FileDataset consumed in ``script_params``
    (``Dataset.get_by_name(ws, "n", v).as_named_input("x").as_mount()``/``.as_download()``) ->
    (input name, ``Input(type="uri_folder", path="azureml:n:v", mode=...)``).

    ``by_v1_name`` (v1 input name -> v2 name): an estimator registered one input per name, and
    every argument of that name read it (the last dataset it met under that name); a name seen
    before gives the same v2 input, whose definition the caller replaces with this one."""
    _remember(plan, expr)
    node, mode = _strip_mode(plan, _follow(plan, expr), ("as_mount", "as_download"), "dataset")
    if mode is None:
        raise _blocked(f"`{plan.ctx.segment(expr)}` is a dataset passed without `.as_mount()`/`.as_download()` (a "
                       "TabularDataset, or a FileDataset in direct mode): v2 reads tables as `mltable` inputs, "
                       "which is not verified to load a v1 dataset (V26)", expr)
    node = _follow(plan, node)
    v1_name: str | None = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "as_named_input":
        value = _literal_of(node.args[0]) if len(node.args) == 1 and not node.keywords else static.UNKNOWN
        if not isinstance(value, str):
            raise _blocked(f"`{plan.ctx.segment(node)}` does not name the input with a literal", expr)
        v1_name = value
        node = node.func.value
    source = node
    built = _follow(plan, node)
    if not dataset_lookup(plan.ctx, built):
        raise _blocked(f"`{plan.ctx.segment(expr)}` is not a registered dataset fetched by literal name "
                       "(`Dataset.get_by_name(ws, \"name\", version)`): an unregistered dataset has no v2 path "
                       "the tool can write", expr)
    assert isinstance(built, ast.Call)
    args = _call_args(built, ["workspace", "name", "version"]) or {}
    version = _literal_of(args.get("version"))
    snippet = v2data.dataset(repr(_literal_of(args["name"])), None if version is None else repr(version),
                             mode=mode)
    _remember(plan, source)
    if by_v1_name is not None and v1_name is not None and v1_name in by_v1_name:
        return by_v1_name[v1_name], _local(plan, "Input", snippet.code)
    name = names.add(readable(explicit=v1_name if v1_name and not looks_generated(v1_name) else None, flag=flag))
    if by_v1_name is not None and v1_name is not None:
        by_v1_name[v1_name] = name
    return name, _local(plan, "Input", snippet.code)


def output_binding(plan: Plan, expr: ast.expr, flag: str | None, names: Names) -> tuple[str, str]:
    """An ``OutputFileDatasetConfig`` in ``script_params`` (optionally ``.as_mount()`` /
    ``.as_upload()``) -> (output name, ``Output(type="uri_folder", path=..., mode=...)``) at v1's
    location (v1's default one when no destination, V28)."""
    _remember(plan, expr)
    node, mode = _strip_mode(plan, _follow(plan, expr), ("as_mount", "as_upload"), "output")
    _remember(plan, node)
    built = _follow(plan, node)
    if not output_construction(plan.ctx, built):
        raise _blocked(f"`{plan.ctx.segment(expr)}` is an output the v2 target cannot read (only "
                       "`OutputFileDatasetConfig(name=..., destination=(datastore, path))`)", expr)
    assert isinstance(built, ast.Call)
    args = _call_args(built, ["name", "destination"])
    if args is None:
        raise _blocked(f"`{plan.ctx.segment(built)}` sets options v2 has no counterpart for (`source`, "
                       "`partition_format`)", expr)
    v1_name = _literal_of(args.get("name"))
    if args.get("name") is not None and not isinstance(v1_name, str):
        raise _blocked(f"the output `{plan.ctx.segment(built)}` is not named with a literal", expr)
    destination = None
    if args.get("destination") is not None:
        dest = args["destination"]
        if not (isinstance(dest, ast.Tuple) and len(dest.elts) == 2 and isinstance(_literal_of(dest.elts[1]), str)):
            raise _blocked(f"the destination `{plan.ctx.segment(dest)}` is not `(datastore, \"path\")`", expr)
        destination = (_datastore_name(plan, dest.elts[0]), plan.ctx.segment(dest.elts[1]))
    snippet = v2data.output(destination, mode=mode or "mount")
    explicit = v1_name if isinstance(v1_name, str) and not looks_generated(v1_name) else None
    name = names.add(readable(explicit=explicit, flag=flag, kind="output"))
    return name, _local(plan, "Output", snippet.code)


def _local(plan: Plan, name: str, code: str) -> str:
    from estimator_migrate.rules.estimator.render_v2 import use

    local = use(plan.ctx, name, plan.call)
    return local + code[len(name):] if local != name else code


def script_params_data(plan: Plan, items: list[v2command.Item | r.DataArg], names: Names
                       ) -> tuple[list[v2command.Item | r.DataArg], dict[str, str], dict[str, str], set[int]]:
    """``items`` with each dataset and output (an Expr the file shows is one) replaced by its
    placeholder; the inputs and outputs (name -> code); the ids of the script_params value nodes
    translated."""
    values = _script_params_values(plan)
    out: list[v2command.Item | r.DataArg] = []
    inputs: dict[str, str] = {}
    outputs: dict[str, str] = {}
    done: set[int] = set()
    by_v1_name: dict[str, str] = {}
    for i, item in enumerate(items):
        node = values.get(item.code) if isinstance(item, v2command.Expr) else None
        kind = data_objects.classify(plan, node) if node is not None else data_objects.SCALAR
        if node is None or kind not in (data_objects.DATASET, data_objects.OUTPUT):
            out.append(item)
            continue
        flag = items[i - 1] if i > 0 and isinstance(items[i - 1], str) else None
        flag_text = flag if isinstance(flag, str) else None
        if kind == data_objects.DATASET:
            name, code = dataset_input(plan, node, flag_text, names, by_v1_name)
            inputs[name] = code
            out.append(v2command.Placeholder("inputs", name))
        else:
            name, code = output_binding(plan, node, flag_text, names)
            outputs[name] = code
            out.append(v2command.Placeholder("outputs", name))
        done.add(id(node))
    return out, inputs, outputs, done


def _script_params_values(plan: Plan) -> dict[str, ast.expr]:
    """The value expressions of a script_params dictionary the tool can see, by their code."""
    if "script_params" not in plan.kwargs:
        return {}
    resolved = plan.resolve(plan.kwargs["script_params"])
    if not isinstance(resolved, ast.Dict):
        return {}
    found: dict[str, ast.expr] = {}
    for value in resolved.values:
        inner = plan.resolve(value)
        for v in list(inner.elts) if isinstance(inner, (ast.List, ast.Tuple)) else [value]:
            found.setdefault(plan.ctx.segment(v), v)
    return found


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
