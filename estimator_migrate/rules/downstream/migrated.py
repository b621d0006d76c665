"""What the rules that follow an estimator to where it is used (spec §8) know: which
expressions hold a ScriptRunConfig the tool made out of an estimator, and what the estimator
looked like.

The engine runs several passes. In pass 1 the estimator statement becomes
``est = ScriptRunConfig(...)``; the estimator rule remembers it (``remember``) in the engine's
memory, keyed by the holder and the statement's line in the file as read, so the later passes
recognise that ScriptRunConfig by what the name holds, not by the name.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Any

from estimator_migrate.analysis import static
from estimator_migrate.analysis.context import FileContext
from estimator_migrate.analysis.symbols import ESTIMATORS


@dataclasses.dataclass(frozen=True)
class Migrated:
    """What the tool knows about an estimator it rewrote into a ScriptRunConfig."""

    kind: str
    holder: str
    params: frozenset[str]
    framework_version: Any  # the literal value, None when omitted, static.UNKNOWN when not literal
    data_references: bool  # the estimator's run config had data_references (now post-lines)
    datasets: bool  # ... had datasets in run_config.data (from ``inputs``)


@dataclasses.dataclass
class SrcRef:
    """An expression that holds a ScriptRunConfig, and the construction it comes from."""

    expr: ast.expr
    call: ast.Call  # the ScriptRunConfig(...) call
    stmt: ast.stmt  # the statement binding it
    record: Migrated | None  # None: the user's own ScriptRunConfig

    def keyword(self, name: str) -> ast.keyword | None:
        return next((k for k in self.call.keywords if k.arg == name), None)


def _memory(ctx: FileContext) -> dict[tuple[str, int], Migrated]:
    return ctx.memory.setdefault("estimators", {})


def _origin(ctx: FileContext, line: int) -> int:
    return ctx.origin_line(line)


def migrated_assignment(ctx: FileContext, call: ast.Call) -> tuple[ast.Assign, str, Migrated] | None:
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
    run = plan.run
    version = plan.literal("framework_version") if plan.has("framework_version") else None
    _memory(ctx)[(plan.holder, _origin(ctx, plan.stmt.lineno))] = Migrated(
        kind=plan.kind, holder=plan.holder, params=frozenset(plan.kwargs), framework_version=version,
        data_references=bool(run.data_references) or run.source_directory_data_store is not None,
        datasets=bool(run.datasets))


def is_src_call(ctx: FileContext, node: ast.expr | None) -> bool:
    return isinstance(node, ast.Call) and ctx.canonical_name(node.func) == "ScriptRunConfig"


def is_estimator_call(ctx: FileContext, node: ast.expr | None) -> bool:
    return isinstance(node, ast.Call) and ctx.canonical_name(node.func) in ESTIMATORS


def record_of(ctx: FileContext, stmt: ast.stmt, holder: str) -> Migrated | None:
    return _memory(ctx).get((holder, _origin(ctx, stmt.lineno)))


def binding_value(ctx: FileContext, name: ast.Name) -> tuple[ast.expr | None, ast.stmt | None, int]:
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


def src_held_by(ctx: FileContext, expr: ast.expr) -> SrcRef | None:
    """The ScriptRunConfig ``expr`` holds, when that can be told from the source."""
    if isinstance(expr, ast.Call) and is_src_call(ctx, expr):
        return SrcRef(expr, expr, ctx.enclosing_statement(expr), None)
    if isinstance(expr, ast.Name):
        value, stmt, _ = binding_value(ctx, expr)
        if isinstance(value, ast.Call) and is_src_call(ctx, value) and stmt is not None:
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
            value = found[0].value
            if record is not None and isinstance(value, ast.Call):
                return SrcRef(expr, value, found[0], record)
    return None


def holds_estimator(ctx: FileContext, expr: ast.expr) -> bool:
    """True when ``expr`` still holds an estimator construction (not migrated, or not yet)."""
    if is_estimator_call(ctx, expr):
        return True
    return isinstance(expr, ast.Name) and is_estimator_call(ctx, binding_value(ctx, expr)[0])


def uses_of(ctx: FileContext, name: str, stmt: ast.stmt) -> list[ast.Name]:
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
