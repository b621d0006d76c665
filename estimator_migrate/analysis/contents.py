"""What a ``script_params`` dictionary may hold, as far as the source shows: the expressions that
can end up in it (its literals, item assignments, ``update`` and ``setdefault`` calls, ``**``
unpacking, the values of the names used there), and whether any of them is, or may be, a
DataReference, a datastore or a dataset. Everything out of sight counts as "may"; values the
tool cannot see at all (``args.lr``, a parameter) count as plain values, as everywhere in this
tool. The rules that read a dictionary ask here (arguments, submit overrides, HyperDrive).
"""

from __future__ import annotations

import ast

from estimator_migrate.analysis import data_objects, static
from estimator_migrate.analysis.symbols import ESTIMATORS
from estimator_migrate.rewrite import runtime_helpers

# What a value must not be (nor may be) for the data references to be left out of the rewrite.
REFERENCES = (data_objects.DATAREF, data_objects.DATASTORE, data_objects.UNKNOWN_DATA)


class _FileReader:
    """What the analysis below (and ``data.classify``) needs of a Plan, for a rule that has only
    the file's context."""

    def __init__(self, ctx):
        self.ctx = ctx


def followed_value(ctx, name: ast.Name, until: ast.expr | None = None) -> ast.expr | None:
    """The expression ``name`` certainly holds, unchanged up to ``until`` (the call that reads it;
    None: not certain), as the static analysis tells (``static.value_at``)."""
    return static.value_at(ctx.names, name, until)


def literal_dict(ctx, expr: ast.expr, until: ast.expr | None = None) -> ast.Dict | None:
    """The dictionary literal ``expr`` certainly is up to ``until`` (written here, or followed)."""
    value = static.resolve(ctx.names, expr, until)
    return value if isinstance(value, ast.Dict) and all(k is not None for k in value.keys) else None


def may_drop_data(ctx, base: ast.expr, keys: set | None, clean: bool | None, strip: bool = False) -> bool:
    """Whether reading the flattened ``base`` (a script_params dictionary, or the literal list it
    became) two by two and dropping or replacing the entries named ``keys`` (None: unknown) may
    drop a dataset or output argument, which the estimator had registered when it was built (so
    the run still had it) and a ScriptRunConfig would not. A pairing not known to be clean may
    drop any item. ``strip``: keys are compared without leading '-' (HyperDrive's reading)."""
    data = (data_objects.DATASET, data_objects.OUTPUT, data_objects.UNKNOWN_DATA)
    reader = _FileReader(ctx)
    if clean is not True:
        keys = None

    def named(key) -> bool:
        k = static.literal(ctx.names, key)
        if keys is None:
            return True
        return (k.lstrip("-") if strip and isinstance(k, str) else k) in keys

    literal = literal_dict(ctx, base)
    if literal is not None:
        pairs = list(zip(literal.keys, literal.values, strict=False))
    elif isinstance(base, (ast.List, ast.Tuple)):
        pairs = list(zip(base.elts[0::2], base.elts[1::2], strict=False))
    else:
        parts = dict_parts(ctx, base)
        return parts is None or any(may_be(reader, p, data) for p in parts)
    return any(may_be(reader, value, data) and named(key) for key, value in pairs)


def dict_parts(ctx, expr: ast.expr) -> list[ast.expr] | None:
    """``parts_of`` for a rule that has only the file's context."""
    return parts_of(_FileReader(ctx), expr, 0)


def may_hold_references(ctx, expr: ast.expr) -> bool:
    """Whether the dictionary ``expr`` may hold a DataReference or datastore (see ``parts_of``)."""
    reader = _FileReader(ctx)
    parts = parts_of(reader, expr, 0)
    return parts is None or any(may_be_reference(reader, p) for p in parts)


def given_to_estimator(plan: data_objects.Reader, use: ast.Name, resuming: bool = False) -> bool:
    parent = plan.ctx.parent(use)
    call = plan.ctx.parent(parent) if isinstance(parent, ast.keyword) else None
    if not (isinstance(parent, ast.keyword) and isinstance(call, ast.Call) and parent.arg == "script_params" and
            plan.ctx.canonical_name(call.func) in ESTIMATORS):
        return False
    return not resuming or any(k.arg == "resume_from" and not (isinstance(k.value, ast.Constant) and
                                                               k.value.value is None) for k in call.keywords)


# Methods that only read a dictionary, or only take entries out of it.
_READS = {"get", "items", "keys", "values", "copy", "pop", "popitem", "clear", "__contains__", "__len__"}
# Calls that only read the dictionary handed to them.
_READERS = {"print", "len", "str", "repr", "dict", "list", "sorted", "format", "display"}


def parts_of(plan: data_objects.Reader, expr: ast.expr, depth: int) -> list[ast.expr] | None:
    """Every key and value expression that can end up in the dictionary ``expr``, or None when
    some of them are out of sight. The data references are registered unless all are in sight
    and none is, or may be, a DataReference or datastore (values the tool cannot see at all,
    such as ``args.lr``, are taken for plain values, as everywhere in this tool)."""
    names = plan.ctx.names
    if depth > 6:
        return None
    if isinstance(expr, ast.Dict):
        parts: list[ast.expr] = []
        for key, value in zip(expr.keys, expr.values, strict=False):
            more = [key, value] if key is not None else parts_of(plan, value, depth + 1)
            if more is None:
                return None
            parts += more
        return parts
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "dict" and \
            not names.bindings_of("dict", names.scope_of.get(id(expr), names.module_scope)):
        parts = []
        for arg in expr.args:
            more = parts_of(plan, arg, depth + 1)
            if more is None:
                return None
            parts += more
        for kw in expr.keywords:
            more = [kw.value] if kw.arg is not None else parts_of(plan, kw.value, depth + 1)
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
        assert binding.value is not None  # checked above
        more = parts_of(plan, binding.value, depth + 1)
        if more is None:
            return None
        parts += more
    for use in names.uses(expr.id, scope):
        more = _changes(plan, use, depth)
        if more is None:
            return None
        parts += more
    return parts


def _changes(plan: data_objects.Reader, use: ast.Name, depth: int) -> list[ast.expr] | None:
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
            parts: list[ast.expr] = []
            for arg in call.args:
                more = parts_of(plan, arg, depth + 1)
                if more is None:
                    return None
                parts += more
            for kw in call.keywords:
                more = [kw.value] if kw.arg is not None else parts_of(plan, kw.value, depth + 1)
                if more is None:
                    return None
                parts += more
            return parts
        return None
    if isinstance(parent, ast.keyword):
        call = ctx.parent(parent)
        if parent.arg is None:
            return []  # ``f(**params)`` hands over copies of the entries
        if given_to_estimator(plan, use):
            # An estimator reads it; with resume_from it also added a DataReference (--resume-from).
            return None if given_to_estimator(plan, use, resuming=True) else []
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


def may_be_reference(plan: data_objects.Reader, node: ast.expr) -> bool:
    return may_be(plan, node, REFERENCES)


def may_be(plan: data_objects.Reader, node: ast.expr, kinds, depth: int = 0) -> bool:
    """Whether ``node`` is, or may hold (as far as the tool can see), a data object of ``kinds``."""
    if depth > 4:
        return False
    if data_objects.classify(plan, node) in kinds:
        return True
    if isinstance(node, ast.IfExp):
        return any(may_be(plan, v, kinds, depth + 1) for v in (node.body, node.orelse))
    if isinstance(node, ast.Name):
        return any(may_be(plan, v, kinds, depth + 1) for v in candidates(plan, node))
    return False


def candidates(plan: data_objects.Reader, name: ast.Name) -> list[ast.expr]:
    """What ``name`` may hold, as far as the tool can see: every value assigned to it in its
    scope (in branches, cells, loops), and the items of a literal list a ``for`` loop takes it
    from. A parameter or a loop over something out of sight adds nothing (a plain value)."""
    names = plan.ctx.names
    found: list[ast.expr] = []
    for binding in names.bindings_of(name.id, names.scope_of.get(id(name), names.module_scope)):
        if binding.value is not None:
            found.append(binding.value)
        elif isinstance(binding.node, (ast.For, ast.AsyncFor)) and isinstance(binding.node.target, ast.Name):
            items = static.resolve(names, binding.node.iter)
            if isinstance(items, (ast.List, ast.Tuple, ast.Set)):
                found += [e.value if isinstance(e, ast.Starred) else e for e in items.elts]
    return found
