"""The per-file pipeline the CLI calls: read once, prefilter, decode, migrate, check, write.

Every problem with one file ends up in its FileResult (a finding or a one-line ``error``);
nothing here raises for a bad file, so one file never stops the others. Ctrl-C is let
through: atomic_write guarantees each file is then either fully old or fully new.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import warnings
from typing import TYPE_CHECKING, List, Optional, Tuple

from estimator_migrate.codes import RULES
from estimator_migrate.findings import Finding
from estimator_migrate.prefilter import NotRegularFile, is_notebook, may_contain_estimators, read_regular
# rules_out is the CLI's prefilter: True when process_file would return FileResult(path, []).
from estimator_migrate.prefilter import rules_out  # noqa: F401
from estimator_migrate.settings import Settings
from estimator_migrate.sources import SourceError, atomic_write, decode_source, encode_source, unified_diff

if TYPE_CHECKING:
    from estimator_migrate import core

# The engine (core) and the notebook reader are imported by the functions that need them: on a
# tree without estimators every file is ruled out by the prefilter, and their imports would be
# a large part of the run (issue 9).

# Bigger Python texts are refused rather than risking minutes and gigabytes in the parser.
# For notebooks this counts the code only (outputs with images make notebooks big).
MAX_SOURCE_BYTES = 8 * 1024 * 1024


@dataclasses.dataclass
class FileResult:
    path: str  # display path as given
    findings: list  # list[Finding] with .path set (and .cell for notebooks)
    changed: bool = False  # the migrated content differs from the input
    written: bool = False  # the file on disk was rewritten
    diff: str = ""  # unified diff ("" when unchanged), computed when want_diff
    error: Optional[str] = None  # one-line error: unreadable, invalid notebook, write failure, ... (CLI exits 2)
    suppressed: int = 0  # findings silenced by noqa / ignore comments


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _finding(code: str, message: str, path: str, line: int = 1, column: int = 1, cell: Optional[int] = None) -> Finding:
    return Finding(code=code, message=message, line=line, column=column, severity=RULES[code].severity,
                   path=path, cell=cell)


class _Unsafe(Exception):
    """The rewrite failed a safety check (EM902)."""


def _parses(text: str) -> Optional[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<migrated>", "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as err:
        return f"line {err.lineno}: {err.msg}"
    return None


def _migrate_checked(text: str, shown: str, settings: Settings, verify: bool = True) -> core.Result:
    """migrate_source plus the safety checks: the result must parse and a second pass over it
    must change nothing. Raises _Unsafe (the file is then left as it is)."""
    from estimator_migrate import core

    result = core.migrate_source(text, path=shown, settings=settings)
    if result.error is not None or result.new_source == text or not verify:
        # Without a write (check, --diff) the engine's own passes stand: it stops only when a
        # pass finds nothing more to rewrite, and every pass parses the code it produced.
        return result
    problem = _parses(result.new_source)
    if problem:
        raise _Unsafe(f"the rewritten code does not parse ({problem})", result)
    again = core.migrate_source(result.new_source, path=shown, settings=settings)
    if again.error is not None:
        raise _Unsafe(f"the rewritten code cannot be processed again ({_one_line(again.error)})", result)
    if again.new_source != result.new_source:
        raise _Unsafe("a second pass would change the rewritten code again (not idempotent)", result)
    return result


def _unsafe_findings(err: _Unsafe, shown: str, mapper=lambda f: f) -> List[Finding]:
    """The first pass's findings, no longer marked fixed, and one EM902 naming the file."""
    message, result = err.args
    findings = [dataclasses.replace(mapper(f), fixed=False) for f in result.findings]
    findings.append(_finding("EM902", f"{shown}: {message}; the file was left unchanged", shown))
    return findings


def _too_large(size: int) -> SourceError:
    return SourceError(f"too large to migrate ({size / 1e6:.1f} MB of code, limit {MAX_SOURCE_BYTES / 1e6:.0f} MB); "
                       "left unchanged")


def _migrate_python(data: bytes, shown: str, settings: Settings, want_diff: bool,
                    verify: bool = True) -> Tuple[FileResult, bytes]:
    if len(data) > MAX_SOURCE_BYTES:
        raise _too_large(len(data))
    decoded = decode_source(data)
    try:
        result = _migrate_checked(decoded.text, shown, settings, verify)
    except _Unsafe as err:
        return FileResult(shown, _unsafe_findings(err, shown)), data
    findings = [f.with_path(shown) for f in result.findings]
    if result.error is not None or result.new_source == decoded.text:
        return FileResult(shown, findings, suppressed=result.suppressed), data
    new_data = encode_source(result.new_source, decoded)
    diff = unified_diff(decoded.text, result.new_source, f"a/{shown}", f"b/{shown}") if want_diff else ""
    return FileResult(shown, findings, changed=True, diff=diff, suppressed=result.suppressed), new_data


def _migrate_notebook(data: bytes, shown: str, settings: Settings, want_diff: bool,
                      verify: bool = True) -> Tuple[FileResult, bytes]:
    from estimator_migrate.notebook import NotebookError, build_module, cell_diffs, encode_notebook, load_notebook, render_notebook

    nb = load_notebook(data)
    module = build_module(nb)
    findings = [
        _finding("EM901", f"cell {bad.cell} does not parse ({bad.message}); it was left unchanged",
                 shown, bad.line, bad.column, cell=bad.cell)
        for bad in module.bad_cells
    ]
    if not module.parts:
        return FileResult(shown, findings), data
    if len(module.text.encode("utf-8")) > MAX_SOURCE_BYTES:
        raise _too_large(len(module.text.encode("utf-8")))

    def mapped(f: Finding) -> Finding:
        return module.map_finding(f).with_path(shown)

    try:
        result = _migrate_checked(module.text, shown, settings, verify)
    except _Unsafe as err:
        return FileResult(shown, findings + _unsafe_findings(err, shown, mapped)), data
    findings += [mapped(f) for f in result.findings]
    if result.error is not None or result.new_source == module.text:
        return FileResult(shown, findings, suppressed=result.suppressed), data
    try:
        sources = module.split(result.new_source)
        sources = {i: s for i, s in sources.items() if s != nb.cells[i - 1].source}
        new_text = render_notebook(nb, sources)
    except NotebookError as err:
        findings = [dataclasses.replace(f, fixed=False) for f in findings]
        findings.append(_finding("EM902", f"{shown}: {err}; the notebook was left unchanged", shown))
        return FileResult(shown, findings), data
    if not sources:
        return FileResult(shown, findings), data
    diff = cell_diffs(nb, sources, shown) if want_diff else ""
    return (FileResult(shown, findings, changed=True, diff=diff, suppressed=result.suppressed),
            encode_notebook(new_text, nb.bom))


def _migrate_bytes(data: bytes, shown: str, settings: Settings, want_diff: bool,
                   verify: bool = True) -> Tuple[FileResult, bytes]:
    if not may_contain_estimators(data, notebook=is_notebook(shown)):
        return FileResult(shown, []), data
    if is_notebook(shown):
        return _migrate_notebook(data, shown, settings, want_diff, verify)
    return _migrate_python(data, shown, settings, want_diff, verify)


def _describe(err: Exception) -> str:
    """One line for any failure, without a traceback."""
    if isinstance(err, SourceError):
        return str(err)
    if isinstance(err, RecursionError):
        return "too deeply nested to process (Python's recursion limit); left unchanged"
    if isinstance(err, MemoryError):
        return "out of memory while processing; left unchanged"
    return _one_line(f"internal error: {type(err).__name__}: {_one_line(err) or 'no message'}")


def process_bytes(data: bytes, name: str, settings: Settings, *, want_diff: bool = False) -> Tuple[FileResult, bytes]:
    """Migrate file content that is not on disk (stdin). ``name`` (".ipynb" or not) decides the
    format and is the display path. Returns the result and the bytes to output (the input
    itself when unchanged)."""
    shown = str(name)
    try:
        return _migrate_bytes(data, shown, settings, want_diff)
    except Exception as err:  # noqa: BLE001 - reported as this input's error
        return FileResult(shown, [], error=f"{shown}: {_describe(err)}"), data


def _read(path: str) -> Tuple[bytes, os.stat_result]:
    try:
        return read_regular(path)
    except FileNotFoundError:
        raise SourceError("no such file or directory") from None
    except IsADirectoryError:
        raise SourceError("is a directory") from None
    except NotRegularFile:
        raise SourceError("not a regular file") from None  # FIFOs and devices would block or never end
    except PermissionError:
        raise SourceError("permission denied (cannot read)") from None
    except OSError as err:
        raise SourceError(f"cannot read: {err.strerror or type(err).__name__}") from None


def process_file(path, settings: Settings, *, write: bool, want_diff: bool = False,
                 display_path: Optional[str] = None) -> FileResult:
    """Migrate one file; with ``write`` rewrite it atomically when it changed. Never raises
    for a bad file (see FileResult.error); KeyboardInterrupt is let through."""
    shown = display_path if display_path is not None else os.fspath(path)
    try:
        data, read_stat = _read(os.fspath(path))
        # The second-run safety check costs a full extra migration; it guards writes.
        result, new_data = _migrate_bytes(data, shown, settings, want_diff, verify=write)
    except Exception as err:  # noqa: BLE001 - a bug in one file must not stop the others
        return FileResult(shown, [], error=f"{shown}: {_describe(err)}")
    if write and result.changed and result.error is None:
        try:
            atomic_write(path, new_data, expected_stat=read_stat)
            result.written = True
        except Exception as err:  # noqa: BLE001
            # The findings stay: they are still true of the file on disk.
            result.error = f"{shown}: {_describe(err)}"
    return result
