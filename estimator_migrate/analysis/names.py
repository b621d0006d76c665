"""What a name refers to, from Python's own ``ast`` and a small scope model.

libcst's QualifiedNameProvider costs several times the parse; the engine only needs to know
which import a name at a given place comes from, and whether anything else (an assignment,
a parameter, a def) also binds it there. Python's scoping rules for that are short: function,
lambda and comprehension scopes nest, class bodies do not enclose their methods, ``global``
and ``nonlocal`` redirect a binding. A name bound by anything but one import is treated as
unknown, so a user's own ``Estimator`` or a shadowed import is never rewritten.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from typing import Any

from estimator_migrate.analysis.symbols import STAR_EXPORTS

IMPORT = "import"
OTHER = "other"


class Binding:
    __slots__ = ("kind", "qualname", "node", "value")

    def __init__(self, kind: str, qualname: str | None, node: Any, value: ast.expr | None = None):
        self.kind = kind
        self.qualname = qualname  # for imports: the dotted name the binding stands for
        self.node = node  # the ast node that binds: a statement, an argument, an import alias, ...
        self.value = value  # for simple assignments ``name = value``: the value expression


class Scope:
    __slots__ = ("node", "parent", "kind", "bindings", "globals", "nonlocals", "star_imports")

    def __init__(self, node: ast.AST, parent: Scope | None, kind: str):
        self.node = node
        self.parent = parent
        self.kind = kind  # module | function | class | lambda | comprehension
        self.bindings: dict[str, list[Binding]] = {}
        self.globals: set = set()
        self.nonlocals: set = set()
        self.star_imports: list[str] = []

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# Node types that bind names or open scopes: they go through _visit. Everything else only
# needs its children walked.
_SPECIAL = frozenset([ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS,
                      ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Assign, ast.AnnAssign,
                      ast.AugAssign, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.ExceptHandler,
                      ast.NamedExpr, ast.Delete] + [getattr(ast, n) for n in ("MatchAs", "MatchStar", "MatchMapping")
                                                   if hasattr(ast, n)])
# Singletons without children (contexts, operators): nothing to record for them.
_LEAVES = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


class NameResolver:
    """Scopes, bindings and parents of one module, computed in one walk of the ast."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.module_scope = Scope(tree, None, "module")
        self.scopes: list[Scope] = [self.module_scope]
        self.scope_of: dict[int, Scope] = {}  # id(ast node) -> scope it is evaluated in
        self.parent: dict[int, ast.AST] = {}
        self.name_uses: dict[tuple[int, str], list[ast.Name]] = {}  # (id(scope), name) -> loads
        self.calls: list[ast.Call] = []  # every call, for the engine's dispatch
        self._walk(tree, self.module_scope)

    # -- building -------------------------------------------------------------------------
    def _walk(self, node: Any, scope: Scope) -> None:
        # An explicit stack keeps very deep code from hitting the recursion limit. Most nodes
        # bind nothing: they take the generic path, which only records parents, scopes, calls
        # and name loads. This walk is the engine's main cost, hence the care.
        # Nodes of every type, dispatched on ``type(node)`` (cheaper than isinstance here).
        stack: list[tuple[Any, Scope]] = [(node, scope)]
        scope_of, parent, calls, special = self.scope_of, self.parent, self.calls, _SPECIAL
        pop, push = stack.pop, stack.append
        while stack:
            node, scope = pop()
            scope_of[id(node)] = scope
            kind = type(node)
            if kind is ast.Name:
                if type(node.ctx) is ast.Load:
                    self.name_uses.setdefault((id(scope), node.id), []).append(node)
                continue
            if kind in special:
                for child, child_scope in reversed(self._visit(node, scope)):
                    parent[id(child)] = node
                    push((child, child_scope))
                continue
            if kind is ast.Call:
                calls.append(node)
            children: list[ast.AST] = []
            for field in node._fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    children.extend(v for v in value if isinstance(v, ast.AST))
                elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                    children.append(value)
            for child in reversed(children):
                parent[id(child)] = node
                push((child, scope))

    def _visit(self, node: ast.AST, scope: Scope) -> list[tuple[ast.AST, Scope]]:
        out: list[tuple[ast.AST, Scope]] = []

        def add(children, sc=scope):
            for c in children if isinstance(children, list) else [children]:
                if c is not None:
                    out.append((c, sc))

        if isinstance(node, _FUNCTIONS) or isinstance(node, ast.Lambda):
            inner = self._scope(node, scope, "lambda" if isinstance(node, ast.Lambda) else "function")
            if not isinstance(node, ast.Lambda):
                self._bind(scope, node.name, Binding(OTHER, None, node))
                add(node.decorator_list)
                add(node.returns)
            args = node.args
            add([d for d in args.defaults + args.kw_defaults if d is not None])
            for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
                if a is not None:
                    inner.bind(a.arg, Binding(OTHER, None, a))
                    add(a.annotation)
            add(node.body if isinstance(node.body, list) else [node.body], inner)
            return out
        if isinstance(node, ast.ClassDef):
            self._bind(scope, node.name, Binding(OTHER, None, node))
            add(node.decorator_list)
            add(node.bases)
            add([k.value for k in node.keywords])
            add(node.body, self._scope(node, scope, "class"))
            return out
        if isinstance(node, _COMPREHENSIONS):
            inner = self._scope(node, scope, "comprehension")
            gens = node.generators
            add(gens[0].iter)  # the first iterable is evaluated in the enclosing scope
            for i, gen in enumerate(gens):
                self._bind_target(inner, gen.target, gen)
                if i:
                    add(gen.iter, inner)
                add(gen.ifs, inner)
            if isinstance(node, ast.DictComp):
                add([node.key, node.value], inner)
            else:
                add(node.elt, inner)
            return out
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self._bind(scope, alias.asname, Binding(IMPORT, alias.name, node))
                else:
                    top = alias.name.split(".")[0]
                    self._bind(scope, top, Binding(IMPORT, top, node))
            return out
        if isinstance(node, ast.ImportFrom):
            module = node.module if not node.level else None
            for alias in node.names:
                if alias.name == "*":
                    if module:
                        scope.star_imports.append(module)
                    continue
                qual = f"{module}.{alias.name}" if module else None
                self._bind(scope, alias.asname or alias.name, Binding(IMPORT if qual else OTHER, qual, node))
            return out
        if isinstance(node, ast.Global):
            scope.globals.update(node.names)
            return out
        if isinstance(node, ast.Nonlocal):
            scope.nonlocals.update(node.names)
            return out
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind_target(scope, target, node, node.value if len(node.targets) == 1 else None)
            add(node.targets)
            add(node.value)
            return out
        if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            self._bind_target(scope, node.target, node, getattr(node, "value", None)
                              if isinstance(node, ast.AnnAssign) else None)
            add(node.target)
            add(node.value)
            if isinstance(node, ast.AnnAssign):
                add(node.annotation)
            return out
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self._bind_target(scope, node.target, node)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self._bind_target(scope, item.optional_vars, node)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self._bind(scope, node.name, Binding(OTHER, None, node))
        elif isinstance(node, ast.NamedExpr):
            target_scope = scope
            while target_scope.kind == "comprehension" and target_scope.parent is not None:
                target_scope = target_scope.parent
            self._bind(target_scope, node.target.id, Binding(OTHER, None, node, node.value))
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self._bind_target(scope, target, node)
        elif type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
            self._bind(scope, node.name, Binding(OTHER, None, node))  # type: ignore[attr-defined]
        elif type(node).__name__ == "MatchMapping" and getattr(node, "rest", None):
            self._bind(scope, node.rest, Binding(OTHER, None, node))  # type: ignore[attr-defined]
        add(list(ast.iter_child_nodes(node)))
        return out

    def _scope(self, node: ast.AST, parent: Scope, kind: str) -> Scope:
        scope = Scope(node, parent, kind)
        self.scopes.append(scope)
        return scope

    def _bind(self, scope: Scope, name: str, binding: Binding) -> None:
        if name in scope.globals:
            scope = self.module_scope
        scope.bind(name, binding)

    def _bind_target(self, scope: Scope, target: ast.AST, node: ast.AST, value: ast.expr | None = None) -> None:
        if isinstance(target, ast.Name):
            self._bind(scope, target.id, Binding(OTHER, None, node, value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind_target(scope, elt, node)
        elif isinstance(target, ast.Starred):
            self._bind_target(scope, target.value, node)

    # -- queries --------------------------------------------------------------------------
    def defining_scope(self, name: str, scope: Scope) -> Scope | None:
        """The scope whose binding of ``name`` is visible from ``scope`` (None: builtin/unknown)."""
        if name in scope.globals:
            return self.module_scope if name in self.module_scope.bindings else None
        current: Scope | None = scope
        first = True
        while current is not None:
            if (first or current.kind != "class") and name in current.bindings:
                return current
            first = False
            current = current.parent
        return None

    def bindings_of(self, name: str, scope: Scope) -> list[Binding]:
        found = self.defining_scope(name, scope)
        return found.bindings[name] if found else []

    def qualified_name(self, expr: ast.AST) -> str | None:
        """``a.b.C`` -> the dotted name it stands for, or None when unknown or ambiguous."""
        attrs: list[str] = []
        while isinstance(expr, ast.Attribute):
            attrs.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        scope = self.scope_of.get(id(expr), self.module_scope)
        bindings = self.bindings_of(expr.id, scope)
        if bindings:
            quals = {b.qualname if b.kind == IMPORT else None for b in bindings}
            if len(quals) != 1 or None in quals:
                return None  # shadowed or rebound: not provably the import
            base = quals.pop()
            assert base is not None  # excluded above
        else:
            module = self.star_source(expr.id)
            if module is None:
                return None
            base = f"{module}.{expr.id}"
        return ".".join([base] + attrs[::-1])

    def star_source(self, name: str) -> str | None:
        """The module whose ``from ... import *`` binds ``name`` (a name bound nowhere else): the only
        star import, or, with several, the last one whose module is known to export it
        (``symbols.STAR_EXPORTS``) when every star import after it is known not to. None when
        a module the tool does not know may bind it."""
        stars = self.module_scope.star_imports
        if len(stars) == 1:
            return stars[0]
        for module in reversed(stars):  # the last star import that binds the name wins
            exported = STAR_EXPORTS.get(module)
            if exported is None:
                return None
            if name in exported:
                return module
        return None

    def uses(self, name: str, scope: Scope) -> Iterator[ast.Name]:
        """Every load of ``name`` that resolves to the binding visible in ``scope``."""
        home = self.defining_scope(name, scope)
        for (_scope_id, used), nodes in self.name_uses.items():
            if used != name:
                continue
            for node in nodes:
                if self.defining_scope(name, self.scope_of[id(node)]) is home:
                    yield node

    def all_identifiers(self) -> set:
        """Every name the module loads or binds anywhere (for picking new, unused names)."""
        names = {name for (_, name) in self.name_uses}
        for scope in self.scopes:
            names.update(scope.bindings)
        return names

    def loads(self) -> dict[str, int]:
        """How often each name is read anywhere in the module."""
        return {name: count for name, count in _count(self.name_uses)}

    def imports(self) -> list[ast.stmt]:
        """Every import statement, in source order."""
        found = {id(b.node): b.node for scope in self.scopes for bs in scope.bindings.values() for b in bs
                 if isinstance(b.node, (ast.Import, ast.ImportFrom))}
        return sorted(found.values(), key=lambda n: (n.lineno, n.col_offset))


def _count(name_uses: dict[tuple[int, str], list[ast.Name]]) -> Iterable[tuple[str, int]]:
    totals: dict[str, int] = {}
    for (_, name), nodes in name_uses.items():
        totals[name] = totals.get(name, 0) + len(nodes)
    return totals.items()
