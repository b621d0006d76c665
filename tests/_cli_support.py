"""A stand-in for the core (core.migrate_bytes) with its contract, so the CLI, discovery and
report tests do not depend on the engine's progress. The tests pass it to the command line
as click's context object: ``CliRunner().invoke(cli.main, args, obj=migrate_bytes)``. It flags
lines by keyword (the real file layer still reads and prefilters, so the files name azureml):

  "Estimator("   EM101, fixed: the text becomes "ScriptRunConfig("
  "DataReference" EM201, fixed (review), text unchanged
  "vm_size"      EM302, not fixed
  "SYNTAX ERROR" EM901 and FileResult.error
"""

from __future__ import annotations

import difflib

from estimator_migrate.core import FileResult
from estimator_migrate.findings import Finding, Severity


def _migrate(text: str, path: str, settings):
    findings = []
    out = []
    if "SYNTAX ERROR" in text:
        f = Finding("EM901", "cannot parse: invalid syntax (line 1)", 1, 1, 1, 1,
                    hint="Fix the syntax and run it again.", path=path)
        return text, [f], f.message
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        col = line.find("Estimator(")
        if col >= 0 and settings.enabled("EM101") and "noqa" not in line:
            findings.append(Finding("EM101", "Estimator rewritten into ScriptRunConfig", number, col + 1, number,
                                    col + 11, hint="", fixed=True, severity=Severity.WARNING, path=path))
            line = line.replace("Estimator(", "ScriptRunConfig(")
        col = line.find("DataReference")
        if col >= 0 and settings.enabled("EM201"):
            findings.append(Finding("EM201", "DataReference migrated with str(ref); review it", number, col + 1,
                                    number + 1, 3, hint="Consider datasets.", fixed=True,
                                    severity=Severity.WARNING, path=path))
        col = line.find("vm_size")
        if col >= 0 and settings.enabled("EM302"):
            findings.append(Finding("EM302", "vm_size: run-based compute, 100% manual, a,b:c\nsecond line",
                                    number, col + 1, number, col + 8,
                                    hint="Create an AmlCompute cluster and pass it as compute_target.",
                                    fixed=False, severity=Severity.ERROR, path=path))
        out.append(line)
    return "".join(out), findings, None


def _diff(old: str, new: str, path: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}"))


def migrate_bytes(data, path, settings, *, diff=False, verify=True):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return FileResult(path, new_data=data, error=f"{path}: cannot decode: {exc}")
    new, findings, error = _migrate(text, path, settings)
    lines = text.splitlines()
    texts = {(None, f.line): lines[f.line - 1] for f in findings if 1 <= f.line <= len(lines)}
    changed = new != text
    return FileResult(path, findings, changed=changed, new_data=new.encode("utf-8"),
                      diff=_diff(text, new, path) if diff and changed else "", error=error,
                      line_texts=tuple(texts.items()))


ESTIMATOR_CODE = (
    "from azureml.train.estimator import Estimator\n"
    "est = Estimator(source_directory='.', entry_script='train.py', compute_target='local')\n"
)
MANUAL_CODE = "from azureml.train.estimator import Estimator\nest = Estimator(vm_size='STANDARD_D2')\n"
CLEAN_CODE = "print('hello')\n"
