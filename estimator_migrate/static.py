"""What can be known about an expression without running it: literal values, and what a
name holds at a given use (the assignment that reaches it, when that is certain)."""

from __future__ import annotations

import ast
from typing import Any, Optional

from estimator_migrate.names import Binding, NameResolver


class _Unknown:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()

_MUTATORS = {"append", "extend", "insert", "update", "pop", "popitem", "remove", "clear", "setdefault",
             "sort", "reverse", "__setitem__", "__delitem__"}


def single_binding_value(names: NameResolver, name: ast.Name) -> Optional[ast.AST]:
    """The value expression that reaches this use of ``name`` (see ``reaching_binding``), when
    the object is also not changed in place on the way. Else None."""
    binding = reaching_binding(names, name)
    if binding is None or binding.value is None:
        return None
    scope = names.scope_of.get(id(name), names.module_scope)
    if names.defining_scope(name.id, scope) is not scope:
        # Used from an inner function: it may run after any change in place.
        return None if is_mutated(names, name) else binding.value
    if _mutated_between(names, name, scope, binding.node, _statement_of(names, name), _loops(names, name, binding)):
        return None
    return binding.value


def reaching_binding(names: NameResolver, name: ast.Name) -> Optional[Binding]:
    """The plain assignment (``x = value``) that certainly runs last before this use of ``name``.

    Notebooks rebind the same name (``script_params``, ``est``) cell after cell; what counts
    is the assignment that runs last before the use. It is only trusted when it stands in a
    block that encloses the use (so it always runs first) and no other binding can run in
    between (none later in the file before the use, none in a loop around the use). A name
    used from an inner function needs a single binding: the function may run at any time.
    """
    scope = names.scope_of.get(id(name), names.module_scope)
    bindings = names.bindings_of(name.id, scope)
    if not bindings or any(b.kind != "other" or not isinstance(b.node, (ast.Assign, ast.AnnAssign))
                           for b in bindings):
        return None
    if names.defining_scope(name.id, scope) is not scope:
        return bindings[0] if len(bindings) == 1 else None
    use_stmt = _statement_of(names, name)
    if use_stmt is None:
        return None
    before = [b for b in bindings if b.node.end_lineno < use_stmt.lineno]
    if not before:
        return None
    reaching = max(before, key=lambda b: (b.node.lineno, b.node.col_offset))
    if not _dominates(names, reaching.node, use_stmt):
        return None
    loops = _loops(names, name, reaching)
    if any(b is not reaching and any(_inside(names, b.node, loop) for loop in loops) for b in bindings):
        return None  # rebound later in a loop around the use: another iteration sees that value
    return reaching


def _loops(names: NameResolver, name: ast.Name, binding: Binding):
    """Loops around the use that do not also contain the binding."""
    return [a for a in _ancestors(names, name) if isinstance(a, (ast.For, ast.AsyncFor, ast.While))
            and not _inside(names, binding.node, a)]


def _statement_of(names: NameResolver, node: ast.AST) -> Optional[ast.stmt]:
    while node is not None and not isinstance(node, ast.stmt):
        node = names.parent.get(id(node))
    return node


def _ancestors(names: NameResolver, node: ast.AST):
    node = names.parent.get(id(node))
    while node is not None:
        yield node
        node = names.parent.get(id(node))


def _inside(names: NameResolver, node: ast.AST, container: ast.AST) -> bool:
    return any(a is container for a in _ancestors(names, node))


def _dominates(names: NameResolver, binding: ast.stmt, use: ast.stmt) -> bool:
    """True when ``binding`` stands earlier in a statement list that contains ``use`` (or
    one of its enclosing statements): then it always runs before the use."""
    parent = names.parent.get(id(binding))
    for holder in [use] + list(_ancestors(names, use)):
        if names.parent.get(id(holder)) is parent:
            for field in ("body", "orelse", "finalbody"):
                block = getattr(parent, field, None)
                if isinstance(block, list) and binding in block and holder in block:
                    return block.index(binding) < block.index(holder)
            return False
        if holder is parent:
            return False
    return False


def _mutated_between(names: NameResolver, name: ast.Name, scope, start: ast.stmt, use: ast.stmt,
                     loops) -> bool:
    for other in names.uses(name.id, scope):
        if not _is_mutation(names, other):
            continue
        if start.end_lineno < other.lineno < use.lineno or any(_inside(names, other, loop) for loop in loops):
            return True
    return False


def is_mutated(names: NameResolver, name: ast.Name) -> bool:
    """Whether the object ``name`` is bound to is changed in place anywhere in its scope."""
    scope = names.scope_of.get(id(name), names.module_scope)
    return any(_is_mutation(names, use) for use in names.uses(name.id, scope))


def _is_mutation(names: NameResolver, use: ast.Name) -> bool:
    parent = names.parent.get(id(use))
    if isinstance(parent, ast.Subscript) and parent.value is use and not isinstance(parent.ctx, ast.Load):
        return True
    if isinstance(parent, ast.Attribute) and parent.value is use and parent.attr in _MUTATORS:
        return True
    if isinstance(parent, ast.AugAssign) and parent.target is use:
        return True
    if isinstance(parent, ast.Subscript) and parent.value is use:
        grand = names.parent.get(id(parent))
        if isinstance(grand, ast.AugAssign) and grand.target is parent:
            return True
    return False


def resolve(names: NameResolver, expr: ast.AST) -> ast.AST:
    """Follow a name to the expression it was bound to, when that is unambiguous."""
    seen = 0
    while isinstance(expr, ast.Name) and seen < 10:
        value = single_binding_value(names, expr)
        if value is None:
            return expr
        expr, seen = value, seen + 1
    return expr


def literal(names: NameResolver, expr: ast.AST) -> Any:
    """The Python value of a literal (following names bound once to literals), else UNKNOWN."""
    expr = resolve(names, expr)
    if isinstance(expr, ast.Constant):
        return expr.value
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        value = literal(names, expr.operand)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(expr.op, ast.USub) else value
        return UNKNOWN
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        items = [literal(names, e) for e in expr.elts]
        if any(i is UNKNOWN for i in items) or any(isinstance(e, ast.Starred) for e in expr.elts):
            return UNKNOWN
        return {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(expr)](items) \
            if not isinstance(expr, ast.Set) else UNKNOWN  # set order is not stable: treat as unknown
    if isinstance(expr, ast.Dict):
        if any(k is None for k in expr.keys):
            return UNKNOWN
        keys = [literal(names, k) for k in expr.keys]
        values = [literal(names, v) for v in expr.values]
        if any(x is UNKNOWN for x in keys + values):
            return UNKNOWN
        try:
            return dict(zip(keys, values))
        except TypeError:
            return UNKNOWN
    return UNKNOWN


def is_literal(names: NameResolver, expr: ast.AST) -> bool:
    return literal(names, expr) is not UNKNOWN
