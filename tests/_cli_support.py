"""A stand-in for estimator_migrate.runner with the agreed contract, so the CLI, discovery
and report tests do not depend on the engine's progress. It flags lines by keyword:

  "Estimator("   EM101, fixed: the text becomes "ScriptRunConfig("
  "DataReference" EM201, fixed (review), text unchanged
  "vm_size"      EM302, not fixed
  "SYNTAX ERROR" EM901 and FileResult.error
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Optional

from estimator_migrate.findings import Finding, Severity


@dataclasses.dataclass
class FileResult:
    path: str
    findings: list
    changed: bool = False
    written: bool = False
    diff: str = ""
    error: Optional[str] = None


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


def process_file(path, settings, *, write, want_diff=False, display_path=None):
    shown = display_path or path
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileResult(shown, [], error=f"{shown}: cannot read: {exc}")
    new, findings, error = _migrate(text, shown, settings)
    result = FileResult(shown, findings, changed=new != text, error=error)
    if want_diff and result.changed:
        result.diff = _diff(text, new, shown)
    if write and result.changed:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(new)
        result.written = True
    return result


def process_bytes(data, name, settings, *, want_diff=False):
    text = data.decode("utf-8")
    new, findings, error = _migrate(text, name, settings)
    result = FileResult(name, findings, changed=new != text, error=error)
    if want_diff and result.changed:
        result.diff = _diff(text, new, name)
    return result, new.encode("utf-8")


ESTIMATOR_CODE = (
    "from azureml.train.estimator import Estimator\n"
    "est = Estimator(source_directory='.', entry_script='train.py', compute_target='local')\n"
)
MANUAL_CODE = "from azureml.train.estimator import Estimator\nest = Estimator(vm_size='STANDARD_D2')\n"
CLEAN_CODE = "print('hello')\n"
