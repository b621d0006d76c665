"""What can be known about an expression without running it: literal values, and what a
name holds when it is bound exactly once and never changed in place."""

from __future__ import annotations

import ast
from typing import Any, Optional

from estimator_migrate.names import NameResolver


class _Unknown:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()

_MUTATORS = {"append", "extend", "insert", "update", "pop", "popitem", "remove", "clear", "setdefault",
             "sort", "reverse", "__setitem__", "__delitem__"}


def single_binding_value(names: NameResolver, name: ast.Name) -> Optional[ast.AST]:
    """The value expression of ``name`` when its visible binding is one plain assignment
    (``x = value``) and the object is never changed in place anywhere. Else None."""
    scope = names.scope_of.get(id(name), names.module_scope)
    bindings = names.bindings_of(name.id, scope)
    if len(bindings) != 1 or bindings[0].value is None:
        return None
    if is_mutated(names, name):
        return None
    return bindings[0].value


def is_mutated(names: NameResolver, name: ast.Name) -> bool:
    scope = names.scope_of.get(id(name), names.module_scope)
    for use in names.uses(name.id, scope):
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
