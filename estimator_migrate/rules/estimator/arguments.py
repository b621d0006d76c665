"""``script_params``: the run's arguments, flattened exactly as the estimator did (spec §3,
T25): insertion order; ``''``/``None`` values give bare flags; lists expand (nested iterables
become ``str()``); dict values keep their keys; ``''``/``None`` items are dropped; other values
stay Python objects. Data objects follow spec §7: datasets stay objects, a DataReference is a
``run.DataArg`` (its path, registered for the run: ``run.data_references``).

One decision: a dictionary literal the tool can read (written in the call, or bound to a name
once and not changed before the call) becomes the flattened items (``Arguments.groups``); any
other dictionary (built in a branch or a loop, changed in place, filled from argparse, returned
by a function, unpacked with ``**``) is flattened at run time, at the same place and from the
same object (``Arguments.run_time``; the ScriptRunConfig renderer calls
``rewrite.runtime_helpers``' ``flatten_script_params``, which does what the estimator did).
"""

from __future__ import annotations

import ast
import re

from estimator_migrate.analysis import contents, data_objects, static
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.run import ArgGroup, Arguments, DataArg, DataReference, Hoisted
from estimator_migrate.text import end_of, shift_continuations

_EMPTY = ("", None)
_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Blocked(Exception):
    pass


class _RunTime(Exception):
    """The literal holds something only run time can tell (an unpacked list, a value that may
    be a dataset or a DataReference): the whole dictionary is flattened at run time."""


def arguments(plan: Plan) -> None:
    expr = plan.kwargs["script_params"]
    if plan.literal("script_params") is None:
        return  # no arguments (the renderer drops the parameter)
    if _changed_by_resume_from(plan, expr):
        return
    found = _literal_dict(plan, expr)
    if found is not None:
        node, inline, source_name = found
        run = plan.run
        saved = (list(run.hoisted), list(run.data_references), list(plan.notes))
        try:
            groups = _flatten(plan, node, inline, source_name)
        except _Blocked:
            return
        except _RunTime:
            run.hoisted, run.data_references, plan.notes = saved
            plan.argument_datasets = []
        else:
            run.arguments = Arguments(groups=groups)
            plan.pairs_clean = _pairs_clean(plan, node)
            plan.argument_values = _values(plan, node, groups)
            return
    _flatten_at_run_time(plan, expr)
    plan.pairs_clean = None  # only run time knows
    # Flattened at run time, but what it gives may still be certain (a literal changed by plain
    # item stores): what HyperDrive's reading two by two will meet.
    followed = static.followed_dict(plan.ctx.names, expr, plan.call) if isinstance(expr, ast.Name) and \
        "script_params" not in plan.unpacked else None
    plan.argument_values = _flattened(followed) if followed is not None else None


def _entries(node: ast.Dict) -> list[tuple[ast.expr, ast.expr]]:
    """The (key, value) entries of a dictionary literal without ``**`` (the callers made sure)."""
    return [(k, v) for k, v in zip(node.keys, node.values, strict=True) if k is not None]


def _pairs_clean(plan: Plan, node: ast.Dict) -> bool:
    """Whether the flattened list reads back two by two as the flag/value pairs it came from
    (what submit overrides and HyperDrive relied on): no bare flag, no list expanded to other
    than one item, every key a flag (see ``downstream.pairs.Pairs``)."""
    names = plan.ctx.names
    for key, value in _entries(node):
        k, v = static.literal(names, key), static.literal(names, value)
        if not (isinstance(k, str) and k.startswith("-")) or v in _EMPTY or isinstance(v, dict) or \
                isinstance(v, str) and v.startswith("--"):
            return False
        if isinstance(v, (list, tuple)) and len([i for i in v if i not in _EMPTY]) != 1:
            return False
        if v is static.UNKNOWN and isinstance(static.resolve(names, value), (ast.List, ast.Tuple, ast.Dict)):
            return False
    return True


def _values(plan: Plan, node: ast.Dict, groups: list[ArgGroup]) -> list | None:
    """The flattened items as the estimator's list held them (static.UNKNOWN where only run time
    knows the value: a dataset, a name the tool does not follow), one per position; None when a
    position is not certain. What HyperDrive's reading two by two saw (``downstream.hyperdrive``)."""
    out: list = []
    for (key, value), group in zip(_entries(node), groups, strict=False):
        key_value = plan.value_of(key)
        items = [] if key_value in _EMPTY else [key_value]
        lit = plan.value_of(value)
        if lit is static.UNKNOWN or isinstance(lit, (set, frozenset)):
            items += [static.UNKNOWN] * (len(group.items) - len(items))
        elif lit in _EMPTY:
            pass
        elif isinstance(lit, (list, tuple, dict)):
            items += [str(i) if isinstance(i, (list, tuple, dict, set)) else i for i in lit]
            items = [i for i in items if i is static.UNKNOWN or i not in _EMPTY]
        else:
            items.append(lit)
        if len(items) != len(group.items):
            return None
        out += items
    return out


def _flattened(params: dict) -> list | None:
    """A literal dictionary flattened as the estimator did (None when a set's order decides)."""
    out: list = []
    for key, value in params.items():
        out.append(key)
        if isinstance(value, (set, frozenset)):
            return None
        if isinstance(value, (list, tuple, dict)):
            out += [str(i) if isinstance(i, (list, tuple, dict, set)) else i for i in value]
        else:
            out.append(value)
    return [i for i in out if i not in _EMPTY]


def _literal_dict(plan: Plan, expr: ast.expr) -> tuple[ast.Dict, bool, str | None] | None:
    """(dictionary literal, written in the call, name it is bound to) when the dictionary that
    reaches the call is certainly that literal; else None."""
    if plan.code("script_params") != plan.ctx.segment(expr):
        return None  # given by ``**settings`` and not all constants: read from that dictionary, at run time
    value = plan.resolve(expr) if isinstance(expr, ast.Name) else expr
    if not isinstance(value, ast.Dict) or any(k is None for k in value.keys):
        return None
    if isinstance(expr, ast.Name) and _resumed_elsewhere(plan, expr):
        return None
    return value, value is expr, expr.id if isinstance(expr, ast.Name) else None


def _flatten_at_run_time(plan: Plan, expr: ast.expr) -> None:
    """``arguments=flatten_script_params(<the same expression>)``, plus the dictionary's data
    references when it may hold any (see ``contents.parts_of``)."""
    ctx = plan.ctx
    code = plan.code("script_params")
    column = ctx.char_col(expr.lineno, expr.col_offset) if "script_params" not in plan.unpacked else 0
    parts = contents.parts_of(plan, expr, 0)
    references = (data_objects.DATAREF, data_objects.DATASTORE)
    # A part that certainly is one: the renderer points the review at it.
    seen = next((p for p in parts or [] if data_objects.classify(plan, p) in references), None)
    if parts is None or any(contents.may_be_reference(plan, p) for p in parts):
        # A name, or ``settings["script_params"]``, reads the same object twice; anything else is evaluated once.
        rereadable = isinstance(expr, ast.Name) or plan.code("script_params") != ctx.segment(expr)
        if not rereadable or _names_read(plan) & _bound_by(plan.stmt):
            # Read twice (arguments, then data references): evaluated once, before the call.
            held = ctx.unique_name(f"{plan.env_label}_script_params")
            indent = len(ctx.indent_of(plan.stmt.lineno))
            plan.run.hoisted.append(Hoisted(held, shift_continuations(code, indent + len(held) + 3 - column)))
            code = held
        plan.run.data_references.append(DataReference("script_params", code, run_time=True, node=seen))
    plan.run.arguments = Arguments(run_time=code, column=column)


def _names_read(plan: Plan) -> set:
    code = plan.code("script_params")
    return {n.id for n in ast.walk(ast.parse(code, mode="eval")) if isinstance(n, ast.Name)}


def _bound_by(stmt: ast.stmt) -> set:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}


def _same_object(plan: Plan, name: ast.Name) -> list[ast.Name]:
    """The other reads of ``name`` that may see the object this one sees: those the same
    assignment reaches, or whose assignment cannot be told (notebooks rebind names cell after cell)."""
    names = plan.ctx.names
    mine = static.reaching_binding(names, name)
    found = []
    for use in names.uses(name.id, names.scope_of.get(id(name), names.module_scope)):
        if use is name:
            continue
        theirs = static.reaching_binding(names, use)
        if mine is None or theirs is None or theirs is mine:
            found.append(use)
    return found


def _resumed_elsewhere(plan: Plan, name: ast.Name) -> bool:
    """Another estimator with ``resume_from`` gets this dictionary, and adds ``--resume-from`` to it."""
    return any(contents.given_to_estimator(plan, use, resuming=True) for use in _same_object(plan, name))


def _changed_by_resume_from(plan: Plan, expr: ast.expr) -> bool:
    """With ``resume_from`` the estimator added ``--resume-from`` to the caller's dictionary
    itself; a ScriptRunConfig does not. Blocked when that dictionary is read again afterwards
    (or by the next turn of a loop around the call), where it held that entry."""
    if not plan.given("resume_from") or not isinstance(expr, ast.Name):
        return False
    if static.first_change(plan.ctx.names, expr, plan.call) is expr:
        plan.block("EM304", f"`script_params={expr.id}`: the estimator adds `--resume-from` to `{expr.id}`, and it "
                   "runs again in the loop around it, where the dictionary held that entry; a ScriptRunConfig "
                   "leaves the dictionary as it is", "Give each estimator a dictionary of its own, then run the "
                   "tool again.", expr)
        return True
    if plan.shared_after("script_params"):
        plan.block("EM304", f"with `resume_from` the estimator added `--resume-from` to `{expr.id}`, which is used "
                   "again later; the migrated code would not change it",
                   "Give this estimator a dictionary of its own, then run the tool again.", expr)
        return True
    return False


def _flatten(plan: Plan, node: ast.Dict, inline: bool, source_name: str | None) -> list[ArgGroup]:
    ctx = plan.ctx
    keys = [plan.value_of(k) for k, _ in _entries(node)]
    try:
        distinct = len(dict.fromkeys(keys)) == len(keys)  # 1 and True are one key, as in the dictionary
    except TypeError:  # an unhashable literal key raised TypeError in the estimator's code too
        distinct = False
    if any(k is static.UNKNOWN for k in keys) or not distinct:
        raise _RunTime()  # a key known only at run time, or written twice (the last value wins, in the first place)
    out: list[ArgGroup] = []
    prev_end = node.lineno  # comments between entries of an inline dict are kept with the next entry
    for key, value in _entries(node):
        items: list[str | DataArg] = []
        key_value = plan.value_of(key)
        key_code = _key_code(plan, key, key_value)
        if key_value not in _EMPTY:
            items.append(key_code)
        # What the estimator read for this entry, as code that is valid at the call: the entry of
        # the dictionary variable itself when the value's own code would not mean the same there.
        held = f"{source_name}[{key_code}]" if source_name is not None else ctx.segment(value)
        items.extend(_value_items(plan, key, value, held))
        before, after = [], ""
        if inline:
            before = [ln.strip() for ln in ctx.lines[prev_end:key.lineno - 1] if ln.strip().startswith("#")]
            after = _trailing_comment(ctx, value)
            prev_end = end_of(value)[0]
        out.append(ArgGroup(items, before, after))
    if inline:
        tail = [ln.strip() for ln in ctx.lines[prev_end:end_of(node)[0] - 1] if ln.strip().startswith("#")]
        if tail:
            out.append(ArgGroup([], tail, ""))
        first = ctx.lines[node.lineno - 1][ctx.char_col(node.lineno, node.col_offset) + 1:]
        if first.strip().startswith("#") and out:
            out[0].before.insert(0, first.strip())
    return out


def _key_code(plan: Plan, key: ast.expr, value) -> str:
    if plan.portable(key):
        return plan.ctx.segment(key)
    if isinstance(value, str):
        return plan.q(value)
    if isinstance(value, (int, float)) or value is None:
        return repr(value)
    raise _RunTime()  # the key may hold another value at the estimator call: read it there


def _code(plan: Plan, node: ast.expr, fallback: str | None) -> str:
    """The code of ``node`` when it means the same at the estimator call, else ``fallback``."""
    if plan.portable(node):
        return plan.ctx.segment(node)
    if fallback is None:
        raise _RunTime()  # it may hold another value at the estimator call than where the dictionary was built
    return fallback


def _trailing_comment(ctx, value: ast.expr) -> str:
    end_line, end_col = end_of(value)
    rest = ctx.lines[end_line - 1][ctx.char_col(end_line, end_col):].rstrip("\r\n")
    stripped = rest.lstrip(" \t,")
    return stripped if stripped.startswith("#") else ""


def _value_items(plan: Plan, key: ast.expr, value: ast.expr, held: str) -> list[str | DataArg]:
    ctx = plan.ctx
    lit = plan.value_of(value)
    code = _code(plan, value, held)
    if lit is not static.UNKNOWN:
        if lit in _EMPTY:
            return []  # bare flag
        if isinstance(lit, (list, tuple)):
            resolved = plan.resolve(value)
            assert isinstance(resolved, (ast.List, ast.Tuple))  # what the literal was read from
            return [_element_code(plan, e, v, f"{held}[{i}]")
                    for i, (e, v) in enumerate(zip(resolved.elts, lit, strict=False)) if v not in _EMPTY]
        if isinstance(lit, dict):
            resolved = plan.resolve(value)
            assert isinstance(resolved, ast.Dict)  # what the literal was read from
            return [_code(plan, k, None) for k, v in zip(resolved.keys, lit, strict=False)
                    if v is not None and k is not None and plan.value_of(k) not in _EMPTY]
        return [code]
    resolved = plan.resolve(value)
    if isinstance(resolved, (ast.List, ast.Tuple)):
        items: list[str | DataArg] = []
        for i, element in enumerate(resolved.elts):
            if isinstance(element, ast.Starred):
                raise _RunTime()  # its items are only known at run time
            kind = data_objects.classify(plan, element)
            if kind in (data_objects.DATAREF, data_objects.DATASTORE):
                _block(plan, "EM301", f"`{ctx.segment(element)}` is a DataReference inside a list value; the "
                       "estimator never registered it, so the original run was broken", element,
                       "Pass the reference as its own argument, or use a dataset.")
            element_lit = plan.value_of(element)
            if element_lit in _EMPTY:
                continue
            items.append(_element_code(plan, element, element_lit, f"{held}[{i}]"))
        return items
    if isinstance(resolved, ast.Dict):
        return [_code(plan, k, None) for k in resolved.keys if k is not None and plan.value_of(k) not in _EMPTY]
    if isinstance(static.resolve_identity(ctx.names, value), _CONTAINERS):
        raise _RunTime()  # the estimator expanded a container whose items are only known at run time
    kind = data_objects.classify(plan, value)
    if kind == data_objects.UNKNOWN_DATA or kind == data_objects.SCALAR and _unsure(plan, value):
        raise _RunTime()  # a dataset or a DataReference? a list, '' or a plain value? run time tells
    if kind == data_objects.DATASET:
        plan.argument_datasets.append((value, code))
    if kind in (data_objects.DATASET, data_objects.OUTPUT, data_objects.SCALAR):
        return [code]
    if kind in (data_objects.DATAREF, data_objects.DATASTORE):
        ref = code
        if not isinstance(value, ast.Name) or code != ctx.segment(value):
            # Evaluate the reference once: a second ``ds.path(...).as_mount()`` would get another
            # random reference name. A shared dictionary already holds the very object.
            ref = plan.ctx.unique_name(_name_from_key(key, plan) + "_ref")
            plan.run.hoisted.append(Hoisted(ref, held))
        datastore = kind == data_objects.DATASTORE
        plan.run.data_references.append(DataReference("script_params", ref, datastore, node=value))
        return [DataArg(ref, datastore)]
    reason = {
        data_objects.RAW_DATASET: "a Dataset used without `.as_named_input()`/`.as_mount()`; submitting it raised",
        data_objects.PIPELINE: "a PipelineData, which only works inside a pipeline step",
    }[kind]
    _block(plan, "EM301", f"`{ctx.segment(value)}` is {reason}", value,
           "Use `dataset.as_named_input('name').as_mount()` in `arguments`, or migrate this argument by hand.")
    return []


def _unsure(plan: Plan, value: ast.expr, depth: int = 0) -> bool:
    """A value the tool cannot follow to one expression, where what it can see says it may be
    flattened differently: one of its assignments, or branches, is '', None, a list, a dict or
    a DataReference."""
    if depth > 4:
        return False
    if isinstance(value, ast.IfExp):
        return any(_unsure(plan, v, depth + 1) for v in (value.body, value.orelse))
    if isinstance(value, ast.Name):
        return any(_unsure(plan, v, depth + 1) for v in contents.candidates(plan, value))
    lit = plan.value_of(value)
    if lit is not static.UNKNOWN:
        return lit in _EMPTY or isinstance(lit, (list, tuple, dict))
    return isinstance(value, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp,
                              ast.GeneratorExp)) or data_objects.classify(plan, value) in contents.REFERENCES


def _element_code(plan: Plan, element: ast.expr, value, fallback: str) -> str:
    if isinstance(value, (list, tuple, dict, set)):
        return plan.q(str(value))  # the estimator str()-ed nested iterables
    return _code(plan, element, fallback)


def _block(plan: Plan, code: str, message: str, node: ast.expr, hint: str = "") -> None:
    plan.block(code, message, hint or "Write `arguments=[...]` by hand.", node)
    raise _Blocked()


def _name_from_key(key: ast.expr, plan: Plan) -> str:
    value = plan.value_of(key)
    words = re.findall(r"[A-Za-z0-9]+", value) if isinstance(value, str) else []
    name = "_".join(w.lower() for w in words) or "data"
    return name if not name[0].isdigit() else "arg_" + name
