"""``script_params`` -> ``arguments``, flattened exactly as the estimator did (spec §3, T25):
insertion order; ``''``/``None`` values give bare flags; lists expand (nested iterables become
``str()``); dict values keep their keys; ``''``/``None`` items are dropped; other values stay
Python objects. Data objects follow spec §7: datasets stay objects, DataReferences become
``str(ref)`` plus a ``data_references`` entry.

One decision: a dictionary literal the tool can read (written in the call, or bound to a name
once and not changed before the call) becomes a literal list; any other dictionary (built in a
branch or a loop, changed in place, filled from argparse, returned by a function, unpacked with
``**``) is flattened at run time, at the same place and from the same object, by
``flatten_script_params`` (see runtime_helpers), which does what the estimator did.
"""

from __future__ import annotations

import ast
import re
from typing import List, Optional, Tuple

from estimator_migrate import runtime_helpers, static
from estimator_migrate.rules import data as data_rule
from estimator_migrate.rules._plan import Plan, concern
from estimator_migrate.symbols import ESTIMATORS
from estimator_migrate.text import shift_continuations

_EMPTY = ("", None)
# What a value must not be (nor may be) for the data references to be left out of the rewrite.
_REFERENCES = (data_rule.DATAREF, data_rule.DATASTORE, data_rule.UNKNOWN_DATA)


class _Blocked(Exception):
    pass


class _RunTime(Exception):
    """The literal holds something only run time can tell (an unpacked list, a value that may
    be a dataset or a DataReference): the whole dictionary is flattened at run time."""


@concern("arguments", 30, "script_params")
def arguments(plan: Plan) -> None:
    expr = plan.kwargs["script_params"]
    if static.literal(plan.ctx.names, expr) is None:
        plan.drop("script_params")
        return
    if _changed_by_resume_from(plan, expr):
        return
    found = _literal_dict(plan, expr)
    if found is not None:
        node, inline, source_name = found
        saved = (list(plan.pre_lines), list(plan.facts.get("data_references", [])), list(plan.notes))
        try:
            groups = _flatten(plan, node, inline, source_name)
        except _Blocked:
            return
        except _RunTime:
            plan.pre_lines, plan.facts["data_references"], plan.notes = saved
        else:
            plan.rename("script_params", "arguments", _render_list(plan, groups))
            plan.facts["pairs_clean"] = _pairs_clean(plan, node)
            return
    _flatten_at_run_time(plan, expr)
    plan.facts["pairs_clean"] = None  # only run time knows


def _pairs_clean(plan: Plan, node: ast.Dict) -> bool:
    """Whether the flattened list reads back two by two as the flag/value pairs it came from
    (what submit overrides and HyperDrive relied on): no bare flag, no list expanded to other
    than one item, every key a flag (see ``_uses.Pairs``)."""
    names = plan.ctx.names
    for key, value in zip(node.keys, node.values):
        k, v = static.literal(names, key), static.literal(names, value)
        if not (isinstance(k, str) and k.startswith("-")) or v in _EMPTY or isinstance(v, dict) or \
                isinstance(v, str) and v.startswith("--"):
            return False
        if isinstance(v, (list, tuple)) and len([i for i in v if i not in _EMPTY]) != 1:
            return False
        if v is static.UNKNOWN and isinstance(static.resolve(names, value), (ast.List, ast.Tuple, ast.Dict)):
            return False
    return True


class Reader:
    """What the analysis below (and ``data.classify``) needs of a Plan, for a rule that has only
    the file's context."""

    def __init__(self, ctx):
        self.ctx = ctx


def followed_value(ctx, name: ast.Name) -> Optional[ast.AST]:
    """The expression ``name`` certainly holds here, unchanged since (None: not certain). The one
    place this module (and the rules that read dictionaries: estimator ``**settings``, submit
    overrides) asks the static analysis; everything it cannot follow is read at run time."""
    return static.single_binding_value(ctx.names, name)


def literal_dict(ctx, expr: ast.AST) -> Optional[ast.Dict]:
    """The dictionary literal ``expr`` certainly is (written here, or bound once and unchanged)."""
    value = followed_value(ctx, expr) if isinstance(expr, ast.Name) else expr
    return value if isinstance(value, ast.Dict) and all(k is not None for k in value.keys) else None


def may_drop_data(ctx, base: ast.AST, keys: Optional[set], clean: Optional[bool], strip: bool = False) -> bool:
    """Whether reading the flattened ``base`` (a script_params dictionary, or the literal list it
    became) two by two and dropping or replacing the entries named ``keys`` (None: unknown) may
    drop a dataset or output argument, which the estimator had registered when it was built (so
    the run still had it) and a ScriptRunConfig would not. A pairing not known to be clean may
    drop any item. ``strip``: keys are compared without leading '-' (HyperDrive's reading)."""
    data = (data_rule.DATASET, data_rule.OUTPUT, data_rule.UNKNOWN_DATA)
    reader = Reader(ctx)
    if clean is not True:
        keys = None

    def named(key) -> bool:
        k = static.literal(ctx.names, key)
        if keys is None:
            return True
        return (k.lstrip("-") if strip and isinstance(k, str) else k) in keys

    literal = literal_dict(ctx, base)
    if literal is not None:
        pairs = list(zip(literal.keys, literal.values))
    elif isinstance(base, (ast.List, ast.Tuple)):
        pairs = list(zip(base.elts[0::2], base.elts[1::2]))
    else:
        parts = dict_parts(ctx, base)
        return parts is None or any(_may_be(reader, p, data) for p in parts)  # type: ignore[arg-type]
    return any(_may_be(reader, value, data) and named(key) for key, value in pairs)  # type: ignore[arg-type]


def dict_parts(ctx, expr: ast.AST) -> Optional[List[ast.AST]]:
    return _dict_parts(Reader(ctx), expr, 0)  # type: ignore[arg-type]


def may_hold_references(ctx, expr: ast.AST) -> bool:
    """Whether the dictionary ``expr`` may hold a DataReference or datastore (see ``_dict_parts``)."""
    reader = Reader(ctx)
    parts = _dict_parts(reader, expr, 0)  # type: ignore[arg-type]
    return parts is None or any(_may_be_reference(reader, p) for p in parts)  # type: ignore[arg-type]


def _literal_dict(plan: Plan, expr: ast.AST) -> Optional[Tuple[ast.Dict, bool, Optional[str]]]:
    """(dictionary literal, written in the call, name it is bound to) when the dictionary that
    reaches the call is certainly that literal; else None."""
    if plan.code("script_params") != plan.ctx.segment(expr):
        return None  # given by ``**settings`` and not all constants: read from that dictionary, at run time
    value = literal_dict(plan.ctx, expr)
    if value is None or isinstance(expr, ast.Name) and _resumed_elsewhere(plan, expr):
        return None
    return value, value is expr, expr.id if isinstance(expr, ast.Name) else None


def _flatten_at_run_time(plan: Plan, expr: ast.AST) -> None:
    """``arguments=flatten_script_params(<the same expression>)``, plus the dictionary's data
    references when it may hold any (see ``_dict_parts``)."""
    ctx = plan.ctx
    code = plan.code("script_params")
    column = ctx.char_col(expr.lineno, expr.col_offset) if "script_params" not in plan.unpacked else 0
    parts = _dict_parts(plan, expr, 0)
    seen = next((p for p in parts or [] if data_rule.classify(plan, p) in (data_rule.DATAREF, data_rule.DATASTORE)),
                None)
    if seen is not None:
        plan.note("EM201", f"`{ctx.segment(seen)}` is a DataReference or datastore in `script_params`; migrated as "
                  "`str(ref)` plus a `run_config.data_references` entry, at run time; review it",
                  "Consider a FileDataset with `.as_named_input(...).as_mount()` instead.", seen)
    if parts is None or any(_may_be_reference(plan, p) for p in parts):
        # A name, or ``settings["script_params"]``, reads the same object twice; anything else is evaluated once.
        rereadable = isinstance(expr, ast.Name) or plan.code("script_params") != ctx.segment(expr)
        if not rereadable or expr_names(plan) & _bound_by(plan.stmt):
            # Read twice (arguments, then data references): evaluated once, before the call.
            held = ctx.unique_name(f"{plan.env_label}_script_params")
            indent = len(ctx.indent_of(plan.stmt.lineno))
            plan.pre_lines.append(f"{held} = {shift_continuations(code, indent + len(held) + 3 - column)}")
            code = held
        helper = runtime_helpers.helper_name(ctx, runtime_helpers.DATA_REFERENCES)
        data_rule.add_data_reference(plan, "**", f"{helper}({code})")
    flatten = runtime_helpers.helper_name(ctx, runtime_helpers.FLATTEN)
    code = shift_continuations(code, _keyword_column(plan) + len(f"arguments={flatten}(") - column)
    plan.rename("script_params", "arguments", f"{flatten}({code})")


def expr_names(plan: Plan) -> set:
    code = plan.code("script_params")
    return {n.id for n in ast.walk(ast.parse(code, mode="eval")) if isinstance(n, ast.Name)}


def _bound_by(stmt: ast.stmt) -> set:
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}


def _same_object(plan: Plan, name: ast.Name) -> List[ast.Name]:
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
    return any(_given_to_estimator(plan, use, resuming=True) for use in _same_object(plan, name))


def _given_to_estimator(plan: Plan, use: ast.Name, resuming: bool = False) -> bool:
    parent = plan.ctx.parent(use)
    call = plan.ctx.parent(parent) if isinstance(parent, ast.keyword) else None
    if not (isinstance(call, ast.Call) and parent.arg == "script_params" and
            plan.ctx.canonical_name(call.func) in ESTIMATORS):
        return False
    return not resuming or any(k.arg == "resume_from" and not (isinstance(k.value, ast.Constant) and
                                                               k.value.value is None) for k in call.keywords)


def _changed_by_resume_from(plan: Plan, expr: ast.AST) -> bool:
    """With ``resume_from`` the estimator added ``--resume-from`` to the caller's dictionary
    itself; ScriptRunConfig does not. Blocked when that dictionary is read again afterwards."""
    if not plan.given("resume_from") or not isinstance(expr, ast.Name):
        return False
    later = [u for u in _same_object(plan, expr) if u.lineno > plan.stmt.end_lineno]
    if not later:
        return False
    plan.block("EM309", f"with `resume_from` the estimator added `--resume-from` to `{expr.id}` itself, and "
               f"`{expr.id}` is read again on line {later[0].lineno}, where it held that entry; a "
               "ScriptRunConfig leaves the dictionary as it is",
               f"Give this estimator its own copy (`script_params=dict({expr.id})`) if the later use should not "
               "see `--resume-from`, then run the tool again.", expr)
    return True


# Methods that only read a dictionary, or only take entries out of it.
_READS = {"get", "items", "keys", "values", "copy", "pop", "popitem", "clear", "__contains__", "__len__"}
# Calls that only read the dictionary handed to them.
_READERS = {"print", "len", "str", "repr", "dict", "list", "sorted", "format", "display"}


def _dict_parts(plan: Plan, expr: ast.AST, depth: int) -> Optional[List[ast.AST]]:
    """Every key and value expression that can end up in the dictionary ``expr``, or None when
    some of them are out of sight. The data references are registered unless all are in sight
    and none is, or may be, a DataReference or datastore (values the tool cannot see at all,
    such as ``args.lr``, are taken for plain values, as everywhere in this tool)."""
    names = plan.ctx.names
    if depth > 6:
        return None
    if isinstance(expr, ast.Dict):
        parts: List[ast.AST] = []
        for key, value in zip(expr.keys, expr.values):
            more = [key, value] if key is not None else _dict_parts(plan, value, depth + 1)
            if more is None:
                return None
            parts += more
        return parts
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "dict" and \
            not names.bindings_of("dict", names.scope_of.get(id(expr), names.module_scope)):
        parts = []
        for arg in expr.args:
            more = _dict_parts(plan, arg, depth + 1)
            if more is None:
                return None
            parts += more
        for kw in expr.keywords:
            more = [kw.value] if kw.arg is not None else _dict_parts(plan, kw.value, depth + 1)
            if more is None:
                return None
            parts += more
        return parts
    if not isinstance(expr, ast.Name):
        return None
    scope = names.scope_of.get(id(expr), names.module_scope)
    bindings = names.bindings_of(expr.id, scope)
    if not bindings or any(b.value is None or not isinstance(b.node, (ast.Assign, ast.AnnAssign)) for b in bindings):
        return None
    parts = []
    for binding in bindings:
        more = _dict_parts(plan, binding.value, depth + 1)
        if more is None:
            return None
        parts += more
    for use in names.uses(expr.id, scope):
        more = _changes(plan, use, depth)
        if more is None:
            return None
        parts += more
    return parts


def _changes(plan: Plan, use: ast.Name, depth: int) -> Optional[List[ast.AST]]:
    """What this use of a dictionary may put into it: [] for a read, None when it cannot be told
    (it is handed to a function, or bound to another name that may change it)."""
    ctx = plan.ctx
    parent = ctx.parent(use)
    if isinstance(parent, ast.Subscript) and parent.value is use:
        if isinstance(parent.ctx, ast.Load):
            return []
        holder = ctx.parent(parent)
        if isinstance(parent.ctx, ast.Del):
            return []
        if isinstance(holder, ast.Assign) and parent in holder.targets:
            return [parent.slice, holder.value]
        if isinstance(holder, ast.AugAssign):
            return [parent.slice, holder.value]
        return None
    if isinstance(parent, ast.Attribute) and parent.value is use:
        call = ctx.parent(parent)
        if parent.attr in _READS:
            return []
        if not (isinstance(call, ast.Call) and call.func is parent):
            return None
        if parent.attr == "setdefault":
            return list(call.args)
        if parent.attr == "update":
            parts: List[ast.AST] = []
            for arg in call.args:
                more = _dict_parts(plan, arg, depth + 1)
                if more is None:
                    return None
                parts += more
            for kw in call.keywords:
                more = [kw.value] if kw.arg is not None else _dict_parts(plan, kw.value, depth + 1)
                if more is None:
                    return None
                parts += more
            return parts
        return None
    if isinstance(parent, ast.keyword):
        call = ctx.parent(parent)
        if parent.arg is None:
            return []  # ``f(**params)`` hands over copies of the entries
        if _given_to_estimator(plan, use):
            # An estimator reads it; with resume_from it also added a DataReference (--resume-from).
            return None if _given_to_estimator(plan, use, resuming=True) else []
        if parent.arg == "script_params" and isinstance(call, ast.Call) and \
                isinstance(call.func, ast.Attribute) and call.func.attr == "submit":
            return []  # a submit reads it
        return None
    if isinstance(parent, ast.Call) and use in parent.args:
        func = parent.func
        if isinstance(func, ast.Name) and (func.id in _READERS or runtime_helpers.is_helper(func.id)):
            return []  # the helpers only read it
        return None
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.Return, ast.Yield, ast.List, ast.Tuple,
                           ast.Set, ast.Lambda, ast.Starred)) or \
            isinstance(parent, ast.Dict) and use in parent.values and \
            parent.keys[parent.values.index(use)] is not None:
        return None  # another name (or container) now holds the same dictionary
    return []


def _may_be_reference(plan: Plan, node: ast.AST) -> bool:
    return _may_be(plan, node, _REFERENCES)


def _may_be(plan: Plan, node: ast.AST, kinds, depth: int = 0) -> bool:
    """Whether ``node`` is, or may hold (as far as the tool can see), a data object of ``kinds``."""
    if depth > 4:
        return False
    if data_rule.classify(plan, node) in kinds:
        return True
    if isinstance(node, ast.IfExp):
        return any(_may_be(plan, v, kinds, depth + 1) for v in (node.body, node.orelse))
    if isinstance(node, ast.Name):
        return any(_may_be(plan, v, kinds, depth + 1) for v in _candidates(plan, node))
    return False


def _candidates(plan: Plan, name: ast.Name) -> List[ast.AST]:
    """What ``name`` may hold, as far as the tool can see: every value assigned to it in its
    scope (in branches, cells, loops), and the items of a literal list a ``for`` loop takes it
    from. A parameter or a loop over something out of sight adds nothing (a plain value)."""
    names = plan.ctx.names
    found: List[ast.AST] = []
    for binding in names.bindings_of(name.id, names.scope_of.get(id(name), names.module_scope)):
        if binding.value is not None:
            found.append(binding.value)
        elif isinstance(binding.node, (ast.For, ast.AsyncFor)) and isinstance(binding.node.target, ast.Name):
            items = static.resolve(names, binding.node.iter)
            if isinstance(items, (ast.List, ast.Tuple, ast.Set)):
                found += [e.value if isinstance(e, ast.Starred) else e for e in items.elts]
    return found


class _Group:
    """The items one dictionary entry became, with the comments that stood around it."""

    def __init__(self, items: List[str], before: List[str], after: str):
        self.items, self.before, self.after = items, before, after


def _flatten(plan: Plan, node: ast.Dict, inline: bool, source_name: Optional[str]) -> List[_Group]:
    ctx = plan.ctx
    keys = [static.literal(ctx.names, k) for k in node.keys]
    try:
        distinct = len(set(keys)) == len(keys)
    except TypeError:  # an unhashable literal key raised TypeError in the estimator's code too
        distinct = False
    if any(k is static.UNKNOWN for k in keys) or not distinct:
        raise _RunTime()  # a key known only at run time, or written twice (the last value wins, in the first place)
    out: List[_Group] = []
    prev_end = node.lineno  # comments between entries of an inline dict are kept with the next entry
    for key, value in zip(node.keys, node.values):
        items: List[str] = []
        if static.literal(ctx.names, key) not in _EMPTY:
            items.append(ctx.segment(key))
        items.extend(_value_items(plan, key, value, inline, source_name))
        before, after = [], ""
        if inline:
            before = [ln.strip() for ln in ctx.lines[prev_end:key.lineno - 1] if ln.strip().startswith("#")]
            after = _trailing_comment(ctx, value)
            prev_end = value.end_lineno
        out.append(_Group(items, before, after))
    if inline:
        tail = [ln.strip() for ln in ctx.lines[prev_end:node.end_lineno - 1] if ln.strip().startswith("#")]
        if tail:
            out.append(_Group([], tail, ""))
        first = ctx.lines[node.lineno - 1][ctx.char_col(node.lineno, node.col_offset) + 1:]
        if first.strip().startswith("#") and out:
            out[0].before.insert(0, first.strip())
    return out


def _trailing_comment(ctx, value: ast.AST) -> str:
    line = ctx.lines[value.end_lineno - 1]
    rest = line[ctx.char_col(value.end_lineno, value.end_col_offset):].rstrip("\r\n")
    stripped = rest.lstrip(" \t,")
    return stripped if stripped.startswith("#") else ""


def _value_items(plan: Plan, key: ast.AST, value: ast.AST, inline: bool, source_name: Optional[str]) -> List[str]:
    ctx = plan.ctx
    names = ctx.names
    lit = static.literal(names, value)
    code = ctx.segment(value)
    if lit is not static.UNKNOWN:
        if lit in _EMPTY:
            return []  # bare flag
        if isinstance(lit, (list, tuple)):
            resolved = static.resolve(names, value)
            return [_element_code(plan, e, v) for e, v in zip(resolved.elts, lit) if v not in _EMPTY]
        if isinstance(lit, dict):
            resolved = static.resolve(names, value)
            return [ctx.segment(k) for k, v in zip(resolved.keys, lit) if v is not None and k is not None
                    and static.literal(names, k) not in _EMPTY]
        return [code]
    resolved = static.resolve(names, value)
    if isinstance(resolved, (ast.List, ast.Tuple)):
        items = []
        for element in resolved.elts:
            if isinstance(element, ast.Starred):
                raise _RunTime()  # its items are only known at run time
            kind = data_rule.classify(plan, element)
            if kind in (data_rule.DATAREF, data_rule.DATASTORE):
                _block(plan, "EM301", f"`{ctx.segment(element)}` is a DataReference inside a list value; the "
                       "estimator never registered it, so the original run was broken", element,
                       "Pass the reference as its own argument, or use a dataset.")
            element_lit = static.literal(names, element)
            if element_lit in _EMPTY:
                continue
            items.append(_element_code(plan, element, element_lit))
        return items
    if isinstance(resolved, ast.Dict):
        return [ctx.segment(k) for k in resolved.keys if k is not None and static.literal(names, k) not in _EMPTY]
    kind = data_rule.classify(plan, value)
    if kind == data_rule.UNKNOWN_DATA or kind == data_rule.SCALAR and _unsure(plan, value):
        raise _RunTime()  # a dataset or a DataReference? a list, '' or a plain value? run time tells
    if kind in (data_rule.DATASET, data_rule.OUTPUT, data_rule.SCALAR):
        return [code]
    if kind in (data_rule.DATAREF, data_rule.DATASTORE):
        ref = code
        if not isinstance(value, ast.Name):
            # Evaluate the reference once: a second ``ds.path(...).as_mount()`` would get another
            # random reference name. A shared dictionary already holds the very object.
            held = f"{source_name}[{ctx.segment(key)}]" if source_name is not None else code
            ref = plan.ctx.unique_name(_name_from_key(key, ctx) + "_ref")
            plan.pre_lines.append(f"{ref} = {held}")
        argument, ref_key, ref_value = data_rule.reference_code(plan, ref, kind)
        data_rule.add_data_reference(plan, ref_key, ref_value)
        plan.note("EM201", f"`{code}` is a {'datastore' if kind == data_rule.DATASTORE else 'DataReference'}; "
                  "migrated as `str(ref)` plus a `run_config.data_references` entry; review it",
                  "Consider a FileDataset with `.as_named_input(...).as_mount()` instead.", value)
        return [argument]
    reason = {
        data_rule.RAW_DATASET: "a Dataset used without `.as_named_input()`/`.as_mount()`; submitting it raised",
        data_rule.PIPELINE: "a PipelineData, which only works inside a pipeline step",
    }[kind]
    _block(plan, "EM301", f"`{code}` is {reason}", value,
           "Use `dataset.as_named_input('name').as_mount()` in `arguments`, or migrate this argument by hand.")
    return []


def _unsure(plan: Plan, value: ast.AST, depth: int = 0) -> bool:
    """A value the tool cannot follow to one expression, where what it can see says it may be
    flattened differently: one of its assignments, or branches, is '', None, a list, a dict or
    a DataReference."""
    if depth > 4:
        return False
    if isinstance(value, ast.IfExp):
        return any(_unsure(plan, v, depth + 1) for v in (value.body, value.orelse))
    if isinstance(value, ast.Name):
        return any(_unsure(plan, v, depth + 1) for v in _candidates(plan, value))
    lit = static.literal(plan.ctx.names, value)
    if lit is not static.UNKNOWN:
        return lit in _EMPTY or isinstance(lit, (list, tuple, dict))
    return isinstance(value, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp,
                              ast.GeneratorExp)) or data_rule.classify(plan, value) in _REFERENCES


def _element_code(plan: Plan, element: ast.AST, value) -> str:
    if isinstance(value, (list, tuple, dict, set)):
        return plan.q(str(value))  # the estimator str()-ed nested iterables
    return plan.ctx.segment(element)


def _block(plan: Plan, code: str, message: str, node: ast.AST, hint: str = "") -> None:
    plan.block(code, message, hint or "Write `arguments=[...]` by hand.", node)
    raise _Blocked()


def _name_from_key(key: ast.AST, ctx) -> str:
    value = static.literal(ctx.names, key)
    words = re.findall(r"[A-Za-z0-9]+", value) if isinstance(value, str) else []
    name = "_".join(w.lower() for w in words) or "data"
    return name if not name[0].isdigit() else "arg_" + name


def _render_list(plan: Plan, groups: List[_Group]) -> str:
    items = [i for g in groups for i in g.items]
    has_comments = any(g.before or g.after for g in groups)
    flat = "[" + ", ".join(items) + "]"
    if len(flat) <= 72 and "\n" not in flat and not has_comments:
        return flat
    # One entry per line, like a person would lay out a long argument list.
    ctx = plan.ctx
    indent = " " * _keyword_column(plan)
    inner = indent + "    "
    nl = ctx.newline
    body = ""
    for g in groups:
        body += "".join(f"{inner}{c}{nl}" for c in g.before)
        if g.items:
            body += f"{inner}{', '.join(g.items)},{'  ' + g.after if g.after else ''}{nl}"
        elif g.after:
            body += f"{inner}{g.after}{nl}"
    return f"[{nl}{body}{indent}]"


def _keyword_column(plan: Plan) -> int:
    """Where the ``arguments=`` keyword will stand once the call is renamed: a keyword on the
    call's first line, or aligned with its parenthesis, moves with the new name."""
    ctx, call = plan.ctx, plan.call
    keyword = next(k for k in call.keywords if k.arg == "script_params" or
                   k.arg is None and "script_params" in plan.unpacked)
    col = ctx.char_col(keyword.lineno, keyword.col_offset)
    call_col = ctx.char_col(call.lineno, call.col_offset)
    func = ctx.segment(call.func)
    old_align = call_col + len(func) + 1
    if keyword.lineno == call.lineno or col == old_align:
        col += len("ScriptRunConfig") - len(func)
    line = ctx.lines[keyword.lineno - 1]
    if keyword.lineno != call.lineno and col != old_align + len("ScriptRunConfig") - len(func):
        col = len(line) - len(line.lstrip(" \t"))
    return col
