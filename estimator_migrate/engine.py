"""The engine: source text in, migrated text and findings out (``run_engine``). It parses with
``ast``, dispatches calls to rules, splices their edits and fixes imports. It knows nothing of
files, encodings or notebooks: core.migrate_bytes wraps it with those and with the safety net.

Why not a full libcst transform: a libcst traversal of a whole module costs about as much
as parsing it, and most of a notebook has nothing to rewrite. Python's own parser finds the
calls and resolves names in a fraction of that time; libcst then parses only the estimator
call expressions it rewrites, and everything else in the file stays byte for byte as it was.
"""

from __future__ import annotations

import ast
import dataclasses
import warnings

from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.analysis.names import NameResolver
from estimator_migrate.findings import Finding
from estimator_migrate.rewrite import imports, runtime_helpers, todo
from estimator_migrate.rules import load_rules
from estimator_migrate.settings import Settings
from estimator_migrate.text import split_lines

MAX_PASSES = 4
# Rules of the ScriptRunConfig target that follow a rewritten estimator (or rewrite v1 objects
# into other v1 objects); under ``--target v2`` the v2 renderer and rules.v2_client do that.
_SCRIPTRUNCONFIG_ONLY = {"ScriptRunConfig", "HyperDriveConfig", "HyperDriveRunConfig", "EstimatorStep",
                         "HyperDriveStep"}  # a rewrite can expose another (an estimator inside a HyperDriveConfig call)


@dataclasses.dataclass(frozen=True)
class Result:
    """What the engine made of one source text (a whole module, newlines as in the file)."""

    source: str
    new_source: str
    findings: tuple[Finding, ...] = ()
    # Set when the source could not be processed at all (for example a syntax error); the
    # findings then hold one EM901/EM902 finding and new_source == source.
    error: str | None = None
    # Findings silenced by suppression comments (noqa, estimator-migrate: ignore).
    suppressed: int = 0

    @property
    def changed(self) -> bool:
        return self.new_source != self.source


def parse(source: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our business
        return ast.parse(source)


def syntax_error_result(source: str, path: str, exc: BaseException) -> Result:
    if isinstance(exc, SyntaxError):
        line, col = exc.lineno or 1, (exc.offset or 1)
        message = f"cannot parse: {exc.msg} (line {line})"
    else:
        line, col = 1, 1
        message = f"cannot parse: {type(exc).__name__}: {exc}".rstrip(": ")
    finding = Finding(code="EM901", message=message, line=line, column=max(col, 1), end_line=line,
                      end_column=max(col, 1), hint="Fix the syntax (the tool reads Python 3) and run it again.",
                      path=path)
    return Result(source=source, new_source=source, findings=(finding,), error=message)


def run_engine(source: str, *, path: str = "<string>", settings: Settings = Settings()) -> Result:
    try:
        tree = parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return syntax_error_result(source, path, exc)

    handlers = load_rules()
    if settings.target == "v2":
        from estimator_migrate.rules import v2_client

        handlers = {k: v for k, v in handlers.items() if k not in _SCRIPTRUNCONFIG_ONLY} | v2_client.HANDLERS
    findings: dict[tuple, Finding] = {}
    line_map: list[int] = list(range(len(split_lines(source)) + 2))  # current line -> original line
    current, suppressed = source, 0
    memory: dict[str, dict] = {}  # what rules learnt in earlier passes (estimators they rewrote)
    first_names = None
    for _ in range(MAX_PASSES):
        ctx = FileContext(current, tree, path, settings)
        first_names = first_names or ctx.names
        ctx.memory = memory
        ctx.origin_line = _origin(line_map)  # current line -> line in the file as it was read
        run_rules(ctx, handlers)
        if settings.target == "v2" and not ctx.edits:
            # Once no estimator is left to rewrite: the submits of the command nodes and their client.
            from estimator_migrate.rules import v2_client

            v2_client.finish(ctx)
        applied = apply_edits(ctx)
        suppressed = max(suppressed, ctx.suppressed_count)
        for finding in ctx.findings:
            original_line = line_map[min(finding.line, len(line_map) - 1)]
            shift = original_line - finding.line
            mapped = dataclasses.replace(finding, line=original_line, end_line=finding.end_line + shift)
            findings.setdefault((mapped.code, mapped.line, mapped.column, mapped.message), mapped)
        if applied is None:
            break
        new_source, pass_map = applied
        line_map = [line_map[min(n, len(line_map) - 1)] for n in pass_map]
        try:
            tree = parse(new_source)
        except SyntaxError as exc:  # a rule produced invalid code: refuse the whole file
            return internal_error(source, path, f"rewrite produced invalid code ({exc.msg})")
        current = new_source
    else:
        if settings.target == "v2" and _v2_unsettled(current, tree, path, settings, memory, handlers):
            # Never a command node handed to a v1 submit: refuse the file rather than half-migrate it.
            return internal_error(source, path, "the v2 rewrite did not settle within the passes")

    if current != source:
        # Helper functions the rewrite calls (runtime_helpers) are written once, above their first use.
        defined = runtime_helpers.define_helpers(current, memory, ctx.newline)
        if defined != current:
            current, tree = defined, parse(defined)
        final_names = ctx.names if ctx.tree is tree else NameResolver(tree)
        assert first_names is not None  # set by the first pass
        current = imports.fix_imports(first_names, current, final_names, target=settings.target,
                                      takeover=frozenset(memory.get("v2_takeover", {})))
        tree = parse(current) if settings.add_todo_comments else tree
        try:
            parse(current)
        except SyntaxError as exc:
            return internal_error(source, path, f"import update produced invalid code ({exc.msg})")
    ordered = tuple(sorted(findings.values(), key=Finding.sort_key))
    if settings.add_todo_comments and any(not f.fixed and f.code.startswith("EM3") for f in ordered):
        current = _with_todos(current, tree, path, settings)
    return Result(source=source, new_source=current, findings=ordered, suppressed=suppressed)


def _v2_unsettled(current: str, tree: ast.Module, path: str, settings: Settings, memory: dict, handlers) -> bool:
    """Whether one more pass would still rewrite something (an estimator, or the submits of a
    command node): the passes ran out before the v2 rewrite was complete."""
    from estimator_migrate.rules import v2_client

    ctx = FileContext(current, tree, path, settings)
    ctx.memory = {key: value.copy() if hasattr(value, "copy") else value for key, value in memory.items()}
    run_rules(ctx, handlers)
    if not ctx.edits:
        v2_client.finish(ctx)
    return bool(ctx.edits)


def _with_todos(current: str, tree: ast.Module, path: str, settings: Settings) -> str:
    """TODO lines go where the manual work is in the final code, so find it there again."""
    ctx = FileContext(current, tree, path, settings)
    run_rules(ctx, load_rules())
    return todo.add_todo_comments(current, tree, ctx.findings)


def _origin(line_map: list[int]):
    return lambda line: line_map[min(line, len(line_map) - 1)]


def internal_error(source: str, path: str, why: str) -> Result:
    finding = Finding(code="EM902", message=f"internal error in {path}: {why}; the file was left unchanged",
                      line=1, column=1, end_line=1, end_column=1,
                      hint="Please report this with the file that triggers it.", path=path)
    return Result(source=source, new_source=source, findings=(finding,), error=finding.message)


def run_rules(ctx: FileContext, handlers) -> None:
    calls = sorted(ctx.names.calls, key=lambda n: (n.lineno, n.col_offset))
    for call in calls:
        name = ctx.canonical_name(call.func)
        for handler in handlers.get(name, ()) if name else ():
            edits, findings = len(ctx.edits), len(ctx.findings)
            try:
                handler(ctx, call)
            except Exception as exc:  # a bug in one rule must not lose the file or the other calls
                del ctx.edits[edits:]
                del ctx.findings[findings:]
                ctx.report("EM902", call, f"internal error while migrating this call "
                           f"({type(exc).__name__}: {exc}); it was left unchanged",
                           "Please report this with the code of the call.")


def apply_edits(ctx: FileContext):
    """Splice non-overlapping edits; an edit overlapping an earlier one waits for the next pass.
    Returns (new source, map from new line number to old line number) or None."""
    if not ctx.edits:
        return None
    chosen: list[Edit] = []
    last_end = 0
    deferred_groups = set()
    for edit in sorted(ctx.edits, key=lambda e: (e.start, e.end)):
        if edit.start <= last_end:
            # Its findings will be reported again, from the next pass.
            ctx.findings = [f for f in ctx.findings if f not in edit.findings]
            if edit.group:
                deferred_groups.add(edit.group)
            continue
        chosen.append(edit)
        last_end = max(last_end, edit.end)
    if deferred_groups:
        # Edits of one group (two statements that change together) wait together for the next pass.
        for edit in [e for e in chosen if e.group in deferred_groups]:
            ctx.findings = [f for f in ctx.findings if f not in edit.findings]
            chosen.remove(edit)
        if not chosen:
            return None
    out: list[str] = []
    line_map: list[int] = [0]
    line_no = 1
    lines = ctx.lines
    for edit in chosen:
        while line_no < edit.start:
            out.append(lines[line_no - 1])
            line_map.append(line_no)
            line_no += 1
        new_lines = split_lines(edit.text)
        out.extend(new_lines)
        line_map.extend([edit.start] * len(new_lines))
        line_no = edit.end + 1
    while line_no <= len(lines):
        out.append(lines[line_no - 1])
        line_map.append(line_no)
        line_no += 1
    line_map.extend([len(lines) + 1] * 2)
    new_source = "".join(out)
    if new_source == ctx.source:
        return None
    return new_source, line_map
