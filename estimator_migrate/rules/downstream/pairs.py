"""An ``arguments`` list read the way the SDK read it: two by two, as flag/value pairs."""

from __future__ import annotations

import ast
from typing import Any

from estimator_migrate.analysis import static
from estimator_migrate.analysis.context import FileContext


# -- arguments lists ------------------------------------------------------------------------
class Pairs:
    """A literal ``arguments=[...]`` list read as the SDK's ``convert_list_to_dict`` reads it:
    items two by two. ``clean`` is False when that pairing does not match flag/value pairs (a
    bare flag or an expanded list shifted it, or the length is odd), or a key is not a literal."""

    def __init__(self, ctx: FileContext, node: ast.expr):
        self.node = node
        self.items: list[ast.expr] = list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else []
        self.literal_list = isinstance(node, (ast.List, ast.Tuple)) and \
            not any(isinstance(e, ast.Starred) for e in self.items)
        self.keys: list[Any] = [static.literal(ctx.names, k) for k in self.items[0::2]]
        values = [static.literal(ctx.names, v) for v in self.items[1::2]]
        self.clean = self.literal_list and len(self.items) % 2 == 0 \
            and all(isinstance(k, str) and k.startswith("-") for k in self.keys) \
            and not any(isinstance(v, str) and v.startswith("--") or v in ("", None) for v in values) \
            and len(set(self.keys)) == len(self.keys)

    def pairs(self) -> list[tuple[ast.expr, ast.expr]]:
        return list(zip(self.items[0::2], self.items[1::2], strict=False))
