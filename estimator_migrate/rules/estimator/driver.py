"""EM101/EM102: an estimator construction becomes Environment + ScriptRunConfig.

This module is the driver: it checks where the call stands, collects its arguments into a
Plan, lets each concern module (arguments, environment, docker, distributed, data, compute,
framework) translate the parameters it owns, and then splices the result into the file.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional

import libcst as cst

from estimator_migrate.analysis import contents, static
from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.analysis.symbols import ESTIMATORS
from estimator_migrate.findings import Severity
from estimator_migrate.rules import on_call
from estimator_migrate.rules.downstream.attributes import blocking_use
from estimator_migrate.rules.downstream.hyperdrive import blocking_hyperdrive
from estimator_migrate.rules.downstream.migrated import remember
from estimator_migrate.rules.downstream.submit import blocking_submit
from estimator_migrate.rules.estimator.plan import CONCERNS, REMOVE, Plan, comments_in, owned_params
from estimator_migrate.text import indentation, shift_continuations

# Parameters each class accepts (spec §1.1); anything else raised TypeError, so it never ran.
_COMMON = (
    "source_directory compute_target vm_size vm_priority entry_script script_params node_count "
    "process_count_per_node distributed_backend distributed_training use_gpu use_docker "
    "custom_docker_base_image custom_docker_image image_registry_details user_managed conda_packages "
    "pip_packages conda_dependencies_file_path pip_requirements_file_path conda_dependencies_file "
    "pip_requirements_file environment_variables environment_definition inputs source_directory_data_store "
    "shm_size resume_from max_run_duration_seconds _disable_validation _show_lint_warnings "
    "_show_package_warnings"
).split()
_FRAMEWORK_EXTRA = ["framework_version", "_enable_optimized_mode"]
_SKLEARN_DROPPED = {"node_count", "process_count_per_node", "distributed_backend", "distributed_training",
                    "use_gpu", "custom_docker_base_image", "source_directory_data_store"}
ACCEPTED = {
    "Estimator": set(_COMMON),
    "PyTorch": set(_COMMON + _FRAMEWORK_EXTRA),
    "Chainer": set(_COMMON + _FRAMEWORK_EXTRA),
    "TensorFlow": set(_COMMON + _FRAMEWORK_EXTRA + ["worker_count", "parameter_server_count"]),
    "SKLearn": set(_COMMON + _FRAMEWORK_EXTRA) - _SKLEARN_DROPPED,
}
# Default values (spec §1.1, §2). Passing a parameter its default is the same call as leaving it
# out, so such an argument is simply removed before any concern looks at the call.
DEFAULTS = {name: None for name in _COMMON if name != "source_directory"}
DEFAULTS.update(node_count=1, process_count_per_node=1, use_gpu=False, use_docker=True, user_managed=False,
                _disable_validation=True, _show_lint_warnings=False, _show_package_warnings=False,
                framework_version=None, _enable_optimized_mode=False, worker_count=1, parameter_server_count=1)
# What stays in the call as it is: ScriptRunConfig has these parameters with the same meaning.
KEPT_AS_IS = {"source_directory", "compute_target", "resume_from", "max_run_duration_seconds"}
# Expressions a new statement may not be hoisted out of: they run zero or many times.
_CONDITIONAL = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.IfExp, ast.BoolOp)
# New keywords are appended in ScriptRunConfig's own parameter order.
_KEYWORD_ORDER = ["source_directory", "script", "arguments", "compute_target", "environment",
                  "distributed_job_config", "docker_runtime_config", "resume_from", "max_run_duration_seconds"]
MAX_LINE = 99  # a rewritten one-line call longer than this is laid out one argument per line
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@on_call(*ESTIMATORS)
def migrate_estimator(ctx: FileContext, call: ast.Call) -> None:
    kind = ctx.canonical_name(call.func)
    code = "EM101" if kind == "Estimator" else "EM102"
    stmt = ctx.enclosing_statement(call)
    lines = (stmt.lineno, call.lineno)

    plan_or_none = _collect(ctx, call, stmt, kind, code, lines)
    if plan_or_none is None:
        return
    plan = plan_or_none
    for c in CONCERNS:
        if c.always or any(p in plan.kwargs for p in c.params):
            c.handler(plan)
            if plan.blockers:
                break
    if not plan.blockers and plan.holder and _IDENT.fullmatch(plan.holder):
        use = blocking_use(ctx, stmt, plan.holder)
        if use is not None:
            plan.block("EM310", f"`{ctx.segment(use)}` (line {use.lineno}) uses the estimator in a way a "
                       "ScriptRunConfig cannot follow, so the construction is left as it is",
                       "Change that use by hand (see `--explain EM310`), then run the tool again.")
        clean, base = plan.facts.get("pairs_clean", True), plan.kwargs.get("script_params")
        found = blocking_submit(ctx, stmt, plan.holder, clean, base) if not plan.blockers else None
        if found is not None:
            submit, why = found
            plan.block("EM310", f"its submit on line {submit.lineno} passes overrides the tool cannot carry over "
                       f"({why}), so the construction is left as it is",
                       "Fold the overrides into `script_params` by hand (or submit without them), then run the "
                       "tool again.")
        found = blocking_hyperdrive(ctx, stmt, plan.holder, clean, base) if not plan.blockers else None
        if found is not None:
            hd, why = found
            plan.block("EM310", f"the HyperDrive configuration on line {hd.lineno} cannot be carried over ({why}), "
                       "so the construction is left as it is",
                       "Take the dataset out of the tuned flags (or give it a flag of its own), then run the tool "
                       "again.")
    if not plan.blockers and _passed_on(plan):  # pragma: no cover - a bug in a concern, caught here
        plan.block("EM902", f"no rule mapped {', '.join(f'`{p}`' for p in _passed_on(plan))} onto ScriptRunConfig")
    if plan.env_lines and not plan.blockers:
        plan.env = ctx.unique_name(f"{plan.env_label}_env")
        plan.add_arg("environment", plan.env)
    if plan.blockers:
        for b in plan.blockers:
            ctx.report(b.code, b.node or call, f"{kind} left unchanged: {b.message}", b.hint, lines=lines)
        return
    if not ctx.may_fix(code, call, *lines):
        return
    edit = _render(plan)
    before = len(ctx.findings)
    ctx.report(code, call, f"`{kind}` is deprecated; rewritten to `ScriptRunConfig` with an explicit "
               f"`Environment`", fixed=True, severity=Severity.WARNING, lines=lines)
    for n in plan.notes:
        ctx.report(n.code, n.node or call, n.message, n.hint, fixed=True, lines=lines)
    edit.findings = ctx.findings[before:]
    ctx.edits.append(edit)
    remember(ctx, plan)  # for the rules that follow the estimator to its uses, in later passes


def _collect(ctx: FileContext, call: ast.Call, stmt: ast.stmt, kind: str, code: str, lines) -> Optional[Plan]:
    def stop(c: str, message: str, hint: str = "") -> None:
        ctx.report(c, call, f"{kind} left unchanged: {message}", hint, lines=lines)

    kwargs: Dict[str, ast.AST] = {}
    unpacked: Dict[str, str] = {}
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            stop("EM303", "`*args` hides which parameters are passed", "Spell the arguments out as keywords.")
            return None
        if i > 0:
            stop("EM305", f"{kind} takes only `source_directory` positionally; this call raised TypeError")
            return None
        kwargs["source_directory"] = arg
    for kw in call.keywords:
        if kw.arg is None:
            found = _unpacked(ctx, kw.value, call)
            if isinstance(found, str):
                stop("EM303", f"`**{ctx.segment(kw.value)}` hides which parameters are passed: {found}",
                     "Spell the keyword arguments out (or build them in one dictionary literal), then run the "
                     "tool again.")
                return None
            entries = found
        else:
            entries = [(kw.arg, kw.value, None)]
        for name, value, code in entries:
            if name in kwargs:
                stop("EM305", f"`{name}` is given twice; this call raised TypeError")
                return None
            kwargs[name] = value
            if code is not None:
                unpacked[name] = code
    unknown = sorted(set(kwargs) - ACCEPTED[kind])
    if unknown:
        stop("EM305", f"{kind} does not accept {', '.join(f'`{u}`' for u in unknown)} (TypeError)")
        return None
    owned = owned_params()
    missing = [p for p in kwargs if p not in owned]
    if missing:  # pragma: no cover - a parameter without a concern is a bug in this tool
        stop("EM902", f"no rule handles {', '.join(missing)}")
        return None

    if not ctx.owns_lines(stmt) or isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With,
                                                      ast.AsyncWith, ast.Try, ast.FunctionDef,
                                                      ast.AsyncFunctionDef, ast.ClassDef)):
        stop("EM308", "the construction shares its line or statement header with other code",
             "Move it into an assignment on its own line, then run the tool again.")
        return None
    node = ctx.parent(call)
    while node is not None and node is not stmt:
        if isinstance(node, _CONDITIONAL):
            stop("EM308", f"it is built inside a {type(node).__name__.lower()}, where the environment "
                 "statements cannot be placed", "Build it in an assignment statement of its own first.")
            return None
        node = ctx.parent(node)

    plan = Plan(ctx, call, stmt, kind, kwargs)
    plan.unpacked = unpacked
    for param in list(kwargs):
        if param in DEFAULTS and _is_default(plan.literal(param), DEFAULTS[param]):
            del kwargs[param]
            plan.arg_changes[param] = REMOVE
    target = None
    if isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is call:
        target = stmt.target
    if target is not None and _simple_target(target):
        plan.holder = ctx.segment(target)
    base = _IDENT.findall(plan.holder)[-1] if plan.holder and _IDENT.findall(plan.holder) else "src"
    plan.env_label = base
    m = re.search(r"""(['"])""", ctx.segment(call))
    plan.quote = m.group(1) if m else '"'
    return plan


def _unpacked(ctx: FileContext, expr: ast.AST, call: ast.Call):
    """The (parameter, value node, value code) entries of ``**expr`` when it is certainly a
    dictionary literal with string keys; else why not. A literal value is written as it stands;
    any other is read from the dictionary (``settings["compute_target"]``), which holds the very
    object the estimator got."""
    value = expr
    if isinstance(expr, ast.Name):
        value = contents.followed_value(ctx, expr, call)
        if not isinstance(value, ast.Dict):
            return (f"`{expr.id}` is not certainly a dictionary literal here (built at run time, in a branch, or "
                    "changed in place)")
    if not isinstance(value, ast.Dict):
        return "it is not a dictionary literal"
    if any(k is None or not (isinstance(k, ast.Constant) and isinstance(k.value, str)) for k in value.keys):
        return "its keys are not all written out as strings"
    entries: Dict[str, tuple] = {}
    for key, item in zip(value.keys, value.values):
        if value is expr or static.is_literal(ctx.names, item, call):
            code = ctx.segment(item)
        else:
            quote = "'" if ctx.segment(key).startswith("'") else '"'
            code = f"{expr.id}[{quote}{key.value}{quote}]"
        entries[key.value] = (key.value, item, code)  # a repeated key: the last one wins, as in Python
    return list(entries.values())


def _is_default(value, default) -> bool:
    return value is not static.UNKNOWN and type(value) is type(default) and value == default


def _passed_on(plan: Plan) -> List[str]:
    """Estimator parameters that would reach ScriptRunConfig as they are, though it has no such
    parameter (or not with that meaning): a concern forgot one. Never written out."""
    return [p for p in plan.kwargs if p not in KEPT_AS_IS and p not in plan.arg_changes]


def _simple_target(node: ast.AST) -> bool:
    """Names, attributes and constant subscripts: safe to evaluate again in later statements."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _simple_target(node.value)
    if isinstance(node, ast.Subscript):
        return _simple_target(node.value) and isinstance(node.slice, (ast.Constant, ast.Name))
    return False


# -- rendering ---------------------------------------------------------------------------------
def _render(plan: Plan) -> Edit:
    ctx, call, stmt = plan.ctx, plan.call, plan.stmt
    nl = ctx.newline
    indent = indentation(ctx.lines[stmt.lineno - 1])
    src_name = plan.use("ScriptRunConfig")
    new_call = _rewrite_call(plan, src_name)

    env = plan.env or ""
    lines: List[str] = list(plan.pre_lines)
    if plan.env:
        lines.append(f"{env} = {plan.use('Environment')}({plan.q(env.replace('_', '-'))})")
        for line, param in plan.env_lines:
            line = line.replace("{env}", env)
            if param in plan.comments:
                # Comments of a removed argument follow what the argument became: comment lines
                # above it, a trailing comment after it.
                found = plan.comments.pop(param)
                lines += [text for text, own_line in found if own_line]
                trailing = [text for text, own_line in found if not own_line]
                if trailing:
                    line += "  " + "  ".join(trailing)
            lines.append(line)
    # Comments of removed arguments that no new line took: keep them as comment lines.
    lines += [text for found in plan.comments.values() for text, _ in found]

    holder, call_text = plan.holder, new_call
    post_lines = plan.post_lines
    if post_lines and holder is None:
        # Later statements need a name for it: build it on a line of its own first, and finish it
        # before the statement that uses it (which may be a ``return``).
        holder = call_text = ctx.unique_name("src")
        call_col = ctx.char_col(call.lineno, call.col_offset)
        lines.append(f"{holder} = {shift_continuations(new_call, len(indent) + len(holder) + 3 - call_col)}")
        lines += [ln.replace("{src}", holder) for ln in post_lines]
        post_lines = []

    # The statement keeps every character outside the call; it owns its lines, so it starts
    # with exactly ``indent``.
    c1 = ctx.char_col(call.lineno, call.col_offset)
    c2 = ctx.char_col(call.end_lineno, call.end_col_offset)
    prefix = "".join(ctx.lines[stmt.lineno - 1:call.lineno - 1]) + ctx.lines[call.lineno - 1][:c1]
    suffix = ctx.lines[call.end_lineno - 1][c2:] + "".join(ctx.lines[call.end_lineno:stmt.end_lineno])
    stmt_text = (prefix + call_text + suffix)[len(indent):]
    post = [ln.replace("{src}", holder or "") for ln in post_lines]

    # A file without a final newline keeps ending without one.
    final_newline = stmt_text.endswith(("\n", "\r"))
    if post and not final_newline:
        stmt_text += nl
    text = "".join(indent + ln + nl for ln in lines) + indent + stmt_text + "".join(indent + ln + nl for ln in post)
    if post and not final_newline:
        text = text[: -len(nl)]
    return Edit(stmt.lineno, stmt.end_lineno, text)


def _rewrite_call(plan: Plan, func_name: str) -> str:
    ctx, call = plan.ctx, plan.call
    node = cst.parse_expression(ctx.segment(call))
    assert isinstance(node, cst.Call)
    old_func = cst.Module([]).code_for_node(node.func)
    col = ctx.char_col(call.lineno, call.col_offset)
    old_align, new_align = col + len(old_func) + 1, col + len(func_name) + 1

    kept: List[cst.Arg] = []
    orig_args = list(node.args)
    for i, arg in enumerate(orig_args):
        if arg.star == "**":
            # ``**settings``: the parameters it gave, spelled out in its place (renamed or dropped as planned).
            spelled = _spelled_out(plan, arg)
            if not spelled:
                found = comments_in(arg)
                if found:
                    plan.comments.setdefault("**", []).extend(found)
                continue
            kept.extend(spelled)
            continue
        name = arg.keyword.value if arg.keyword else "source_directory"
        change = plan.arg_changes.get(name, ...)
        if change is REMOVE:
            found = comments_in(arg)
            if found:
                plan.comments.setdefault(name, []).extend(found)
            if kept and isinstance(arg.comma, cst.Comma) and not _breaks_line(kept[-1].comma):
                # What separated the removed argument from the next one now follows the previous
                # (a line break is kept rather than lost).
                kept[-1] = kept[-1].with_changes(comma=arg.comma.with_changes(
                    whitespace_after=_no_comment(arg.comma.whitespace_after)))
            continue
        if change is not ...:
            keyword, value = change
            arg = arg.with_changes(keyword=cst.Name(keyword))
            if value is not None:
                arg = arg.with_changes(value=cst.parse_expression(value))
        kept.append(arg)
    equal = next((a.equal for a in orig_args if a.keyword is not None), cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
    # New keywords follow the call's layout: on their own lines when the call breaks lines.
    commas = [a.comma for a in orig_args[:-1] if isinstance(a.comma, cst.Comma)]
    broken = [c for c in commas if isinstance(c.whitespace_after, cst.ParenthesizedWhitespace)]
    sep = (broken[-1] if broken else commas[0] if commas else cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    sep = sep.with_changes(whitespace_after=_no_comment(sep.whitespace_after))
    first_new = len(kept)
    for keyword, code in sorted(plan.new_args, key=lambda a: _KEYWORD_ORDER.index(a[0])):
        kept.append(cst.Arg(keyword=cst.Name(keyword), value=cst.parse_expression(code), equal=equal))

    last_orig = orig_args[-1] if orig_args else None
    final: List[cst.Arg] = []
    for i, arg in enumerate(kept):
        if i == len(kept) - 1:
            if last_orig is not None:  # the closing layout (trailing comma, newline before ")")
                comma = _carry_comment(arg.comma, last_orig.comma, new_align) if arg.comma is not last_orig.comma \
                    else last_orig.comma
                arg = arg.with_changes(comma=comma, whitespace_after_arg=last_orig.whitespace_after_arg)
        elif not isinstance(arg.comma, cst.Comma) or (last_orig is not None and arg.comma is last_orig.comma) \
                or (i + 1 >= first_new and not _breaks_line(arg.comma)):
            # Before a new keyword: the call's own separator, so new keywords follow its layout.
            arg = arg.with_changes(comma=_carry_comment(arg.comma, sep, new_align),
                                   whitespace_after_arg=cst.SimpleWhitespace(""))
        final.append(_realign(arg, old_align, new_align))
    new = node.with_changes(func=cst.Name(func_name), args=final,
                            whitespace_before_args=_realign_ws(node.whitespace_before_args, old_align, new_align))
    module = cst.Module([], default_newline=ctx.newline)
    code = module.code_for_node(new)
    line = ctx.lines[call.end_lineno - 1]
    rest = len(line.rstrip("\r\n")) - ctx.char_col(call.end_lineno, call.end_col_offset)
    if "\n" not in code and col + len(code) + rest > MAX_LINE and len(final) > 1:
        # The call no longer fits on its line: one argument per line, aligned with the parenthesis.
        aligned = cst.Comma(whitespace_after=cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), empty_lines=[], indent=False,
            last_line=cst.SimpleWhitespace(" " * new_align)))
        relaid = [a.with_changes(comma=aligned, whitespace_after_arg=cst.SimpleWhitespace(""))
                  for a in final[:-1]] + [final[-1]]
        code = module.code_for_node(new.with_changes(args=relaid))
    return code


def _spelled_out(plan: Plan, arg: cst.Arg) -> List[cst.Arg]:
    equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    out: List[cst.Arg] = []
    for param, code in plan.unpacked.items():
        change = plan.arg_changes.get(param, ...)
        if change is REMOVE:
            continue
        keyword, value = (param, None) if change is ... else change
        out.append(cst.Arg(keyword=cst.Name(keyword), value=cst.parse_expression(value or code), equal=equal,
                           comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
    if out:
        out[-1] = out[-1].with_changes(comma=arg.comma)
    return out


def _carry_comment(old, new, align: int):
    """``new`` as the separator, keeping the comments that sat on the separator it replaces."""
    if not _breaks_line(old) or not comments_in(old):
        return new
    kept = dict(first_line=old.whitespace_after.first_line, empty_lines=old.whitespace_after.empty_lines)
    if _breaks_line(new):
        ws = new.whitespace_after.with_changes(**kept)
    else:
        ws = cst.ParenthesizedWhitespace(indent=False, last_line=cst.SimpleWhitespace(" " * align), **kept)
    base = new if isinstance(new, cst.Comma) else cst.Comma()
    return base.with_changes(whitespace_after=ws)


def _breaks_line(comma) -> bool:
    return isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


def _no_comment(ws):
    """The same layout without comments (they moved to the line that took the argument's place)."""
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(first_line=cst.TrailingWhitespace(newline=ws.first_line.newline), empty_lines=[])
    return ws


def _realign_ws(ws, old: int, new: int):
    """Continuation lines aligned with the old opening parenthesis move with the new name."""
    if isinstance(ws, cst.ParenthesizedWhitespace) and ws.last_line.value == " " * old:
        return ws.with_changes(last_line=cst.SimpleWhitespace(" " * new))
    return ws


def _realign(arg: cst.Arg, old: int, new: int) -> cst.Arg:
    if isinstance(arg.comma, cst.Comma):
        comma = arg.comma.with_changes(whitespace_after=_realign_ws(arg.comma.whitespace_after, old, new))
        arg = arg.with_changes(comma=comma)
    return arg
