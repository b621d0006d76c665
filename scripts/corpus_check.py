#!/usr/bin/env python3
"""Run estimator-migrate over a corpus of real code and check what it did, file by file.

    python scripts/corpus_check.py CORPUS_DIR [--json OUT.json] [--no-exec] [--timeout S] ...

For every ``.py`` / ``.ipynb`` file under CORPUS_DIR:

1. Census: every estimator construction (``Estimator``, ``PyTorch``, ``TensorFlow``, ``Chainer``,
   ``SKLearn`` imported from ``azureml.train.*``) is found with Python's own ``ast``, independently
   of the tool, and classified by the tool's findings at that call: rewritten (EM101/EM102), left
   unchanged with a code (EM3xx/EM9xx), or left unchanged with no finding at all (a silent skip).
2. Differential execution (files the tool changed, when the Azure ML SDK is installed): the
   original and the migrated program run in tests/equivalence/harness.py's offline sandbox, each in
   a forked child with no network, no writes outside a scratch folder, no subprocesses, a time limit
   per statement and per run. Notebooks run cell by cell (IPython lines skipped), every top-level
   statement on its own, going on past statements that raise (real notebooks read local data,
   show widgets, wait for runs): the point is that both runs meet the same failures. Then every
   estimator bound to a name (at the end of each cell, and before it is rebound), every HyperDrive
   configuration / pipeline step bound to a name, and every submit is compared with its migrated
   twin through the harness's normalisation. A difference at a call the tool rewrote is a
   *candidate silent wrong rewrite*, unless the call carries an EM2xx finding (then it is listed as
   "different, reported"). A statement that fails only in the migrated run is a candidate too.
3. Summary table (and ``--json`` for tracking the numbers over time).

The corpus is read only: files are copied into a scratch folder before anything runs.
"""

from __future__ import annotations

import argparse
import ast
import collections
import contextlib
import dataclasses
import fnmatch
import json
import os
import re
import select
import shutil
import signal
import sys
import tempfile
import textwrap
import time
import traceback
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from estimator_migrate.core import migrate_bytes  # noqa: E402
from estimator_migrate.settings import Settings  # noqa: E402

ESTIMATOR_MODULES = {
    "azureml.train.estimator": {"Estimator"},
    "azureml.train.estimator._estimator": {"Estimator"},
    "azureml.train.dnn": {"PyTorch", "TensorFlow", "Chainer"},
    "azureml.train.dnn._pytorch": {"PyTorch"},
    "azureml.train.dnn._tensorflow": {"TensorFlow"},
    "azureml.train.dnn._chainer": {"Chainer"},
    "azureml.train.sklearn": {"SKLearn"},
}
ESTIMATOR_CLASSES = {"Estimator", "PyTorch", "TensorFlow", "Chainer", "SKLearn"}
REWRITE_CODES = {"EM101", "EM102"}
DOWNSTREAM_CODES = {"EM103", "EM104", "EM105", "EM106"}
SKIP_DIRS = {".git", ".ipynb_checkpoints", "__pycache__", "node_modules", ".venv", "venv"}


# -- reading files -------------------------------------------------------------------------------

def discover(root: str, only: str | None = None) -> list[str]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if name.endswith((".py", ".ipynb")):
                rel = os.path.relpath(os.path.join(folder, name), root)
                if only is None or fnmatch.fnmatch(rel, only):
                    out.append(rel)
    return out


_IPY_LINE = re.compile(r"^([ \t]*)(?:[%!?]|[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*[!%])")
_IPY_HELP = re.compile(r"^[ \t]*[%\w.\[\]()*]+\?{1,2}[ \t]*$")


def mask_ipython(text: str) -> str:
    """IPython-only lines become ``pass`` at the same indentation (line numbers stay)."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        m = _IPY_LINE.match(body)
        if m or _IPY_HELP.match(body):
            indent = re.match(r"[ \t]*", body).group(0)
            out.append(indent + "pass" + line[len(body):])
        else:
            out.append(line)
    return "".join(out)


@dataclasses.dataclass
class Unit:
    """One piece of code that runs as a whole: a notebook code cell, or a whole .py file."""
    cell: int | None  # 1-based index among all cells (as the tool's findings count), None for .py
    source: str  # as written
    code: str | None  # what Python runs (IPython masked, dedented); None when it does not parse
    writefile: str | None = None  # %%writefile target (the cell body is written there)


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError):
        return False


def units_of(path: str, data: bytes) -> list[Unit]:
    if not path.endswith(".ipynb"):
        text = data.decode("utf-8-sig", errors="replace")
        return [Unit(None, text, text if _parses(text) else None)]
    nb = json.loads(data.decode("utf-8-sig"))
    meta = nb.get("metadata") or {}
    lang = ((meta.get("kernelspec") or {}).get("language") or (meta.get("language_info") or {}).get("name")
            or "python")
    if not str(lang).lower().startswith(("python", "ipython")):
        return []
    units = []
    for index, cell in enumerate(nb.get("cells") or [], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if not src.strip():
            continue
        first = src.lstrip().split("\n", 1)[0]
        if first.startswith("%%"):
            magic = first.split()[0]
            body = src.lstrip().split("\n", 1)[1] if "\n" in src.lstrip() else ""
            if magic == "%%writefile":
                args = first.split()[1:]
                args = [a for a in args if not a.startswith("-")]
                units.append(Unit(index, src, None, writefile=(args[0] if args else "") + "\0" + body))
            elif magic in ("%%time", "%%timeit", "%%capture"):
                # Keep line numbers: the magic line becomes a blank line.
                code = "\n" + mask_ipython(body)
                units.append(Unit(index, src, code if _parses(code) else None))
            continue
        code = mask_ipython(src)
        if not _parses(code):
            dedented = textwrap.dedent(code)
            code = dedented if _parses(dedented) else None
        units.append(Unit(index, src, code))
    return units


# -- census: estimator constructions, found without the tool ---------------------------------------

@dataclasses.dataclass
class Call:
    file: str
    cell: int | None
    line: int
    end_line: int
    cls: str
    status: str = ""  # rewritten | unchanged | no-finding
    codes: list[str] = dataclasses.field(default_factory=list)
    explained: list[str] = dataclasses.field(default_factory=list)  # EM2xx messages at the call
    diff: str = "not-run"  # not-run | equivalent | different | reported | not-executable | not-compared
    problems: list[str] = dataclasses.field(default_factory=list)
    why_not: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}:cell {self.cell}:{self.line}" if self.cell is not None else f"{self.file}:{self.line}"


def _aliases(trees: list[ast.AST]) -> tuple[dict[str, str], dict[str, str]]:
    """(name -> estimator class, module alias -> module) from every import in the file."""
    names: dict[str, str] = {}
    modules: dict[str, str] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module in ESTIMATOR_MODULES:
                    for a in node.names:
                        if a.name == "*":
                            for cls in ESTIMATOR_MODULES[node.module]:
                                names[cls] = cls
                        elif a.name in ESTIMATOR_MODULES[node.module]:
                            names[a.asname or a.name] = a.name
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if full in ESTIMATOR_MODULES:
                        modules[a.asname or a.name] = full
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname and a.name in ESTIMATOR_MODULES:
                        modules[a.asname] = a.name
                    elif a.name.startswith("azureml"):
                        modules.setdefault("azureml", "azureml")
    return names, modules


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def census(path: str, units: list[Unit]) -> tuple[list[Call], list[tuple[int | None, str]]]:
    """Estimator constructions in parsed units, and (cell, class) guesses in units that do not parse."""
    trees = []
    for u in units:
        if u.code is not None:
            with contextlib.suppress(SyntaxError, ValueError):
                trees.append((u, ast.parse(u.code)))
    names, modules = _aliases([t for _, t in trees])
    calls = []
    for u, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            cls = None
            if isinstance(node.func, ast.Name):
                cls = names.get(node.func.id)
            else:
                dotted = _dotted(node.func)
                if dotted and "." in dotted:
                    head, attr = dotted.rsplit(".", 1)
                    module = modules.get(head, head)
                    if attr in ESTIMATOR_MODULES.get(module, ()):
                        cls = attr
            if cls:
                calls.append(Call(path, u.cell, node.lineno, node.end_lineno or node.lineno, cls))
    unparsed = []
    if names or modules:
        pattern = re.compile(r"\b({})\s*\(".format("|".join(sorted(set(names) | ESTIMATOR_CLASSES))))
        for u in units:
            if u.code is None and u.writefile is None:
                for m in pattern.finditer(u.source):
                    unparsed.append((u.cell, names.get(m.group(1), m.group(1))))
    calls.sort(key=lambda c: (c.cell or 0, c.line))
    return calls, unparsed


def classify(calls: list[Call], findings) -> None:
    by_cell = collections.defaultdict(list)
    for f in findings:
        by_cell[f.cell].append(f)
    file_level = [f for f in findings if f.code in ("EM902",) and f.line == 1 and f.cell is None]
    for call in calls:
        here = [f for f in by_cell.get(call.cell, []) if call.line <= f.line <= call.end_line]
        rewritten = [f for f in here if f.code in REWRITE_CODES and f.fixed]
        left = [f for f in here if f.code[:3] in ("EM3", "EM9") and not f.fixed]
        if rewritten and not left:
            call.status = "rewritten"
            call.codes = sorted({f.code for f in here})
            call.explained = [f"{f.code}: {f.message}" for f in here if f.code.startswith("EM2")]
        elif left or file_level:
            call.status = "unchanged"
            call.codes = sorted({f.code for f in left + file_level})
        else:
            # A finding about the call may point at another line (the script_params dict it uses).
            named = [f for f in by_cell.get(call.cell, []) if f.code[:3] in ("EM3", "EM9") and not f.fixed
                     and f.message.startswith(f"{call.cls} left unchanged")]
            if named:
                call.status, call.codes = "unchanged", sorted({f.code for f in named})
                continue
            bad_cell = [f for f in by_cell.get(call.cell, []) if f.code == "EM901"]
            call.status = "unchanged" if bad_cell else "no-finding"
            call.codes = ["EM901"] if bad_cell else sorted({f.code for f in here})


# -- differential execution (child side) ----------------------------------------------------------

class StatementTimeout(BaseException):
    """Raised in a statement that ran past its time (a BaseException: ``except Exception`` in user
    code does not swallow it; the timer repeats, so a bare ``except:`` loop escapes too)."""


_SITE_FILE = re.compile(r"^<cell (\d+)>$|^<file>$")


def _site_of_caller() -> tuple[int | None, int] | None:
    frame = sys._getframe(2)
    while frame is not None:
        m = _SITE_FILE.match(frame.f_code.co_filename)
        if m:
            return (int(m.group(1)) if m.group(1) else None, frame.f_lineno)
        frame = frame.f_back
    return None


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def plain(value, depth=0):
    """JSON-able copy of comparison data (unknown objects by type and repr, without addresses)."""
    if depth > 30:
        return "<deep>"
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v, depth + 1) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if hasattr(value, "__dict__") and type(value).__module__.startswith("azureml"):
        return {"__type__": type(value).__name__,
                **{k: plain(v, depth + 1) for k, v in sorted(vars(value).items()) if not k.startswith("__")}}
    return _ADDRESS.sub("", f"{type(value).__name__}:{value!r}")[:500]


def _guard(sandbox: str, base: str) -> None:
    """No network, no subprocesses, no writes outside the scratch folder, for the rest of this process."""
    import socket

    allowed = (os.path.realpath(base) + os.sep, "/dev/null")
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def inside(path) -> bool:
        if isinstance(path, int):
            return True
        try:
            real = os.path.realpath(os.fsdecode(path))
        except Exception:
            return False
        return real == allowed[1] or (real + os.sep).startswith(allowed[0])

    blocked_events = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                      "os.forkpty", "os.kill", "os.killpg", "socket.connect", "socket.getaddrinfo",
                      "socket.gethostbyname", "socket.gethostbyaddr", "socket.sendto", "socket.bind",
                      "urllib.Request", "webbrowser.open", "ctypes.dlopen_never", "os.startfile"}
    path_events = {"os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.replace", "os.chmod", "os.chown",
                   "os.symlink", "os.link", "os.truncate", "os.utime", "shutil.rmtree", "shutil.move",
                   "shutil.copyfile", "shutil.copytree", "shutil.chown", "os.removexattr", "os.setxattr"}

    def hook(event, args):
        if event in blocked_events:
            raise PermissionError(f"corpus sandbox: {event} is blocked")
        if event == "open":
            path, mode, flags = (list(args) + [None, None, None])[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                (isinstance(flags, int) and flags & write_flags)
            if writing and not inside(path):
                raise PermissionError(f"corpus sandbox: writing {path!r} is blocked")
        elif event in path_events:
            for arg in args[:2]:
                if isinstance(arg, (str, bytes, os.PathLike)) and not inside(arg):
                    raise PermissionError(f"corpus sandbox: {event} on {arg!r} is blocked")

    def no_network(*args, **kwargs):
        raise OSError("corpus sandbox: network is blocked")

    socket.socket.connect = no_network
    socket.socket.connect_ex = no_network
    socket.create_connection = no_network
    socket.getaddrinfo = no_network
    sys.addaudithook(hook)


def _stand_ins(ws) -> None:
    """More service-bound entry points that notebooks call, made offline and deterministic. They
    apply to both runs alike; a call they do not cover fails in both runs alike."""
    from azureml.core import Dataset, Datastore, Environment, Workspace
    from azureml.core.compute import AmlCompute, ComputeTarget
    from azureml.data.dataset_factory import FileDatasetFactory, TabularDatasetFactory
    from equivalence import harness

    class _Datasets(dict):
        def __missing__(self, name):
            self[name] = Dataset.File.from_files(f"https://example.invalid/{name}/", validate=False)
            return self[name]

    ws.datasets = _Datasets()
    ws.location = "westeurope"
    ws.environments = {}
    Workspace.__new__ = staticmethod(lambda cls, *a, **k: ws)
    Workspace.create = staticmethod(lambda *a, **k: ws)
    ComputeTarget.create = staticmethod(
        lambda workspace, name, config: harness.stand_in_compute(name, ws.compute_targets.location))
    AmlCompute.wait_for_completion = lambda self, *a, **k: None
    AmlCompute.get_status = lambda self, *a, **k: None
    Environment.register = lambda self, workspace=None, *a, **k: self
    Environment.build = lambda self, *a, **k: None
    Datastore.register_azure_blob_container = staticmethod(
        lambda workspace=None, datastore_name=None, *a, **k: ws.datastores[datastore_name or "blob"])
    Datastore.register_azure_file_share = Datastore.register_azure_blob_container
    Dataset.get_by_id = staticmethod(lambda workspace, id: ws.datasets[id])

    def no_validation(original):
        def wrapper(*args, **kwargs):
            kwargs["validate"] = False
            if "infer_column_types" in original.__code__.co_varnames:
                kwargs["infer_column_types"] = False
            return original(*args, **kwargs)
        return staticmethod(wrapper)

    for factory, names in ((FileDatasetFactory, ("from_files",)),
                           (TabularDatasetFactory,
                            ("from_delimited_files", "from_parquet_files", "from_json_lines_files"))):
        for name in names:
            if hasattr(factory, name):
                setattr(factory, name, no_validation(getattr(factory, name)))


def _deterministic_names() -> None:
    """uuid1/uuid4 and temporary file names from fixed sequences, so that the two runs of a file
    name things alike (notebooks put them in paths, experiment names, output folders)."""
    import itertools
    import uuid

    count = itertools.count(1)
    uuid.uuid4 = lambda: uuid.UUID(int=(1 << 120) + next(count))
    uuid.uuid1 = lambda *a, **k: uuid.UUID(int=(2 << 120) + next(count))

    class _Names:
        def __init__(self):
            self.n = 0

        def __iter__(self):
            return self

        def __next__(self):
            self.n += 1
            return f"tmp{self.n:08d}"
    tempfile._name_sequence = _Names()


class _IPythonStub:
    def __getattr__(self, name):
        return lambda *a, **k: None


def run_program(units: list[Unit], workdir: str, base: str, stmt_timeout: float, region: str) -> dict[str, Any]:
    """Child side: execute the units and return what the parent compares (all plain data)."""
    import builtins
    import random

    from azureml.core.script_run_config import ScriptRunConfig
    from azureml.train.estimator import MMLBaseEstimator
    from azureml.train.hyperdrive import HyperDriveConfig
    from equivalence import harness

    os.chdir(workdir)
    for var in ("HOME", "TMPDIR", "TMP", "TEMP"):
        os.environ[var] = os.path.join(base, "home") if var == "HOME" else os.path.join(base, "tmp")
    os.makedirs(os.path.join(base, "home"), exist_ok=True)
    os.makedirs(os.path.join(base, "tmp"), exist_ok=True)
    tempfile.tempdir = os.path.join(base, "tmp")
    sys.dont_write_bytecode = True
    sys.argv = ["script.py"]
    random.seed(0)
    _deterministic_names()
    _guard(workdir, base)
    time.sleep = lambda *a, **k: None
    builtins.input = lambda *a, **k: (_ for _ in ()).throw(EOFError("corpus sandbox: no input"))

    sites: dict[int, tuple] = {}
    keep = []  # objects whose ids are in ``sites`` stay alive, so ids are not reused

    def record_site(cls):
        original = cls.__init__

        def __init__(self, *args, **kwargs):
            site = _site_of_caller()
            if site is not None and id(self) not in sites:
                sites[id(self)] = site
                keep.append(self)
            return original(self, *args, **kwargs)
        cls.__init__ = __init__

    for cls in (MMLBaseEstimator, ScriptRunConfig):
        record_site(cls)
    # MMLBaseEstimator subclasses call their own __init__ first: mark the outermost construction.
    from azureml.train.dnn import Chainer, PyTorch, TensorFlow
    from azureml.train.estimator import Estimator
    from azureml.train.sklearn import SKLearn
    for cls in (Estimator, PyTorch, TensorFlow, Chainer, SKLearn):
        if "__init__" in vars(cls):
            record_site(cls)

    recorder = harness.Recorder()
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": os.path.join(workdir, "main.py"),
                                 "display": lambda *a, **k: None, "get_ipython": lambda: _IPythonStub()}
    errors: list[dict[str, Any]] = []
    slow: list[dict[str, Any]] = []
    cell_states: list[dict[str, Any]] = []
    constructed = set()

    def on_alarm(signum, frame):
        raise StatementTimeout()

    signal.signal(signal.SIGALRM, on_alarm)

    def entry(name, value, tuned_ids):
        if isinstance(value, MMLBaseEstimator):
            kind = "estimator"
            state = _safe(lambda: harness.normalised(value))
        elif isinstance(value, ScriptRunConfig):
            kind = "src"
            state = _safe(lambda: harness.normalised(value))
        elif harness._downstream(value):
            kind = "downstream"
            state = _safe(lambda: harness.downstream_state(value))
        else:
            return {"kind": "other", "type": type(value).__name__}
        site = sites.get(id(value))
        if kind == "downstream":
            inner = getattr(value, "estimator", None) or getattr(value, "run_config", None) \
                or getattr(value, "_estimator", None)
            site = sites.get(id(inner)) if inner is not None else None
        return {"kind": kind, "id": id(value), "site": site, "tuned": id(value) in tuned_ids, "state": plain(state)}

    def snapshot():
        tuned = {id(v.estimator) for v in namespace.values() if isinstance(v, HyperDriveConfig)}
        tuned |= {id(c) for c, kw in recorder.submitted if kw.get("script_params")}
        out = {}
        for name, value in list(namespace.items()):
            if name.startswith("__") or isinstance(value, type) or callable(value) and not hasattr(value, "run_config"):
                continue
            e = entry(name, value, tuned)
            if e["kind"] != "other" or name in interesting:
                out[name] = e
        return out

    interesting = set()
    with harness.offline_sdk(recorder, region) as ws:
        _stand_ins(ws)
        for unit in units:
            if unit.writefile is not None:
                _writefile(unit, namespace, workdir, base, errors)
                cell_states.append({"cell": unit.cell, "names": snapshot(), "submitted": len(recorder.submitted)})
                continue
            if unit.code is None:
                errors.append({"cell": unit.cell, "line": 1, "error": "SyntaxError (does not parse)"})
                cell_states.append({"cell": unit.cell, "names": snapshot(), "submitted": len(recorder.submitted)})
                continue
            filename = "<file>" if unit.cell is None else f"<cell {unit.cell}>"
            try:
                tree = ast.parse(unit.code)
            except (SyntaxError, ValueError) as exc:
                errors.append({"cell": unit.cell, "line": 1, "error": f"SyntaxError: {exc}"})
                continue
            for stmt in tree.body:
                for node in ast.walk(stmt):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                        interesting.add(node.id)
                module = ast.Module(body=[stmt], type_ignores=[])
                try:
                    code = compile(module, filename, "exec")
                except Exception as exc:  # noqa: BLE001 - e.g. 'return' outside function
                    errors.append({"cell": unit.cell, "line": stmt.lineno, "error": _describe(exc)})
                    continue
                signal.setitimer(signal.ITIMER_REAL, stmt_timeout, 0.5)
                began = time.monotonic()
                try:
                    exec(code, namespace)
                except BaseException as exc:  # noqa: BLE001 - SystemExit from argparse too
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    errors.append({"cell": unit.cell, "line": stmt.lineno, "end": stmt.end_lineno or stmt.lineno,
                                   "error": _describe(exc), "origin": _origin(exc),
                                   "names": sorted({n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)})[:50]})
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    spent = time.monotonic() - began
                    if spent > 1.0:
                        slow.append({"cell": unit.cell, "line": stmt.lineno, "seconds": round(spent, 1)})
            cell_states.append({"cell": unit.cell, "names": snapshot(), "submitted": len(recorder.submitted)})
        submits = []
        ends = [c.get("submitted", 0) for c in cell_states]
        for n, ((config, kwargs), snap) in enumerate(zip(recorder.submitted, recorder.snapshots, strict=False)):
            inner = config
            if isinstance(config, HyperDriveConfig):
                inner = config.estimator or config.run_config
            position = next((i for i, end in enumerate(ends) if end > n), len(ends) - 1)
            submits.append({"type": type(config).__name__, "site": sites.get(id(inner)), "position": position,
                            "overrides": sorted(kwargs), "state": plain(snap)})
    constructed = sorted({tuple(s) for s in sites.values()}, key=lambda s: (s[0] or 0, s[1]))
    return {"cells": cell_states, "submits": submits, "errors": errors, "constructed": constructed, "slow": slow}


def _origin(exc: BaseException) -> str:
    """Where an exception was raised: in the user's code ('user'), in the Azure ML SDK ('sdk'),
    or elsewhere ('other', e.g. the standard library or a missing module)."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    if last is None or _SITE_FILE.match(last):
        return "user"
    return "sdk" if f"{os.sep}azureml{os.sep}" in last else "other"


def _safe(fn):
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - the same failure on both sides compares equal
        return {"error": _describe(exc)}


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    text = _ADDRESS.sub("", text)
    return text[:300]


def _writefile(unit: Unit, namespace, workdir: str, base: str, errors) -> None:
    target, body = unit.writefile.split("\0", 1)

    def expand(m):
        value = namespace.get(m.group(1) or m.group(2))
        return str(value) if value is not None else m.group(0)

    target = re.sub(r"\$(\w+)|\{(\w+)\}", expand, target).strip("'\"")
    path = os.path.realpath(os.path.join(workdir, os.path.expanduser(target)))
    if not target or not (path + os.sep).startswith(os.path.realpath(base) + os.sep):
        errors.append({"cell": unit.cell, "line": 1, "error": f"%%writefile outside the sandbox skipped: {target}"})
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(body)
    except OSError as exc:
        errors.append({"cell": unit.cell, "line": 1, "error": _describe(exc)})


# -- differential execution (parent side) ---------------------------------------------------------

def run_forked(units: list[Unit], origin_dir: str | None, scratch: str, timeout: float,
               stmt_timeout: float, region: str) -> dict[str, Any]:
    """Run ``units`` in a forked child in a fresh copy of the file's folder; kill it after ``timeout``."""
    base = os.path.join(scratch, "run")
    shutil.rmtree(base, ignore_errors=True)
    workdir = os.path.join(base, "work")
    if origin_dir and os.path.isdir(origin_dir):
        _copy_folder(origin_dir, workdir)
    os.makedirs(workdir, exist_ok=True)
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(read_fd)
            os.setpgid(0, 0)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            try:
                import resource
                resource.setrlimit(resource.RLIMIT_CPU, (int(timeout) + 5, int(timeout) + 10))
            except Exception:  # noqa: BLE001
                pass
            try:
                result = run_program(units, workdir, base, stmt_timeout, region)
            except BaseException as exc:  # noqa: BLE001
                result = {"crash": _describe(exc) + " | " + traceback.format_exc()[-800:]}
            data = json.dumps(result, default=str).encode()
            view = memoryview(data)
            while view:
                n = os.write(write_fd, view)
                view = view[n:]
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks = []
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    shutil.rmtree(base, ignore_errors=True)
    if timed_out:
        return {"timeout": True}
    try:
        return json.loads(b"".join(chunks) or b"{}") or {"crash": "no result"}
    except ValueError:
        return {"crash": "unreadable result"}


def _copy_folder(src: str, dst: str, limit: int = 400) -> None:
    """The corpus file's own folder (code only, a bounded number of files), so relative paths work."""
    count = 0
    for folder, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            if count >= limit:
                return
            if not name.endswith((".py", ".ipynb")):
                continue
            rel = os.path.relpath(os.path.join(folder, name), src)
            os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
            shutil.copyfile(os.path.join(folder, name), os.path.join(dst, rel))
            count += 1


def compare_runs(before: dict[str, Any], after: dict[str, Any],
                 rewrites: set) -> tuple[list[dict[str, Any]], set, dict[str, int]]:
    """Compare the two runs of one file. Returns (problems, sites compared, counts of comparisons
    skipped and why).

    Both runs must meet the same failures; where they stop doing so (the first cell whose failures
    differ) is reported once, and what follows it is not compared (it is a consequence). A rewritten
    statement that raised in the original run (``rewrites`` holds the (cell, line) of every rewrite)
    may have left the migrated run's objects in another state (the rewrite is several statements):
    the names it uses are not compared after it. Each problem: {kind, site, what, details} with
    kind 'value' (a difference in what would be submitted), 'new-failure' (a statement fails only in
    the migrated run) or 'sdk-rejected' (the SDK raised in the original run, the migrated run went on)."""
    from equivalence.harness import differences

    problems: list[dict[str, Any]] = []
    skipped: dict[str, int] = collections.Counter()
    compared_sites = set()
    a_cells, b_cells = before.get("cells", []), after.get("cells", [])
    order = {c["cell"]: i for i, c in enumerate(a_cells)}

    # Failures, cell by cell: the first cell where they differ.
    def by_cell(run):
        out = collections.defaultdict(list)
        for e in run.get("errors", []):
            out[order.get(e["cell"], len(a_cells))].append(e)
        return out
    a_err, b_err = by_cell(before), by_cell(after)
    diverged = None
    failed_names = set()  # names used by statements that failed in the original run so far
    for i in sorted(set(a_err) | set(b_err)):
        a_here, b_here = a_err.get(i, []), b_err.get(i, [])
        a_msgs = collections.Counter(e["error"] for e in a_here)
        b_msgs = collections.Counter(e["error"] for e in b_here)
        failed_names.update(n for e in a_here for n in e.get("names", []))
        if a_msgs == b_msgs:
            continue
        new = [e for e in b_here if (b_msgs - a_msgs)[e["error"]] > 0]
        gone = [e for e in a_here if (a_msgs - b_msgs)[e["error"]] > 0]
        cell = a_cells[i]["cell"] if i < len(a_cells) else None
        at_rewrite = [e for e in a_here if any(c == cell and e["line"] <= line <= e.get("end", e["line"])
                                                for c, line in rewrites)]
        # A NameError for a name the original run also failed to bind (or that an earlier failed
        # statement of the migrated run should have bound) is the same failure met in another order.
        chain = set(failed_names)
        unexplained, other_failure = [], []
        for e in b_here:
            m = re.match(r"NameError: name '(\w+)' is not defined", e["error"])
            if e in new and not (m and m.group(1) in chain):
                (other_failure if at_rewrite and not m else unexplained).append(e)
            chain.update(e.get("names", []))
        details = [f"migrated, line {e['line']}: {e['error']}" + (" <- unexplained" if e in unexplained else "")
                   for e in new] + \
                  [f"original, line {e['line']}: {e['error']}" for e in gone]
        if unexplained:
            problems.append({"kind": "new-failure", "site": (cell, None), "cell": cell, "line": unexplained[0]["line"],
                             "what": "a statement fails only in the migrated run", "details": details})
            diverged = i
            break
        if other_failure:  # both runs failed at the rewritten statement, with different errors
            skipped["both runs fail at the rewritten code, differently"] += 1
            problems.append({"kind": "both-failed", "site": (cell, None), "cell": cell, "line": new[0]["line"],
                             "what": "both runs fail in this cell, with different errors", "details": details})
            diverged = i
            break
        if any(e.get("origin") == "sdk" for e in gone) and at_rewrite:
            problems.append({"kind": "sdk-rejected", "site": (cell, None), "cell": cell, "line": gone[0]["line"],
                             "what": "the SDK raised in the original run; the migrated code runs on",
                             "details": details})
            diverged = i
            break
        if at_rewrite:
            skipped["runs part after a rewritten statement failed in the original run"] += 1
            diverged = i
            break
        skipped["same failures met in another order"] += 1

    # Names used by rewritten statements that raised in the original run, from that cell on.
    tainted: dict[str, int] = {}
    for i, errs in a_err.items():
        for e in errs:
            if any(c == e["cell"] and e["line"] <= line <= e.get("end", e["line"]) for c, line in rewrites):
                for name in e.get("names", []):
                    tainted[name] = min(tainted.get(name, i), i)

    def comparable(i) -> bool:
        return diverged is None or i < diverged

    def same_cell(x, y) -> bool:
        return not x or not y or x[0] == y[0]

    last: dict[tuple[str, int], tuple[int, dict]] = {}
    for i, c in enumerate(a_cells):
        for name, e in c["names"].items():
            if e["kind"] in ("estimator", "downstream"):
                last[(name, e["id"])] = (i, e)
    for (name, _), (i, a) in sorted(last.items(), key=lambda kv: kv[1][0]):
        b = b_cells[i]["names"].get(name) if i < len(b_cells) else None
        site = tuple(a["site"]) if a.get("site") else None
        where = f"cell {a_cells[i]['cell']}" if a_cells[i]["cell"] is not None else "the file"
        if not comparable(i):
            skipped["after the runs diverged"] += 1
            continue
        if name in tainted and tainted[name] <= i:
            skipped["after a rewritten statement failed in the original run"] += 1
            continue
        if a["kind"] == "estimator":
            if a["tuned"] and b is not None and b["kind"] == "src":
                continue  # compared through its HyperDrive configuration / submit (as harness.compare does)
            if b is None or b["kind"] not in ("src", "estimator"):
                has = b["type"] if b and b["kind"] == "other" else "no such name"
                problems.append({"kind": "value", "site": site, "what": f"`{name}` at the end of {where}",
                                 "details": [f"migrated code has {has}, not a ScriptRunConfig"
                                             if not b or b["kind"] == "other"
                                             else f"migrated code has a {b['kind']}"]})
                continue
            if not same_cell(site, b.get("site")):
                skipped["bound to objects built in different cells"] += 1
                continue
            compared_sites.add(site)
            diffs = differences(a["state"], b["state"])
        else:
            if b is not None and not same_cell(site, b.get("site")):
                skipped["bound to objects built in different cells"] += 1
                continue
            compared_sites.add(site)
            diffs = differences(a["state"], b["state"] if b else {"type": "<absent>"})
        if diffs:
            problems.append({"kind": "value", "site": site, "what": f"`{name}` at the end of {where}",
                             "details": diffs})

    sa, sb = before.get("submits", []), after.get("submits", [])
    if len(sa) != len(sb) and diverged is None:
        problems.append({"kind": "value", "site": None, "what": "submits",
                         "details": [f"{len(sa)} submits in the original run, {len(sb)} in the migrated run"]})
    for n, (x, y) in enumerate(zip(sa, sb, strict=False), 1):
        site = tuple(x["site"]) if x.get("site") else None
        if x.get("position") != y.get("position") or not comparable(x.get("position", 0)) \
                or not same_cell(site, y.get("site")):
            skipped["submits after the runs diverged"] += 1
            continue
        compared_sites.add(site)
        diffs = differences(x["state"], y["state"])
        if diffs:
            problems.append({"kind": "value", "site": site, "what": f"submit #{n} ({x['type']})", "details": diffs})
    return problems, compared_sites, dict(skipped)


# -- per file --------------------------------------------------------------------------------------

@dataclasses.dataclass
class FileReport:
    path: str
    notebook: bool
    calls: list[Call]
    unparsed_calls: int = 0
    downstream: dict[str, int] = dataclasses.field(default_factory=dict)
    changed: bool = False
    error: str | None = None
    run: str = "not-run"  # not-run | ran | timeout | crash | no-sdk
    problems: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    skipped: dict[str, int] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0


def check_file(root: str, rel: str, args, scratch: str, sdk: bool) -> FileReport:
    start = time.monotonic()
    path = os.path.join(root, rel)
    with open(path, "rb") as f:
        data = f.read()
    report = FileReport(rel, rel.endswith(".ipynb"), [])
    try:
        units = units_of(rel, data)
    except (ValueError, UnicodeDecodeError) as exc:
        report.error = f"unreadable: {exc}"
        return report
    calls, unparsed = census(rel, units)
    result = migrate_bytes(data, rel, Settings())
    new_data = result.new_data
    report.error = result.error
    report.changed = result.changed
    classify(calls, result.findings)
    for f in result.findings:
        if f.code in DOWNSTREAM_CODES:
            report.downstream[f.code] = report.downstream.get(f.code, 0) + 1
    report.calls = calls
    report.unparsed_calls = len(unparsed)
    rewritten = [c for c in calls if c.status == "rewritten"]
    if not args.no_exec and result.changed and rewritten:
        if not sdk:
            report.run = "no-sdk"
        else:
            rewrites = {(f.cell, f.line) for f in result.findings if f.code.startswith("EM1") and f.fixed}
            differential(report, units, units_of(rel, new_data), os.path.dirname(path), args, scratch, rewrites)
    report.seconds = time.monotonic() - start
    return report


def differential(report: FileReport, units: list[Unit], new_units: list[Unit], origin_dir: str, args, scratch: str,
                 rewrites: set) -> None:
    before = run_forked(units, origin_dir, scratch, args.timeout, args.stmt_timeout, args.region)
    after = run_forked(new_units, origin_dir, scratch, args.timeout, args.stmt_timeout, args.region)
    for run in (before, after):
        if run.get("timeout") or run.get("crash"):
            report.run = "timeout" if run.get("timeout") else "crash"
            report.problems = [] if run.get("timeout") else [{"kind": "crash", "site": None, "what": "run crashed",
                                                              "details": [run["crash"]]}]
            for c in report.calls:
                if c.status == "rewritten":
                    c.diff, c.why_not = "not-executable", report.run
            return
    report.run = "ran"
    problems, compared, report.skipped = compare_runs(before, after, rewrites)
    constructed = {(s[0], s[1]) for s in before.get("constructed", [])}
    first_error = {}
    for e in before.get("errors", []):
        first_error.setdefault(e["cell"], e)
    rewritten = [c for c in report.calls if c.status == "rewritten"]

    def owner(p) -> Call | None:
        site = p.get("site")
        if site is None:
            return None
        if site[1] is None:  # a failure in a cell: the first rewritten call of that cell
            return next((c for c in rewritten if c.cell == site[0]), None)
        return next((c for c in rewritten if c.cell == site[0] and c.line <= site[1] <= c.end_line), None)

    owned = collections.defaultdict(list)
    report.problems = []
    for p in problems:
        c = owner(p)
        if c is None:
            report.problems.append(p)
        else:
            owned[id(c)].append(p)
    for call in rewritten:
        mine = lambda site, call=call: site is not None and site[0] == call.cell and site[1] is not None \
            and call.line <= site[1] <= call.end_line  # noqa: E731
        hits = owned.get(id(call), [])
        call.problems = [f"{p['what']}: {d}" for p in hits for d in p["details"]]
        if hits:
            if all(p["kind"] == "both-failed" for p in hits):
                call.diff, call.why_not = "not-executable", "both runs fail at the rewritten code (sandbox): " + \
                    "; ".join(d for p in hits for d in p["details"])[:300]
                continue
            reportable = any(p["kind"] != "value" for p in hits) or \
                not all(_explained(d, call.explained) for p in hits for d in p["details"])
            call.diff = "different" if reportable else "reported"
        elif any(mine(s) for s in compared):
            call.diff = "equivalent"
        elif any(mine(s) for s in constructed):
            call.diff, call.why_not = "not-compared", "built, but not compared (not bound to a name or submitted, " \
                                                      "or compared only before the runs diverged)"
        else:
            call.diff = "not-executable"
            err = first_error.get(call.cell)
            call.why_not = f"not built (first failure in the cell: line {err['line']}: {err['error']})" if err \
                else "not built (not reached)"


_SYNONYMS = {"baseimage": ("image",), "dependencies": ("package", "conda", "pip"), "condadependencies": ("package",),
             "datareferences": ("datareference", "data_reference"), "docker": ("docker",),
             "environmentvariables": ("environment variable", "environment_variables")}


def _explained(diff: str, findings: list[str]) -> bool:
    """A difference counts as reported when an EM2xx finding at the call names the field it is in."""
    path = [p for p in diff.split(":", 1)[0].split(".") if not p.isdigit() and not re.fullmatch(r"[0-9a-f]{32}", p)]
    words = set()
    for part in path[-1:]:  # the field itself: its section names ("tensorflow", "environment") say too little
        key = re.sub(r"[^a-z]", "", part.lower())
        if key and not key.isdigit():
            words.add(key)
            words.update(_SYNONYMS.get(key, ()))
    text = " ".join(findings).lower()
    return any(w in text or w in text.replace("_", "") for w in words if len(w) > 3)


# -- summary ---------------------------------------------------------------------------------------

def summarise(reports: list[FileReport]) -> dict[str, Any]:
    calls = [c for r in reports for c in r.calls]
    rewritten = [c for c in calls if c.status == "rewritten"]
    unchanged = [c for c in calls if c.status != "rewritten"]
    by_code = collections.Counter()
    for c in unchanged:
        by_code[",".join(x for x in c.codes if x[:3] in ("EM3", "EM9")) or "no finding"] += 1
    diff = collections.Counter(c.diff for c in rewritten)
    runs = collections.Counter(r.run for r in reports if r.run != "not-run")
    candidates = [c for c in rewritten if c.diff == "different"]
    orphan = [(r.path, p) for r in reports for p in r.problems]
    return {
        "files": len(reports),
        "notebooks": sum(r.notebook for r in reports),
        "files_with_estimators": sum(1 for r in reports if r.calls or r.unparsed_calls),
        "files_changed": sum(r.changed for r in reports),
        "files_with_errors": sum(1 for r in reports if r.error),
        "estimator_calls": len(calls),
        "estimator_calls_in_unparsable_cells": sum(r.unparsed_calls for r in reports),
        "by_class": dict(collections.Counter(c.cls for c in calls)),
        "rewritten": len(rewritten),
        "unchanged": len(unchanged),
        "unchanged_share": round(len(unchanged) / len(calls), 4) if calls else 0.0,
        "unchanged_by_code": dict(by_code.most_common()),
        "downstream_rewrites": dict(sum((collections.Counter(r.downstream) for r in reports), collections.Counter())),
        "differential": {
            "files_run": dict(runs),
            "compared": diff["equivalent"] + diff["different"] + diff["reported"],
            "equivalent": diff["equivalent"],
            "different": diff["different"],
            "different_reported": diff["reported"],
            "not_compared": diff["not-compared"],
            "not_executable": diff["not-executable"],
            "not_run": diff["not-run"],
        },
        "candidates": [{"where": c.where, "class": c.cls, "codes": c.codes, "problems": c.problems}
                       for c in candidates],
        "reported_differences": [{"where": c.where, "class": c.cls, "findings": c.explained, "problems": c.problems}
                                 for c in rewritten if c.diff == "reported"],
        "other_problems": [{"file": path, **p} for path, p in orphan],
        "skipped_comparisons": dict(sum((collections.Counter(r.skipped) for r in reports), collections.Counter())),
        "silent_skips": [c.where for c in unchanged if c.codes == [] or c.status == "no-finding"],
    }


def print_summary(s: dict[str, Any], out=None) -> None:
    out = out or sys.stdout
    d = s["differential"]
    w = out.write
    w("\n== estimator-migrate corpus check ==\n")
    w(f"files                      {s['files']:>6}  ({s['notebooks']} notebooks, "
      f"{s['files_with_estimators']} with estimators, "
      f"{s['files_changed']} changed, {s['files_with_errors']} with a file error)\n")
    w(f"estimator calls            {s['estimator_calls']:>6}  {s['by_class']}\n")
    if s["estimator_calls_in_unparsable_cells"]:
        w(f"  + in unparsable cells    {s['estimator_calls_in_unparsable_cells']:>6}  (not counted above)\n")
    w(f"rewritten (EM101/EM102)    {s['rewritten']:>6}\n")
    w(f"left unchanged             {s['unchanged']:>6}  ({s['unchanged_share']:.1%})\n")
    for code, n in s["unchanged_by_code"].items():
        w(f"    {code:<22} {n:>6}  ({n / max(s['estimator_calls'], 1):.1%})\n")
    w(f"downstream rewrites        {s['downstream_rewrites']}\n")
    w(f"differential (rewritten calls): compared {d['compared']}, equivalent {d['equivalent']}, "
      f"different {d['different']}, different but reported (EM2xx) {d['different_reported']}, "
      f"not executable {d['not_executable'] + d['not_compared']} "
      f"({d['not_compared']} built but never bound/submitted), "
      f"not run {d['not_run']}\n")
    w(f"  files run: {d['files_run']}; comparisons skipped: {s['skipped_comparisons']}\n")
    if s["candidates"]:
        w(f"\n-- candidate silent wrong rewrites ({len(s['candidates'])}) --\n")
        for c in s["candidates"]:
            w(f"{c['where']}: {c['class']} [{', '.join(c['codes'])}]\n")
            for p in c["problems"][:12]:
                w(f"    {p}\n")
            if len(c["problems"]) > 12:
                w(f"    ... {len(c['problems']) - 12} more\n")
    if s["other_problems"]:
        w(f"\n-- differences not tied to a rewritten call ({len(s['other_problems'])}) --\n")
        for p in s["other_problems"]:
            loc = f"cell {p.get('cell')}:{p.get('line')}" if p.get("cell") is not None else (
                f"line {p.get('line')}" if p.get("line") else (f"site {p['site']}" if p.get("site") else ""))
            w(f"{p['file']} {loc}: [{p.get('kind')}] {p['what']}\n")
            for line in p["details"][:8]:
                w(f"    {line}\n")
    if s["reported_differences"]:
        w(f"\n-- differences the tool reported (EM2xx) ({len(s['reported_differences'])}) --\n")
        for c in s["reported_differences"]:
            w(f"{c['where']}: {c['class']}: {'; '.join(c['findings'])[:200]}\n")
            for p in c["problems"][:5]:
                w(f"    {p}\n")
    if s["silent_skips"]:
        w(f"\n-- estimator calls left unchanged without any finding ({len(s['silent_skips'])}) --\n")
        for where in s["silent_skips"]:
            w(f"{where}\n")


def _sdk_available() -> bool:
    """Import the SDK once, here: every forked run then starts with it loaded (importing
    azureml.train.dnn alone takes seconds)."""
    try:
        import azureml.core.compute  # noqa: F401
        import azureml.data.dataset_factory  # noqa: F401
        import azureml.train.dnn  # noqa: F401
        import azureml.train.hyperdrive  # noqa: F401
        import azureml.train.sklearn  # noqa: F401
        from equivalence import harness  # noqa: F401
        with contextlib.suppress(ImportError):
            import azureml.pipeline.steps  # noqa: F401
        return True
    except Exception:  # noqa: BLE001 - ImportError and whatever the SDK raises on import
        return False


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", help="folder with .py / .ipynb files (read only)")
    parser.add_argument("--json", metavar="FILE",
                        help="write the summary and per-call records as JSON ('-' for stdout)")
    parser.add_argument("--no-exec", action="store_true", help="census and findings only, no differential execution")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds per run of one file (default 90)")
    parser.add_argument("--stmt-timeout", type=float, default=15.0, help="seconds per top-level statement (default 15)")
    parser.add_argument("--only", metavar="GLOB", help="only files whose path under the corpus matches")
    parser.add_argument("--region", default=None,
                        help="compute region of the stand-in clusters (default: the harness's full-build region, where "
                             "framework estimators built the environment the rewrite reproduces)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-file progress")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.corpus)
    if not os.path.isdir(root):
        parser.error(f"not a folder: {args.corpus}")
    sdk = not args.no_exec and _sdk_available()
    if args.region is None:
        args.region = "chinaeast2"
        if sdk:
            from equivalence import harness
            args.region = harness.FULL_BUILD_REGION
    files = discover(root, args.only)
    reports: list[FileReport] = []
    with tempfile.TemporaryDirectory(prefix="corpus-check-") as scratch:
        for n, rel in enumerate(files, 1):
            try:
                report = check_file(root, rel, args, scratch, sdk)
            except Exception as exc:  # noqa: BLE001 - one file never stops the run
                report = FileReport(rel, rel.endswith(".ipynb"), [], error=f"checker error: {_describe(exc)}")
            reports.append(report)
            if not args.quiet and (report.calls or report.error):
                counts = collections.Counter(c.status for c in report.calls)
                diffs = collections.Counter(c.diff for c in report.calls if c.status == "rewritten")
                print(f"[{n}/{len(files)}] {rel}: {dict(counts)} run={report.run} {dict(diffs)} "
                      f"{report.seconds:.1f}s" + (f" error={report.error[:80]}" if report.error else ""),
                      file=sys.stderr, flush=True)
    summary = summarise(reports)
    print_summary(summary)
    if args.json:
        payload = {"corpus": root, "summary": summary,
                   "calls": [dict(dataclasses.asdict(c), where=c.where) for r in reports for c in r.calls],
                   "files": [{"path": r.path, "changed": r.changed, "error": r.error, "run": r.run,
                              "downstream": r.downstream, "seconds": round(r.seconds, 2)} for r in reports]}
        text = json.dumps(payload, indent=1, default=str)
        if args.json == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(args.json, "w") as f:
                f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
