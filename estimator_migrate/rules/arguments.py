"""``script_params`` -> ``arguments``, flattened exactly as the estimator did (spec §3, T25):
insertion order; ``''``/``None`` values give bare flags; lists expand (nested iterables become
``str()``); dict values keep their keys; ``''``/``None`` items are dropped; other values stay
Python objects. Data objects follow spec §7: datasets stay objects, DataReferences become
``str(ref)`` plus a ``data_references`` entry.
"""

from __future__ import annotations

import ast
import re
from typing import List, Optional

from estimator_migrate import static
from estimator_migrate.rules import data as data_rule
from estimator_migrate.rules._plan import Plan, concern

_EMPTY = ("", None)
_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Blocked(Exception):
    pass


@concern("arguments", 30, "script_params")
def arguments(plan: Plan) -> None:
    expr = plan.kwargs["script_params"]
    if plan.literal("script_params") is None:
        plan.drop("script_params")
        return
    inline = isinstance(expr, ast.Dict)
    source_name: Optional[str] = None
    if isinstance(expr, ast.Name):
        value = plan.resolve(expr)
        if not isinstance(value, ast.Dict):
            plan.block("EM304", f"`script_params={expr.id}`: {_why_unknown(plan, expr)}, so the flattened "
                       "arguments cannot be computed statically", _HINT, expr)
            return
        if plan.given("resume_from") and plan.shared_after("script_params"):
            # The estimator added '--resume-from' to the caller's dictionary (spec §2); later code
            # that reads it would miss that entry after migration.
            plan.block("EM304", f"with `resume_from` the estimator added `--resume-from` to `{expr.id}`, which "
                       "is used again later; the migrated code would not change it",
                       "Give this estimator a dictionary of its own, then run the tool again.", expr)
            return
        source_name, expr = expr.id, value
    if not isinstance(expr, ast.Dict) or any(k is None for k in expr.keys):
        plan.block("EM304", "`script_params` is built at run time (not a dictionary literal)", _HINT)
        return
    keys = [plan.value_of(k) for k in expr.keys]
    if len(keys) > 1 and (any(k is static.UNKNOWN for k in keys) or _repeated(keys)):
        plan.block("EM304", "`script_params` has keys that are not distinct literals, so which entries the "
                   "dictionary kept is not known statically", _HINT)
        return
    try:
        groups = _flatten(plan, expr, inline, source_name)
    except _Blocked:
        return
    plan.rename("script_params", "arguments", _render_list(plan, groups))


def _repeated(keys: list) -> bool:
    try:
        return len(dict.fromkeys(keys)) != len(keys)  # 1 and True are one key, as in the dictionary
    except TypeError:
        return True


_HINT = "Write `arguments=[...]` by hand: each key, then its value; a '' or None value is a bare flag."


def _why_unknown(plan: Plan, name: ast.Name) -> str:
    """Why a ``script_params`` variable is not followed, as precisely as the source tells."""
    ctx = plan.ctx
    binding = static.reaching_binding(ctx.names, name)
    if binding is None:
        return f"`{name.id}` is not certainly one dictionary literal here (bound in a branch, a loop or elsewhere)"
    change = static.first_change(ctx.names, name, plan.call)
    if change is name:
        return f"the estimator adds `--resume-from` to `{name.id}`, and it runs again in the loop around it"
    if change is not None:
        return f"`{name.id}` may be changed between its assignment and this call, by " + where(ctx, change, plan.call)
    return f"`{name.id}` is built at run time (not a dictionary literal)"


class _Group:
    """The items one dictionary entry became, with the comments that stood around it."""

    def __init__(self, items: List[str], before: List[str], after: str):
        self.items, self.before, self.after = items, before, after


def where(ctx, node: ast.AST, here: ast.AST) -> str:
    """``the statement`` that holds ``node``, and the function it runs in when ``here`` is not in it."""
    stmt = ctx.enclosing_statement(node)
    text = f"`{ctx.segment(stmt).splitlines()[0].strip()}`"
    function = next((a for a in _ancestors(ctx, stmt) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if function is not None and not any(a is function for a in _ancestors(ctx, here)):
        return f"{text} in `{function.name}()`"
    return text


def _ancestors(ctx, node: ast.AST):
    node = ctx.parent(node)
    while node is not None:
        yield node
        node = ctx.parent(node)


def _flatten(plan: Plan, node: ast.Dict, inline: bool, source_name: Optional[str]) -> List[_Group]:
    ctx = plan.ctx
    out: List[_Group] = []
    prev_end = node.lineno  # comments between entries of an inline dict are kept with the next entry
    for key, value in zip(node.keys, node.values):
        items: List[str] = []
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


def _key_code(plan: Plan, key: ast.AST, value) -> str:
    if plan.portable(key):
        return plan.ctx.segment(key)
    if isinstance(value, str):
        return plan.q(value)
    if isinstance(value, (int, float)) or value is None:
        return repr(value)
    _block(plan, "EM304", f"the key `{plan.ctx.segment(key)}` may hold another value at the estimator call", key)
    return ""


def _code(plan: Plan, node: ast.AST, fallback: Optional[str]) -> str:
    """The code of ``node`` when it means the same at the estimator call, else ``fallback``."""
    if plan.portable(node):
        return plan.ctx.segment(node)
    if fallback is None:
        _block(plan, "EM304", f"`{plan.ctx.segment(node)}` may hold another value at the estimator call than "
               "where the dictionary was built", node)
    return fallback or ""


def _trailing_comment(ctx, value: ast.AST) -> str:
    line = ctx.lines[value.end_lineno - 1]
    rest = line[ctx.char_col(value.end_lineno, value.end_col_offset):].rstrip("\r\n")
    stripped = rest.lstrip(" \t,")
    return stripped if stripped.startswith("#") else ""


def _value_items(plan: Plan, key: ast.AST, value: ast.AST, held: str) -> List[str]:
    ctx = plan.ctx
    lit = plan.value_of(value)
    code = _code(plan, value, held)
    if lit is not static.UNKNOWN:
        if lit in _EMPTY:
            return []  # bare flag
        if isinstance(lit, (list, tuple)):
            resolved = plan.resolve(value)
            return [_element_code(plan, e, v, f"{held}[{i}]") for i, (e, v) in enumerate(zip(resolved.elts, lit))
                    if v not in _EMPTY]
        if isinstance(lit, dict):
            resolved = plan.resolve(value)
            return [_code(plan, k, None) for k, v in zip(resolved.keys, lit) if v is not None and k is not None
                    and plan.value_of(k) not in _EMPTY]
        return [code]
    resolved = plan.resolve(value)
    if isinstance(resolved, (ast.List, ast.Tuple)):
        items = []
        for i, element in enumerate(resolved.elts):
            if isinstance(element, ast.Starred):
                _block(plan, "EM304", f"the list value `{ctx.segment(value)}` is unpacked at run time", value)
            kind = data_rule.classify(plan, element)
            if kind in (data_rule.DATAREF, data_rule.DATASTORE):
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
        # The estimator expanded a container's items; which items it held is not known here.
        _block(plan, "EM304", f"`{ctx.segment(value)}` is a list, set or dictionary whose items are not known "
               "statically (built at run time, or changed before the estimator call); the estimator expanded "
               "them into separate arguments", value)
    kind = data_rule.classify(plan, value)
    if kind in (data_rule.DATASET, data_rule.OUTPUT, data_rule.SCALAR):
        return [code]
    if kind in (data_rule.DATAREF, data_rule.DATASTORE):
        ref = code
        if not isinstance(value, ast.Name) or code != ctx.segment(value):
            # Evaluate the reference once: a second ``ds.path(...).as_mount()`` would get another
            # random reference name. A shared dictionary already holds the very object.
            ref = plan.ctx.unique_name(_name_from_key(key, plan) + "_ref")
            plan.pre_lines.append(f"{ref} = {held}")
        argument, ref_key, ref_value = data_rule.reference_code(plan, ref, kind)
        data_rule.add_data_reference(plan, ref_key, ref_value)
        plan.note("EM201", f"`{ctx.segment(value)}` is a "
                  f"{'datastore' if kind == data_rule.DATASTORE else 'DataReference'}; migrated as `str(ref)` plus "
                  "a `run_config.data_references` entry; review it",
                  "Consider a FileDataset with `.as_named_input(...).as_mount()` instead.", value)
        return [argument]
    reason = {
        data_rule.RAW_DATASET: "a Dataset used without `.as_named_input()`/`.as_mount()`; submitting it raised",
        data_rule.PIPELINE: "a PipelineData, which only works inside a pipeline step",
        data_rule.UNKNOWN_DATA: "a mount of something the tool cannot identify (dataset or datastore?)",
    }[kind]
    _block(plan, "EM301", f"`{ctx.segment(value)}` is {reason}", value,
           "Use `dataset.as_named_input('name').as_mount()` in `arguments`, or migrate this argument by hand.")
    return []


def _element_code(plan: Plan, element: ast.AST, value, fallback: str) -> str:
    if isinstance(value, (list, tuple, dict, set)):
        return plan.q(str(value))  # the estimator str()-ed nested iterables
    return _code(plan, element, fallback)


def _block(plan: Plan, code: str, message: str, node: ast.AST, hint: str = "") -> None:
    plan.block(code, message, hint or "Write `arguments=[...]` by hand.", node)
    raise _Blocked()


def _name_from_key(key: ast.AST, plan: Plan) -> str:
    value = plan.value_of(key)
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
    keyword = next(k for k in call.keywords if k.arg == "script_params")
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
