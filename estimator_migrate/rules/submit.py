"""EM105: ``exp.submit(est, script_params={...})`` after ``est`` became a ScriptRunConfig
(spec §3 submit-time overrides, §8.1, T34).

The estimator merged the overrides into its arguments for that one submit:
``convert_list_to_dict(arguments)`` (items two by two), the overrides on top, flattened again.
ScriptRunConfig has no overrides, so the merged list is written out: into the ScriptRunConfig's
own ``arguments`` when this submit is its only use, else into a ScriptRunConfig built for this
submit from the same run configuration. When a bare flag had shifted the estimator's pairing,
the original merge corrupted the arguments; that is reported, not reproduced.
``exp.submit(est)`` / ``exp.submit(config=est)`` keep working as they are.
"""

from __future__ import annotations

import ast
from typing import List

from estimator_migrate import static
from estimator_migrate.context import FileContext
from estimator_migrate.rules import on_call
from estimator_migrate.rules._plan import sdk_name
from estimator_migrate.rules._uses import Pairs, keyword_range, migrated_assignment, new_group, replace_ranges, uses_of

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


def _unsigned(node: ast.AST) -> ast.AST:
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


def _fold(ctx: FileContext, src: ast.Call, src_stmt: ast.stmt, holder: str, use: ast.Name, submit: ast.Call,
          overrides: List[ast.keyword], only_use: bool) -> None:
    submit_stmt = ctx.enclosing_statement(submit)
    lines = (submit_stmt.lineno, submit.lineno)

    def manual(message: str, hint: str = "Merge the overrides into the ScriptRunConfig's `arguments` by hand.") -> None:
        ctx.report("EM310", submit, f"`submit({holder}, ...)` overrides: {message}", hint, lines=lines)

    other = [k.arg for k in overrides if k.arg != "script_params"]
    if other:
        return manual(f"`{other[0]}` at submit has no ScriptRunConfig counterpart",
                      f"Set `{holder}.run_config.data_references` / `.data` before the submit instead.")
    params = next(k for k in overrides if k.arg == "script_params")
    value = static.resolve(ctx.names, params.value, submit)
    if static.literal(ctx.names, params.value, submit) in ({}, None):
        new_items = []
    elif not isinstance(value, ast.Dict) or any(k is None for k in value.keys):
        return manual("`script_params` is not a literal dictionary")
    else:
        new_items = list(zip(value.keys, value.values))
    for key, val in new_items:
        k, v = static.literal(ctx.names, key, submit), static.literal(ctx.names, val, submit)
        if not isinstance(k, str) or v in ("", None) or isinstance(v, (list, tuple, dict, set)) or \
                isinstance(static.resolve_identity(ctx.names, val), _CONTAINERS + (ast.Call,)):
            return manual(f"the override `{ctx.segment(key)}: {ctx.segment(val)}` is not a flag with a plain value")
        if not static.portable(ctx.names, val, submit):
            return manual(f"the override `{ctx.segment(val)}` may hold another value at the submit than where the "
                          "dictionary was built")
    if any(k.arg == "resume_from" for k in src.keywords):
        return manual("with `resume_from` the arguments gain `--resume-from` at run time")
    arguments = next((k for k in src.keywords if k.arg == "arguments"), None)
    base = Pairs(ctx, arguments.value) if arguments is not None else None
    if base is not None and not base.literal_list:
        return manual(f"`{holder}`'s arguments are not a literal list")
    if base is not None and not base.clean:
        return manual("the estimator merged them by pairing its arguments two by two, and a bare flag (or an "
                      "expanded list) shifted that pairing, so the submitted arguments were corrupted",
                      "Write the arguments this run should get by hand.")
    if not ctx.may_fix("EM105", submit, *lines):
        return
    # merge_dict(convert_list_to_dict(arguments), script_params), then flattened again. The
    # overrides move into the ScriptRunConfig's own statement only when they are constants: any
    # other expression could mean something else there (a name rebound in between).
    constants = all(isinstance(_unsigned(val), ast.Constant) for _, val in new_items)
    copy_mode = not (only_use and src_stmt is not submit_stmt and constants)

    def item(node: ast.AST, index: int) -> str:
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
        func = sdk_name(ctx, "ScriptRunConfig", submit)
        parts = [f"{holder}.source_directory", f"script={holder}.script", f"arguments={listed}",
                 f"run_config={holder}.run_config"]
        copy = f"{func}({', '.join(parts)})"
        line = ctx.lines[use.lineno - 1].rstrip("\r\n")
        if len(line) + len(copy) - len(holder) > 99:  # one argument per line, aligned with the parenthesis
            align = " " * (ctx.char_col(use.lineno, use.col_offset) + len(func) + 1)
            copy = f"{func}(" + ("," + ctx.newline + align).join(parts) + ")"
        submit_ranges.append((use.lineno, use.col_offset, use.end_lineno, use.end_col_offset, copy))
        where = "a ScriptRunConfig built for this submit from the same run configuration"
    edits.append(replace_ranges(ctx, submit_stmt, submit_ranges, group))
    finding = ctx.report("EM105", submit, f"submit-time `script_params` overrides have no ScriptRunConfig "
                         f"counterpart; merged as the estimator did into {where}", fixed=True, lines=lines)
    for edit in edits:
        edit.findings = ctx.findings[-1:] if finding else []  # type: ignore[attr-defined]
        ctx.edits.append(edit)

