"""What rules use to write code: the local name for an SDK name, and text edits inside one
statement (ranges replaced, list items and keywords removed), grouped when two statements
must change together."""

from __future__ import annotations

import ast
import itertools

from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.text import end_of

_GROUPS = itertools.count(1)


def sdk_name(ctx: FileContext, name: str, at: ast.expr | None = None) -> str:
    """``name`` itself unless something visible where the new code goes (``at``; default: the
    module) binds it to anything but that SDK name; then an alias the module does not use.
    Whether an import of it reaches the new code is settled afterwards (imports.fix_imports)."""
    from estimator_migrate.analysis.symbols import IMPORT_FROM
    from estimator_migrate.rewrite.imports import ALIAS_PREFIX, MODULES

    scope = ctx.names.scope_of.get(id(at), ctx.names.module_scope) if at is not None else ctx.names.module_scope
    bindings = ctx.names.bindings_of(name, scope)
    if not bindings:
        return name
    expected = {name} if name in MODULES else {f"{IMPORT_FROM.get(name, '')}.{name}", f"azureml.core.{name}"}
    if all(b.kind == "import" and b.qualname in expected for b in bindings):
        return name
    return ALIAS_PREFIX + name


# -- editing ----------------------------------------------------------------------------------
def new_group() -> int:
    return next(_GROUPS)


def replace_in_statement(ctx: FileContext, stmt: ast.stmt, changes: list[tuple[ast.expr, str]],
                         group: int = 0) -> Edit:
    """An edit of the lines of ``stmt`` in which each node's text is replaced."""
    return replace_ranges(ctx, stmt, [(n.lineno, n.col_offset, *end_of(n), t) for n, t in changes], group)


def replace_ranges(ctx: FileContext, stmt: ast.stmt, ranges, group: int = 0) -> Edit:
    """``ranges``: (line, byte col, end line, end byte col, new text), non-overlapping."""
    first, last = stmt.lineno, end_of(stmt)[0]
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


def remove_list_items(ctx: FileContext, stmt: ast.stmt, lst: ast.List | ast.Tuple, drop: list[int]):
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
            ranges.append((*end_of(items[prev]), *end_of(items[j])))
        else:
            ranges.append((items[i].lineno, items[i].col_offset, *end_of(items[j])))
        i = j + 1
    return [(a, b, c, d, "") for a, b, c, d in ranges]


def keyword_range(ctx: FileContext, call: ast.Call, kw: ast.keyword):
    """The range that deletes keyword ``kw`` from ``call`` with one separating comma."""
    args: list[ast.expr | ast.keyword] = list(call.args) + list(call.keywords)
    args.sort(key=lambda a: (a.lineno, a.col_offset))
    i = args.index(kw)
    if i + 1 < len(args):
        nxt = args[i + 1]
        return (kw.lineno, kw.col_offset, nxt.lineno, nxt.col_offset, "")
    if i > 0:
        return (*end_of(args[i - 1]), *end_of(kw), "")
    return (kw.lineno, kw.col_offset, *end_of(kw), "")


def placeable(ctx: FileContext, call: ast.Call, stmt: ast.stmt) -> str | None:
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


# How tightly an expression binds (Python's precedence, loosest first), and what a place asks
# for: "primary" before `.attr`, `[...]` or `(...)`; "star" after `*` in a display (a
# bitwise_or); "test" as the condition of `x if <test> else y` (an or_test).
_LEVELS = {"primary": 15, "star": 6, "test": 2}
_BINOPS = {ast.BitOr: 6, ast.BitXor: 7, ast.BitAnd: 8, ast.LShift: 9, ast.RShift: 9, ast.Add: 10, ast.Sub: 10,
           ast.Pow: 13}


def _binding(node: ast.AST, text: str) -> int:
    if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Yield, ast.YieldFrom)):
        return 0
    if isinstance(node, ast.Tuple) and not text.startswith("("):
        return 0
    if isinstance(node, ast.IfExp):
        return 1
    if isinstance(node, ast.BoolOp):
        return 2 if isinstance(node.op, ast.Or) else 3
    if isinstance(node, ast.UnaryOp):
        return 4 if isinstance(node.op, ast.Not) else 12
    if isinstance(node, ast.Compare):
        return 5
    if isinstance(node, ast.BinOp):
        return _BINOPS.get(type(node.op), 11)
    if isinstance(node, ast.Await):
        return 14
    return 15


def operand(code: str, level: str = "primary") -> str:
    """``code`` (a user's expression, copied) parenthesised when it binds less tightly than the
    place it goes to asks: ``[...] if gpu else []`` before ``.insert(...)`` or after ``*`` must
    be ``([...] if gpu else [])``. Every rule that splices copied code into an operand place
    writes it through here; keyword values, call arguments and right-hand sides need nothing."""
    text = code.strip()
    try:
        node = ast.parse(f"({text})", mode="eval").body
    except SyntaxError:
        return f"({text})"
    return f"({text})" if _binding(node, text) < _LEVELS[level] else code
