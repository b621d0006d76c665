"""The oracle of the differential fuzzer for ``--target v2``: migrate a generated v1 program to
azure-ai-ml, run the original on the v1 stand-ins and the migrated program with the real
azure-ai-ml (offline, tests/equivalence/v2), and decide.

What is checked, in order:

1. the tool did not fail (EM9xx), its output parses, and a second run with ``--target v2``
   changes nothing;
2. the original and the migrated program run (``equivalence.v2.programs``' runners: the v1
   stand-ins, ``MLClient.jobs.create_or_update`` recorded, the network blocked). When the
   original raised, the SDK rejected the code and it never ran: the program is skipped
   (``ORIGINAL_RAISED``), unless the statement that raised builds an estimator the tool
   neither rewrote nor reported (``UNREPORTED``) or the migrated program no longer raises the
   same error (``WRONG``, as in the v1 oracle);
3. the submits, in order. The v2 target may rewrite only some calls of a file: a call it left
   as it was still goes through ``Experiment.submit`` in the migrated program (on the same v1
   stand-ins). So the migrated program's submits are taken in the order they happen, whatever
   their SDK: a v1 submit of the migrated program is compared with the original's by their v1
   canonical forms (they must be equal), a v2 ``create_or_update`` with the v1 canonical form of
   the original's submit (``equivalence.v2.compare.compare``). Then every job object the
   original binds to a name and never submits (nor hands to a HyperDrive configuration) is
   compared with what the migrated program binds to the same name, v1 or v2, the same way;
4. a difference is excused only when a *manual* finding (EM3xx or EM5xx) on the statements of
   the estimator it is about (its construction, a statement that names its variable, the submit,
   the HyperDrive configuration) names the differing field (``VOCABULARY``) and does not say the
   call was left unchanged. The EM45x review notes (boolean spelling, framework environment,
   unverified service behaviour, PyTorch backend) claim the settings are equal, so they excuse
   nothing; the one exception is the prebuilt-image note of EM452 (the estimator ran Azure ML's
   private prebuilt image and the migration builds the same scenario in full), for which the
   reference is the original run in a region without prebuilt images, as in the v1 oracle;
5. what v2 cannot express (``compare.reported``: a PyTorch backend, run-based compute,
   ``path_on_compute``, ...) must be reported for every submit that became v2: a finding on the
   estimator's statements that names it (any EM3xx/EM45x/EM5xx code), else ``WRONG``
   (``unreported-unmappable``);
6. every estimator statement is rewritten (EM401 on it) or reported (an EM3xx/EM5xx finding on
   it); one that is neither is ``UNREPORTED``.
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

from azureml.core import Dataset, Environment, Experiment, ScriptRunConfig
from azureml.train.estimator import MMLBaseEstimator
from azureml.train.hyperdrive import HyperDriveConfig
from equivalence import harness  # first: it imports azureml.core before the training packages (spec T39)
from equivalence.v2 import canonical, recorder
from equivalence.v2 import compare as comparing
from equivalence.v2 import programs as v2programs

from estimator_migrate.core import migrate_bytes
from estimator_migrate.settings import Settings
from fuzz import oracle
from fuzz.programs import Program, runnable_text

V2 = Settings(target="v2")
PROGRAM = "program.py"  # the file name the v2 harness's runners compile the program under

REWRITTEN = oracle.REWRITTEN  # at least one job became v2, and every submit and binding is proven
UNCHANGED_REPORTED = oracle.UNCHANGED_REPORTED
ORIGINAL_RAISED = oracle.ORIGINAL_RAISED
WRONG = oracle.WRONG
UNREPORTED = oracle.UNREPORTED
INTERNAL = oracle.INTERNAL
OK_OUTCOMES = oracle.OK_OUTCOMES

MANUAL = ("EM3", "EM5")  # the codes that may excuse a difference (left to a person)
REPORTING = ("EM3", "EM45", "EM5")  # the codes that may report what v2 cannot express


# -- running ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Event:
    """One submit of a program: a v1 ``Experiment.submit`` or a v2 ``create_or_update``."""

    kind: str  # "v1" / "v2"
    v1: v2programs.V1Submit | None = None
    v2: recorder.Submission | None = None
    line: int = 0


@dataclasses.dataclass
class Run:
    namespace: dict[str, Any]
    events: list[Event]
    workdir: str
    error: tuple[str, str, int] | None = None
    built: dict[int, int] = dataclasses.field(default_factory=dict)  # id(estimator) -> line
    hyperdrive: dict[int, int] = dataclasses.field(default_factory=dict)  # id(HyperDriveConfig) -> line
    keep: list = dataclasses.field(default_factory=list)
    bound: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # name -> v2 form of a bound node


def _line(filename: str) -> int:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return frame.f_lineno
        frame = frame.f_back
    return 0


def _error(exc: BaseException, filename: str) -> tuple[str, str, int]:
    line, tb = 0, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return (type(exc).__name__, oracle._message(exc), line)


@contextlib.contextmanager
def _constructions(run: Run, filename: str):
    """Record the line that builds each estimator and HyperDrive configuration."""
    saved = []

    def wrap(owner, table):
        original = vars(owner)["__init__"]
        saved.append((owner, original))

        def __init__(self, *args, **kwargs):
            table.setdefault(id(self), _line(filename))
            run.keep.append(self)
            return original(self, *args, **kwargs)
        owner.__init__ = __init__

    wrap(MMLBaseEstimator, run.built)
    wrap(HyperDriveConfig, run.hyperdrive)
    try:
        yield
    finally:
        for owner, original in reversed(saved):
            owner.__init__ = original


@contextlib.contextmanager
def _v1_submits(run: Run, filename: str, rec: recorder.Recorder | None, location: str):
    """Inside ``harness.offline_sdk``: every ``Experiment.submit`` becomes an event with its v1
    canonical form taken at submit time; ``Environment.get`` and ``Dataset.get_by_name`` behave
    as in ``equivalence.v2.programs.run_v1_program`` (versions survive)."""
    stand_in_submit = Experiment.submit
    stand_in_get = Environment.get

    def submit(self, config, tags=None, **kwargs):
        line = _line(filename)
        if isinstance(config, HyperDriveConfig) and config.estimator is not None:
            # v1 HyperDrive's submit read the estimator's arguments two by two
            # (_get_platform_config): a non-string in a flag's place raised AttributeError there.
            HyperDriveConfig._remove_duplicate_arguments(config.estimator.run_config, config._generator_config, True)
        form = v2programs._v1_canonical_of(config, kwargs, self._name, run.workdir, None)
        run.events.append(Event("v1", v2programs.V1Submit(config, self._name, kwargs, form), line=line))
        return stand_in_submit(self, config, tags, **kwargs)

    def environment_get(workspace=None, name=None, version=None, label=None):
        env = stand_in_get(workspace, name, version, label)
        env.version = version
        return env

    saved = [(Experiment, "submit", stand_in_submit),
             (Environment, "get", Environment.__dict__["get"]),
             (Dataset, "get_by_name", Dataset.__dict__["get_by_name"])]
    Experiment.submit = submit
    Environment.get = staticmethod(environment_get)
    Dataset.get_by_name = staticmethod(v2programs._registered_dataset)
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


def execute(text: str, workdir: str, *, v2: bool, location: str = "westeurope") -> Run:
    """Run a program; with ``v2`` the real azure-ai-ml records every ``create_or_update``. v1
    submits are recorded either way (a migrated file may keep some v1 calls). An exception is
    recorded with the line that raised, not propagated."""
    v2programs._write_sources(workdir)
    if v2:
        recorder.config_json(workdir)
    run = Run({"__name__": "__fixture__"}, [], workdir)
    filename = os.path.join(workdir, PROGRAM)
    old = os.getcwd()
    os.chdir(workdir)
    try:
        with contextlib.ExitStack() as stack:
            rec = stack.enter_context(recorder.offline_v2()) if v2 else None
            if not v2:
                stack.enter_context(recorder.blocked_network())
            stack.enter_context(harness.offline_sdk(harness.Recorder(), location))
            stack.enter_context(warnings.catch_warnings())
            warnings.simplefilter("ignore")
            stack.enter_context(oracle._quiet())
            stack.enter_context(_v1_submits(run, filename, rec, location))
            stack.enter_context(_constructions(run, filename))
            if rec is not None:
                _watch_v2(stack, rec, run, filename)
            try:
                exec(compile(text, filename, "exec"), run.namespace)
            except Exception as exc:  # noqa: BLE001 - what the program raised is the observation
                run.error = _error(exc, filename)
    finally:
        os.chdir(old)
    return run


def _watch_v2(stack: contextlib.ExitStack, rec: recorder.Recorder, run: Run, filename: str) -> None:
    """Turn each recorded ``create_or_update`` into an event, in program order."""
    from azure.ai.ml.operations import JobOperations

    recording = JobOperations.create_or_update

    def create_or_update(self, job, **kwargs):
        line = _line(filename)
        before = len(rec.submissions)
        result = recording(self, job, **kwargs)
        for submission in rec.submissions[before:]:
            run.events.append(Event("v2", v2=submission, line=line))
        return result

    JobOperations.create_or_update = create_or_update
    stack.callback(setattr, JobOperations, "create_or_update", recording)


# -- comparing ---------------------------------------------------------------------------------------------

def _is_v1_job(value) -> bool:
    return isinstance(value, (MMLBaseEstimator, ScriptRunConfig, HyperDriveConfig))


def _is_v2_job(value) -> bool:
    from azure.ai.ml.entities import Job
    from azure.ai.ml.entities._builders import BaseNode

    return isinstance(value, (BaseNode, Job))


def _v2_form(submission: recorder.Submission, workdir: str) -> dict[str, Any]:
    return canonical.v2_canonical(submission, base=workdir)


def compare(before: Run, after: Run) -> tuple[list[tuple[str, str]], list[tuple[str, list[str]]]]:
    """(differences as (owner, text), v2 forms' ``reported`` items as (owner, items)).

    Owners: ``submit #i`` (the i-th submit of the original) or a name the original binds."""
    diffs: list[tuple[str, str]] = []
    dropped: list[tuple[str, list[str]]] = []
    old_events, new_events = before.events, after.events
    if len(old_events) != len(new_events):
        diffs.append(("", f"submitted {len(old_events)} jobs in the original, {len(new_events)} in the migrated "
                          f"program ({sum(e.kind == 'v2' for e in new_events)} through v2)"))
    for i, (old, new) in enumerate(zip(old_events, new_events, strict=False), 1):
        owner = f"submit #{i}"
        old_form = old.v1.canonical
        if new.kind == "v1" and _is_v2_job(new.v1.config):
            diffs.append((owner, f"{owner}: v2-node-in-v1-submit: the migrated program hands a "
                                 f"{type(new.v1.config).__name__} to a v1 Experiment.submit, which raises"))
            continue
        if new.kind == "v1":
            diffs += [(owner, f"{owner} (left v1): {d}") for d in comparing.compare(old_form, new.v1.canonical)]
            continue
        if "error" in old_form:
            diffs.append((owner, f"{owner}: error: v1 side: {old_form['error']}"))
            continue
        try:
            new_form = _v2_form(new.v2, after.workdir)
        except Exception as exc:  # noqa: BLE001 - a form the harness cannot read is a difference
            diffs.append((owner, f"{owner}: error: v2 side: {type(exc).__name__}: {exc}"))
            continue
        diffs += [(owner, f"{owner}: {d}") for d in comparing.compare(old_form, new_form)]
        dropped.append((owner, comparing.reported(old_form)))
    submitted = {id(e.v1.config) for e in old_events}
    consumed = v2programs._consumed(before.namespace)
    for name, value in before.namespace.items():
        if not _is_v1_job(value) or id(value) in submitted:
            continue
        if id(value) in consumed or id(getattr(value, "run_config", None)) in consumed:
            continue  # compared as the trial of its HyperDriveConfig
        new = after.namespace.get(name)
        if _is_v1_job(new):  # left as it was: both forms (or the harness's failure to read them) are equal
            diffs += [(name, f"{name} (left v1): {d}")
                      for d in comparing.compare(_v1_form(value, before.workdir), _v1_form(new, after.workdir))]
            continue
        try:
            old_form = canonical.v1_canonical(value, base=before.workdir)
            if _is_v2_job(new):
                if name not in after.bound:  # recording changes the node (V20): once per run
                    after.bound[name] = _v2_form(v2programs._record_bound(new, after.workdir), after.workdir)
                new_form = after.bound[name]
                diffs += [(name, f"{name}: {d}") for d in comparing.compare(old_form, new_form)]
                dropped.append((name, comparing.reported(old_form)))
            else:
                diffs.append((name, f"{name}: type: the migrated program binds {type(new).__name__} to this name"))
        except Exception as exc:  # noqa: BLE001
            diffs.append((name, f"{name}: error: {type(exc).__name__}: {exc}"))
    return diffs, dropped


def _v1_form(value, workdir: str) -> dict[str, Any]:
    try:
        return canonical.v1_canonical(value, base=workdir)
    except Exception as exc:  # noqa: BLE001 - compared as such: the same failure on both sides is no difference
        return {"error": f"{type(exc).__name__}: {exc}"}


def _path(text: str) -> str:
    """'submit #1: environment.image: v1=... v2=...' -> 'environment.image'."""
    _, _, rest = text.partition(": ")
    m = re.match(r"(.*?): v1=", rest)
    if m:
        return m.group(1)
    if text.startswith("submitted "):
        return "submitted"
    return rest.split(":")[0].strip()


VOCABULARY: list[tuple[str, tuple[str, ...]]] = [
    (r"^(argv|sweep_args)", ("script_params", "argument", "flag")),
    (r"^error", ("raise", "fail", "error", "override")),
    (r"^(instance_count|distribution)", ("node_count", "worker_count", "parameter_server_count", "process_count",
                                         "distribut", "instance_count")),
    (r"^environment\.image", ("image", "docker")),
    (r"^environment\.(conda|build)", ("package", "pip", "conda", "python", "dependencies", "dockerfile")),
    (r"^environment", ("environment",)),
    (r"^environment_variables", ("environment_variables", "variable", "nccl")),
    (r"^(shm_size|docker_args)", ("shm_size", "docker")),
    (r"^timeout_s", ("max_run_duration", "timeout")),
    (r"^(inputs|outputs)", ("data", "input", "output", "datastore", "dataset")),
    (r"^compute", ("compute_target", "compute", "vm_size")),
    (r"^code", ("source_directory", "code")),
    (r"^experiment", ("experiment", "submit")),
    (r"^(search_space|sampling|policy|objective|limits)", ("hyperdrive", "sweep", "search", "sampling", "policy",
                                                          "primary_metric", "max_")),
]

# What compare.reported() says, and the words a finding must use to report it.
DROPPED: list[tuple[str, tuple[str, ...]]] = [
    (r"PyTorch backend", ("backend", "nccl", "gloo")),
    (r"not a multiple of node_count", ("process_count", "process count")),
    (r"run-based compute", ("vm_size", "run-based", "compute")),
    (r"without docker", ("docker",)),
    (r"path_on_compute", ("path_on_compute",)),
    (r"source_directory_data_store", ("source_directory_data_store",)),
    (r"exclude_finished_jobs", ("exclude_finished_jobs",)),
    (r"warm start", ("resume", "warm start")),
    (r"as_upload", ("overwrite", "source_globs")),
]


def vocabulary(path: str) -> tuple[str, ...]:
    path = re.sub(r"^trial\.", "", path)
    for pattern, words in VOCABULARY:
        if re.search(pattern, path):
            return words
    return (path.split(".")[-1],)


def _dropped_words(item: str) -> tuple[str, ...]:
    for pattern, words in DROPPED:
        if re.search(pattern, item):
            return words
    return (item,)


def _owner_lines(owner: str, exe: Run, prog: oracle._Program) -> tuple[int | None, set[int]]:
    """(construction line of the estimator a difference is about, lines whose findings may name it)."""
    est_line, lines, obj = None, set(), None
    m = re.fullmatch(r"submit #(\d+)", owner)
    if m:
        i = int(m.group(1)) - 1
        if i < len(exe.events):
            obj = exe.events[i].v1.config
            if exe.events[i].line:
                lines |= prog.span(exe.events[i].line)
    elif owner in exe.namespace:
        obj = exe.namespace[owner]
    if isinstance(obj, HyperDriveConfig):
        if id(obj) in exe.hyperdrive:
            lines |= prog.span(exe.hyperdrive[id(obj)])
        obj = obj.estimator
    if isinstance(obj, MMLBaseEstimator) and id(obj) in exe.built:
        est_line = exe.built[id(obj)]
        lines |= prog.span(est_line) | prog.holder_uses(est_line)
    return est_line, lines


# -- the verdict -------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Verdict(oracle.Verdict):
    jobs: dict[str, int] = dataclasses.field(default_factory=dict)  # submits/bindings that became v2 / stayed v1


def migrate(program: Program, settings: Settings = V2) -> tuple[Any, list[str], bytes]:
    """The tool as the CLI runs it with ``--target v2``: (result, migrated code cells, new file bytes)."""
    result = migrate_bytes(program.file_bytes(), program.file_name, settings)
    data = result.new_data
    if not program.notebook:
        return result, [data.decode("utf-8")], data
    nb = json.loads(data.decode("utf-8"))
    return result, ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                    for c in nb["cells"] if c["cell_type"] == "code"], data


def check(program: Program, workdir: str | None = None, tool=migrate) -> Verdict:
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="em-fuzz-v2-") as tmp:
            return check(program, tmp, tool)
    logging.disable(logging.WARNING)
    try:
        return _check(program, workdir, tool)
    finally:
        logging.disable(logging.NOTSET)


def _kind_of(stmt: ast.stmt, findings: Sequence[oracle._Finding], prog: oracle._Program) -> str:
    """rewritten (EM401 on the statement), reported (a manual finding on it, or one on a statement
    that uses its variable saying the call was left unchanged: the v2 target points EM508 at the
    use that blocks the rewrite), or silent."""
    lines = set(range(stmt.lineno, stmt.end_lineno + 1))
    here = [f for f in findings if f.line in lines]
    if any(f.code == "EM401" and f.fixed for f in here):
        return "rewritten"
    if any(f.code.startswith(MANUAL) for f in here):
        return "reported"
    uses = prog.holder_uses(stmt.lineno)
    if any(f.line in uses and f.code.startswith(MANUAL) and "left unchanged" in f.message for f in findings):
        return "reported"
    return "silent"


def _check(program: Program, workdir: str, tool) -> Verdict:
    result, new_cells, new_data = tool(program)
    old_text, starts = runnable_text([src for _, src in program.code_cells])
    new_text, _ = runnable_text(new_cells)
    findings = oracle._findings(program, result, starts)
    shown = [str(f) for f in sorted(findings, key=lambda f: (f.line, f.code))]
    verdict = Verdict(WRONG, [], [], shown, old_text, new_text)
    prog = oracle._Program(old_text, set(program.estimator_calls))
    verdict.estimators = dict(collections.Counter(
        _kind_of(s, findings, prog) for s in prog.estimator_statements()))

    def fail(cause: str, problem: str) -> Verdict:
        verdict.outcome, verdict.problems, verdict.causes = WRONG, [problem], [cause]
        verdict.detail = [(cause, problem)]
        return verdict

    if result.error or any(f.code.startswith("EM9") for f in findings):
        verdict.outcome = INTERNAL
        verdict.problems = [result.error or next(str(f) for f in findings if f.code.startswith("EM9"))]
        verdict.causes = ["internal-error"]
        return verdict
    try:
        ast.parse(new_text)
    except SyntaxError as exc:
        return fail("invalid-python", f"migrated program does not parse: {exc}")
    if new_data != program.file_bytes():
        again = migrate_bytes(new_data, program.file_name, V2)
        if again.error or again.new_data != new_data:
            return fail("not-idempotent", "a second run with --target v2 changed the migrated file"
                        + (f" ({again.error})" if again.error else ""))

    before = execute(old_text, os.path.join(workdir, "before"), v2=False)
    verdict.original_error = before.error
    after = execute(new_text, os.path.join(workdir, "after"), v2=True)
    verdict.migrated_error = after.error
    verdict.jobs = dict(collections.Counter(e.kind for e in after.events))

    if before.error:
        if after.error is None or after.error[:2] != before.error[:2]:
            return fail("never-ran-now-runs" if after.error is None else
                        f"raises-differently:{oracle._error_kind(after.error)}",
                        f"the original raised {before.error[0]}: {before.error[1]} (line {before.error[2]}); the "
                        f"migrated program {'does not' if after.error is None else 'raised ' + repr(after.error)}")
        if prog.is_estimator_statement(before.error[2]):
            lines = prog.span(before.error[2])
            if not any(f.line in lines and f.code.startswith(MANUAL) for f in findings):
                verdict.outcome = UNREPORTED
                verdict.problems = [f"the estimator at line {before.error[2]} never ran ({before.error[0]}) and "
                                    "the tool did not report it"]
                verdict.causes = ["never-ran-unreported"]
                return verdict
        verdict.outcome = ORIGINAL_RAISED
        return verdict
    if after.error:
        return fail(f"migrated-crashes:{oracle._error_kind(after.error)}",
                    f"the migrated program raised {after.error[0]}: {after.error[1]} "
                    f"(line {after.error[2]} of the migrated program)")

    problems: list[tuple[str, str]] = []
    if new_text != old_text:
        diffs, dropped = compare(before, after)
        if any(oracle._PREBUILT in f.message for f in findings):
            diffs, dropped = _prebuilt_reference(diffs, dropped, before, after, prog, findings, old_text, workdir)
        diffs, renamed = _renamed_unreferenced(diffs)
        unexcused, excused = _judge(diffs, before, prog, findings)
        problems += unexcused
        verdict.excused = renamed + excused
        for owner, items in dropped:
            _, lines = _owner_lines(owner, before, prog)
            for item in items:
                words = _dropped_words(item)
                if not any(f.line in lines and f.code.startswith(REPORTING)
                           and any(w.lower() in f.message.lower() for w in words) for f in findings):
                    problems.append((f"unreported-unmappable:{_cause_text(item)}", f"{owner}: {item} (not reported)"))
    if problems:
        verdict.outcome = WRONG
        verdict.problems = [text for _, text in problems]
        verdict.causes = sorted({cause for cause, _ in problems})
        verdict.detail = problems
        return verdict
    silent = [s for s in prog.estimator_statements() if _kind_of(s, findings, prog) == "silent"]
    if silent:
        verdict.outcome = UNREPORTED
        verdict.problems = [f"line {s.lineno}: estimator neither rewritten nor reported" for s in silent]
        verdict.causes = ["unreported-estimator"]
        return verdict
    verdict.outcome = REWRITTEN if verdict.jobs.get("v2") or verdict.estimators.get("rewritten") \
        else UNCHANGED_REPORTED
    return verdict


def _prebuilt_reference(diffs, dropped, before: Run, after: Run, prog, findings, old_text: str, workdir: str):
    """For the estimators with EM452's prebuilt-image note: the reference is the original run in a
    region without prebuilt images (the SDK itself then builds the scenario in full)."""
    def noted(owner: str) -> bool:
        est_line, lines = _owner_lines(owner, before, prog)
        return est_line is not None and any(f.code in ("EM203", "EM452") and oracle._PREBUILT in f.message and f.line in lines
                                            for f in findings)

    before2 = execute(old_text, os.path.join(workdir, "before-full-build"), v2=False,
                      location=harness.FULL_BUILD_REGION)
    if before2.error or len(before2.events) != len(before.events):
        return diffs + [("", f"error: the full-build re-run of the original raised {before2.error}")], dropped
    diffs2, dropped2 = compare(before2, after)
    # A call left v1 ran the prebuilt image in both programs: it keeps the first comparison.
    keep = [d for d in diffs if not noted(d[0]) or _left_v1(d[1])] + \
        [d for d in diffs2 if d[0] and noted(d[0]) and not _left_v1(d[1])]
    return keep, dropped


def _left_v1(problem: str) -> bool:
    return " (left v1)" in problem.split(": ")[0]


_INPUT_DIFF = re.compile(r"^(?P<owner>[^:]*): (?P<path>(?:trial\.)?(?:inputs|outputs))\.(?P<name>[^.:]+): "
                         r"v1=(?P<v1>.*) v2=(?P<v2>.*)$")


def _renamed_unreferenced(diffs: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """v2 names are free, and the harness pairs a renamed input by its position in the command;
    an input neither command names (a tuned flag replaced the data argument, so the mount is
    unused on both sides) has no position. A v1 input missing in v2 and a v2 input missing in v1
    with the same definition (v1's DataReference does not say file or folder) are one, renamed."""
    gone: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
    new: dict[tuple[str, str], list[tuple[int, str, str]]] = {}
    for i, (_, text) in enumerate(diffs):
        m = _INPUT_DIFF.match(text)
        if not m:
            continue
        key = (m.group("owner"), m.group("path"))
        if m.group("v2") == "'<absent>'":
            gone.setdefault(key, []).append((i, m.group("name"), m.group("v1")))
        elif m.group("v1") == "'<absent>'":
            new.setdefault(key, []).append((i, m.group("name"), m.group("v2")))
    drop: set[int] = set()
    notes = []
    for key, olds in gone.items():
        for i, old_name, old_def in olds:
            for j, new_name, new_def in new.get(key, []):
                if j not in drop and _same_definition(old_def, new_def):
                    drop |= {i, j}
                    notes.append(f"{key[0]}: {key[1]}.{old_name} is {new_name} in v2 (unreferenced, same definition)")
                    break
    return [d for i, d in enumerate(diffs) if i not in drop], notes


def _same_definition(v1: str, v2: str) -> bool:
    try:
        a, b = ast.literal_eval(v1), ast.literal_eval(v2)
    except (ValueError, SyntaxError):
        return False
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    if a.get("type") is None:
        b = {k: v for k, v in b.items() if k != "type"}
        a = {k: v for k, v in a.items() if k != "type"}
    return a == b


def _judge(diffs, before: Run, prog, findings) -> tuple[list[tuple[str, str]], list[str]]:
    unexcused: list[tuple[str, str]] = []
    excused: list[str] = []
    for owner, problem in diffs:
        path = _path(problem)
        if not owner:
            unexcused.append(("diff:submit-count", problem))
            continue
        est_line, lines = _owner_lines(owner, before, prog)
        words = vocabulary(path)
        naming = [f for f in findings if f.line in lines and f.code.startswith(MANUAL)
                  and "left unchanged" not in f.message and any(w.lower() in f.message.lower() for w in words)]
        if naming:
            excused.append(f"{problem}  [named by line {naming[0].line} {naming[0].code}]")
        else:
            left = " (left v1)" in problem.split(":")[0]
            unexcused.append((f"diff{'-left-v1' if left else ''}:{_cause_path(path)}", problem))
    return unexcused, excused


def _cause_path(path: str) -> str:
    path = re.sub(r"^trial\.", "trial.", path)
    parts = path.split(".")
    if parts[0] in ("environment", "inputs", "outputs", "distribution") or parts[:2] == ["trial", "environment"]:
        return ".".join(parts[: 3 if parts[0] == "trial" else 2])
    return parts[0] if parts[0] != "trial" else ".".join(parts[:2])


_DROPPED_CAUSE = {r"PyTorch backend": "pytorch-backend", r"not a multiple of node_count": "process-count",
                  r"run-based compute": "run-based-compute", r"without docker": "local-run-without-docker",
                  r"path_on_compute": "path-on-compute", r"source_directory_data_store": "source-directory-data-store",
                  r"exclude_finished_jobs": "exclude-finished-jobs", r"warm start": "warm-start",
                  r"as_upload": "as-upload-options"}


def _cause_text(item: str) -> str:
    for pattern, name in _DROPPED_CAUSE.items():
        if re.search(pattern, item):
            return name
    return re.sub(r"[^a-z_ ]", "", item.lower())[:40].strip().replace(" ", "-")


def report(verdict: Verdict) -> str:
    return verdict.report() + f"\njobs in the migrated program: {verdict.jobs}"

