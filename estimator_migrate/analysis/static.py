"""What can be known about an expression without running it: literal values, and what a
name holds at a given use.

Two questions are kept apart, because a rewrite needs one or the other:

* Identity (``reaching_binding``, ``resolve_identity``): which assignment's object does the name
  hold here? Enough when the rewrite keeps using the object itself (``dataset``, ``cluster``):
  whatever happened to the object happens to it in the migrated code too.
* Content (``value_at``, ``resolve``, ``literal``): is the object still exactly what its
  assignment built, at the moment the estimator read it? Needed whenever the rewrite copies
  what the object holds (a dict's entries, a list's items, a configuration's fields) into new
  code, because a change made in between would be lost.

Content is decided by one conservative rule, in one place (``_harmless``): between the
assignment and the read, every other use of the name must be a plain read that cannot change
the object. Anything else counts as a possible change: attribute or item stores, ``+=``,
``del``, method calls not known to be read-only, handing the object to a call (the callee may
change it) or to another name or container (an alias may change it later), and any use inside
a function body, which may run at any time in between. A name also rebound through ``global``
or ``nonlocal`` is never followed.

Copying an expression's *code* from where it stands to where the rewrite puts it is a third
question (``portable``): every name in it must hold the same thing at both places.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from typing import Any

from estimator_migrate.analysis.names import Binding, NameResolver, Scope
from estimator_migrate.analysis.symbols import ESTIMATORS, STAR_EXPORTS, canonical
from estimator_migrate.text import Located, end_of


class _Unknown:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()

# Methods whose result holds nothing of the receiver that could be changed through it.
_READ_ONLY_METHODS = frozenset({
    "keys", "count", "index", "copy", "__len__", "__contains__", "startswith", "endswith", "lower", "upper", "strip",
    "lstrip", "rstrip", "split", "rsplit", "splitlines", "format", "replace", "encode", "isdigit", "isalpha",
    "serialize", "to_config", "__str__", "__repr__",
})
# Methods whose result shares parts of the receiver (a value of a dict, the items of a list):
# the result's own use decides.
# (``copy()`` is a new container, like ``dict(x)``/``list(x)``: taken as read-only too, though its
# items are the same objects.)
_VIEW_METHODS = frozenset({"get", "values", "items", "__getitem__"})
# Builtins that only read their arguments (their results are new objects or plain values).
_READING_BUILTINS = frozenset({
    "print", "len", "str", "repr", "ascii", "format", "isinstance", "issubclass", "type", "id", "hash", "bool",
    "int", "float", "complex", "sorted", "list", "tuple", "set", "frozenset", "dict", "enumerate", "zip",
    "reversed", "min", "max", "sum", "any", "all", "abs", "round", "range", "iter", "display",
})
_READING_FUNCTIONS = frozenset({"copy.copy", "copy.deepcopy", "json.dumps", "pprint.pprint", "pprint.pformat",
                                "os.path.join", "os.path.basename", "os.path.dirname"})
# Estimator parameters the estimator only reads (spec §2). The others keep a reference to the
# object (distributed_training, environment_variables, environment_definition, ...) or change
# it: ``pip_packages`` gets ``azureml-defaults`` inserted (unless a requirements file is merged
# into a new list), ``script_params`` gets ``--resume-from`` with ``resume_from``.
_ESTIMATOR_READS = frozenset({
    "source_directory", "compute_target", "vm_size", "vm_priority", "entry_script", "node_count",
    "process_count_per_node", "worker_count", "parameter_server_count", "distributed_backend", "use_gpu",
    "use_docker", "custom_docker_base_image", "custom_docker_image", "user_managed", "conda_packages",
    "conda_dependencies_file_path", "pip_requirements_file_path", "conda_dependencies_file",
    "pip_requirements_file", "inputs", "shm_size", "max_run_duration_seconds", "framework_version",
    "_enable_optimized_mode", "_disable_validation", "_show_lint_warnings", "_show_package_warnings",
})
# Calls whose result is the same every time for the same (unchanged) receiver and arguments,
# and that change nothing: their code may be evaluated again elsewhere.
_REPEATABLE_METHODS = frozenset({"as_named_input", "as_mount", "as_download", "as_upload", "as_hdfs", "get",
                                 "keys", "values", "items", "format", "lower", "upper", "strip", "replace",
                                 "split", "join"})
_REPEATABLE_BUILTINS = frozenset({"str", "int", "float", "bool", "len", "abs", "round", "min", "max", "sum",
                                  "sorted", "list", "tuple", "dict", "repr", "range"})
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


# -- positions ---------------------------------------------------------------------------------
def _start(node: Located) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _end(node: Located) -> tuple[int, int]:
    return end_of(node)


def _statement_of(names: NameResolver, node: ast.AST) -> ast.stmt | None:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        current = names.parent.get(id(current))
    return current if isinstance(current, ast.stmt) else None


def _ancestors(names: NameResolver, node: ast.AST) -> Iterator[ast.AST]:
    current = names.parent.get(id(node))
    while current is not None:
        yield current
        current = names.parent.get(id(current))


def _inside(names: NameResolver, node: ast.AST, container: ast.AST) -> bool:
    return any(a is container for a in _ancestors(names, node))


def _loops_around(names: NameResolver, node: ast.AST, outside: ast.AST) -> list[ast.AST]:
    """Loops around ``node`` that do not also contain ``outside``: their bodies run again after it."""
    return [a for a in _ancestors(names, node) if isinstance(a, _LOOPS) and not _inside(names, outside, a)]


def _scope(names: NameResolver, node: ast.AST) -> Scope:
    return names.scope_of.get(id(node), names.module_scope)


def _deferred(names: NameResolver, node: ast.AST, home: Scope | None) -> bool:
    """True when ``node`` stands in a function, lambda or generator nested in ``home``: it runs
    whenever that is called (or iterated), not where it stands."""
    scope: Scope | None = _scope(names, node)
    while scope is not None and scope is not home:
        if scope.kind in ("function", "lambda") or isinstance(scope.node, ast.GeneratorExp):
            return True
        scope = scope.parent
    return False


def _rebound_elsewhere(names: NameResolver, name: str, home: Scope) -> bool:
    """A ``global``/``nonlocal`` declaration lets code elsewhere rebind the name at any time."""
    if home is names.module_scope:
        return any(name in s.globals for s in names.scopes if s is not home)
    return any(name in s.nonlocals for s in names.scopes if s is not home)


# -- identity ----------------------------------------------------------------------------------
def reaching_binding(names: NameResolver, name: ast.Name) -> Binding | None:
    """The plain assignment (``x = value``) that certainly runs last before this use of ``name``.

    Notebooks rebind the same name (``script_params``, ``est``) cell after cell; what counts
    is the assignment that runs last before the use. It is only trusted when it stands in a
    block that encloses the use (so it always runs first) and no other binding can run in
    between (none later in the file before the use, none in a loop around the use, none from
    another scope through ``global``/``nonlocal``). A name used from an inner function needs a
    single binding: the function may run at any time.
    """
    scope = _scope(names, name)
    home = names.defining_scope(name.id, scope)
    if home is None:
        return None
    bindings = home.bindings.get(name.id, [])
    if not bindings or any(b.kind != "other" or not isinstance(b.node, (ast.Assign, ast.AnnAssign))
                           for b in bindings):
        return None
    if _rebound_elsewhere(names, name.id, home) or any(_scope(names, b.node) is not home for b in bindings):
        return None
    if home is not scope:
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
    loops = _loops_around(names, name, reaching.node)
    if any(b is not reaching and any(_inside(names, b.node, loop) for loop in loops) for b in bindings):
        return None  # rebound later in a loop around the use: another iteration sees that value
    return reaching


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


def bound_value(names: NameResolver, name: ast.Name) -> ast.expr | None:
    """The value expression whose object ``name`` holds here (identity only: the object may
    have been changed since)."""
    binding = reaching_binding(names, name)
    return binding.value if binding is not None else None


def resolve_identity(names: NameResolver, expr: ast.expr) -> ast.expr:
    """Follow names to the expression that built the object they hold (its kind, not its content)."""
    seen = 0
    while isinstance(expr, ast.Name) and seen < 10:
        value = bound_value(names, expr)
        if value is None:
            return expr
        expr, seen = value, seen + 1
    return expr


# -- content -----------------------------------------------------------------------------------
def value_at(names: NameResolver, name: ast.Name, until: ast.expr | None = None) -> ast.expr | None:
    """The value expression that reaches this use of ``name`` (``reaching_binding``), when the
    object it built is certainly unchanged up to the end of ``until`` (default: the use itself;
    a rule passes the call that reads the object). Else None."""
    binding = reaching_binding(names, name)
    if binding is None or binding.value is None:
        return None
    if _immutable(binding.value):
        return binding.value  # nothing to change in place: only rebinding matters
    return binding.value if _unchanged(names, name, binding, until if until is not None else name) else None


def _immutable(value: ast.expr) -> bool:
    """Values that cannot be changed in place. A tuple's names are followed on their own (putting
    an object in the tuple hands it on, which its own check sees); a list inside it is not."""
    if isinstance(value, ast.UnaryOp):
        value = value.operand
    if isinstance(value, ast.Tuple):
        return all(isinstance(e, ast.Name) or _immutable(e) for e in value.elts)
    return isinstance(value, (ast.Constant, ast.JoinedStr))


single_binding_value = value_at  # the name the rules used before content and identity were told apart


def _unchanged(names: NameResolver, name: ast.Name, binding: Binding, until: ast.expr) -> bool:
    return _first_change(names, name, binding, until) is None


def first_change(names: NameResolver, name: ast.Name, until: ast.expr | None = None) -> ast.expr | None:
    """The first use of ``name`` that may change the object it holds before ``until`` (for
    messages); None when there is none or the name is not followed at all."""
    binding = reaching_binding(names, name)
    if binding is None:
        return None
    return _first_change(names, name, binding, until if until is not None else name)


def _first_change(names: NameResolver, name: ast.Name, binding: Binding, until: ast.expr) -> ast.expr | None:
    scope = _scope(names, name)
    home = names.defining_scope(name.id, scope)
    uses = sorted((u for u in names.uses(name.id, scope) if u is not name), key=_start)
    if home is not scope or _deferred(names, until, home):
        # Read from a function that may run at any time: no change may happen anywhere.
        return next((u for u in uses if not _harmless(names, u)), None)
    start, stop = _end(binding.node), _end(until)
    loops = _loops_around(names, until, binding.node)
    if loops and not _harmless(names, name):
        return name  # the reading call itself changes it, and runs again on the next iteration
    for use in uses:
        if _inside(names, use, binding.node):
            continue
        if _deferred(names, use, home) or start <= _start(use) < stop \
                or any(_inside(names, use, loop) for loop in loops):
            if not _harmless(names, use):
                return use
    return None


def shared_after(names: NameResolver, expr: ast.expr, until: ast.expr) -> bool:
    """Whether the object ``expr`` (a name, or a chain of names) holds at ``until`` may still be
    reached by code that runs after ``until``: another use of a name that holds it, or an alias
    made before. Then a rewrite must leave that object exactly as the estimator left it."""
    seen = 0
    while isinstance(expr, ast.Name) and seen < 10:
        binding = reaching_binding(names, expr)
        if binding is None or binding.value is None or _used_after(names, expr, binding, until):
            return True
        expr, seen = binding.value, seen + 1
    # A display builds a new object, and a call is taken to return one (a function handing out a
    # list it also keeps is rare); ``cfg.pip`` or ``lists[0]`` is held by something else too.
    # ``a if c else b`` and ``a or b`` give one of their operands.
    if isinstance(expr, ast.IfExp):
        return shared_after(names, expr.body, until) or shared_after(names, expr.orelse, until)
    if isinstance(expr, ast.BoolOp):
        return any(shared_after(names, value, until) for value in expr.values)
    return not isinstance(expr, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Constant, ast.Call) + _COMPREHENSIONS)


def _used_after(names: NameResolver, name: ast.Name, binding: Binding, until: ast.expr) -> bool:
    scope = _scope(names, name)
    home = names.defining_scope(name.id, scope)
    others = [u for u in names.uses(name.id, scope) if u is not name and not _inside(names, u, binding.node)]
    if home is not scope or _deferred(names, until, home):
        return bool(others)
    start, stop = _end(binding.node), _end(until)
    loops = _loops_around(names, until, binding.node)
    if loops:
        return True  # the next iteration reads it again
    for use in others:
        if _deferred(names, use, home):
            return True
        if _start(use) >= stop or any(_inside(names, use, loop) for loop in loops):
            reached = reaching_binding(names, use)
            if reached is None or reached is binding:
                return True
        elif _start(use) >= start and use_kind(names, use) == HAND_ON:
            return True  # handed on before: whoever got it may use it later
    return False


def is_mutated(names: NameResolver, name: ast.Name) -> bool:
    """Whether the object ``name`` is bound to may be changed anywhere in its scope."""
    scope = _scope(names, name)
    return any(use is not name and not _harmless(names, use) for use in names.uses(name.id, scope))


READ, CHANGE, HAND_ON = "read", "change", "hand on"


def _harmless(names: NameResolver, use: ast.Name) -> bool:
    return use_kind(names, use) == READ


def use_kind(names: NameResolver, use: ast.Name) -> str:
    """What this load of a name may do to the object it holds: READ (certainly leaves it, and
    everything it holds, unchanged and hands nothing of it on), CHANGE (may change it in place:
    an attribute or item store, ``+=``, ``del``, a method call not known to be read-only) or
    HAND_ON (gives it, or a part of it, to other code that may keep it: an assignment, a
    container, a call, ``return``). Walks up through attribute and item reads: ``x.a.b`` does
    what the place the whole expression stands in does."""
    parent = names.parent.get
    node: ast.AST = use
    while True:
        up = parent(id(node))
        if isinstance(up, ast.Attribute):
            if not isinstance(up.ctx, ast.Load):
                return CHANGE  # x.a = ... / del x.a
            call = parent(id(up))
            if isinstance(call, ast.Call) and call.func is up:
                if up.attr in _READ_ONLY_METHODS:
                    return READ
                if up.attr in _VIEW_METHODS:
                    node = call
                    continue
                return CHANGE  # any other method may change the object
            node = up
            continue
        if isinstance(up, ast.Subscript):
            if up.value is not node:
                return READ  # used as the index
            if not isinstance(up.ctx, ast.Load):
                return CHANGE  # x[k] = ... / del x[k]
            node = up
            continue
        if isinstance(up, ast.Call):
            if up.func is node:
                return CHANGE
            return READ if _reading_call(names, up, None) else HAND_ON
        if isinstance(up, ast.keyword):
            call = parent(id(up))
            return READ if isinstance(call, ast.Call) and _reading_call(names, call, up.arg) else HAND_ON
        if isinstance(up, (ast.Compare, ast.UnaryOp, ast.BinOp, ast.FormattedValue, ast.JoinedStr, ast.Expr)):
            return READ  # compared, combined into a new value, formatted or displayed
        if isinstance(up, ast.AugAssign):
            return READ if up.value is node else CHANGE  # ``y += x`` reads x; ``x.a += y`` changes it
        if isinstance(up, (ast.If, ast.While, ast.Assert)):
            return READ
        if isinstance(up, (ast.IfExp, ast.BoolOp)):
            if isinstance(up, ast.IfExp) and up.test is node:
                return READ
            node = up  # the result may be the object itself
            continue
        if isinstance(up, (ast.For, ast.AsyncFor, ast.comprehension)):
            return READ if up.iter is node else CHANGE
        return HAND_ON  # assigned, stored in a container, returned, yielded, ...


def _reading_call(names: NameResolver, call: ast.Call, keyword: str | None) -> bool:
    """Whether handing an object to this call, as that keyword (None: positionally), certainly
    leaves it unchanged and keeps no reference to it."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in _READING_BUILTINS \
            and not names.bindings_of(func.id, _scope(names, func)):
        return True
    qualified = names.qualified_name(func) if not _builtin_past_star(names, func) else None
    if qualified in _READING_FUNCTIONS:
        return True
    if qualified and qualified.startswith("azureml.train.hyperdrive."):
        return True  # sampling, distributions, policies, HyperDriveConfig: they only read the values
    if canonical(qualified) in ESTIMATORS:
        if keyword is None:
            return True  # source_directory, the only positional parameter
        if keyword == "script_params":
            return not _passed(call, "resume_from")
        if keyword == "pip_packages":
            return _passed(call, "pip_requirements_file") or _passed(call, "pip_requirements_file_path")
        return keyword in _ESTIMATOR_READS
    return False


def _builtin_past_star(names: NameResolver, func: ast.expr) -> bool:
    """``setattr(...)`` in a file with ``from azureml.train.hyperdrive import *``: the qualified
    name guesses the star import's module, but a builtin that module does not export (or may not:
    a module the tool does not know) is still the builtin, which may change what it is given."""
    while isinstance(func, ast.Attribute):
        func = func.value
    if not isinstance(func, ast.Name) or not hasattr(builtins, func.id) or \
            names.bindings_of(func.id, _scope(names, func)):
        return False
    module = names.star_source(func.id)
    return module is not None and func.id not in STAR_EXPORTS.get(module, frozenset())


def _passed(call: ast.Call, keyword: str) -> bool:
    return any(k.arg == keyword and not (isinstance(k.value, ast.Constant) and k.value.value is None)
               for k in call.keywords)


def resolve(names: NameResolver, expr: ast.expr, until: ast.expr | None = None) -> ast.expr:
    """Follow a name to the expression it was bound to, when that object is certainly unchanged
    up to ``until`` (see ``value_at``)."""
    seen = 0
    while isinstance(expr, ast.Name) and seen < 10:
        value = value_at(names, expr, until)
        if value is None:
            return expr
        expr, seen = value, seen + 1
    return expr


def literal(names: NameResolver, expr: ast.expr, until: ast.expr | None = None) -> Any:
    """The Python value of a literal (following names to literals that are unchanged up to
    ``until``), else UNKNOWN."""
    expr = resolve(names, expr, until)
    if isinstance(expr, ast.Constant):
        return expr.value
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        value = literal(names, expr.operand, until)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(expr.op, ast.USub) else value
        return UNKNOWN
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        if isinstance(expr, ast.Set):
            return UNKNOWN  # set order is not stable: treat as unknown
        items = [literal(names, e, until) for e in expr.elts]
        if any(i is UNKNOWN for i in items) or any(isinstance(e, ast.Starred) for e in expr.elts):
            return UNKNOWN
        return list(items) if isinstance(expr, ast.List) else tuple(items)
    if isinstance(expr, ast.Dict):
        if any(k is None for k in expr.keys):
            return UNKNOWN
        keys = [literal(names, k, until) for k in expr.keys if k is not None]
        values = [literal(names, v, until) for v in expr.values]
        if any(x is UNKNOWN for x in keys + values):
            return UNKNOWN
        try:
            return dict(zip(keys, values, strict=False))
        except TypeError:
            return UNKNOWN
    return UNKNOWN


def written_literal(node: ast.expr | None) -> Any:
    """The value of a literal written in place (no names followed): None when there is no node,
    UNKNOWN when it is not a literal."""
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return UNKNOWN


def is_literal(names: NameResolver, expr: ast.expr, until: ast.expr | None = None) -> bool:
    return literal(names, expr, until) is not UNKNOWN


# -- copying code ------------------------------------------------------------------------------
def portable(names: NameResolver, expr: ast.expr, until: ast.expr) -> bool:
    """Whether the code of ``expr`` (which stands earlier, in an assignment the rewrite follows)
    can be evaluated again at ``until`` with the same result: every name in it holds the same
    thing there (not rebound in between, and unchanged where the expression reads into it), and
    every call in it is a repeatable read. An expression in the statement of ``until`` itself is
    evaluated at the same moment and is always portable."""
    expr_stmt, until_stmt = _statement_of(names, expr), _statement_of(names, until)
    if expr_stmt is until_stmt:
        return True
    if expr_stmt is None or until_stmt is None or _start(expr) > _start(until):
        return False
    for node in ast.walk(expr):
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom) + _COMPREHENSIONS):
            return False
        if isinstance(node, ast.Call) and not _repeatable_call(names, node):
            return False
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if not _same_binding(names, node, until):
                return False
            if _reads_into(names, node, expr) and not _unchanged_from(names, node, until):
                return False
    return True


def _repeatable_call(names: NameResolver, call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in _REPEATABLE_METHODS:
            return True
        return names.qualified_name(func) in _READING_FUNCTIONS - {"pprint.pprint"}
    return isinstance(func, ast.Name) and func.id in _REPEATABLE_BUILTINS \
        and not names.bindings_of(func.id, _scope(names, func))


def _reads_into(names: NameResolver, name: ast.Name, expr: ast.expr) -> bool:
    """True when the expression reads something held by the object (``cfg["lr"]``, ``cfg.lr``),
    not just the object itself or a data method's result (``dataset.as_named_input(...)``)."""
    if name is expr:
        return False
    up = names.parent.get(id(name))
    if isinstance(up, ast.Attribute) and up.value is name:
        call = names.parent.get(id(up))
        if isinstance(call, ast.Call) and call.func is up and up.attr in _REPEATABLE_METHODS - {"get", "keys",
                                                                                                 "values", "items"}:
            return False
        return True
    return isinstance(up, ast.Subscript) and up.value is name


def _same_binding(names: NameResolver, name: ast.Name, until: ast.expr) -> bool:
    """``name`` (standing before ``until``) is bound to the same object at ``until``: it
    resolves to the same scope there and no binding of it can run in between."""
    here, there = _scope(names, name), _scope(names, until)
    home = names.defining_scope(name.id, here)
    if home is not names.defining_scope(name.id, there):
        return False
    if home is None:
        return True  # a builtin at both places
    if _rebound_elsewhere(names, name.id, home):
        return False
    bindings = home.bindings[name.id]
    if _deferred(names, until, home) or _deferred(names, name, home):
        return len(bindings) == 1
    lo, hi = _start(name), _end(until)
    loops = _loops_around(names, until, name)
    for b in bindings:
        if lo < _start(b.node) < hi or any(_inside(names, b.node, loop) for loop in loops):
            return False
    return True


def _unchanged_from(names: NameResolver, name: ast.Name, until: ast.expr) -> bool:
    """The object ``name`` holds is not changed between this use and ``until``."""
    scope = _scope(names, name)
    home = names.defining_scope(name.id, scope)
    if home is None:
        return hasattr(builtins, name.id)  # anything else unbound here may be changed elsewhere
    if _deferred(names, until, home) or _deferred(names, name, home):
        return not any(u is not name and not _harmless(names, u) for u in names.uses(name.id, scope))
    statement = _statement_of(names, name)
    assert statement is not None  # a name stands in a statement
    start, stop = _end(statement), _end(until)
    loops = _loops_around(names, until, name)
    for use in names.uses(name.id, scope):
        if use is name:
            continue
        if _deferred(names, use, home) or start <= _start(use) < stop \
                or any(_inside(names, use, loop) for loop in loops):
            if not _harmless(names, use):
                return False
    return True


# -- a dictionary followed through its plain changes -------------------------------------------
_DICT_METHODS = ("update", "pop", "setdefault")


def followed_dict(names: NameResolver, name: ast.Name, until: ast.expr) -> dict | None:
    """The dictionary ``name`` holds when ``until`` runs, when it was assigned a literal and then
    only changed by plain statements of the same block, in straight-line order, with literal
    keys and values: ``d[k] = v``, ``del d[k]``, ``d.update({...})``, ``d.pop(k)``,
    ``d.setdefault(k, v)``. None when any other use may touch it before (an alias, a call it is
    passed to, a function that reads it, a branch or loop that changes it)."""
    binding = reaching_binding(names, name)
    if binding is None or not isinstance(binding.value, ast.Dict):
        return None
    scope = _scope(names, name)
    if names.defining_scope(name.id, scope) is not scope:
        return None
    start = literal(names, binding.value, binding.value)
    use_stmt = _statement_of(names, until)
    block = _block_of(names, binding.node)
    if not isinstance(start, dict) or use_stmt is None or block is None or use_stmt not in block:
        return None
    state = dict(start)
    first, last = block.index(binding.node), block.index(use_stmt)
    changes = []
    for use in names.uses(name.id, scope):
        if use is name:
            continue
        stmt = _statement_of(names, use)
        if stmt is None or _scope(names, use) is not scope:
            return None
        # The statement of the block that holds this use (itself, or a compound one around it).
        top = next((n for n in [stmt, *_ancestors(names, stmt)] if isinstance(n, ast.stmt) and n in block), None)
        if top is None:
            return None
        if block.index(top) <= first or block.index(top) > last:
            continue  # before the assignment (which rebinds it) or after the call
        if top is not stmt or stmt is use_stmt:
            return None
        changes.append((block.index(stmt), use))
    for index, use in sorted(changes, key=lambda c: (c[0], c[1].lineno, c[1].col_offset)):
        if not _apply_change(names, block[index], use, state):
            return None
    return state


def _block_of(names: NameResolver, stmt: ast.stmt) -> list | None:
    parent = names.parent.get(id(stmt))
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and stmt in block:
            return block
    return None


def _apply_change(names: NameResolver, stmt: ast.stmt, use: ast.Name, state: dict) -> bool:
    """Apply one plain change of the dictionary to ``state``; False when ``stmt`` is anything else."""
    def lit(expr):
        return literal(names, expr, expr)

    try:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Subscript) and target.value is use:
                key, value = lit(target.slice), lit(stmt.value)
                if UNKNOWN in (key, value) or any(isinstance(n, ast.Name) and n.id == use.id
                                                  for n in ast.walk(stmt.value)):
                    return False
                state[key] = value
                return True
            return False
        if isinstance(stmt, ast.Delete) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Subscript) and target.value is use:
                key = lit(target.slice)
                if key is UNKNOWN or key not in state:
                    return False
                del state[key]
                return True
            return False
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            func = call.func
            if not (isinstance(func, ast.Attribute) and func.value is use and func.attr in _DICT_METHODS) or \
                    call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
                return False
            args = [lit(a) for a in call.args]
            if UNKNOWN in args:
                return False
            if func.attr == "update" and len(args) == 1 and isinstance(args[0], dict):
                state.update(args[0])
            elif func.attr == "pop" and len(args) in (1, 2) and (args[0] in state or len(args) == 2):
                state.pop(*args)
            elif func.attr == "setdefault" and len(args) in (1, 2):
                state.setdefault(*args)
            else:
                return False
            return True
    except TypeError:  # an unhashable key raised in the program too
        return False
    return False
