"""Import upkeep after a rewrite: add exactly the SDK names the new code uses, drop the
estimator imports the rewrite made unused, and touch nothing else."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from estimator_migrate.analysis.names import NameResolver
from estimator_migrate.analysis.symbols import CANONICAL, IMPORT_FROM
from estimator_migrate.text import dominant_newline, end_of, indentation, split_lines

# A generated name that would collide with a user's own binding gets this prefix (see sdk_name).
ALIAS_PREFIX = "Aml"

# Imports whose names the rewrite can make unused and may therefore remove.
_REMOVABLE_CANONICAL = {"Estimator", "PyTorch", "TensorFlow", "Chainer", "SKLearn", "Mpi", "Gloo", "Nccl",
                        "ParameterServer", "HyperDriveRunConfig", "EstimatorStep", "DEFAULT_GPU_IMAGE",
                        "MpiConfiguration", "PyTorchConfiguration", "TensorflowConfiguration"}
_REMOVABLE_MODULES = {"azureml.train.estimator", "azureml.train.dnn", "azureml.train.sklearn"}


# Whole modules generated code may use (``import os``).
MODULES = {"os"}
V2_MODULES = {"os", "shlex"}
# ``--target v2``: where the names of the azure-ai-ml code come from (``Environment`` is v2's).
V2_IMPORT_FROM = {
    "command": "azure.ai.ml",
    "Input": "azure.ai.ml",
    "Output": "azure.ai.ml",
    "MLClient": "azure.ai.ml",
    "MpiDistribution": "azure.ai.ml",
    "PyTorchDistribution": "azure.ai.ml",
    "TensorFlowDistribution": "azure.ai.ml",
    "Environment": "azure.ai.ml.entities",
    "DefaultAzureCredential": "azure.identity",
    "dsl": "azure.ai.ml",
    **{name: "azure.ai.ml.sweep" for name in (
        "Choice", "Uniform", "LogUniform", "QUniform", "QLogUniform", "Normal", "QNormal", "LogNormal", "QLogNormal",
        "Randint", "BanditPolicy", "MedianStoppingPolicy", "TruncationSelectionPolicy", "RandomSamplingAlgorithm")},
}
# The v1 names a v2 rewrite can leave unused (besides the estimators').
_V2_REMOVABLE = {"azureml.core.Workspace", "azureml.core.workspace.Workspace", "azureml.core.Experiment",
                 "azureml.core.experiment.Experiment", "azureml.widgets.RunDetails",
                 # datasets and outputs replaced by v2 Inputs/Outputs (data_v2)
                 "azureml.core.Dataset", "azureml.core.dataset.Dataset", "azureml.data.OutputFileDatasetConfig",
                 "azureml.data.output_dataset_config.OutputFileDatasetConfig",
                 # a ScriptRunConfig and its parts rewritten to command() (src_v2)
                 "azureml.core.ScriptRunConfig", "azureml.core.script_run_config.ScriptRunConfig",
                 "azureml.core.Environment", "azureml.core.environment.Environment",
                 "azureml.core.runconfig.DockerConfiguration", "azureml.core.runconfig.MpiConfiguration",
                 "azureml.core.runconfig.PyTorchConfiguration", "azureml.core.runconfig.TensorflowConfiguration",
                 # a Pipeline and its parts rewritten to a @dsl.pipeline (pipeline_v2)
                 "azureml.pipeline.core.Pipeline", "azureml.pipeline.core.PipelineData",
                 "azureml.pipeline.core.PipelineParameter", "azureml.pipeline.steps.PythonScriptStep",
                 "azureml.pipeline.steps.EstimatorStep", "azureml.core.runconfig.RunConfiguration",
                 "azureml.core.RunConfiguration", "azureml.data.data_reference.DataReference",
                 "azureml.core.conda_dependencies.CondaDependencies", "azureml.core.runconfig.CondaDependencies",
                 # compute lookups replaced by the compute's name
                 "azureml.core.compute.ComputeTarget", "azureml.core.ComputeTarget",
                 "azureml.core.compute.AmlCompute"} | {
    f"{module}.{name}" for module in ("azureml.train.hyperdrive", "azureml.train.hyperdrive.runconfig",
                                      "azureml.train.hyperdrive.sampling", "azureml.train.hyperdrive.policy",
                                      "azureml.train.hyperdrive.parameter_expressions", "azureml.train.hyperdrive.run")
    for name in ("HyperDriveConfig", "HyperDriveRunConfig", "RandomParameterSampling", "GridParameterSampling",
                 "BayesianParameterSampling",
                 "BanditPolicy", "MedianStoppingPolicy", "TruncationSelectionPolicy", "NoTerminationPolicy",
                 "PrimaryMetricGoal", "choice", "randint", "uniform", "loguniform", "quniform", "qloguniform",
                 "normal", "lognormal", "qnormal", "qlognormal")} | {"azureml.train.hyperdrive"}  # (the module, read
# as ``hd.choice(...)``: all its reads went with the sweep)
_V2_REMOVABLE_MODULES = {"azureml.train.hyperdrive"}


def wanted_import(local: str, target: str = "scriptrunconfig") -> tuple[str, str] | None:
    """(module, name) for a local name generated code may use, else None; (name, "") for a module."""
    modules, table = (V2_MODULES, V2_IMPORT_FROM) if target == "v2" else (MODULES, IMPORT_FROM)
    if local in modules:
        return local, ""
    if local in table:
        return table[local], local
    if local.startswith(ALIAS_PREFIX) and local[len(ALIAS_PREFIX):] in modules:
        return local[len(ALIAS_PREFIX):], ""
    if local.startswith(ALIAS_PREFIX) and local[len(ALIAS_PREFIX):] in table:
        name = local[len(ALIAS_PREFIX):]
        return table[name], name
    return None


def fix_imports(original: NameResolver, current: str, names: NameResolver, target: str = "scriptrunconfig",
                takeover: frozenset[str] = frozenset()) -> str:
    """``original`` resolves the file as it was read, ``names`` the rewritten ``current``."""
    before, after = original.loads(), names.loads()
    needed: dict[str, list[tuple[str, str | None]]] = {}
    for local in sorted(after):
        # ``takeover``: v1 names (BanditPolicy) whose every read the v2 rewrite replaced with v2's.
        if after[local] <= before.get(local, 0) and local not in takeover:
            continue
        wanted = wanted_import(local, target)
        if wanted and not _reached(names, local, wanted, strict=target == "v2"):
            module, name = wanted
            needed.setdefault(module, []).append((name, local if local != (name or module) else None))
    # Under v2, a v1 name whose reads now all mean the v2 name (BanditPolicy) loses its v1 import.
    shadowed = {local for wanted in needed.values() for name, alias in wanted for local in [alias or name]
                if local in takeover}
    removals = _unused_estimator_imports(names, before, after, current, v2=target == "v2",
                                         shadowed=shadowed if target == "v2" else set())
    if not needed and not removals:
        return current
    return _apply(current, names, needed, removals, target)


def _reached(names: NameResolver, local: str, target: tuple[str, str], strict: bool = False) -> bool:
    """True when every read of ``local`` is reached by an import of ``target``: one that runs
    before it (earlier in a block that encloses it, so not under a branch, a ``try`` or a
    function it is not in) in its own or an enclosing scope, with no other binding of the name
    there. A notebook may import a name only in a later cell; then the read is not reached."""
    module, name = target
    expected = {module} if not name else {f"{module}.{name}"} if strict else {f"{module}.{name}",
                                                                              f"azureml.core.{name}"}
    for scope_id_name, loads in names.name_uses.items():
        if scope_id_name[1] != local:
            continue
        for load in loads:
            scope = names.scope_of.get(id(load), names.module_scope)
            home = names.defining_scope(local, scope)
            bindings = home.bindings.get(local, []) if home is not None else []
            if not bindings or any(b.kind != "import" or b.qualname not in expected for b in bindings):
                return False
            statement = _statement_of(names, load)
            if statement is None or not any(_runs_before(names, b.node, statement) for b in bindings):
                return False
    return True


def _statement_of(names: NameResolver, node: ast.AST) -> ast.stmt | None:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        current = names.parent.get(id(current))
    return current if isinstance(current, ast.stmt) else None


def _runs_before(names: NameResolver, binding: ast.stmt, use: ast.stmt) -> bool:
    """``binding`` stands earlier in a statement list that holds ``use`` or one of its enclosing
    statements (a function definition included: its body runs after the definition)."""
    block_owner = names.parent.get(id(binding))
    holder: ast.AST | None = use
    while holder is not None:
        owner = names.parent.get(id(holder))
        if owner is block_owner:
            for field in ("body", "orelse", "finalbody"):
                block = getattr(owner, field, None)
                if isinstance(block, list) and binding in block and holder in block:
                    return block.index(binding) < block.index(holder)
            return False
        holder = owner
    return False


def _unused_estimator_imports(names: NameResolver, before: dict[str, int], after: dict[str, int], source: str,
                              v2: bool = False, shadowed: set[str] | None = None):
    """(import statement, alias) pairs whose name the rewrite left without any use."""
    out: list[tuple[ast.Import | ast.ImportFrom, ast.alias]] = []
    still_named = _named_otherwise(names, source)
    for node in names.imports():
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                local = alias.asname or alias.name
                removable = CANONICAL.get(f"{node.module}.{alias.name}") in _REMOVABLE_CANONICAL or \
                    (v2 and f"{node.module}.{alias.name}" in _V2_REMOVABLE)
                unused = not after.get(local, 0) or (v2 and local in (shadowed or set()))
                if removable \
                        and before.get(local, 0) and unused and local not in still_named:
                    out.append((node, alias))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name not in _REMOVABLE_MODULES and not (v2 and alias.name in _V2_REMOVABLE_MODULES):
                    continue
                # ``import azureml.train.estimator`` binds ``azureml``: remove it only when no
                # ``azureml.`` reference is left at all.
                local = alias.asname or alias.name.split(".")[0]
                if before.get(local, 0) and not after.get(local, 0) and local not in still_named:
                    out.append((node, alias))
    return out


def _named_otherwise(names: NameResolver, source: str) -> set:
    """Names something still needs without reading them: ``del name`` (NameError once the import
    is gone) and the module's ``__all__`` (a re-export other modules import from here)."""
    found = set()
    tree = names.tree
    if re.search(r"\bdel\b", source):
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Del):
                found.add(node.id)
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value is not None:
            found.update(e.value for e in ast.walk(node.value)
                         if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return found


def _render_from(module: str, names: list[tuple[str, str | None]],
                 existing: Sequence[tuple[str, str | None]] = ()) -> str:
    """The user's names keep their order; added names follow, sorted."""
    if names and names[0][0] == "":
        return f"import {module}" + (f" as {names[0][1]}" if names[0][1] else "")
    added = sorted(set(names) - set(existing), key=lambda pair: (pair[0], pair[1] or ""))
    parts = [f"{n} as {a}" if a else n for n, a in list(existing) + added]
    return f"from {module} import {', '.join(parts)}"


def _apply(source: str, names: NameResolver, needed, removals, target: str = "scriptrunconfig") -> str:
    tree = names.tree
    lines = split_lines(source)
    nl = dominant_newline(lines)
    # line index -> replacement lines (None: delete); insertions after a line
    replace: dict[int, list[str]] = {}
    insert_after: dict[int, list[str]] = {}

    by_stmt: dict[int, tuple[ast.Import | ast.ImportFrom, list]] = {}
    for node, alias in removals:
        by_stmt.setdefault(id(node), (node, []))[1].append(alias)

    # New names must be imported before their first use (a notebook may import more later).
    first_use = min((n.lineno for (_, name), nodes in names.name_uses.items() if wanted_import(name, target)
                     for n in nodes), default=len(lines) + 1)
    top_imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)) and end_of(n)[0] < first_use]
    # Prefer extending an existing one-line ``from module import a, b`` at module level.
    additions: dict[int, list] = {}
    merged_modules = set()
    for module, wanted in needed.items():
        for node in top_imports:
            if wanted[0][0] and isinstance(node, ast.ImportFrom) and node.module == module and not node.level \
                    and node.lineno == node.end_lineno and not any(a.name == "*" for a in node.names) \
                    and _owns_line(lines, node):
                by_stmt.setdefault(id(node), (node, []))
                additions[id(node)] = wanted
                merged_modules.add(module)
                break

    # Rewrite each touched import statement once: its names minus the removed, plus the added.
    emptied = {key for key, (node, aliases) in by_stmt.items() if _owns_line(lines, node, whole=True)
               and not additions.get(key) and all(a in aliases for a in node.names)}
    for key, (node, aliases) in by_stmt.items():
        if not _owns_line(lines, node, whole=True):
            continue
        keep = [(a.name, a.asname) for a in node.names if a not in aliases]
        added = additions.get(key, [])
        end_line = end_of(node)[0]
        first, last = lines[node.lineno - 1], lines[end_line - 1]
        for n in range(node.lineno, end_line + 1):
            replace[n] = []
        if not keep and not added:
            block = _block_of(names, node)
            if block and block[0] is node and all(id(s) in emptied for s in block):
                # The block (a ``try:`` around the import, a branch) must not become empty.
                replace[node.lineno] = [indentation(first) + "pass" + _eol(last, nl)]
            continue
        if isinstance(node, ast.ImportFrom):
            assert node.module is not None  # an import this tool removes from or adds to
            text = _render_from(node.module, added, keep)
        else:
            text = "import " + ", ".join(f"{n} as {a}" if a else n for n, a in keep)
        replace[node.lineno] = [indentation(first) + text + _trailing_comment(last) + _eol(last, nl)]

    # Standard-library modules go before the first import, SDK names after the SDK imports.
    stdlib = [_render_from(m, wanted) for m, wanted in sorted(needed.items()) if wanted[0][0] == ""]
    if stdlib:
        first_import = next((n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
                             and end_of(n)[0] < first_use and not (isinstance(n, ast.ImportFrom)
                                                                   and n.module == "__future__")), None)
        if first_import is not None and _owns_line(lines, first_import):
            at = first_import.lineno - 1
            insert_after.setdefault(at, []).extend(t + nl for t in stdlib)
            stdlib = []
    new_imports = stdlib + [_render_from(m, wanted) for m, wanted in sorted(needed.items())
                            if m not in merged_modules and wanted[0][0] != ""]
    if new_imports:
        anchor = _insertion_line(tree, first_use)
        new_lines = [t + nl for t in new_imports]
        if anchor == 0:
            insert_after.setdefault(0, []).extend(new_lines)
        else:
            last = lines[anchor - 1]
            if not last.endswith(("\n", "\r")):
                # The anchor is the last line and has no newline: give it one.
                replace.setdefault(anchor, [last + nl])
            insert_after.setdefault(anchor, []).extend(new_lines)

    out: list[str] = list(insert_after.get(0, []))
    for n, line in enumerate(lines, 1):
        out.extend(replace.get(n, [line]))
        out.extend(insert_after.get(n, []))
    return "".join(out)


def _eol(line: str, default: str) -> str:
    for nl in ("\r\n", "\n", "\r"):
        if line.endswith(nl):
            return nl
    return ""


def _trailing_comment(line: str) -> str:
    body = line.rstrip("\r\n")
    idx = body.find("#")
    if idx <= 0:
        return ""
    try:
        ast.parse(body[:idx].strip() or "pass")
    except SyntaxError:
        return ""
    return "  " + body[idx:].strip()


def _block_of(names: NameResolver, node: ast.stmt) -> list[ast.stmt] | None:
    """The statement list inside a compound statement that holds ``node`` (None at module level)."""
    owner = names.parent.get(id(node))
    if owner is None or isinstance(owner, ast.Module):
        return None
    for field in ("body", "orelse", "finalbody"):
        block = getattr(owner, field, None)
        if isinstance(block, list) and node in block:
            return block
    return None


def _owns_line(lines: list[str], node: ast.stmt, whole: bool = False) -> bool:
    first = lines[node.lineno - 1]
    if first[: node.col_offset].strip():
        return False
    end_line, end_col = end_of(node)
    rest = lines[end_line - 1].encode("utf-8")[end_col:].decode("utf-8", "replace").strip()
    return not rest or rest.startswith("#")


def _insertion_line(tree: ast.Module, before: int) -> int:
    """After the last module-level azureml import, else the last top-level import, else after
    the docstring and ``__future__`` imports; 0 means the very top."""
    best = 0
    body = [n for n in tree.body if end_of(n)[0] < before]
    for node in body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("azureml"):
            best = end_of(node)[0]
        elif isinstance(node, ast.Import) and any(a.name.startswith("azureml") for a in node.names):
            best = end_of(node)[0]
    if best:
        return best
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            best = end_of(node)[0]
    if best:
        return best
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return end_of(first)[0]
    return 0
