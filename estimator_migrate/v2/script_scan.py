"""``--target v2``: the training scripts of migrated jobs, read for the v1 run context a v2 job
does not provide (EM507).

Scripts are not rewritten, but a job that now runs in v2 keeps calling ``Run.get_context()``,
reading ``run.input_datasets`` or the ``AZUREML_DATAREFERENCE_<name>`` variables v1 set; a
person must move that code (MLflow logging, the path from the argument). For each rewritten
estimator (EM401) or ScriptRunConfig (EM402) whose code folder and script are literals in the
file (or a module-level name bound once to one), the script is read and each such use is named
with its file and line, in one finding on the construction's line.

Reading another file is I/O, and the core (``core.migrate_bytes``) stays bytes -> FileResult:
:func:`add_findings` takes the result, the bytes that were migrated and a ``read`` function the
caller supplies (the file layer, ``io/runner.py``, gives one that reads regular files next to
the migrated file; tests give a dictionary). Everything else here is pure.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
from collections.abc import Callable, Sequence

from estimator_migrate.findings import Finding, Severity

CODE = "EM507"
MAX_SCRIPT_BYTES = 2_000_000
# What stops working in a v2 job, as (pattern, how the finding names it).
_USES = [
    (re.compile(r"\bRun\s*\.\s*get_context\s*\("), "`Run.get_context()`"),
    (re.compile(r"\.\s*input_datasets\b"), "`run.input_datasets`"),
    (re.compile(r"\.\s*output_datasets\b"), "`run.output_datasets`"),
    (re.compile(r"AZUREML_DATAREFERENCE_"), "`AZUREML_DATAREFERENCE_*`"),
]
_PARAMS = {"EM401": ("source_directory", "entry_script", 0, None),
           "EM402": ("source_directory", "script", 0, 1)}

Reader = Callable[[str], "bytes | None"]


@dataclasses.dataclass(frozen=True)
class JobScript:
    finding: Finding  # the EM401/EM402 finding of the construction
    code: str  # the code folder as written (relative to the migrated file's folder)
    script: str


def uses_in(text: str) -> list[tuple[int, str]]:
    """(line, what) for each v1 run-context use in a script's text (comments ignored)."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = _without_comment(line)
        for pattern, what in _USES:
            if pattern.search(code):
                found.append((number, what))
    return found


def _without_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def job_scripts(findings: Sequence[Finding], sources: Callable[[int | None], str | None]) -> list[JobScript]:
    """The literal code folder and script of each rewritten construction. ``sources(cell)``: the
    text the finding's lines refer to (the file, or a notebook cell)."""
    out = []
    trees: dict[int | None, ast.Module | None] = {}
    for f in findings:
        if f.code not in _PARAMS or not f.fixed:
            continue
        if f.cell not in trees:
            trees[f.cell] = _parse(sources(f.cell))
        tree = trees[f.cell]
        if tree is None:
            continue
        call = _call_at(tree, f.line, f.column)
        if call is None:
            continue
        folder_param, script_param, folder_pos, script_pos = _PARAMS[f.code]
        folder = _string(tree, _argument(call, folder_param, folder_pos))
        script = _string(tree, _argument(call, script_param, script_pos))
        if folder is not None and script is not None:
            out.append(JobScript(f, folder, script))
    return out


def _parse(text: str | None) -> ast.Module | None:
    if text is None:
        return None
    lines = text.splitlines(True)
    # Notebook magics and shell lines are not Python: blanked, so line numbers stay.
    cleaned = "".join("\n" if ln.lstrip().startswith(("%", "!")) else ln for ln in lines)
    try:
        return ast.parse(cleaned)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _call_at(tree: ast.Module, line: int, column: int) -> ast.Call | None:
    on_line = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno == line]
    exact = [n for n in on_line if n.col_offset + 1 == column]
    found = exact or on_line
    return found[0] if len(found) == 1 else None


def _argument(call: ast.Call, name: str, position: int | None) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == name:
            return k.value
    if position is not None and len(call.args) > position and not any(isinstance(a, ast.Starred)
                                                                       for a in call.args[:position + 1]):
        return call.args[position]
    return None


def _string(tree: ast.Module, node: ast.expr | None) -> str | None:
    """A string literal, or a module-level name assigned exactly once, to a string literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.Name):
        return None
    values = []
    for n in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(n, ast.Assign):
            targets = n.targets
        elif isinstance(n, (ast.AugAssign, ast.AnnAssign, ast.For, ast.NamedExpr)):
            targets = [n.target]
        elif isinstance(n, ast.With):
            targets = [i.optional_vars for i in n.items if i.optional_vars is not None]
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name.split(".")[0]) == node.id for a in n.names):
                return None
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == node.id:
            return None
        for t in targets:
            if any(isinstance(x, ast.Name) and x.id == node.id for x in ast.walk(t)):
                values.append(n.value if isinstance(n, ast.Assign) and len(n.targets) == 1 and
                              isinstance(n.targets[0], ast.Name) else None)
    if len(values) == 1 and isinstance(values[0], ast.Constant) and isinstance(values[0].value, str):
        return values[0].value
    return None


def script_path(migrated_path: str, job: JobScript) -> str:
    """Where the script is: v1 read the code folder relative to the directory the program ran in,
    taken to be the migrated file's own folder."""
    base = os.path.dirname(migrated_path)
    return os.path.normpath(os.path.join(base, job.code, job.script))


def findings_for(jobs: Sequence[JobScript], migrated_path: str, read: Reader) -> list[Finding]:
    out = []
    for job in jobs:
        where = script_path(migrated_path, job)
        data = read(where)
        if data is None:
            continue
        uses = uses_in(data.decode("utf-8", errors="replace"))
        if not uses:
            continue
        shown = os.path.normpath(os.path.join(job.code, job.script)).replace(os.sep, "/")
        listed = ", ".join(f"{what} (line {line})" for line, what in uses[:6])
        more = f" and {len(uses) - 6} more" if len(uses) > 6 else ""
        f = job.finding
        out.append(Finding(CODE, f"the training script {shown} uses the v1 run context, which a v2 job does not "
                                 f"provide: {listed}{more}",
                           f.line, f.column, f.end_line, f.end_column,
                           hint="Log with MLflow (`mlflow.log_metric`) and read inputs from the command line; "
                                "see `--explain EM507`.",
                           severity=Severity.ERROR, path=f.path, cell=f.cell))
    return out


def add_findings(result, data: bytes, read: Reader):
    """``result`` (a core FileResult for ``data``) with an EM507 finding for each migrated job
    whose script uses the v1 run context. Never raises for a bad input: the result comes back
    as it was."""
    from estimator_migrate.core import FileResult

    assert isinstance(result, FileResult)
    if result.error is not None or not any(f.code in _PARAMS and f.fixed for f in result.findings):
        return result
    try:
        sources = _sources(result.path, data)
        jobs = job_scripts(result.findings, sources)
        extra = findings_for(jobs, result.path, read)
    except Exception:  # noqa: BLE001 - the scan is advice; a problem with it never costs the result
        return result
    if not extra:
        return result
    findings = tuple(sorted(result.findings + tuple(extra), key=Finding.sort_key))
    return dataclasses.replace(result, findings=findings)


def _sources(path: str, data: bytes) -> Callable[[int | None], str | None]:
    from estimator_migrate.io.prefilter import is_notebook

    if is_notebook(path):
        from estimator_migrate.io.notebook import load_notebook

        nb = load_notebook(data)

        def cell(index: int | None) -> str | None:
            return nb.cells[index - 1].source if index is not None and 1 <= index <= len(nb.cells) else None
        return cell
    text = data.decode("utf-8-sig", errors="replace")
    return lambda index: text if index is None else None


def file_reader(path: str) -> bytes | None:
    """The reader the file layer gives: a regular file's bytes (at most MAX_SCRIPT_BYTES), else None."""
    from estimator_migrate.io.prefilter import read_regular

    try:
        data, _ = read_regular(path)
    except OSError:
        return None
    return data if len(data) <= MAX_SCRIPT_BYTES else None
