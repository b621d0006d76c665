"""EM104: ``EstimatorStep`` becomes ``PythonScriptStep`` with the estimator's RunConfiguration
(spec §8.3, T28); ``HyperDriveStep`` is checked against the ScriptRunConfig its HyperDrive
configuration holds (spec §8.2).

EstimatorStep was a PythonScriptStep built from the estimator, after it reset three fields of
the estimator's run configuration (target, arguments, data_references). The replacement passes
``runconfig=<src>.run_config`` and makes the same resets on it first, plus the script, which a
ScriptRunConfig keeps outside its run configuration, so the step sees the same configuration and
the ScriptRunConfig ends up as the estimator did.
"""

from __future__ import annotations

import ast

from estimator_migrate.analysis import static
from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.rules import on_call
from estimator_migrate.rules.downstream.migrated import holds_estimator, src_held_by
from estimator_migrate.rules.edits import placeable, sdk_name
from estimator_migrate.text import end_of, indentation

_ESTIMATOR_STEP = ("name", "estimator", "estimator_entry_script_arguments", "runconfig_pipeline_params", "inputs",
                   "outputs", "compute_target", "allow_reuse", "version")
# PythonScriptStep's parameter order; EstimatorStep's parameters map onto it.
_ORDER = ("script_name", "name", "arguments", "compute_target", "runconfig", "runconfig_pipeline_params", "inputs",
          "outputs", "source_directory", "allow_reuse", "version")
MAX_LINE = 99


@on_call("EstimatorStep")
def migrate_estimator_step(ctx: FileContext, call: ast.Call) -> None:
    stmt = ctx.enclosing_statement(call)
    lines = (stmt.lineno, call.lineno)

    def manual(message: str, hint: str = "Build a PythonScriptStep (or CommandStep) by hand.") -> None:
        ctx.report("EM310", call, f"`EstimatorStep`: {message}", hint, lines=lines)

    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return manual("`*`/`**` unpacking hides its parameters")
    if len(call.args) > len(_ESTIMATOR_STEP):
        return manual("too many positional arguments (TypeError): this code never ran")
    params: dict[str, ast.expr] = dict(zip(_ESTIMATOR_STEP, call.args, strict=False))
    params.update((kw.arg, kw.value) for kw in call.keywords if kw.arg is not None)  # no ** (checked above)
    estimator = params.get("estimator")
    if estimator is None or params.get("compute_target") is None:
        return manual("`estimator` and `compute_target` are required (ValueError): this code never ran")
    if holds_estimator(ctx, estimator):
        return  # not migrated (yet): EstimatorStep still works with it
    ref = src_held_by(ctx, estimator)
    held = ctx.segment(estimator)
    if ref is None or ref.record is None:
        what = "a ScriptRunConfig of your own, which EstimatorStep rejected" if ref else "something the tool cannot see"
        return manual(f"`{held}` holds {what}",
                      "Use `PythonScriptStep(script_name=..., runconfig=<RunConfiguration>, ...)`; for a "
                      "ScriptRunConfig `src` that is `runconfig=src.run_config` with `script_name=src.script`.")
    if not isinstance(estimator, ast.Name):
        return manual(f"`{held}` is not a plain name", "Bind the ScriptRunConfig to a name first.")
    if ref.keyword("arguments") is not None or ref.keyword("resume_from") is not None:
        return manual(f"the estimator behind `{held}` had script arguments, which EstimatorStep rejected "
                      "(ValueError): this code never ran", "Pass the arguments through the step instead.")
    if ref.record.datasets:
        return manual(f"the estimator behind `{held}` had dataset `inputs`, which EstimatorStep rejected "
                      "(ValueError): this code never ran", "Pass the inputs through the step instead.")
    eesa = params.get("estimator_entry_script_arguments")
    if eesa is None or static.literal(ctx.names, eesa) is None:
        return manual("`estimator_entry_script_arguments` is required (ValueError): this code never ran")
    why = placeable(ctx, call, stmt)
    if why:
        return manual(f"{why}, where the statements it needs before it cannot be placed",
                      "Build the step in an assignment statement of its own, then run the tool again.")
    if not ctx.may_fix("EM104", call, *lines):
        return

    values = {"script_name": f"{held}.script", "arguments": ctx.segment(eesa), "runconfig": f"{held}.run_config",
              "source_directory": f"{held}.source_directory"}
    for name in ("name", "compute_target", "runconfig_pipeline_params", "inputs", "outputs", "allow_reuse",
                 "version"):
        if name in params:
            values[name] = ctx.segment(params[name])
    func = sdk_name(ctx, "PythonScriptStep", call)
    items = [f"{k}={values[k]}" for k in _ORDER if k in values]
    col = ctx.char_col(call.lineno, call.col_offset)
    first = ctx.lines[call.lineno - 1]
    head = first[:col]
    (call_end, call_end_col), stmt_end = end_of(call), end_of(stmt)[0]
    tail = ctx.lines[call_end - 1][ctx.char_col(call_end, call_end_col):]
    one_line = f"{func}({', '.join(items)})"
    if len(head) + len(one_line) + len(tail.rstrip()) <= MAX_LINE and "\n" not in one_line:
        new_call = one_line
    else:
        align = " " * (len(head) + len(func) + 1)
        new_call = f"{func}(" + ("," + ctx.newline + align).join(items) + ")"
    indent = indentation(ctx.lines[stmt.lineno - 1])
    nl = ctx.newline
    before: list[str] = [
        "# EstimatorStep reset these on the estimator's run configuration before using it",
        "# (the target as it did, past the setter, which ignores None):",
        f"{held}.run_config.script = {held}.script",
        f"{held}.run_config._target = None",
    ]  # (its third reset, arguments = [], changed nothing: it rejected estimators with arguments)
    if ref.record.data_references:
        before.append(f"{held}.run_config.data_references = {{}}")
    text = "".join(indent + ln + nl for ln in before)
    stmt_lines = ctx.lines[stmt.lineno - 1:stmt_end]
    body = "".join(stmt_lines)
    start = sum(len(ln) for ln in ctx.lines[stmt.lineno - 1:call.lineno - 1]) + col
    end = sum(len(ln) for ln in ctx.lines[stmt.lineno - 1:call_end - 1]) + ctx.char_col(call_end, call_end_col)
    text += body[:start] + new_call + body[end:]
    finding = ctx.report("EM104", call, f"`EstimatorStep` is deprecated; rewritten to `PythonScriptStep` with "
                         f"`{held}.run_config`, reset as EstimatorStep did", fixed=True, lines=lines)
    edit = Edit(stmt.lineno, stmt_end, text)
    edit.findings = ctx.findings[-1:] if finding else []
    ctx.edits.append(edit)


@on_call("HyperDriveStep")
def check_hyperdrive_step(ctx: FileContext, call: ast.Call) -> None:
    """With a ScriptRunConfig, HyperDriveStep takes its arguments; it raised when
    ``estimator_entry_script_arguments`` was given as well (``is not None``, so ``[]`` counts)."""
    eesa = next((k.value for k in call.keywords if k.arg == "estimator_entry_script_arguments"), None)
    if eesa is None and len(call.args) > 2:
        eesa = call.args[2]
    config = next((k.value for k in call.keywords if k.arg == "hyperdrive_config"), None)
    if config is None and len(call.args) > 1:
        config = call.args[1]
    if eesa is None or config is None or static.literal(ctx.names, eesa) is None:
        return
    hd = static.resolve_identity(ctx.names, config)
    if not isinstance(hd, ast.Call) or ctx.canonical_name(hd.func) != "HyperDriveConfig":
        return
    run_config = next((k.value for k in hd.keywords if k.arg == "run_config"), None)
    ref = src_held_by(ctx, run_config) if run_config is not None else None
    if ref is None:
        return
    own = [k.arg for k in ref.call.keywords if k.arg in ("arguments", "resume_from")]
    assert run_config is not None  # ref was found in it
    if own:
        ctx.report("EM310", call, f"`HyperDriveStep` gets `estimator_entry_script_arguments` while the "
                   f"ScriptRunConfig `{ctx.segment(run_config)}` has `{own[0]}` (its own arguments): HyperDriveStep "
                   "raises ValueError when both are given",
                   "Keep the arguments in one place: the ScriptRunConfig's `arguments`, or the step's list.")
