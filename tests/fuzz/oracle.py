"""The oracle of the differential fuzzer: run the tool on a program, run the original and the
migrated program against the real SDK (offline, tests/equivalence/harness.py), and decide.

A program passes when, for every estimator in it, either

* the migrated program submits the same runs (``harness.compare``: every estimator bound to a
  name against its twin, every submit as it was at submit time, every HyperDrive configuration),
  or the only differences are ones a finding on that estimator names (see "Reported
  differences"); or
* the tool left the call unchanged and reported it (an EM3xx finding on its statement); or
* the original raised (the SDK rejected the combination, the code never ran) and the migrated
  program raises the same error at the same place, with an EM3xx finding on the statement that
  raised when that statement is an estimator construction.

Everything else is a **silently wrong rewrite**: a difference nobody reported, a migrated
program that crashes where the original did not (or no longer raises where the original did),
a different number of submits.

Reported differences, and EM203
-------------------------------
A rewrite may differ from the original only where the tool says so in a way a person can act
on. A difference is excused only by a finding that (1) has an EM3xx code (``EM310`` "the use
could not be carried over" is what the fixtures headed ``# equivalence: differs, reported``
report), (2) stands on the statement that built the estimator or on a statement that uses it
(the submit, the HyperDrive configuration, a line naming its variable), (3) names the field
that differs (``VOCABULARY``: a difference in ``arguments`` needs a message about
``script_params``/arguments, one in ``nodeCount`` a message about ``node_count``...), and (4)
does not say the estimator was left unchanged (an estimator left as it was must submit the same
run; if it does not, a rewrite elsewhere changed it). A finding that does not name the field is
a vague report, and the difference counts as silent. One
exception to (1): where the original failed at submit (a ScriptRunConfig in HyperDrive's
``estimator`` slot) and the migrated program works, the rewrite's own finding may say so (EM103
"... which fails at submit; it is passed as ``run_config=`` now").

EM203 ("equivalent except a setting the estimator ignored or could not express") excuses
nothing by itself: every EM203 message but one says the migrated job does what the estimator
did (a setting the estimator ignored is dropped, a conflicting value is kept as it ran, the node
count is restored), so a difference next to it is still a wrong rewrite. The exception is the
prebuilt-image note (spec §5.2, T23): the estimator ran Azure ML's private prebuilt image, which
cannot be reproduced, and the migration builds the same scenario in full instead. For an
estimator with that note the reference is what the same estimator did in a region without
prebuilt images (``harness.FULL_BUILD_REGION``, where the SDK itself took the full-build path),
exactly as fixtures headed ``# equivalence: full-build`` are checked; any difference left
against that reference is unexcused like any other.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import dataclasses
import json
import logging
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Sequence
from typing import Any

from azureml.core import Experiment, ScriptRunConfig
from azureml.train.estimator import MMLBaseEstimator
from azureml.train.hyperdrive import HyperDriveConfig
from equivalence import harness  # first: it imports azureml.core before the training packages (spec T39)

from estimator_migrate.core import migrate_bytes
from estimator_migrate.settings import Settings
from fuzz.programs import Program, runnable_text

FILENAME = "fuzz_program.py"

# Outcomes of one program.
REWRITTEN = "rewritten"  # at least one estimator rewritten, and every rewrite proven
UNCHANGED_REPORTED = "unchanged-reported"  # nothing rewritten; every estimator reported
ORIGINAL_RAISED = "original-raised"  # the SDK rejected the original; the tool left that call alone
WRONG = "silently-wrong"  # see the module docstring
UNREPORTED = "unreported"  # an estimator neither rewritten nor reported (a lint miss, not a wrong rewrite)
INTERNAL = "internal-error"  # EM902 or a tool error: the file was left unchanged
OK_OUTCOMES = (REWRITTEN, UNCHANGED_REPORTED, ORIGINAL_RAISED)


# -- running a program ------------------------------------------------------------------------------

@dataclasses.dataclass
class Execution:
    namespace: dict[str, Any]
    recorder: harness.Recorder
    error: tuple[str, str, int] | None  # (exception type, message, line that raised)
    built: dict[int, int]  # id(estimator) -> line of the program that built it
    hyperdrive: dict[int, int]  # id(HyperDriveConfig) -> line
    submit_lines: list[int]
    scriptrunconfigs: int
    keep: list  # holds the objects whose ids are keys above (ids stay unique)


def _program_line(filename: str) -> int:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return frame.f_lineno
        frame = frame.f_back
    return 0


@contextlib.contextmanager
def _instrumented(exe: Execution, filename: str):
    """Record where estimators, HyperDrive configurations and submits happen in the program."""
    saved = []

    def wrap(owner, name, make):
        original = vars(owner)[name]
        saved.append((owner, name, original))
        setattr(owner, name, make(original))

    def estimator_init(original):
        def __init__(self, *args, **kwargs):
            exe.built.setdefault(id(self), _program_line(filename))
            exe.keep.append(self)
            return original(self, *args, **kwargs)
        return __init__

    def hyperdrive_init(original):
        def __init__(self, *args, **kwargs):
            exe.hyperdrive.setdefault(id(self), _program_line(filename))
            exe.keep.append(self)
            return original(self, *args, **kwargs)
        return __init__

    def src_init(original):
        def __init__(self, *args, **kwargs):
            exe.scriptrunconfigs += 1
            return original(self, *args, **kwargs)
        return __init__

    def submit(original):
        def submit(self, *args, **kwargs):
            exe.submit_lines.append(_program_line(filename))
            return original(self, *args, **kwargs)
        return submit

    wrap(MMLBaseEstimator, "__init__", estimator_init)
    wrap(HyperDriveConfig, "__init__", hyperdrive_init)
    wrap(ScriptRunConfig, "__init__", src_init)
    wrap(Experiment, "submit", submit)  # the harness's recording stand-in, patched before
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def execute(text: str, workdir: str, location: str = "westeurope") -> Execution:
    """Like ``harness.run_fixture``, but an exception is recorded (with the line that raised)
    instead of propagated, and construction lines are recorded."""
    src_dir = os.path.join(workdir, "src")
    os.makedirs(src_dir, exist_ok=True)
    for name, content in harness.SOURCE_FILES.items():
        with open(os.path.join(src_dir, name), "w") as f:
            f.write(content)
    recorder = harness.Recorder()
    exe = Execution({"__name__": "__fuzz__"}, recorder, None, {}, {}, [], 0, [])
    filename = os.path.join(workdir, FILENAME)
    old = os.getcwd()
    os.chdir(workdir)
    try:
        with harness.offline_sdk(recorder, location), _instrumented(exe, filename), warnings.catch_warnings(), \
                _quiet():
            warnings.simplefilter("ignore")
            try:
                exec(compile(text, filename, "exec"), exe.namespace)
            except Exception as exc:  # noqa: BLE001 - what the program raised is the observation
                line, tb = 0, exc.__traceback__
                while tb is not None:
                    if tb.tb_frame.f_code.co_filename == filename:
                        line = tb.tb_lineno
                    tb = tb.tb_next
                exe.error = (type(exc).__name__, _message(exc), line)
    finally:
        os.chdir(old)
    return exe


def _message(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = re.sub(r"session_id=[0-9a-f-]+", "session_id=*", text)
    return text[:300]


@contextlib.contextmanager
def _quiet():
    """The SDK prints banners on stdout; a large run would drown in them."""
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        yield


# -- the verdict ----------------------------------------------------------------------------------------

@dataclasses.dataclass
class Verdict:
    outcome: str
    problems: list[str]  # unexcused: why the outcome is WRONG / UNREPORTED / INTERNAL
    excused: list[str]  # differences a finding names (the rewrite "differs, reported")
    findings: list[str]  # "line:col CODE message" (line in the runnable program text)
    original: str  # the runnable program text (notebook cells joined)
    migrated: str
    original_error: tuple[str, str, int] | None = None
    migrated_error: tuple[str, str, int] | None = None
    estimators: dict[str, int] = dataclasses.field(default_factory=dict)  # rewritten / reported / silent
    causes: list[str] = dataclasses.field(default_factory=list)  # short kinds of the problems
    detail: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (cause, problem) pairs

    @property
    def ok(self) -> bool:
        return self.outcome in OK_OUTCOMES

    @property
    def wrong(self) -> bool:
        return self.outcome == WRONG

    def report(self) -> str:
        lines = [f"outcome: {self.outcome}"]
        if self.original_error:
            lines.append(f"original raised: {self.original_error}")
        if self.migrated_error:
            lines.append(f"migrated raised: {self.migrated_error}")
        lines += ["problems:"] + [f"  {p}" for p in self.problems]
        if self.excused:
            lines += ["reported differences:"] + [f"  {p}" for p in self.excused]
        lines += ["findings:"] + [f"  {f}" for f in self.findings]
        return "\n".join(lines)


@dataclasses.dataclass
class _Finding:
    code: str
    message: str
    line: int
    fixed: bool

    def __str__(self) -> str:
        return f"{self.line}: {self.code}{'' if self.fixed else ' (manual)'} {self.message}"


# Which words a message must contain to name a differing field (the first path component
# that matches, most specific first). The path is the harness's (serialised run configuration).
VOCABULARY: list[tuple[str, tuple[str, ...]]] = [
    (r"^arguments", ("script_params", "argument", "flag")),
    # The original failed at submit (HyperDrive could not pair the arguments, a submit raised).
    (r"^error$", ("pairing", "raise", "fail", "error", "run_config=")),
    (r"^overridesLeft", ("script_params", "override")),
    (r"^(nodeCount|mpi\.|tensorflow\.|pytorch\.|communicator|framework)",
     ("node_count", "worker_count", "parameter_server_count", "process_count", "distributed")),
    (r"^environment\.docker\.(baseImage|baseImageRegistry)", ("image", "docker")),
    (r"^environment\.python", ("package", "pip", "conda", "python", "user_managed", "dependencies")),
    (r"^environment\.environmentVariables", ("environment_variables", "nccl", "variable")),
    (r"^environment", ("environment",)),
    (r"^docker\.", ("docker", "shm_size")),
    (r"^maxRunDurationSeconds", ("max_run_duration",)),
    (r"^environmentVariables", ("environment_variables",)),
    (r"^(dataReferences|data|outputs|sourceDirectoryDataStore)", ("data", "inputs", "datastore")),
    (r"^hyperdrive", ("hyperdrive", "tuned", "parameter space")),
    (r"^target", ("compute_target", "target")),
    (r"^(script|sourceDirectory)", ("script", "source_directory")),
]
_PREBUILT = "prebuilt image"


def vocabulary(path: str) -> tuple[str, ...]:
    for pattern, words in VOCABULARY:
        if re.search(pattern, path):
            return words
    return (path.split(".")[-1],)


def _split_problem(problem: str) -> tuple[str, str]:
    """'est: environment.docker.baseImage: estimator=... migrated=...' -> ('est', 'environment.docker.baseImage')."""
    if problem.startswith("submitted "):
        return "", "submitted"
    owner, _, rest = problem.partition(": ")
    m = re.match(r"(.*?): estimator=", rest)
    if m:
        return owner, m.group(1)
    return owner, "type" if rest.startswith("migrated code has") else rest


class _Program:
    """Line bookkeeping for the original program (findings, statements, names)."""

    def __init__(self, text: str, estimator_calls: set[str]):
        self.text = text
        self.tree = ast.parse(text)
        self.parents: dict[int, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
        self.estimator_calls = estimator_calls

    def statement_at(self, line: int) -> ast.stmt | None:
        """The innermost statement that spans ``line``."""
        best = None
        for node in ast.walk(self.tree):
            if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno):
                if best is None or (node.lineno >= best.lineno and node.end_lineno <= best.end_lineno):
                    best = node
        return best

    def span(self, line: int) -> set[int]:
        stmt = self.statement_at(line)
        if stmt is None:
            return {line}
        # A compound statement (a loop that builds and submits) counts by its header only.
        end = stmt.end_lineno if not hasattr(stmt, "body") else stmt.body[0].lineno - 1
        return set(range(stmt.lineno, max(end, stmt.lineno) + 1))

    def holder_uses(self, line: int) -> set[int]:
        """Lines of statements that mention the name the estimator built at ``line`` is bound to."""
        stmt = self.statement_at(line)
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            return set()
        name = stmt.targets[0].id
        out: set[int] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name) and node.id == name:
                out |= self.span(node.lineno)
        return out

    def estimator_statements(self) -> list[ast.stmt]:
        found = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in self.estimator_calls:
                parent = self.parents.get(id(node))
                while parent is not None and not isinstance(parent, ast.stmt):
                    parent = self.parents.get(id(parent))
                if parent is not None:
                    found.append(parent)
        return found

    def is_estimator_statement(self, line: int) -> bool:
        stmt = self.statement_at(line)
        return stmt is not None and any(s is stmt for s in self.estimator_statements())


def _findings(program: Program, result, starts: list[int]) -> list[_Finding]:
    code_index = {cell: n for n, (cell, _) in enumerate(program.code_cells)}
    out = []
    for f in result.findings:
        line = f.line
        if program.notebook:
            if f.cell is None or f.cell not in code_index:
                line = 0
            else:
                line = starts[code_index[f.cell]] + f.line - 1
        out.append(_Finding(f.code, " ".join(f.message.split()), line, bool(f.fixed)))
    return out


def migrate(program: Program) -> tuple[Any, list[str]]:
    """Run the tool the way the CLI does (notebook path for notebooks); return its result (with
    ``findings`` and ``error``) and the migrated code cells. ``check(tool=...)`` takes any
    function of this shape (the tests feed it deliberately wrong migrations)."""
    result = migrate_bytes(program.file_bytes(), program.file_name, Settings())
    new_data = result.new_data
    if not program.notebook:
        return result, [new_data.decode("utf-8")]
    nb = json.loads(new_data.decode("utf-8"))
    return result, ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                    for c in nb["cells"] if c["cell_type"] == "code"]


def check(program: Program, workdir: str | None = None, tool=migrate) -> Verdict:
    """The verdict on one program (see the module docstring)."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="em-fuzz-") as tmp:
            return check(program, tmp, tool)
    logging.disable(logging.WARNING)  # the SDK logs a warning for every ScriptRunConfig it reads
    try:
        return _check(program, workdir, tool)
    finally:
        logging.disable(logging.NOTSET)


def _check(program: Program, workdir: str, tool) -> Verdict:
    result, new_cells = tool(program)
    old_text, starts = runnable_text([src for _, src in program.code_cells])
    new_text, _ = runnable_text(new_cells)
    findings = _findings(program, result, starts)
    shown = [str(f) for f in sorted(findings, key=lambda f: (f.line, f.code))]
    verdict = Verdict(WRONG, [], [], shown, old_text, new_text)
    prog = _Program(old_text, set(program.estimator_calls))
    verdict.estimators = _estimator_counts(prog, findings)

    if result.error or any(f.code in ("EM901", "EM902", "EM903") for f in findings):
        verdict.outcome = INTERNAL
        verdict.problems = [result.error or next(str(f) for f in findings if f.code.startswith("EM9"))]
        verdict.causes = ["internal-error"]
        return verdict
    try:
        ast.parse(new_text)
    except SyntaxError as exc:  # the runner checks this too; a notebook split could still break
        verdict.problems = [f"migrated program does not parse: {exc}"]
        verdict.causes = ["invalid-python"]
        return verdict

    before = execute(old_text, os.path.join(workdir, "before"))
    verdict.original_error = before.error
    if new_text == old_text:
        after = before
    else:
        after = execute(new_text, os.path.join(workdir, "after"))
    verdict.migrated_error = after.error

    problems: list[tuple[str, str]] = []  # (cause, text) not excused
    if before.error:
        if after.error is None or after.error[:2] != before.error[:2]:
            problems.append(("never-ran-now-runs" if after.error is None else
                             f"raises-differently:{_error_kind(after.error)}",
                             f"the original raised {before.error[0]}: {before.error[1]} (line {before.error[2]}); "
                             f"the migrated program {'does not' if after.error is None else 'raised ' + repr(after.error)}"))
        elif prog.is_estimator_statement(before.error[2]):
            lines = prog.span(before.error[2])
            if not any(f.line in lines and f.code.startswith("EM3") for f in findings):
                verdict.outcome = UNREPORTED
                verdict.problems = [f"the estimator at line {before.error[2]} never ran "
                                    f"({before.error[0]}) and the tool did not report it"]
                verdict.causes = ["never-ran-unreported"]
    elif after.error:
        problems.append((f"migrated-crashes:{_error_kind(after.error)}", f"the migrated program raised {after.error[0]}: {after.error[1]} "
                                             f"(line {after.error[2]} of the migrated program)"))

    if not problems and new_text != old_text:
        diffs = compare(before, after)
        unexcused, excused = _judge(diffs, before, after, prog, findings, program, old_text, new_text, workdir)
        problems += unexcused
        verdict.excused = excused

    if problems:
        verdict.outcome = WRONG
        verdict.problems = [text for _, text in problems]
        verdict.causes = sorted({cause for cause, _ in problems})
        verdict.detail = problems
        return verdict
    if verdict.outcome == UNREPORTED:
        return verdict
    if before.error:
        verdict.outcome = ORIGINAL_RAISED
        return verdict
    silent = [s for s in prog.estimator_statements() if _kind_of(s, findings, prog) == "silent"]
    if silent:
        verdict.outcome = UNREPORTED
        verdict.problems = [f"line {s.lineno}: estimator neither rewritten nor reported" for s in silent]
        verdict.causes = ["unreported-estimator"]
        return verdict
    verdict.outcome = REWRITTEN if verdict.estimators.get("rewritten") else UNCHANGED_REPORTED
    return verdict


def _kind_of(stmt: ast.stmt, findings: Sequence[_Finding], prog: _Program) -> str:
    lines = set(range(stmt.lineno, stmt.end_lineno + 1))
    here = [f for f in findings if f.line in lines]
    if any(f.code in ("EM101", "EM102") and f.fixed for f in here):
        return "rewritten"
    if any(f.code.startswith("EM3") for f in here):
        return "reported"
    return "silent"


def _estimator_counts(prog: _Program, findings: Sequence[_Finding]) -> dict[str, int]:
    counts: dict[str, int] = collections.Counter()
    for stmt in prog.estimator_statements():
        counts[_kind_of(stmt, findings, prog)] += 1
    return dict(counts)


def compare(before: Execution, after: Execution) -> list[str]:
    """``harness.compare``, plus two refinements:

    * an estimator compared only through a HyperDrive configuration or a submit with overrides
      (the harness skips its own comparison: its arguments differ by design) is also compared
      directly, on everything but its arguments, so a HyperDrive state that failed cannot hide
      a wrong environment or distribution;
    * a state that failed (``{"error": ...}``: HyperDrive could not read the arguments, a submit
      raised) is one difference, not one per field of the other side;
    * when the original raised part way, only the submits made before that count: the objects
      still bound then are half-way states (an override folded into an estimator whose submit
      never came is not a difference).
    """
    if before.error:
        return [d for d in harness.compare({}, before.recorder, {}, after.recorder) if not _same_text(d)]
    diffs = [d for d in harness.compare(before.namespace, before.recorder, after.namespace, after.recorder)
             if not _same_text(d)]
    failed = {owner for owner, path in map(_split_problem, diffs) if path == "error"}
    diffs = [d for d in diffs if _split_problem(d)[0] not in failed or _split_problem(d)[1] == "error"]
    seen = {_split_problem(d) for d in diffs}
    for name, est in before.namespace.items():
        new = after.namespace.get(name)
        if not isinstance(est, MMLBaseEstimator) or not isinstance(new, (ScriptRunConfig, MMLBaseEstimator)):
            continue
        try:
            old_state, new_state = harness.normalised(est), harness.normalised(new)
        except Exception:  # noqa: BLE001 - the harness's own comparison reports these
            continue
        for d in harness.differences(old_state, new_state):
            path = d.split(": estimator=")[0]
            if _same_text(f"{name}: {d}"):
                continue
            if path.split(".")[0] in ("arguments", "data", "outputs") or (name, path) in seen:
                continue
            diffs.append(f"{name}: {d}")
    return diffs


def _same_text(difference: str) -> bool:
    """Objects without value equality (a raw Dataset left in the arguments) built by two runs
    differ as objects; when both sides print the same, nothing observable differs."""
    _, _, values = difference.partition(": estimator=")
    old, sep, new = values.partition(" migrated=")
    return bool(sep) and old == new and "object at 0x" not in old


def _owners(diffs: list[str], exe: Execution, prog: _Program) -> list[tuple[str, int | None, set[int]]]:
    """For each difference: (difference, construction line of the estimator it is about, lines
    whose findings may name it)."""
    out = []
    ns = exe.namespace
    for problem in diffs:
        owner, _ = _split_problem(problem)
        est_line, lines = None, set()
        obj = None
        m = re.fullmatch(r"submit #(\d+)", owner)
        if m:
            i = int(m.group(1)) - 1
            if i < len(exe.recorder.submitted):
                obj = exe.recorder.submitted[i][0]
            if i < len(exe.submit_lines):
                lines |= prog.span(exe.submit_lines[i])
        elif owner in ns:
            obj = ns[owner]
        if isinstance(obj, HyperDriveConfig):
            if id(obj) in exe.hyperdrive:
                lines |= prog.span(exe.hyperdrive[id(obj)])
            obj = obj.estimator
        if isinstance(obj, MMLBaseEstimator) and id(obj) in exe.built:
            est_line = exe.built[id(obj)]
            lines |= prog.span(est_line) | prog.holder_uses(est_line)
        out.append((problem, est_line, lines))
    return out


def _judge(diffs, before: Execution, after: Execution, prog: _Program, findings: Sequence[_Finding],
           program: Program, old_text: str, new_text: str, workdir: str):
    unexcused: list[tuple[str, str]] = []
    excused: list[str] = []
    owned = _owners(diffs, before, prog)
    prebuilt = {line for _, line, lines in owned if line is not None and any(
        f.code == "EM203" and _PREBUILT in f.message and f.line in lines for f in findings)}
    if prebuilt:
        # The reference for these estimators: the same program in a region without prebuilt images.
        before2 = execute(old_text, os.path.join(workdir, "before-full-build"), harness.FULL_BUILD_REGION)
        after2 = execute(new_text, os.path.join(workdir, "after-full-build"), harness.FULL_BUILD_REGION)
        if [e and e[:2] for e in (before2.error, after2.error)] != [e and e[:2] for e in (before.error, after.error)]:
            unexcused.append(("full-build-rerun-raised", f"re-run in {harness.FULL_BUILD_REGION} raised: "
                                                         f"{before2.error or after2.error}"))
            return unexcused, excused
        diffs2 = compare(before2, after2)
        owned2 = _owners(diffs2, before2, prog)
        owned = [o for o in owned if o[1] not in prebuilt] + [o for o in owned2 if o[1] in prebuilt]
    for problem, est_line, lines in owned:
        owner, path = _split_problem(problem)
        if est_line is None and not lines:
            unexcused.append((f"diff:{_cause_path(path)}", problem))
            continue
        words = vocabulary(path)

        def names_it(f: _Finding, lines=lines, words=words, path=path) -> bool:
            if f.line not in lines or "left unchanged" in f.message:
                # A finding that says the estimator was left unchanged cannot explain a difference in it.
                return False
            text = f.message.lower()
            if f.code.startswith("EM3"):
                return any(w.lower() in text for w in words)
            # An original that failed at submit and now runs may also be named by the rewrite's own
            # finding ("... which fails at submit; it is passed as `run_config=` now"), but only in
            # those words: EM103's plain "rewritten to `run_config=`" names no failure.
            return path == "error" and any(w in text for w in ("fails at submit", "failed at submit", "raised"))

        naming = [f for f in findings if names_it(f)]
        if naming:
            excused.append(f"{problem}  [named by line {naming[0].line} {naming[0].code}]")
        else:
            unexcused.append((f"diff:{_cause_path(path)}", problem))
    return unexcused, excused


def _error_kind(error: tuple[str, str, int]) -> str:
    kind, message, _ = error
    if kind in ("NameError", "AttributeError"):
        return f"{kind}:{message}"
    return f"{kind}:{re.sub(r'[0-9]+', 'N', message)[:100]}"


def _cause_path(path: str) -> str:
    """A short, stable name for a differing field (for grouping failures)."""
    if path.startswith("environment.python.condaDependencies"):
        return "environment.python.condaDependencies"
    if path.startswith("hyperdrive."):
        return "hyperdrive"
    if path == "submitted":
        return "submit-count"
    return path.split("[")[0]
