"""The core: the bytes of one file in, a FileResult out. No file system, no printing.

``migrate_bytes`` is what everything calls: the CLI for each file (through runner, which only
reads and writes), its pool workers, standard input, the tests and library users. The path
picks the format (``.ipynb`` is a notebook) and names the file in findings. Python source is
decoded as Python decodes it and encoded back the same way; a notebook's code cells are
migrated as one program and only their ``source`` values are rewritten. The rewrite must parse
and a second pass over it must change nothing, or the file is left as it was (EM902). The
result also holds the text of every finding's line as it was read, for the fingerprints of
SARIF and baselines, so no report reads the file again.

Importing this module is cheap: the engine, libcst and the notebook reader are imported on the
first file the prefilter cannot rule out (a tree without estimators never needs them).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from estimator_migrate.codes import RULES
from estimator_migrate.findings import Finding
from estimator_migrate.io.prefilter import is_notebook, may_contain_estimators
from estimator_migrate.io.sources import SourceError, decode_source, encode_source, unified_diff
from estimator_migrate.settings import Settings
from estimator_migrate.text import split_lines

if TYPE_CHECKING:
    from estimator_migrate.engine import Result

# The engine's signature: (source, *, path, settings) -> engine.Result. Tests pass stand-ins.
Engine = Callable[..., "Result"]

# Bigger Python texts are refused rather than risking minutes and gigabytes in the parser.
# For notebooks this counts the code only (outputs with images make notebooks big).
MAX_SOURCE_BYTES = 8 * 1024 * 1024

# (cell, line) of a finding: cell is None outside notebooks, line is 1-based (in the cell).
LineKey = tuple[int | None, int]


@dataclasses.dataclass(frozen=True)
class FileResult:
    """What the tool found in one file, and what it made of it."""

    path: str  # the display path; every finding carries it too
    findings: tuple[Finding, ...] = ()  # with .path set, and .cell in notebooks
    changed: bool = False  # the migrated content differs from the input
    # The bytes to write or print: the migrated file, or the input itself when unchanged. The
    # file layer drops them once written (None), so reports never hold file contents.
    new_data: bytes | None = None
    diff: str = ""  # unified diff, when asked for and changed
    error: str | None = None  # one line: unreadable, undecodable, invalid notebook, write failure (exit 2)
    suppressed: int = 0  # findings silenced by noqa / ignore comments
    # The text of each finding's line as it was read (before a fix): ((cell, line), text)
    # pairs, for fingerprints. Pairs rather than a dict keep the result immutable.
    line_texts: tuple[tuple[LineKey, str], ...] = ()
    written: bool = False  # set by the file layer when it rewrote the file on disk

    def __post_init__(self) -> None:
        if type(self.findings) is not tuple:  # a list is accepted
            object.__setattr__(self, "findings", tuple(self.findings))


def migrate_source(source: str, *, path: str = "<string>", settings: Settings = Settings()) -> Result:
    """The engine alone on one source text: no decoding, no notebooks, no safety net. For
    files, use :func:`migrate_bytes`."""
    from estimator_migrate.engine import run_engine

    return run_engine(source, path=path, settings=settings)


def migrate_bytes(data: bytes, path: str = "<bytes>", settings: Settings = Settings(), *, diff: bool = False,
                  verify: bool = True, engine: Engine | None = None) -> FileResult:
    """Migrate the content of one file. Never raises for bad input: a problem with it is a
    finding (EM901, EM902) or ``error``. KeyboardInterrupt is let through.

    ``diff``: compute ``FileResult.diff``. ``verify``: prove a changed result by migrating it
    once more (a second pass must change nothing); the CLI skips it when it writes nothing,
    since every engine pass already parses what it produced. ``engine``: the text engine
    (default: the real one).
    """
    try:
        notebook = is_notebook(path)
        if not may_contain_estimators(data, notebook=notebook):
            return FileResult(path, new_data=data)
        run = engine or _engine()
        if notebook:
            return _migrate_notebook(data, path, settings, diff, verify, run)
        return _migrate_python(data, path, settings, diff, verify, run)
    except Exception as err:  # noqa: BLE001 - reported as this input's error
        return FileResult(path, new_data=data, error=f"{path}: {describe(err)}")


def warm_up() -> None:
    """Import what migrating a file needs, so that forked workers do not each repeat it."""
    try:
        _engine()
        from estimator_migrate.io import notebook  # noqa: F401
        from estimator_migrate.rules import load_rules

        load_rules()
        import libcst  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken import surfaces again, per file, in migrate_bytes
        pass


def describe(err: BaseException) -> str:
    """One line for any failure, without a traceback."""
    if isinstance(err, SourceError):
        return str(err)
    if isinstance(err, RecursionError):
        return "too deeply nested to process (Python's recursion limit); left unchanged"
    if isinstance(err, MemoryError):
        return "out of memory while processing; left unchanged"
    return _one_line(f"internal error: {type(err).__name__}: {_one_line(str(err)) or 'no message'}")


def _engine() -> Engine:
    from estimator_migrate.engine import run_engine

    return run_engine


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _finding(code: str, message: str, path: str, line: int = 1, column: int = 1, cell: int | None = None) -> Finding:
    return Finding(code=code, message=message, line=line, column=column, severity=RULES[code].severity,
                   path=path, cell=cell)


def _too_large(size: int) -> SourceError:
    return SourceError(f"too large to migrate ({size / 1e6:.1f} MB of code, limit {MAX_SOURCE_BYTES / 1e6:.0f} MB); "
                       "left unchanged")


# -- the safety net (EM902) ---------------------------------------------------------------------

class _Unsafe(Exception):
    """The rewrite failed a safety check; args: (why, the engine's first result)."""


def _parses(text: str) -> str | None:
    import ast

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<migrated>", "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as err:
        return f"line {err.lineno}: {err.msg}"
    return None


def _checked(text: str, path: str, settings: Settings, verify: bool, engine: Engine) -> Result:
    """The engine's result; with ``verify`` it must parse and a second pass over it must change
    nothing, else _Unsafe (the file is then left as it is)."""
    result = engine(text, path=path, settings=settings)
    if result.error is not None or result.new_source == text or not verify:
        return result
    problem = _parses(result.new_source)
    if problem:
        raise _Unsafe(f"the rewritten code does not parse ({problem})", result)
    again = engine(result.new_source, path=path, settings=settings)
    if again.error is not None:
        raise _Unsafe(f"the rewritten code cannot be processed again ({_one_line(again.error)})", result)
    if again.new_source != result.new_source:
        raise _Unsafe("a second pass would change the rewritten code again (not idempotent)", result)
    return result


def _unsafe_findings(err: _Unsafe, path: str, place: Callable[[Finding], Finding]) -> list[Finding]:
    """The first pass's findings, no longer marked fixed, and one EM902 naming the file."""
    message, result = err.args
    findings = [dataclasses.replace(place(f), fixed=False) for f in result.findings]
    findings.append(_finding("EM902", f"{path}: {message}; the file was left unchanged", path))
    return findings


def _line_texts(findings: Sequence[Finding],
                lines_of: Callable[[int | None], list[str]]) -> tuple[tuple[LineKey, str], ...]:
    texts: dict[LineKey, str] = {}
    cache: dict[int | None, list[str]] = {}
    for finding in findings:
        if finding.cell not in cache:
            cache[finding.cell] = lines_of(finding.cell)
        lines = cache[finding.cell]
        if 1 <= finding.line <= len(lines):
            texts[(finding.cell, finding.line)] = lines[finding.line - 1].rstrip("\r\n")
    return tuple(texts.items())


# -- Python files ---------------------------------------------------------------------------------

def _migrate_python(data: bytes, path: str, settings: Settings, diff: bool, verify: bool,
                    engine: Engine) -> FileResult:
    if len(data) > MAX_SOURCE_BYTES:
        raise _too_large(len(data))
    decoded = decode_source(data)
    text = decoded.text

    def lines_of(cell: int | None) -> list[str]:
        return split_lines(text) if cell is None else []

    try:
        result = _checked(text, path, settings, verify, engine)
    except _Unsafe as err:
        findings = _unsafe_findings(err, path, lambda f: f.with_path(path))
        return FileResult(path, tuple(findings), new_data=data, line_texts=_line_texts(findings, lines_of))
    findings = [f.with_path(path) for f in result.findings]
    texts = _line_texts(findings, lines_of)
    if result.error is not None or result.new_source == text:
        return FileResult(path, tuple(findings), new_data=data, suppressed=result.suppressed, line_texts=texts)
    new_data = encode_source(result.new_source, decoded)
    shown = unified_diff(text, result.new_source, f"a/{path}", f"b/{path}") if diff else ""
    return FileResult(path, tuple(findings), changed=True, new_data=new_data, diff=shown, suppressed=result.suppressed,
                      line_texts=texts)


# -- notebooks ------------------------------------------------------------------------------------

def _migrate_notebook(data: bytes, path: str, settings: Settings, diff: bool, verify: bool,
                      engine: Engine) -> FileResult:
    from estimator_migrate.io.notebook import (
        NotebookError,
        build_module,
        cell_diffs,
        encode_notebook,
        load_notebook,
        render_notebook,
    )

    nb = load_notebook(data)

    def lines_of(cell: int | None) -> list[str]:
        return split_lines(nb.cells[cell - 1].source) if cell is not None and 1 <= cell <= len(nb.cells) else []

    def done(findings: list[Finding], **fields) -> FileResult:
        return FileResult(path, tuple(findings), line_texts=_line_texts(findings, lines_of), **fields)

    module = build_module(nb)
    findings = [
        _finding("EM901", f"cell {bad.cell} does not parse ({bad.message}); it was left unchanged",
                 path, bad.line, bad.column, cell=bad.cell)
        for bad in module.bad_cells
    ]
    if not module.parts:
        return done(findings, new_data=data)
    size = len(module.text.encode("utf-8"))
    if size > MAX_SOURCE_BYTES:
        raise _too_large(size)

    def place(f: Finding) -> Finding:
        return module.map_finding(f).with_path(path)

    try:
        result = _checked(module.text, path, settings, verify, engine)
    except _Unsafe as err:
        return done(findings + _unsafe_findings(err, path, place), new_data=data)
    findings += [place(f) for f in result.findings]
    if result.error is not None or result.new_source == module.text:
        return done(findings, new_data=data, suppressed=result.suppressed)
    try:
        sources = module.split(result.new_source)
        sources = {i: s for i, s in sources.items() if s != nb.cells[i - 1].source}
        new_text = render_notebook(nb, sources)
    except NotebookError as err:
        findings = [dataclasses.replace(f, fixed=False) for f in findings]
        findings.append(_finding("EM902", f"{path}: {err}; the notebook was left unchanged", path))
        return done(findings, new_data=data)
    if not sources:
        return done(findings, new_data=data)
    shown = cell_diffs(nb, sources, path) if diff else ""
    return done(findings, changed=True, new_data=encode_notebook(new_text, nb.bom), diff=shown,
                suppressed=result.suppressed)
