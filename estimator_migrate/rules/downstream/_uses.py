"""Helpers for the rules that follow an estimator to where it is used (spec §8): which
expressions hold a ScriptRunConfig the tool made out of an estimator, what the estimator
looked like, and small text edits inside one statement.

The engine runs several passes. In pass 1 the estimator statement becomes
``est = ScriptRunConfig(...)``; the estimator rule remembers it (``remember``) in the engine's
memory, keyed by the holder and the statement's line in the file as read, so the later passes
recognise that ScriptRunConfig by what the name holds, not by the name.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from estimator_migrate.analysis import static
from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.analysis.symbols import ESTIMATORS

# DEFAULT_VERSION of the framework estimators (spec §1): ``framework_version`` when omitted.
DEFAULT_VERSIONS = {"PyTorch": "1.4", "TensorFlow": "1.13", "Chainer": "5.1.0", "SKLearn": "0.20.3"}
_GROUPS = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class Migrated:
    """What the tool knows about an estimator it rewrote into a ScriptRunConfig."""

    kind: str
    holder: str
    params: FrozenSet[str]
    framework_version: Any  # the literal value, None when omitted, static.UNKNOWN when not literal
    data_references: bool  # the estimator's run config had data_references (now post-lines)
    datasets: bool  # ... had datasets in run_config.data (from ``inputs``)


@dataclasses.dataclass
class SrcRef:
    """An expression that holds a ScriptRunConfig, and the construction it comes from."""

    expr: ast.AST
    call: ast.Call  # the ScriptRunConfig(...) call
    stmt: ast.stmt  # the statement binding it
    record: Optional[Migrated]  # None: the user's own ScriptRunConfig

    def keyword(self, name: str) -> Optional[ast.keyword]:
        return next((k for k in self.call.keywords if k.arg == name), None)


def _memory(ctx: FileContext) -> Dict[Tuple[str, int], Migrated]:
    return ctx.memory.setdefault("estimators", {})


def _origin(ctx: FileContext, line: int) -> int:
    return ctx.origin_line(line)


def migrated_assignment(ctx: FileContext, call: ast.Call) -> Optional[Tuple[ast.Assign, str, Migrated]]:
    """(statement, holder name, record) when ``call`` is a ScriptRunConfig this tool made from
    an estimator and stored in a plain name (``est = ScriptRunConfig(...)``); else None (the
    user's own ScriptRunConfig is not ours to change)."""
    stmt = ctx.enclosing_statement(call)
    if not (isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)):
        return None
    holder = stmt.targets[0].id
    record = record_of(ctx, stmt, holder)
    return (stmt, holder, record) if record is not None else None


def remember(ctx: FileContext, plan) -> None:
    """Called by the estimator rule for every estimator it rewrote into a named holder."""
    if not plan.holder:
        return
    posts = " ".join(plan.post_lines)
    version = plan.literal("framework_version") if plan.has("framework_version") else None
    _memory(ctx)[(plan.holder, _origin(ctx, plan.stmt.lineno))] = Migrated(
        kind=plan.kind, holder=plan.holder, params=frozenset(plan.kwargs), framework_version=version,
        data_references=".run_config.data_references" in posts or ".run_config.source_directory_data_store" in posts,
        datasets=".run_config.data =" in posts)


def is_src_call(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    return isinstance(node, ast.Call) and ctx.canonical_name(node.func) == "ScriptRunConfig"


def is_estimator_call(ctx: FileContext, node: Optional[ast.AST]) -> bool:
    return isinstance(node, ast.Call) and ctx.canonical_name(node.func) in ESTIMATORS


def record_of(ctx: FileContext, stmt: ast.stmt, holder: str) -> Optional[Migrated]:
    return _memory(ctx).get((holder, _origin(ctx, stmt.lineno)))


def binding_value(ctx: FileContext, name: ast.Name) -> Tuple[Optional[ast.AST], Optional[ast.stmt], int]:
    """(value, binding statement, 1) of the assignment that reaches ``name`` (the last one that
    certainly runs before it: notebooks rebind ``est`` cell after cell), or (None, None, number
    of bindings) when that cannot be told. Changes in place are allowed (unlike
    ``static.single_binding_value``): a ScriptRunConfig is changed through its attributes."""
    binding = static.reaching_binding(ctx.names, name)
    if binding is None or binding.value is None:
        scope = ctx.names.scope_of.get(id(name), ctx.names.module_scope)
        return None, None, len(ctx.names.bindings_of(name.id, scope))
    node = binding.node
    return binding.value, node if isinstance(node, ast.stmt) else None, 1


def src_held_by(ctx: FileContext, expr: ast.AST) -> Optional[SrcRef]:
    """The ScriptRunConfig ``expr`` holds, when that can be told from the source."""
    if is_src_call(ctx, expr):
        return SrcRef(expr, expr, ctx.enclosing_statement(expr), None)
    if isinstance(expr, ast.Name):
        value, stmt, _ = binding_value(ctx, expr)
        if is_src_call(ctx, value) and stmt is not None:
            return SrcRef(expr, value, stmt, record_of(ctx, stmt, expr.id))
        return None
    if isinstance(expr, (ast.Attribute, ast.Subscript)):
        # A holder like ``self.est`` or ``runs["a"]``: the one statement in the file that stored a
        # migrated estimator there, if there is exactly one.
        text = ctx.segment(expr)
        found = [s for s in ast.walk(ctx.tree) if isinstance(s, ast.Assign) and len(s.targets) == 1
                 and is_src_call(ctx, s.value) and ctx.segment(s.targets[0]) == text]
        stores = [n for n in ast.walk(ctx.tree) if isinstance(n, type(expr)) and not isinstance(n.ctx, ast.Load)
                  and ctx.segment(n) == text]
        if len(found) == 1 and len(stores) == 1:
            record = record_of(ctx, found[0], text)
            if record is not None:
                return SrcRef(expr, found[0].value, found[0], record)
    return None


def holds_estimator(ctx: FileContext, expr: ast.AST) -> bool:
    """True when ``expr`` still holds an estimator construction (not migrated, or not yet)."""
    if is_estimator_call(ctx, expr):
        return True
    return isinstance(expr, ast.Name) and is_estimator_call(ctx, binding_value(ctx, expr)[0])


def uses_of(ctx: FileContext, name: str, stmt: ast.stmt) -> List[ast.Name]:
    """Loads of ``name`` that may see the value ``stmt`` binds: those another assignment
    certainly rebinds first are left out; undecidable ones stay in (the rules report them)."""
    scope = ctx.names.scope_of.get(id(stmt), ctx.names.module_scope)
    for target in ast.walk(stmt):
        if isinstance(target, ast.Name) and target.id == name and not isinstance(target.ctx, ast.Load):
            scope = ctx.names.scope_of.get(id(target), scope)
            break
    found = []
    for use in ctx.names.uses(name, scope):
        binding = static.reaching_binding(ctx.names, use)
        if binding is None or binding.node is stmt:
            found.append(use)
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


# -- arguments lists ------------------------------------------------------------------------
class Pairs:
    """A literal ``arguments=[...]`` list read as the SDK's ``convert_list_to_dict`` reads it:
    items two by two. ``clean`` is False when that pairing does not match flag/value pairs (a
    bare flag or an expanded list shifted it, or the length is odd), or a key is not a literal."""

    def __init__(self, ctx: FileContext, node: ast.AST):
        self.node = node
        self.items: List[ast.AST] = list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else []
        self.literal_list = isinstance(node, (ast.List, ast.Tuple)) and \
            not any(isinstance(e, ast.Starred) for e in self.items)
        self.keys: List[Any] = [static.literal(ctx.names, k) for k in self.items[0::2]]
        values = [static.literal(ctx.names, v) for v in self.items[1::2]]
        self.clean = self.literal_list and len(self.items) % 2 == 0 \
            and all(isinstance(k, str) and k.startswith("-") for k in self.keys) \
            and not any(isinstance(v, str) and v.startswith("--") or v in ("", None) for v in values) \
            and len(set(self.keys)) == len(self.keys)

    def pairs(self) -> List[Tuple[ast.AST, ast.AST]]:
        return list(zip(self.items[0::2], self.items[1::2]))


# -- editing ----------------------------------------------------------------------------------
def new_group() -> int:
    return next(_GROUPS)


def replace_in_statement(ctx: FileContext, stmt: ast.stmt, changes: List[Tuple[ast.AST, str]],
                         group: int = 0) -> Edit:
    """An edit of the lines of ``stmt`` in which each node's text is replaced."""
    return replace_ranges(ctx, stmt, [(n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, t)
                                      for n, t in changes], group)


def replace_ranges(ctx: FileContext, stmt: ast.stmt, ranges, group: int = 0) -> Edit:
    """``ranges``: (line, byte col, end line, end byte col, new text), non-overlapping."""
    first, last = stmt.lineno, stmt.end_lineno
    text = "".join(ctx.lines[first - 1:last])
    offsets = [0]
    for line in ctx.lines[first - 1:last]:
        offsets.append(offsets[-1] + len(line))

    def pos(line: int, col: int) -> int:
        return offsets[line - first] + ctx.char_col(line, col)

    for sl, sc, el, ec, new in sorted(ranges, key=lambda r: (r[0], r[1]), reverse=True):
        a, b = pos(sl, sc), pos(el, ec)
        text = text[:a] + new + text[b:]
    edit = Edit(first, last, text)
    if group:
        edit.group = group
    return edit


def remove_list_items(ctx: FileContext, stmt: ast.stmt, lst: ast.List, drop: List[int]):
    """The (line, col, end line, end col, '') ranges that delete items ``drop`` of ``lst`` and their
    separators, keeping the layout (and comments) of the items that stay."""
    items = lst.elts
    keep = [i for i in range(len(items)) if i not in drop]
    ranges = []
    i = 0
    while i < len(items):
        if i not in drop:
            i += 1
            continue
        j = i
        while j + 1 < len(items) and j + 1 in drop:
            j += 1
        nxt = j + 1 if j + 1 < len(items) else None
        prev = max((k for k in keep if k < i), default=None)
        if nxt is not None:  # from this item to the start of the next kept one
            ranges.append((items[i].lineno, items[i].col_offset, items[nxt].lineno, items[nxt].col_offset))
        elif prev is not None:  # the tail: from the end of the last kept item
            ranges.append((items[prev].end_lineno, items[prev].end_col_offset,
                           items[j].end_lineno, items[j].end_col_offset))
        else:
            ranges.append((items[i].lineno, items[i].col_offset, items[j].end_lineno, items[j].end_col_offset))
        i = j + 1
    return [(a, b, c, d, "") for a, b, c, d in ranges]


def keyword_range(ctx: FileContext, call: ast.Call, kw: ast.keyword):
    """The range that deletes keyword ``kw`` from ``call`` with one separating comma."""
    args: List[ast.AST] = list(call.args) + list(call.keywords)
    args.sort(key=lambda a: (a.lineno, a.col_offset))
    i = args.index(kw)
    if i + 1 < len(args):
        nxt = args[i + 1]
        return (kw.lineno, kw.col_offset, nxt.lineno, nxt.col_offset, "")
    if i > 0:
        prev = args[i - 1]
        return (prev.end_lineno, prev.end_col_offset, kw.end_lineno, kw.end_col_offset, "")
    return (kw.lineno, kw.col_offset, kw.end_lineno, kw.end_col_offset, "")


def placeable(ctx: FileContext, call: ast.Call, stmt: ast.stmt) -> Optional[str]:
    """Why statements cannot be placed before ``stmt`` for ``call`` (None: they can)."""
    if not ctx.owns_lines(stmt) or isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With,
                                                     ast.AsyncWith, ast.Try, ast.FunctionDef,
                                                     ast.AsyncFunctionDef, ast.ClassDef)):
        return "the call shares its line or a statement header with other code"
    node = ctx.parent(call)
    while node is not None and node is not stmt:
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.IfExp,
                             ast.BoolOp)):
            return f"the call stands inside a {type(node).__name__.lower()}"
        node = ctx.parent(node)
    return None
