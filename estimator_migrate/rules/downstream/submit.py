"""EM105: ``exp.submit(est, script_params={...})`` after ``est`` became a ScriptRunConfig
(spec §3 submit-time overrides, §8.1, T34).

The estimator merged the overrides into its arguments for that one submit:
``convert_list_to_dict(arguments)`` (items two by two), the overrides on top, flattened again.
ScriptRunConfig has no overrides, so the merged list is written out: into the ScriptRunConfig's
own ``arguments`` when this submit is its only use, else into a ScriptRunConfig built for this
submit from the same run configuration. When the arguments or the overrides are only known at
run time, that copy gets ``merge_script_params(est.arguments, overrides)``, which merges as the
estimator did (runtime_helpers). When a bare flag had shifted the estimator's pairing of a
literal list, the original merge corrupted the arguments; that is reported, not reproduced, and
so are overrides that may hold a DataReference (registered for that one submit) and ``inputs``
or ``source_directory_data_store`` overrides. The estimator rule asks ``blocking_submit`` first
and then leaves the estimator as it is: never half-migrated.
``exp.submit(est)`` / ``exp.submit(config=est)`` keep working as they are.
"""

from __future__ import annotations

import ast

from estimator_migrate.analysis import contents, static
from estimator_migrate.analysis.context import FileContext
from estimator_migrate.rewrite import runtime_helpers
from estimator_migrate.rules import on_call
from estimator_migrate.rules.downstream.migrated import migrated_assignment, uses_of
from estimator_migrate.rules.downstream.pairs import Pairs
from estimator_migrate.rules.edits import keyword_range, new_group, replace_ranges, sdk_name

_OVERRIDES = ("script_params", "inputs", "source_directory_data_store")


@on_call("ScriptRunConfig")
def submit_overrides(ctx: FileContext, call: ast.Call) -> None:
    found = migrated_assignment(ctx, call)
    if found is None:
        return
    stmt, holder, _ = found
    uses = uses_of(ctx, holder, stmt)
    for use in uses:
        submit = _submit_call(ctx, use)
        if submit is None:
            continue
        overrides = [k for k in submit.keywords if k.arg in _OVERRIDES]
        if overrides:
            _fold(ctx, call, stmt, holder, use, submit, overrides, only_use=len(uses) == 1)


_CONTAINERS = (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _unsigned(node: ast.expr) -> ast.expr:
    return node.operand if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) else node


def _submit_call(ctx: FileContext, use: ast.Name):
    parent = ctx.parent(use)
    if isinstance(parent, ast.keyword) and parent.arg == "config":
        parent = ctx.parent(parent)
    elif not (isinstance(parent, ast.Call) and parent.args and parent.args[0] is use):
        return None
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and parent.func.attr == "submit":
        return parent
    return None


def _overrides_problem(ctx: FileContext, submit: ast.Call, holder: str, clean: bool | None,
                       base: ast.expr | None) -> str | None:
    """Why the overrides of this submit cannot be carried over (None: they can). ``clean``: the
    ScriptRunConfig's literal arguments read back as flag/value pairs (None: built at run time);
    ``base``: the script_params dictionary, or the literal arguments list, they override."""
    overrides = [k for k in submit.keywords if k.arg in _OVERRIDES]
    other = [k.arg for k in overrides if k.arg != "script_params"]
    if other:
        return f"`{other[0]}` at submit has no ScriptRunConfig counterpart"
    params = next((k for k in overrides if k.arg == "script_params"), None)
    if params is None or static.literal(ctx.names, params.value) in ({}, None):
        return None
    if contents.may_hold_references(ctx, params.value):
        return ("the overrides may hold a DataReference, which the estimator registered for this submit only, "
                "and a ScriptRunConfig has one run configuration for all its submits")
    if clean is False:
        return ("the estimator merged them by pairing its arguments two by two, and a bare flag (or an expanded "
                "list) shifted that pairing, so the submitted arguments were corrupted")
    if base is not None and _may_replace_data(ctx, base, params.value, clean):
        return ("an override may replace a dataset argument, whose dataset the estimator had already registered "
                "for the run (it stayed mounted); the ScriptRunConfig would drop it")
    return None


def _may_replace_data(ctx: FileContext, base: ast.expr, overrides: ast.expr, clean: bool | None) -> bool:
    given = static.resolve(ctx.names, overrides)
    keys = [static.literal(ctx.names, k) if k is not None else static.UNKNOWN for k in given.keys] \
        if isinstance(given, ast.Dict) else [static.UNKNOWN]
    return contents.may_drop_data(ctx, base, None if static.UNKNOWN in keys else set(keys), clean)


def blocking_submit(ctx: FileContext, stmt: ast.stmt, holder: str, clean: bool | None, base: ast.expr | None):
    """Before an estimator stored in ``holder`` is rewritten: (submit call, why) for a later
    ``submit(holder, script_params=...)`` whose overrides cannot be carried over; the estimator
    is then left as it is, never half-migrated. None when there is none."""
    for use in uses_of(ctx, holder, stmt):
        submit = _submit_call(ctx, use)
        if submit is not None:
            why = _overrides_problem(ctx, submit, holder, clean, base)
            if why is None and static.reaching_binding(ctx.names, use) is None and _has_overrides(ctx, submit):
                # The merge is written for one ScriptRunConfig; which one reaches here only run time tells.
                why = (f"`{holder}` may hold another estimator there, being bound more than once, so the tool "
                       "cannot tell whose arguments they merge into")
            if why is not None:
                return submit, why
        if isinstance(ctx.parent(use), ast.Return):
            # Returned from a function: any submit with overrides whose object is not traced to
            # a construction may receive it, and its overrides would be left behind.
            for submit in _untraced_submits_with_overrides(ctx):
                return submit, (f"`{holder}` is returned from its function, and this submit's object is not "
                                "traced to one construction, so the tool cannot tell whose arguments the "
                                "overrides merge into")
    return None


def _untraced_submits_with_overrides(ctx: FileContext) -> list[ast.Call]:
    found = []
    for call in ctx.names.calls:
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "submit" and _has_overrides(ctx, call)):
            continue
        target = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "config"), None)
        binding = static.reaching_binding(ctx.names, target) if isinstance(target, ast.Name) else None
        value = getattr(binding, "value", None)
        if not (isinstance(value, ast.Call) and ctx.canonical_name(value.func) is not None):
            found.append(call)
    return found


def _has_overrides(ctx: FileContext, submit: ast.Call) -> bool:
    return any(k.arg in _OVERRIDES and
               (k.arg != "script_params" or static.literal(ctx.names, k.value) not in ({}, None))
               for k in submit.keywords)


def _fold(ctx: FileContext, src: ast.Call, src_stmt: ast.stmt, holder: str, use: ast.Name, submit: ast.Call,
          overrides: list[ast.keyword], only_use: bool) -> None:
    submit_stmt = ctx.enclosing_statement(submit)
    lines = (submit_stmt.lineno, submit.lineno)

    def manual(message: str, hint: str = "Merge the overrides into the ScriptRunConfig's `arguments` by hand.") -> None:
        ctx.report("EM310", submit, f"`submit({holder}, ...)` overrides: {message}", hint, lines=lines)

    arguments = next((k for k in src.keywords if k.arg == "arguments"), None)
    base = Pairs(ctx, arguments.value) if arguments is not None else None
    problem = _overrides_problem(ctx, submit, holder, base.clean if base is not None and base.literal_list else
                                 None if base is not None else True, _overridden(arguments))
    if problem is not None:
        return manual(problem, "Write the arguments this run should get by hand." if "corrupted" in problem else
                      "Set the ScriptRunConfig's `arguments` and `run_config` for this submit by hand.")
    params = next(k for k in overrides if k.arg == "script_params")
    new_items = _static_overrides(ctx, params.value, submit)
    resumed = any(k.arg == "resume_from" for k in src.keywords)
    if new_items is None or resumed or (base is not None and not base.literal_list):
        return _fold_at_run_time(ctx, src, holder, use, submit, submit_stmt, params, lines)
    if not ctx.may_fix("EM105", submit, *lines):
        return
    # merge_dict(convert_list_to_dict(arguments), script_params), then flattened again. The
    # overrides move into the ScriptRunConfig's own statement only when they are constants: any
    # other expression could mean something else there (a name rebound in between).
    constants = all(isinstance(_unsigned(val), ast.Constant) for _, val in new_items)
    copy_mode = not (only_use and src_stmt is not submit_stmt and constants)

    def item(node: ast.expr, index: int) -> str:
        # A copy for one submit refers to what the ScriptRunConfig holds rather than evaluating the
        # expression again (a second ``.as_mount()`` would be a second object, a name may have
        # been rebound since).
        if copy_mode and not isinstance(_unsigned(node), ast.Constant):
            return f"{holder}.arguments[{index}]"
        return ctx.segment(node)

    merged = [[item(k, 2 * i), item(v, 2 * i + 1)] for i, (k, v) in enumerate(base.pairs() if base else [])]
    keys = [static.literal(ctx.names, k) for k, _ in (base.pairs() if base else [])]
    for key, val in new_items:
        k = static.literal(ctx.names, key)
        if k in keys:
            merged[keys.index(k)][1] = ctx.segment(val)
        else:
            keys.append(k)
            merged.append([ctx.segment(key), ctx.segment(val)])
    listed = "[" + ", ".join(item for pair in merged for item in pair) + "]"
    group = new_group()
    edits = []
    submit_ranges = [keyword_range(ctx, submit, params)]
    if not copy_mode:
        if arguments is not None:
            src_ranges = [(arguments.value.lineno, arguments.value.col_offset, arguments.value.end_lineno,
                           arguments.value.end_col_offset, listed)]
        else:
            after = next(k for k in src.keywords if k.arg not in ("source_directory", "script")) \
                if any(k.arg not in ("source_directory", "script") for k in src.keywords) else None
            if after is None:
                return manual("there is no place for `arguments=` in the ScriptRunConfig call")
            src_ranges = [(after.lineno, after.col_offset, after.lineno, after.col_offset, f"arguments={listed}, ")]
        edits.append(replace_ranges(ctx, src_stmt, src_ranges, group))
        where = f"`{holder}`'s `arguments`"
    else:
        # Other uses must keep the arguments as they were: a ScriptRunConfig for this submit only.
        submit_ranges.append(_copy_range(ctx, holder, use, submit, listed))
        where = "a ScriptRunConfig built for this submit from the same run configuration"
    edits.append(replace_ranges(ctx, submit_stmt, submit_ranges, group))
    _report(ctx, submit, lines, edits, where)


def _overridden(arguments: ast.keyword | None) -> ast.expr | None:
    """What the overrides apply to: a literal list, or the dictionary a run-time flattening reads."""
    if arguments is None:
        return None
    value = arguments.value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and \
            value.func.id.startswith(runtime_helpers.FLATTEN) and value.args:
        return value.args[0]
    return value


def _static_overrides(ctx: FileContext, value: ast.expr, submit: ast.Call):
    """The overrides as (key, value) nodes when they are a literal dictionary of flags with plain
    values that mean the same at the submit as where the dictionary was built; else None (they
    are merged at run time, at the submit)."""
    if static.literal(ctx.names, value, submit) in ({}, None):
        return []
    resolved = static.resolve(ctx.names, value, submit)
    if not isinstance(resolved, ast.Dict) or any(k is None for k in resolved.keys):
        return None
    items = [(k, v) for k, v in zip(resolved.keys, resolved.values, strict=False) if k is not None]
    for key, val in items:
        k, v = static.literal(ctx.names, key, submit), static.literal(ctx.names, val, submit)
        # An empty key is dropped by the estimator's flattening: the run-time merge does that.
        if not isinstance(k, str) or k == "" or v in ("", None) or isinstance(v, (list, tuple, dict, set)) or \
                isinstance(static.resolve_identity(ctx.names, val), _CONTAINERS + (ast.Call,)):
            return None
        if not static.portable(ctx.names, val, submit):
            return None
    return items


def _fold_at_run_time(ctx, src, holder, use, submit, submit_stmt, params, lines) -> None:
    """``submit(ScriptRunConfig(..., arguments=merge_script_params(est.arguments, overrides), ...))``:
    the merge the estimator did at this submit, done by the same rule at the same moment."""
    if not ctx.may_fix("EM105", submit, *lines):
        return
    merge = runtime_helpers.helper_name(ctx, runtime_helpers.MERGE)
    has_list = any(k.arg in ("arguments", "resume_from") for k in src.keywords)
    base = f"{holder}.arguments" if has_list else "[]"
    merged = f"{merge}({base}, {ctx.segment(params.value)})"
    group = new_group()
    ranges = [keyword_range(ctx, submit, params), _copy_range(ctx, holder, use, submit, merged)]
    edits = [replace_ranges(ctx, submit_stmt, ranges, group)]
    _report(ctx, submit, lines, edits, "a ScriptRunConfig built for this submit from the same run configuration "
            f"(`{merge}` does the estimator's merge at run time)")


def _copy_range(ctx: FileContext, holder: str, use: ast.Name, submit: ast.Call, arguments: str):
    func = sdk_name(ctx, "ScriptRunConfig", submit)
    parts = [f"{holder}.source_directory", f"script={holder}.script", f"arguments={arguments}",
             f"run_config={holder}.run_config"]
    copy = f"{func}({', '.join(parts)})"
    line = ctx.lines[use.lineno - 1].rstrip("\r\n")
    if len(line) + len(copy) - len(holder) > 99:  # one argument per line, aligned with the parenthesis
        align = " " * (ctx.char_col(use.lineno, use.col_offset) + len(func) + 1)
        copy = f"{func}(" + ("," + ctx.newline + align).join(parts) + ")"
    return (use.lineno, use.col_offset, use.end_lineno, use.end_col_offset, copy)


def _report(ctx: FileContext, submit: ast.Call, lines, edits, where: str) -> None:
    finding = ctx.report("EM105", submit, f"submit-time `script_params` overrides have no ScriptRunConfig "
                         f"counterpart; merged as the estimator did into {where}", fixed=True, lines=lines)
    for edit in edits:
        edit.findings = ctx.findings[-1:] if finding else []
        ctx.edits.append(edit)
