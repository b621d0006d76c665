"""EM106 / EM310: statements that act on the estimator object after construction (spec §1.2,
T33), once it is a ScriptRunConfig the tool made.

What the estimator offered, and where it is on a ScriptRunConfig:

* ``est.run_config`` was the live RunConfiguration; ``src.run_config`` is too, so
  ``est.run_config.environment...``, ``.target``, ``.docker``, ``.environment_variables`` and the
  like keep working unchanged. Except ``script`` and ``arguments``: ScriptRunConfig keeps its own,
  which win over the run configuration's (``get_run_config_from_script_run``), so
  ``est.run_config.script/arguments`` become ``est.script/arguments``.
* ``est.conda_dependencies`` was ``run_config.environment.python.conda_dependencies``: spelled out.
* ``est.source_directory``: the same attribute on ScriptRunConfig.
* ``est.framework_version``: the literal the estimator was given (or its class default).
* Anything else (``FRAMEWORK_NAME``, ``get_supported_versions()``, the bare ``est.run_config``
  handed elsewhere) has no counterpart and is reported.
"""

from __future__ import annotations

import ast

from estimator_migrate.analysis.context import FileContext
from estimator_migrate.rules import on_call
from estimator_migrate.rules.downstream.migrated import Migrated, binding_value, migrated_assignment, uses_of
from estimator_migrate.rules.edits import replace_in_statement
from estimator_migrate.rules.estimator.scenarios import SCENARIOS, default_version

# On a ScriptRunConfig these exist (an estimator had only source_directory of them).
_SAME = {"source_directory", "script", "arguments", "command"}
_OWN_FIELDS = {"script", "arguments"}  # run_config fields that ScriptRunConfig overrides with its own
# ``run_config`` returned the private ``_estimator_config`` itself, which some notebooks used directly.
_RUN_CONFIG = ("run_config", "_estimator_config")
_ALLOWED_PARENTS = (ast.Call, ast.keyword)  # ``exp.submit(est)``, ``HyperDriveConfig(run_config=est)``, ...


@on_call("ScriptRunConfig")
def estimator_attributes(ctx: FileContext, call: ast.Call) -> None:
    found = migrated_assignment(ctx, call)
    if found is None:
        return
    stmt, holder, record = found
    for use in uses_of(ctx, holder, stmt):
        parent = ctx.parent(use)
        if not isinstance(parent, ast.Attribute) or parent.value is not use:
            continue
        if binding_value(ctx, use)[1] is not stmt:
            ctx.report("EM310", parent, f"`{holder}` is bound more than once here, so the tool cannot tell whether "
                       f"`{ctx.segment(parent)}` acts on the estimator it migrated",
                       "Check that the statement works on a ScriptRunConfig (spec: conda_dependencies is "
                       "run_config.environment.python.conda_dependencies).")
            continue
        _attribute(ctx, record, holder, parent, call)


def blocking_use(ctx: FileContext, stmt: ast.stmt, holder: str) -> ast.Attribute | None:
    """Before an estimator stored in ``holder`` by ``stmt`` is rewritten: the first later use
    that this module could not carry over (it would report EM310), if any. The estimator is
    then left as it is, never half-migrated."""
    for use in uses_of(ctx, holder, stmt):
        node = ctx.parent(use)
        if not isinstance(node, ast.Attribute) or node.value is not use:
            continue
        certain = binding_value(ctx, use)[1] is stmt
        if node.attr == "source_directory":
            continue
        if node.attr in ("conda_dependencies", "framework_version") and certain:
            continue
        if node.attr in _RUN_CONFIG:
            outer = ctx.parent(node)
            if isinstance(outer, ast.Attribute) and outer.value is node and (certain or outer.attr not in _OWN_FIELDS):
                continue
            if isinstance(outer, ast.keyword) and outer.arg in ("run_config", "runconfig"):
                continue
            if not (isinstance(outer, _ALLOWED_PARENTS) or isinstance(outer, (ast.Assign, ast.Return))):
                continue
        return node
    return None


def _attribute(ctx: FileContext, record: Migrated, holder: str, node: ast.Attribute, src: ast.Call) -> None:
    attr = node.attr
    stmt = ctx.enclosing_statement(node)
    text = ctx.segment(node)
    if attr in _SAME:
        return
    if attr == "conda_dependencies":
        _rewrite(ctx, stmt, node, f"{holder}.run_config.environment.python.conda_dependencies",
                 "ScriptRunConfig has no `conda_dependencies`; the estimator's were those of its run "
                 "configuration's environment")
        return
    if attr == "framework_version" and isinstance(node.ctx, ast.Load):
        version = record.framework_version
        if version is None:
            version = default_version(record.kind) if record.kind in SCENARIOS else None
        if isinstance(version, str):
            quote = "'" if "'" in ctx.segment(src) and '"' not in ctx.segment(src) else '"'
            _rewrite(ctx, stmt, node, f"{quote}{version}{quote}", "ScriptRunConfig has no `framework_version`; "
                     "this is the version the estimator used")
            return
    if attr in _RUN_CONFIG:
        outer = ctx.parent(node)
        if isinstance(outer, ast.Attribute) and outer.value is node:
            if outer.attr not in _OWN_FIELDS:
                if attr != "run_config":
                    _rewrite(ctx, stmt, node, f"{holder}.run_config", "`_estimator_config` was the estimator's run "
                             "configuration (what `run_config` returned); a ScriptRunConfig's is `run_config`")
                return  # the same live RunConfiguration: works unchanged
            field = outer.attr
            if not any(k.arg == field for k in src.keywords):
                # No list of its own: the run configuration's is used, as the estimator's was.
                if attr != "run_config":
                    _rewrite(ctx, stmt, node, f"{holder}.run_config", "`_estimator_config` was the estimator's run "
                             "configuration (what `run_config` returned); a ScriptRunConfig's is `run_config`")
                return
            assign = ctx.parent(outer)
            if isinstance(assign, ast.Assign) and ctx.segment(assign.value) == f"{holder}.{field}":
                return  # ``src.run_config.script = src.script``: copies the ScriptRunConfig's own on purpose
            _rewrite(ctx, stmt, outer, f"{holder}.{field}", f"a ScriptRunConfig's own `{field}` wins over its run "
                     f"configuration's, so `{field}` is read and set on the ScriptRunConfig")
            return
        if isinstance(outer, ast.keyword) and outer.arg in ("run_config", "runconfig"):
            # handed to a ScriptRunConfig or a pipeline step, which take the script and arguments apart
            if attr != "run_config":
                _rewrite(ctx, stmt, node, f"{holder}.run_config", "`_estimator_config` was the estimator's run "
                         "configuration (what `run_config` returned); a ScriptRunConfig's is `run_config`")
            return
        if isinstance(outer, _ALLOWED_PARENTS) or isinstance(outer, (ast.Assign, ast.Return)):
            ctx.report("EM310", node, f"`{text}` is handed on whole: a ScriptRunConfig's run configuration has "
                       "neither the script nor the arguments (they are on the ScriptRunConfig)",
                       "Use `azureml.core.script_run_config.get_run_config_from_script_run(src)` where the "
                       "complete run configuration is needed.")
        return
    ctx.report("EM310", node, f"`{text}`: ScriptRunConfig has no `{attr}`; the estimator's attribute has no "
               "counterpart", "Replace this use by hand (the estimator's settings are now the ScriptRunConfig's "
               "arguments and its Environment).")


def _rewrite(ctx: FileContext, stmt: ast.stmt, node: ast.expr, new: str, why: str) -> None:
    old = ctx.segment(node)
    if not ctx.owns_lines(stmt):
        ctx.report("EM310", node, f"`{old}` should become `{new}` ({why}), but it shares its line with other code",
                   f"Write `{new}` by hand.")
        return
    if not ctx.may_fix("EM106", node, stmt.lineno):
        return
    finding = ctx.report("EM106", node, f"`{old}` -> `{new}`: {why}", fixed=True, lines=(stmt.lineno,))
    edit = replace_in_statement(ctx, stmt, [(node, new)])
    edit.findings = ctx.findings[-1:] if finding else []
    ctx.edits.append(edit)
