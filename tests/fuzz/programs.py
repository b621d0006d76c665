"""A hypothesis strategy for whole small programs that use Azure ML SDK v1 estimators the way
real notebooks and scripts do (issue 13).

A program is drawn decision by decision (every choice is a hypothesis draw, so failures shrink
towards the plainest program that still fails) and rendered to source text: a Python file or a
notebook of several cells. What it covers, weighted like real code (brief, "What real code looks
like"):

* estimator class: TensorFlow most often, then the generic Estimator, PyTorch, SKLearn, Chainer;
  imported by name, with an alias, as a module (``dnn.PyTorch``), by ``*``, or inside a function;
* parameters from spec §1.1/§2/§6, mostly valid combinations; about one estimator in ten gets an
  invalid one (§2.1), which the SDK rejects: the tool must then leave the call alone;
* values inline or through variables: ``script_params`` through a variable 4 times in 5, often
  shared by several estimators; package lists, distributed configuration objects, compute
  targets, datasets and DataReferences from the stand-in workspace;
* changes to those variables between assignment and use: item and attribute stores, mutating
  methods, ``+=``, ``del``, aliases, helpers that change their argument, functions that change a
  global, rebinding, changes under a branch or in a loop, copies (which must not count);
* explicit ``None`` / default values; estimators built in functions and loops; edits of the
  estimator after construction; imports of the names the migrated code needs placed before,
  after, in a later cell, inside a function or under a branch;
* uses: ``exp.submit(est)``, ``submit(est, script_params=...)`` overrides, HyperDrive (one file
  in three) through ``HyperDriveConfig`` or the deprecated ``HyperDriveRunConfig``.

``Program.features`` names what a program contains, for the statistics of a large run.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Sequence

from hypothesis import strategies as st

# -- the result ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Program:
    cells: tuple[tuple[str, str], ...]  # (cell type, source); a .py file is a single code cell
    notebook: bool
    features: frozenset[str]
    estimator_calls: frozenset[str]  # how estimator classes are called here (``TensorFlow``, ``dnn.PyTorch``)

    @property
    def code_cells(self) -> list[tuple[int, str]]:
        """(1-based index among all cells, source) of each code cell."""
        return [(i, src) for i, (kind, src) in enumerate(self.cells, 1) if kind == "code"]

    @property
    def source(self) -> str:
        """The text the tool gets for a .py file, and what a notebook's code cells are, joined."""
        return runnable_text([src for _, src in self.code_cells], mask_magics=False)[0]

    @property
    def file_name(self) -> str:
        return "fuzz_program.ipynb" if self.notebook else "fuzz_program.py"

    def file_bytes(self) -> bytes:
        if not self.notebook:
            return self.cells[0][1].encode("utf-8")
        return notebook_bytes(self.cells)


def notebook_bytes(cells: Sequence[tuple[str, str]]) -> bytes:
    nb = {
        "cells": [_cell_json(kind, src, n) for n, (kind, src) in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return (json.dumps(nb, indent=1) + "\n").encode("utf-8")


def _cell_json(kind: str, src: str, n: int) -> dict:
    lines = src.splitlines(keepends=True)
    cell = {"cell_type": kind, "id": f"cell-{n}", "metadata": {}, "source": lines}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def runnable_text(code_sources: Sequence[str], mask_magics: bool = True) -> tuple[str, list[int]]:
    """Code cells joined into one module as Jupyter runs them (top to bottom), with the line
    each cell starts on. IPython lines (``%magic``, ``!cmd``) become ``pass``: they do nothing here."""
    text, starts, line = "", [], 1
    for src in code_sources:
        starts.append(line)
        body = src if src.endswith("\n") else src + "\n"
        if mask_magics and not _parses(body):  # a continuation line may start with `%` (`"%s" \n % x`)
            body = "".join(("pass\n" if ln.lstrip().startswith(("%", "!")) else ln)
                           for ln in body.splitlines(keepends=True))
        text += body
        line += body.count("\n")
    return text, starts


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


# -- drawing helpers ---------------------------------------------------------------------------------

class _Draw:
    """Weighted choices on top of hypothesis draws. The first option is where shrinking goes,
    so it is always the plainest one."""

    def __init__(self, draw):
        self.draw = draw

    def pick(self, options: Sequence, weights: Sequence[int] | None = None):
        weights = list(weights or [1] * len(options))
        n = self.draw(st.integers(0, sum(weights) - 1))
        for option, w in zip(options, weights, strict=False):
            if n < w:
                return option
            n -= w
        raise AssertionError  # pragma: no cover

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def count(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))


# -- the program under construction ------------------------------------------------------------------

KINDS = ["TensorFlow", "Estimator", "PyTorch", "SKLearn", "Chainer"]
KIND_WEIGHTS = [33, 30, 20, 10, 7]  # 7 in 10 framework estimators, TensorFlow most of all
MODULE_OF = {"Estimator": "azureml.train.estimator", "TensorFlow": "azureml.train.dnn",
             "PyTorch": "azureml.train.dnn", "Chainer": "azureml.train.dnn", "SKLearn": "azureml.train.sklearn"}
VERSIONS = {"TensorFlow": ["1.13", "2.0", "2.1", "1.12", "2.2", "2.3", "1.10"],
            "PyTorch": ["1.4", "1.6", "1.5", "1.3", "1.2", "1.1", "1.0"],
            "Chainer": ["5.1.0", "7.0.0"], "SKLearn": ["0.20.3"]}
# Spec §1.1: the parameters each class accepts, and their defaults (what an explicit default is).
DEFAULTS = {
    "vm_priority": "None", "entry_script": "None", "script_params": "None", "node_count": "1",
    "process_count_per_node": "1", "distributed_backend": "None", "distributed_training": "None",
    "use_gpu": "False", "use_docker": "True", "custom_docker_base_image": "None", "custom_docker_image": "None",
    "image_registry_details": "None", "user_managed": "False", "conda_packages": "None", "pip_packages": "None",
    "conda_dependencies_file_path": "None", "pip_requirements_file_path": "None", "conda_dependencies_file": "None",
    "pip_requirements_file": "None", "environment_variables": "None", "environment_definition": "None",
    "inputs": "None", "source_directory_data_store": "None", "shm_size": "None", "resume_from": "None",
    "max_run_duration_seconds": "None", "_disable_validation": "True", "_show_lint_warnings": "False",
    "_show_package_warnings": "False", "framework_version": "None", "_enable_optimized_mode": "False",
    "worker_count": "1", "parameter_server_count": "1", "vm_size": "None",
}
_SKLEARN_DROPPED = {"node_count", "process_count_per_node", "distributed_backend", "distributed_training",
                    "use_gpu", "custom_docker_base_image", "source_directory_data_store"}


def accepts(kind: str, param: str) -> bool:
    if kind == "SKLearn" and param in _SKLEARN_DROPPED:
        return False
    if param in ("framework_version", "_enable_optimized_mode") and kind == "Estimator":
        return False
    if param in ("worker_count", "parameter_server_count") and kind != "TensorFlow":
        return False
    return True


@dataclasses.dataclass
class Var:
    """A module-level variable the program defines and estimators may use."""
    name: str
    kind: str  # params, pkgs, conda, envvars, dist, nodes, env, compute, lr, ...
    text: str  # its assignment statement(s)
    data: dict = dataclasses.field(default_factory=dict)
    used: int = 0


class Builder:
    def __init__(self, draw):
        self.d = _Draw(draw)
        self.features: set = set()
        self.top_imports: list[str] = []  # import lines of the first cell
        self.helpers: list[str] = []  # function definitions (placed before the variables)
        self.late_imports: list[str] = []
        self.vars: dict[str, Var] = {}
        self.estimator_calls: set = set()
        self.imported: set = set()
        self.holders: list[str] = []
        self.reserved: set = set()  # module aliases: a holder of that name would shadow the module

    # -- small utilities ---------------------------------------------------------------------
    def feature(self, *names: str) -> None:
        self.features.update(names)

    def fresh(self, base: str) -> str:
        name, n = base, 2
        while name in self.vars or name in self.holders or name in self.reserved:
            name, n = f"{base}{n}", n + 1
        return name

    def import_line(self, line: str) -> None:
        if line not in self.top_imports:
            self.top_imports.append(line)


# -- values -------------------------------------------------------------------------------------------

PARAM_KEYS = ["--learning-rate", "--batch-size", "--epochs", "--data-folder", "--output-dir", "--momentum",
              "--fast", "--seed", "mode"]


def draw_param_value(b: Builder, key: str, allow_data: bool = True) -> str:
    d = b.d
    plain = {"--learning-rate": ["0.01", "0.1", "1e-3"], "--batch-size": ["64", "32", "128"],
             "--epochs": ["10", "5", "0"], "--data-folder": ["'data'", "'./data'"],
             "--output-dir": ["'outputs'", "'./outputs'"], "--momentum": ["0.9", "0.5"],
             "--fast": ["''", "True", "None", "False"], "--seed": ["42", "-1", "0"], "mode": ["'train'", "''"]}[key]
    kinds = ["plain", "empty", "none", "bool", "list", "var", "args", "fstring", "data", "nested"]
    weights = [60, 6, 4, 4, 5, 8, 4, 2, 6 if allow_data else 0, 1]
    kind = d.pick(kinds, weights)
    if kind == "plain":
        return d.pick(plain)
    if kind == "empty":
        b.feature("param:bare-flag")
        return "''"
    if kind == "none":
        b.feature("param:bare-flag")
        return "None"
    if kind == "bool":
        return d.pick(["True", "False"])
    if kind == "list":
        b.feature("param:list-value")
        return d.pick(["[1, 2]", "['a', 'b']", "('x', '')", "[[1, 2], 'z']", "[]"])
    if kind == "var":
        b.feature("param:value-variable")
        var = scalar_var(b)
        return var
    if kind == "args":
        b.feature("param:args-namespace")
        ensure_args(b)
        return d.pick(["args.epochs", "args.lr"])
    if kind == "fstring":
        return "f'{2 * 3}'"
    if kind == "nested":
        return "{'k': 'v', 'k2': 2}"
    return data_value(b)


def scalar_var(b: Builder) -> str:
    name = b.d.pick(["learning_rate", "num_epochs", "batch_size"])
    if name not in b.vars:
        value = {"learning_rate": "0.01", "num_epochs": "20", "batch_size": "64"}[name]
        b.vars[name] = Var(name, "scalar", f"{name} = {value}")
    b.vars[name].used += 1
    return name


def ensure_args(b: Builder) -> None:
    if "args" not in b.vars:
        b.import_line("import argparse")
        b.vars["args"] = Var("args", "args", "args = argparse.Namespace(epochs=3, lr=0.05)")


def ensure_datastore(b: Builder) -> str:
    if "datastore" not in b.vars:
        text = b.d.pick(["datastore = ws.get_default_datastore()",
                         "datastore = Datastore.get(ws, 'workspaceblobstore')",
                         "datastore = ws.datastores['mydatastore']"])
        if "Datastore.get" in text:
            b.import_line("from azureml.core import Datastore")
        b.vars["datastore"] = Var("datastore", "datastore", text)
    return "datastore"


def ensure_dataset(b: Builder, tabular: bool = False) -> str:
    name = "tabular" if tabular else "dataset"
    if name not in b.vars:
        b.import_line("from azureml.core import Dataset")
        if tabular:
            text = ("tabular = Dataset.Tabular.from_delimited_files('https://example.invalid/iris.csv',\n"
                    "                                               validate=False, infer_column_types=False)")
        else:
            text = b.d.pick(["dataset = Dataset.get_by_name(ws, 'mnist')",
                             "dataset = Dataset.File.from_files('https://example.invalid/mnist/', validate=False)"])
        b.vars[name] = Var(name, "dataset", text)
    return name


def data_value(b: Builder) -> str:
    """A data object as a script_params value (spec §7.1)."""
    d = b.d
    kind = d.pick(["named-mount", "named-download", "datastore-path", "datastore-mount", "datastore",
                   "ref-var", "tabular", "raw-dataset"], [30, 10, 15, 10, 5, 15, 8, 3])
    b.feature(f"data:{kind}")
    if kind in ("named-mount", "named-download"):
        ds = ensure_dataset(b)
        return f"{ds}.as_named_input('mnist').{'as_mount' if kind == 'named-mount' else 'as_download'}()"
    if kind == "tabular":
        return f"{ensure_dataset(b, tabular=True)}.as_named_input('iris')"
    if kind == "raw-dataset":
        return ensure_dataset(b)
    store = ensure_datastore(b)
    if kind == "datastore-path":
        return d.pick([f"{store}.path('mnist').as_mount()", f"{store}.path('mnist').as_download()"])
    if kind == "datastore-mount":
        return f"{store}.as_mount()"
    if kind == "datastore":
        return store
    name = b.fresh("data_ref")
    b.vars[name] = Var(name, "dataref", f"{name} = {store}.path('images').as_mount()")
    return name


# -- dictionaries and lists through variables, and their changes ---------------------------------------

def draw_params_dict(b: Builder, allow_data: bool = True) -> str:
    d = b.d
    keys = d.draw(st.lists(st.sampled_from(PARAM_KEYS), min_size=0, max_size=4, unique=True))
    if not keys:
        return "{}"
    items = [f"'{k}': {draw_param_value(b, k, allow_data)}" for k in keys]
    if d.chance(2):
        # A later entry meant to override an earlier one: the literal names a key twice.
        b.feature("param:duplicate-key")
        items.append(f"'{keys[0]}': {draw_param_value(b, keys[0], allow_data)}")
    if len(items) > 2 and d.chance(50):
        return "{\n    " + ",\n    ".join(items) + ",\n}"
    return "{" + ", ".join(items) + "}"


def dict_mutation(b: Builder, name: str, kind: str) -> tuple[str, str]:
    """(statement that changes the dict in place, feature). Helpers go to b.helpers."""
    d = b.d
    key = d.pick(PARAM_KEYS) if kind == "params" else d.pick(["MODE", "LEVEL", "OMP_NUM_THREADS"])
    value = d.pick(["2", "0.5", "''", "'x'", "None"]) if kind == "params" else d.pick(["'1'", "'debug'"])
    form = d.pick(["setitem", "update", "del", "pop", "setdefault", "ior", "alias", "helper", "global-fn",
                   "branch", "loop", "copy", "augitem"], [20, 12, 6, 5, 4, 3, 10, 10, 8, 6, 4, 8, 2])
    if form == "setitem":
        return f"{name}[{key!r}] = {value}", "mutate:setitem"
    if form == "update":
        return d.pick([f"{name}.update({{{key!r}: {value}}})", f"{name}.update([({key!r}, {value})])"]), "mutate:update"
    if form == "del":
        return f"{name}.pop({key!r}, None)" if d.chance(50) else \
            f"if {key!r} in {name}:\n    del {name}[{key!r}]", "mutate:del"
    if form == "pop":
        return f"{name}.pop({key!r}, None)", "mutate:pop"
    if form == "setdefault":
        return f"{name}.setdefault({key!r}, {value})", "mutate:setdefault"
    if form == "ior":
        return f"{name} |= {{{key!r}: {value}}}", "mutate:ior"
    if form == "augitem":
        return f"{name}[{key!r}] = {name}.get({key!r}, 0) or 1\n{name}[{key!r}] += 1" \
            if kind == "params" else f"{name}[{key!r}] = 'x'", "mutate:augitem"
    if form == "alias":
        alias = b.fresh(d.pick(["p", "cfg", "settings"]))
        b.vars[alias] = Var(alias, "alias", "")
        return f"{alias} = {name}\n{alias}[{key!r}] = {value}", "mutate:alias"
    if form == "helper":
        fn = b.fresh("add_defaults")
        b.vars[fn] = Var(fn, "function", "")
        b.helpers.append(f"def {fn}(d):\n    d[{key!r}] = {value}\n    return d")
        return d.pick([f"{fn}({name})", f"{name} = {fn}({name})"]), "mutate:helper"
    if form == "global-fn":
        fn = b.fresh("tweak")
        b.vars[fn] = Var(fn, "function", "")
        if d.chance(30):
            b.helpers.append(f"def {fn}():\n    global {name}\n    {name} = dict({name}, **{{{key!r}: {value}}})")
            return f"{fn}()", "mutate:global-rebind"
        b.helpers.append(f"def {fn}():\n    {name}[{key!r}] = {value}")
        return f"{fn}()", "mutate:global-fn"
    if form == "branch":
        flag = d.pick(["True", "False"])
        return f"if {flag}:\n    {name}[{key!r}] = {value}", "mutate:branch"
    if form == "loop":
        return f"for k in [{key!r}]:\n    {name}[k] = {value}", "mutate:loop"
    # a copy changed: the original must be unaffected (and may be followed)
    other = b.fresh(f"{name}_copy")
    b.vars[other] = Var(other, "copy", "")
    how = d.pick([f"dict({name})", f"{name}.copy()", f"{{**{name}}}"])
    return f"{other} = {how}\n{other}[{key!r}] = {value}", "copy:dict"


def list_mutation(b: Builder, name: str) -> tuple[str, str]:
    d = b.d
    pkg = d.pick(["'numpy'", "'scipy==1.5.2'", "'matplotlib'", "'pillow'"])
    form = d.pick(["append", "extend", "iadd", "insert", "remove", "setitem", "del", "alias", "helper",
                   "global-fn", "rebind", "copy"], [20, 10, 12, 5, 4, 5, 4, 10, 10, 6, 8, 6])
    if form == "append":
        return f"{name}.append({pkg})", "mutate:append"
    if form == "extend":
        return f"{name}.extend([{pkg}])", "mutate:extend"
    if form == "iadd":
        return f"{name} += [{pkg}]", "mutate:iadd"
    if form == "insert":
        return f"{name}.insert(0, {pkg})", "mutate:insert"
    if form == "remove":
        return f"{name}.clear()", "mutate:clear"
    if form == "setitem":
        return f"{name}[0] = {pkg}", "mutate:setitem"
    if form == "del":
        return f"del {name}[-1]", "mutate:del"
    if form == "alias":
        alias = b.fresh("packages")
        b.vars[alias] = Var(alias, "alias", "")
        return f"{alias} = {name}\n{alias}.append({pkg})", "mutate:alias"
    if form == "helper":
        fn = b.fresh("add_package")
        b.vars[fn] = Var(fn, "function", "")
        b.helpers.append(f"def {fn}(packages, name):\n    packages.append(name)")
        return f"{fn}({name}, {pkg})", "mutate:helper"
    if form == "global-fn":
        fn = b.fresh("pin_packages")
        b.vars[fn] = Var(fn, "function", "")
        b.helpers.append(f"def {fn}():\n    {name}.append({pkg})")
        return f"{fn}()", "mutate:global-fn"
    if form == "rebind":
        return f"{name} = {name} + [{pkg}]", "rebind:list"
    other = b.fresh(f"{name}_extra")
    b.vars[other] = Var(other, "copy", "")
    return f"{other} = list({name})\n{other}.append({pkg})", "copy:list"


# -- distributed configurations ------------------------------------------------------------------------

DIST_CLASSES = {
    # class: (import module, constructor variants, mutable attributes)
    "Mpi": ("dnn", ["Mpi()", "Mpi(2)", "Mpi(process_count_per_node=4)"], ["process_count_per_node"]),
    "ParameterServer": ("dnn", ["ParameterServer()", "ParameterServer(worker_count=2)",
                                "ParameterServer(worker_count=4, parameter_server_count=2)"],
                        ["worker_count", "parameter_server_count"]),
    "Gloo": ("dnn", ["Gloo()"], []),
    "Nccl": ("dnn", ["Nccl()"], []),
    "MpiConfiguration": ("runconfig", ["MpiConfiguration()", "MpiConfiguration(process_count_per_node=2)",
                                       "MpiConfiguration(node_count=2)"], ["process_count_per_node", "node_count"]),
    "TensorflowConfiguration": ("runconfig", ["TensorflowConfiguration()",
                                              "TensorflowConfiguration(worker_count=2, parameter_server_count=1)"],
                                ["worker_count", "parameter_server_count"]),
    "PyTorchConfiguration": ("runconfig", ["PyTorchConfiguration()", "PyTorchConfiguration(node_count=2)"],
                             ["node_count", "process_count"]),
}
SUPPORTED_DIST = {
    "Estimator": ["Mpi", "MpiConfiguration", "ParameterServer", "Gloo", "Nccl"],
    "TensorFlow": ["ParameterServer", "Mpi", "TensorflowConfiguration", "MpiConfiguration"],
    "PyTorch": ["Mpi", "Gloo", "Nccl", "MpiConfiguration"],
    "Chainer": ["Mpi", "MpiConfiguration"],
}
# Accepted but without effect (spec §6, T20): the estimator ran without distribution.
IGNORED_DIST = {"Estimator": ["PyTorchConfiguration", "TensorflowConfiguration"],
                "PyTorch": ["PyTorchConfiguration", "TensorflowConfiguration"],
                "Chainer": ["PyTorchConfiguration", "TensorflowConfiguration"],
                "TensorFlow": ["PyTorchConfiguration"]}
UNSUPPORTED_DIST = {"TensorFlow": ["Gloo", "Nccl"], "PyTorch": ["ParameterServer"], "Chainer": ["Gloo", "ParameterServer"]}


def import_dist(b: Builder, cls: str, kind: str) -> None:
    where = DIST_CLASSES[cls][0]
    if where == "runconfig":
        b.import_line(f"from azureml.core.runconfig import {cls}")
    else:
        module = "azureml.train.estimator" if kind == "Estimator" else "azureml.train.dnn"
        b.import_line(f"from {module} import {cls}")


def dist_mutation(b: Builder, name: str, cls: str) -> tuple[str, str]:
    d = b.d
    attrs = DIST_CLASSES[cls][2]
    attr = d.pick(attrs)
    value = d.pick(["2", "4", "3"])
    form = d.pick(["setattr", "alias", "helper", "global-fn", "setattr-builtin"], [50, 15, 15, 10, 10])
    if form == "setattr":
        return f"{name}.{attr} = {value}", "mutate:attribute"
    if form == "setattr-builtin":
        return f"setattr({name}, {attr!r}, {value})", "mutate:setattr"
    if form == "alias":
        alias = b.fresh("config")
        b.vars[alias] = Var(alias, "alias", "")
        return f"{alias} = {name}\n{alias}.{attr} = {value}", "mutate:alias"
    if form == "helper":
        fn = b.fresh("scale_out")
        b.vars[fn] = Var(fn, "function", "")
        b.helpers.append(f"def {fn}(config, n):\n    config.{attr} = n")
        return f"{fn}({name}, {value})", "mutate:helper"
    fn = b.fresh("use_more_workers")
    b.vars[fn] = Var(fn, "function", "")
    b.helpers.append(f"def {fn}():\n    {name}.{attr} = {value}")
    return f"{fn}()", "mutate:global-fn"


# -- one estimator --------------------------------------------------------------------------------------

@dataclasses.dataclass
class EstimatorPlan:
    kind: str
    call: str  # how the class is called
    holder: str
    kwargs: list[tuple[str, str]]
    positional_source: bool
    before: list[str]  # statements right before the construction (same cell)
    after: list[str]  # statements right after (post-construction edits)
    in_function: str | None = None  # builder function name, when built inside a function
    loop: bool = False
    invalid: str | None = None


class ProgramGen:
    def __init__(self, draw, notebook: bool | None, distinct_search_names: bool = False):
        self.distinct_search_names = distinct_search_names
        self.b = Builder(draw)
        self.d = self.b.d
        self.notebook = notebook if notebook is not None else self.d.chance(80)
        self.shared_params: list[str] = []
        self.shared_pkgs: list[str] = []
        self.dist_vars: list[tuple[str, str]] = []  # (name, class)
        self.holders_used: list[str] = []
        self.pending: list[str] = []

    # -- compute ----------------------------------------------------------------------------------
    def compute(self, need_object: bool) -> str:
        b, d = self.b, self.d
        options = ["var-object", "string", "local", "inline-object", "string-var", "object-name"]
        weights = [45, 20, 8, 10, 10, 7]
        if need_object:
            weights = [70, 0, 0, 20, 0, 0]
        kind = d.pick(options, weights)
        if kind == "var-object":
            name = d.pick(["compute_target", "gpu_cluster", "cpu_cluster"])
            if name not in b.vars:
                cluster = "gpu-cluster" if "gpu" in name else "cpu-cluster"
                if d.chance(50):
                    text = f"{name} = ComputeTarget(workspace=ws, name={cluster!r})"
                    b.import_line("from azureml.core.compute import ComputeTarget")
                else:
                    text = f"{name} = ws.compute_targets[{cluster!r}]"
                b.vars[name] = Var(name, "compute", text)
            return name
        if kind == "string":
            return d.pick(["'cpu-cluster'", "'gpu-cluster'"])
        if kind == "local":
            return "'local'"
        if kind == "inline-object":
            return "ws.compute_targets['gpu-cluster']"
        if kind == "object-name":
            b.feature("compute:object-name")
            obj = self.compute(need_object=True)
            return f"{obj}.name" if obj in b.vars else obj
        if "cluster_name" not in b.vars:
            b.vars["cluster_name"] = Var("cluster_name", "string", "cluster_name = 'cpu-cluster'")
        return "cluster_name"

    # -- script_params ----------------------------------------------------------------------------
    def script_params(self, kind: str) -> str:
        b, d = self.b, self.d
        if not d.chance(82):  # 4 in 5 through a variable (loops and functions add inline ones)
            b.feature("script_params:inline")
            return draw_params_dict(b)
        b.feature("script_params:variable")
        if self.shared_params and d.chance(60):
            b.feature("script_params:shared")
            name = d.pick(self.shared_params)
        else:
            name = d.pick(["script_params", "params", "script_args"]) if not self.shared_params else \
                b.fresh(d.pick(["script_params", "params", "args_dict"]))
            if name in b.vars:
                name = b.fresh(name)
            form = d.pick(["literal", "dict-call", "merged", "comprehension"], [85, 6, 5, 4])
            if form == "literal":
                text = f"{name} = {draw_params_dict(b)}"
            elif form == "dict-call":
                b.feature("script_params:runtime")
                text = f"{name} = dict(epochs=5, lr=0.1)"
            elif form == "merged":
                b.feature("script_params:runtime")
                base = b.fresh("base_params")
                b.vars[base] = Var(base, "params", f"{base} = {draw_params_dict(b)}")
                text = f"{name} = {{**{base}, '--seed': 1}}"
            else:
                b.feature("script_params:runtime")
                text = f"{name} = {{f'--{{k}}': v for k, v in [('lr', 0.1), ('epochs', 2)]}}"
            b.vars[name] = Var(name, "params", text)
            self.shared_params.append(name)
        self.maybe_mutate(name, "params")
        return name

    def maybe_mutate(self, name: str, kind: str, percent: int = 25) -> None:
        """A change of the variable between its assignment and the next use."""
        b, d = self.b, self.d
        if not d.chance(percent):
            return
        n = d.pick([1, 2], [80, 20])
        for _ in range(n):
            if kind in ("params", "envvars"):
                stmt, feat = dict_mutation(b, name, kind)
            elif kind == "pkgs":
                stmt, feat = list_mutation(b, name)
            elif kind == "dist":
                stmt, feat = dist_mutation(b, name, b.vars[name].data["cls"])
            elif kind == "nodes":
                stmt, feat = d.pick([(f"{name} += 1", "mutate:augassign"), (f"{name} = 3", "rebind:int")])
            else:
                return
            b.feature(feat, f"mutated:{kind}")
            self.pending.append(stmt)

    # -- environment parameters ---------------------------------------------------------------------
    def packages(self, param: str) -> str:
        b, d = self.b, self.d
        if param == "pip_packages":
            inline = d.pick(["['pandas']", "['pandas', 'scikit-learn==0.24.2']", "['torch==1.8.1']",
                             "['horovod']", "['azureml-defaults==1.20.0']", "['--extra-index-url https://example.invalid/simple', 'pkg']"],
                            [40, 20, 10, 10, 5, 3])
        else:
            inline = d.pick(["['numpy']", "['numpy', 'scipy']", "['python=3.7']", "['pip']"], [50, 25, 15, 10])
        if d.chance(2):
            # A conditional expression as the value (``['x'] if gpu else []``).
            b.feature(f"{param}:conditional")
            b.vars.setdefault("use_gpu_flag", Var("use_gpu_flag", "bool", "use_gpu_flag = True"))
            return f"{inline} if use_gpu_flag else []"
        if not d.chance(50):
            return inline
        b.feature(f"{param}:variable")
        shared = [n for n in self.shared_pkgs if b.vars[n].data.get("param") == param]
        if shared and d.chance(60):
            b.feature(f"{param}:shared")
            name = d.pick(shared)
        else:
            name = b.fresh("pip_packages" if param == "pip_packages" else "conda_packages")
            b.vars[name] = Var(name, "pkgs", f"{name} = {inline}", {"param": param})
            self.shared_pkgs.append(name)
        self.maybe_mutate(name, "pkgs")
        return name

    def env_vars(self) -> str:
        b, d = self.b, self.d
        inline = d.pick(["{'MODE': 'train'}", "{'MODE': 'train', 'LEVEL': '3'}", "{}"])
        if d.chance(50):
            return inline
        name = "env_vars" if "env_vars" not in b.vars else b.fresh("env_vars")
        b.vars[name] = Var(name, "envvars", f"{name} = {inline}")
        self.maybe_mutate(name, "envvars")
        return name

    def environment_object(self) -> str:
        b, d = self.b, self.d
        b.import_line("from azureml.core import Environment")
        b.feature("environment_definition")
        name = b.fresh(d.pick(["myenv", "env", "training_env"]))
        form = d.pick(["new", "pip", "docker", "curated"], [30, 30, 25, 15])
        lines = [f"{name} = Environment({name!r})"]
        if form == "pip":
            lines.append(f"{name}.python.conda_dependencies.add_pip_package('pandas')")
        elif form == "docker":
            lines += [f"{name}.docker.enabled = True", f"{name}.docker.base_image = 'ubuntu:20.04'"]
        elif form == "curated":
            lines = [f"{name} = Environment.get(workspace=ws, name='AzureML-Minimal')"]
        b.vars[name] = Var(name, "env", "\n".join(lines))
        if d.chance(20):
            b.feature("mutate:environment")
            self.pending.append(d.pick([f"{name}.docker.enabled = True",
                                        f"{name}.environment_variables['STAGE'] = 'dev'",
                                        f"{name}.python.conda_dependencies.add_pip_package('numpy')"]))
        return name

    # -- distributed --------------------------------------------------------------------------------
    def distribution(self, kind: str, kwargs: dict[str, str]) -> bool:
        """Adds distributed parameters; returns whether node_count > 1 may be set (needs an object target)."""
        b, d = self.b, self.d
        if kind == "SKLearn":
            return False
        form = d.pick(["none", "class", "backend", "config-var"], [55, 20, 10, 15])
        if form == "none":
            return False
        b.feature("distributed")
        if form == "backend":
            backend = d.pick({"Estimator": ["mpi"], "TensorFlow": ["mpi", "ps"], "PyTorch": ["mpi", "gloo", "nccl"],
                              "Chainer": ["mpi"]}[kind])
            b.feature(f"dist:backend-{backend}")
            kwargs["distributed_backend"] = repr(backend)
            if backend == "mpi" and d.chance(60):
                kwargs["process_count_per_node"] = d.pick(["2", "4"])
            if backend == "ps" and d.chance(70):
                kwargs["worker_count"] = d.pick(["2", "4"])
                if d.chance(50):
                    kwargs["parameter_server_count"] = "2"
            return True
        supported = SUPPORTED_DIST[kind]
        pool = supported + IGNORED_DIST.get(kind, [])
        cls = d.pick(pool, [8] * len(supported) + [1] * len(IGNORED_DIST.get(kind, [])))
        b.feature(f"dist:{cls}")
        import_dist(b, cls, kind)
        ctor = d.pick(DIST_CLASSES[cls][1])
        if form == "class":
            kwargs["distributed_training"] = ctor
            return True
        existing = [n for n, c in self.dist_vars if c == cls]
        if existing and d.chance(50):
            b.feature("dist:shared")
            name = d.pick(existing)
        else:
            name = b.fresh(d.pick(["distributed", "dist_config", "mpi_config"]))
            b.vars[name] = Var(name, "dist", f"{name} = {ctor}", {"cls": cls})
            self.dist_vars.append((name, cls))
        b.feature("dist:variable")
        if DIST_CLASSES[cls][2]:
            self.maybe_mutate(name, "dist", 45)
        kwargs["distributed_training"] = name
        return True

    # -- the estimator ----------------------------------------------------------------------------
    def import_estimator(self, kind: str) -> str:
        b, d = self.b, self.d
        module = MODULE_OF[kind]
        style = d.pick(["name", "alias", "module", "from-module", "star"], [78, 7, 6, 5, 4])
        if style in ("module", "from-module") and module.rsplit(".", 1)[1] in b.holders:
            style = "name"  # the module name is taken by an estimator variable already
        if style == "name":
            b.import_line(f"from {module} import {kind}")
            return kind
        b.feature(f"import:{style}")
        if style == "alias":
            alias = {"TensorFlow": "TF", "PyTorch": "PT", "Estimator": "AmlEstimator", "Chainer": "Ch",
                     "SKLearn": "SK"}[kind]
            b.import_line(f"from {module} import {kind} as {alias}")
            return alias
        short = module.rsplit(".", 1)[1]
        b.reserved.add(short)
        if style == "module":
            b.import_line(f"import {module} as {short}")
            return f"{short}.{kind}"
        if style == "from-module":
            b.import_line(f"from azureml.train import {short}")
            return f"{short}.{kind}"
        b.import_line(f"from {module} import *")
        return kind

    def estimator(self, index: int) -> EstimatorPlan:
        b, d = self.b, self.d
        kind = d.pick(KINDS, KIND_WEIGHTS)
        b.feature(f"kind:{kind}")
        self.pending: list[str] = []
        call = self.import_estimator(kind)
        usable = [h for h in self.holders_used if h not in b.reserved]
        if index > 0 and usable and d.chance(25):
            holder = d.pick(usable)  # notebooks rebind the same name cell after cell
            b.feature("holder:rebound")
        else:
            holder = d.pick(["est", "estimator", {"TensorFlow": "tf_est", "PyTorch": "pt_est", "Estimator": "est",
                                                  "SKLearn": "sk_est", "Chainer": "chainer_est"}[kind], "src"],
                            [50, 20, 20, 3])
            if holder in self.holders_used or holder in b.reserved:
                holder = b.fresh(holder)
        self.holders_used.append(holder)
        b.holders.append(holder)

        kwargs: dict[str, str] = {}
        # Source directory and script.
        src = d.pick(["'src'", "'./src'", "project_folder"], [60, 10, 30])
        if src == "project_folder" and "project_folder" not in b.vars:
            b.vars["project_folder"] = Var("project_folder", "string", "project_folder = './src'")
        kwargs["source_directory"] = src
        kwargs["entry_script"] = d.pick(["'train.py'", "entry_script_name"], [85, 15])
        if kwargs["entry_script"] == "entry_script_name" and "entry_script_name" not in b.vars:
            b.vars["entry_script_name"] = Var("entry_script_name", "string", "entry_script_name = 'train.py'")
        if d.chance(85):
            kwargs["script_params"] = self.script_params(kind)
        # Distribution first: it decides whether the target must be a cluster object.
        distributed = self.distribution(kind, kwargs)
        multi_node = distributed and d.chance(55)
        if multi_node:
            if d.chance(25):
                name = "node_count_var" if "node_count_var" not in b.vars else "node_count_var"
                b.vars.setdefault(name, Var(name, "nodes", f"{name} = 2"))
                self.maybe_mutate(name, "nodes", 20)
                kwargs["node_count"] = name
                b.feature("node_count:variable")
            else:
                kwargs["node_count"] = d.pick(["2", "3", "4"])
        if d.chance(4):
            b.feature("compute:run-based")
            kwargs["vm_size"] = "'STANDARD_NC6'"
        else:
            kwargs["compute_target"] = self.compute(need_object=multi_node)
        # Environment.
        env_form = d.pick(["defaults", "packages", "env_def", "image", "conda_file", "pip_file", "user_managed"],
                          [40, 35, 7, 8, 4, 4, 2])
        b.feature(f"env:{env_form}")
        if env_form == "packages":
            if d.chance(85):
                kwargs["pip_packages"] = self.packages("pip_packages")
            if d.chance(30):
                kwargs["conda_packages"] = self.packages("conda_packages")
        elif env_form == "env_def":
            kwargs["environment_definition"] = self.environment_object()
        elif env_form == "image":
            kwargs[d.pick(["custom_docker_image", "custom_docker_base_image"], [80, 20]) if kind != "SKLearn"
                   else "custom_docker_image"] = d.pick(["'mcr.microsoft.com/azureml/base:latest'", "'ubuntu:20.04'"])
            if d.chance(30):
                kwargs["pip_packages"] = self.packages("pip_packages")
        elif env_form == "conda_file":
            kwargs[d.pick(["conda_dependencies_file", "conda_dependencies_file_path"], [80, 20])] = "'environment.yml'"
        elif env_form == "pip_file":
            kwargs[d.pick(["pip_requirements_file", "pip_requirements_file_path"], [80, 20])] = "'requirements.txt'"
            if d.chance(40):
                kwargs["pip_packages"] = self.packages("pip_packages")
        elif env_form == "user_managed":
            kwargs["user_managed"] = "True"
        if env_form != "env_def":
            if kind != "SKLearn" and d.chance(35):
                kwargs["use_gpu"] = d.pick(["True", "False", "use_gpu_flag"], [70, 20, 10])
                if kwargs["use_gpu"] == "use_gpu_flag":
                    b.vars.setdefault("use_gpu_flag", Var("use_gpu_flag", "bool", "use_gpu_flag = True"))
            if d.chance(10):
                kwargs["shm_size"] = d.pick(["'8g'", "'16G'"])
            if d.chance(15):
                kwargs["environment_variables"] = self.env_vars()
        if d.chance(8):
            kwargs["use_docker"] = d.pick(["True", "False"]) if "custom_docker_image" not in kwargs else "True"
        if kind != "Estimator" and d.chance(45):
            kwargs["framework_version"] = d.pick(VERSIONS[kind])
            kwargs["framework_version"] = repr(kwargs["framework_version"])
        if d.chance(10):
            kwargs["max_run_duration_seconds"] = d.pick(["3600", "60 * 60 * 2"])
        if d.chance(7):
            kwargs["inputs"] = self.inputs()
        if kind != "SKLearn" and d.chance(3):
            kwargs["source_directory_data_store"] = ensure_datastore(b)
            b.feature("source_directory_data_store")
        # Explicit None / default values (class 3 of issue 13).
        if d.chance(20):
            b.feature("explicit-defaults")
            for _ in range(d.pick([1, 2, 3], [60, 30, 10])):
                param = d.pick(sorted(DEFAULTS))
                if param in kwargs or not accepts(kind, param):
                    continue
                if param == "vm_size" and "compute_target" not in kwargs:
                    continue
                kwargs[param] = DEFAULTS[param]
                b.feature(f"default:{param}")
        invalid = None
        if d.chance(10):
            invalid = self.make_invalid(kind, kwargs)
        # Order and layout.
        items = list(kwargs.items())
        rest = items[1:]
        if d.chance(30):
            rest = d.draw(st.permutations(rest))
        positional = d.chance(25)
        if invalid == "second-positional":
            positional = True
        plan = EstimatorPlan(kind, call, holder, [items[0]] + list(rest), positional, list(self.pending), [])
        plan.invalid = invalid
        self.pending = []
        # Where it is built.
        where = d.pick(["module", "function", "loop"], [82, 12, 6])
        if where == "function":
            plan.in_function = b.fresh(d.pick(["make_estimator", "build_estimator", "create_estimator"]))
            b.feature("built-in-function")
        elif where == "loop" and "script_params" in kwargs:
            plan.loop = True
            b.feature("built-in-loop")
        self.post_construction(plan)
        return plan

    def inputs(self) -> str:
        b, d = self.b, self.d
        form = d.pick(["dataset", "dataref", "datastore", "mixed"], [45, 30, 15, 10])
        b.feature(f"inputs:{form}")
        if form == "dataset":
            return f"[{ensure_dataset(b)}.as_named_input('training').as_mount()]"
        store = ensure_datastore(b)
        if form == "dataref":
            return f"[{store}.path('raw').as_download(path_on_compute='/tmp/raw')]"
        if form == "datastore":
            return f"[{store}]"
        return f"[{ensure_dataset(b)}.as_named_input('training').as_download(), {store}.as_mount()]"

    def make_invalid(self, kind: str, kwargs: dict[str, str]) -> str:
        """One combination the SDK rejects (spec §2.1): the tool must leave the call alone."""
        b, d = self.b, self.d
        options = ["second-positional", "unknown-kwarg", "env-def-with-packages", "user-managed-with-packages",
                   "no-docker-with-image", "both-images", "nodes-without-backend", "nodes-with-string-target",
                   "zero-nodes", "bad-version", "float-version", "unsupported-dist", "no-target",
                   "conda-file-with-packages"]
        which = d.pick(options)
        b.feature("invalid", f"invalid:{which}")
        if which == "unknown-kwarg":
            kwargs["use_gpu" if kind == "SKLearn" else "gpu"] = "True"
        elif which == "env-def-with-packages":
            kwargs.pop("pip_packages", None)
            kwargs["environment_definition"] = self.environment_object()
            kwargs["pip_packages"] = "['pandas']"
        elif which == "user-managed-with-packages":
            kwargs.pop("environment_definition", None)
            kwargs["user_managed"] = "True"
            kwargs["pip_packages"] = "['pandas']"
            kwargs.pop("conda_dependencies_file", None)
        elif which == "no-docker-with-image":
            kwargs.pop("environment_definition", None)
            kwargs["use_docker"] = "False"
            kwargs["custom_docker_image"] = "'ubuntu:20.04'"
        elif which == "both-images" and kind != "SKLearn":
            kwargs.pop("environment_definition", None)
            kwargs["custom_docker_image"] = "'ubuntu:20.04'"
            kwargs["custom_docker_base_image"] = "'ubuntu:18.04'"
            kwargs.pop("use_docker", None)
        elif which == "nodes-without-backend" and kind != "SKLearn":
            for p in ("distributed_training", "distributed_backend"):
                kwargs.pop(p, None)
            kwargs["node_count"] = "2"
            kwargs["compute_target"] = "ws.compute_targets['gpu-cluster']"
        elif which == "nodes-with-string-target" and kind != "SKLearn":
            kwargs["node_count"] = "2"
            kwargs.setdefault("distributed_training", "Mpi()")
            if kwargs["distributed_training"] == "Mpi()":
                import_dist(b, "Mpi", kind)
            kwargs["compute_target"] = "'cpu-cluster'"
        elif which == "zero-nodes" and kind != "SKLearn":
            kwargs["node_count"] = "0"
        elif which == "bad-version" and kind != "Estimator":
            kwargs["framework_version"] = "'9.9'"
        elif which == "float-version" and kind != "Estimator":
            kwargs["framework_version"] = {"TensorFlow": "2.0", "PyTorch": "1.6", "Chainer": "5.1",
                                           "SKLearn": "0.2"}[kind]
        elif which == "unsupported-dist" and kind in UNSUPPORTED_DIST:
            cls = d.pick(UNSUPPORTED_DIST[kind])
            import_dist(b, cls, kind)
            kwargs.pop("distributed_backend", None)
            kwargs["distributed_training"] = DIST_CLASSES[cls][1][0]
        elif which == "no-target":
            kwargs.pop("compute_target", None)
            kwargs.pop("vm_size", None)
        elif which == "conda-file-with-packages":
            kwargs.pop("environment_definition", None)
            kwargs.pop("user_managed", None)
            kwargs["conda_dependencies_file"] = "'environment.yml'"
            kwargs["pip_packages"] = "['pandas']"
        return which

    def post_construction(self, plan: EstimatorPlan) -> None:
        b, d = self.b, self.d
        if not d.chance(15) or plan.in_function or plan.loop:
            return
        b.feature("post-construction")
        h = plan.holder
        edits = [
            (f"{h}.conda_dependencies.add_pip_package('tqdm')", "post:conda_dependencies"),
            (f"{h}.run_config.environment.docker.base_image = 'ubuntu:22.04'", "post:base_image"),
            (f"{h}.run_config.max_run_duration_seconds = 7200", "post:max_run"),
            (f"{h}.run_config.environment.environment_variables['TRACE'] = '1'", "post:env_vars"),
            (f"{h}.run_config.environment_variables = {{'STAGE': 'post'}}", "post:run_env_vars"),
            (f"{h}.run_config.target = 'cpu-cluster'", "post:target"),
            (f"print({h}.run_config.arguments)", "post:read-arguments"),
            (f"print({h}.framework_version)" if plan.kind != "Estimator" else f"print({h}.source_directory)",
             "post:read-attribute"),
            (f"{h}.run_config.history.snapshot_project = False", "post:history"),
        ]
        stmt, feat = d.pick(edits, [20, 12, 10, 10, 8, 5, 6, 6, 3])
        b.feature(feat)
        plan.after.append(stmt)

    # -- uses ---------------------------------------------------------------------------------------
    def use(self, plan: EstimatorPlan, hyperdrive: bool) -> list[str]:
        b, d = self.b, self.d
        h = plan.holder
        if plan.in_function or plan.loop:
            return []  # submitted where it is built
        if hyperdrive:
            return self.hyperdrive(plan)
        form = d.pick(["submit", "submit-config", "submit-new-experiment", "override", "override-var", "none",
                       "submit-tags", "helper-submit"], [45, 8, 8, 8, 4, 22, 5, 4])
        b.feature(f"use:{form}")
        run = b.fresh("run")
        b.holders.append(run)
        if form == "submit":
            lines = [f"{run} = exp.submit({h})"]
        elif form == "submit-config":
            lines = [f"{run} = exp.submit(config={h})"]
        elif form == "submit-new-experiment":
            lines = [f"{run} = Experiment(ws, 'other-experiment').submit({h})"]
        elif form == "submit-tags":
            lines = [f"{run} = exp.submit({h}, tags={{'kind': 'fuzz'}})"]
        elif form == "override":
            lines = [f"{run} = exp.submit({h}, script_params={{'--learning-rate': 0.5}})"]
        elif form == "helper-submit":
            if "submit_and_wait" not in b.vars:
                b.vars["submit_and_wait"] = Var("submit_and_wait", "function", "")
                b.helpers.append("def submit_and_wait(config):\n    return exp.submit(config)")
            lines = [f"{run} = submit_and_wait({h})"]
        elif form == "override-var":
            lines = ["overrides = {'--epochs': 1}", f"{run} = exp.submit({h}, script_params=overrides)"]
        else:
            return []
        if d.chance(30):
            lines.append(f"{run}.wait_for_completion(show_output=True)")
        return lines

    def hyperdrive(self, plan: EstimatorPlan) -> list[str]:
        b, d = self.b, self.d
        b.feature("hyperdrive")
        names = d.pick([["HyperDriveConfig", "RandomParameterSampling", "PrimaryMetricGoal", "uniform", "choice",
                         "BanditPolicy"], ["*"]], [85, 15])
        b.import_line(f"from azureml.train.hyperdrive import {', '.join(names)}")
        keys = d.draw(st.lists(st.sampled_from(["--learning-rate", "learning-rate", "--batch-size", "--momentum",
                                                "epochs"]), min_size=1, max_size=3, unique=True))
        if self.distinct_search_names:
            # The v2 harness names a search key by its text without dashes (``--learning-rate`` and
            # ``learning-rate`` are one key there); keep the first (nothing else is drawn differently).
            keys = [k for i, k in enumerate(keys) if k.lstrip("-") not in [o.lstrip("-") for o in keys[:i]]]
        space = ", ".join(f"'{k}': " + ("uniform(0.001, 0.1)" if "rate" in k or "momentum" in k
                                        else "choice(16, 32, 64)") for k in keys)
        lines = [f"sampling = RandomParameterSampling({{{space}}})"]
        policy = d.chance(50)
        if policy:
            lines.append("policy = BanditPolicy(evaluation_interval=2, slack_factor=0.1)")
        form = d.pick(["keyword", "runconfig", "positional"], [85, 10, 5])
        b.feature(f"hyperdrive:{form}")
        hd = b.fresh("hd_config")
        b.holders.append(hd)
        if form == "runconfig":
            if "HyperDriveRunConfig" not in names and names != ["*"]:
                b.import_line("from azureml.train.hyperdrive import HyperDriveRunConfig")
            lines.append(f"{hd} = HyperDriveRunConfig({plan.holder}, sampling, 'accuracy', PrimaryMetricGoal.MAXIMIZE, 8"
                         + (", policy=policy)" if policy else ")"))
        elif form == "positional":
            lines.append(f"{hd} = HyperDriveConfig(sampling, 'accuracy', PrimaryMetricGoal.MAXIMIZE, 8, 4, 60, "
                         f"{'policy' if policy else 'None'}, {plan.holder})")
        else:
            lines.append(f"{hd} = HyperDriveConfig(estimator={plan.holder},\n"
                         f"                     hyperparameter_sampling=sampling,\n"
                         + ("                     policy=policy,\n" if policy else "")
                         + "                     primary_metric_name='accuracy',\n"
                           "                     primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,\n"
                           "                     max_total_runs=8, max_concurrent_runs=2)")
        if d.chance(70):
            run = b.fresh("hd_run")
            b.holders.append(run)
            lines.append(f"{run} = exp.submit({hd})")
        return lines


def render_call(plan: EstimatorPlan, indent: str = "") -> str:
    parts = []
    for i, (name, value) in enumerate(plan.kwargs):
        if i == 0 and plan.positional_source:
            parts.append(value)
        else:
            parts.append(f"{name}={value}")
        if i == 0 and plan.invalid == "second-positional":
            parts.append("'train.py'")
    head = f"{plan.call}("
    if len(parts) > 3:
        pad = indent + " " * (len(plan.holder) + 3 + len(head))
        body = (",\n" + pad).join(parts)
    else:
        body = ", ".join(parts)
    return head + body + ")"


_MORE_IMPORTS = {
    "Environment": "from azureml.core import Environment",
    "ScriptRunConfig": "from azureml.core import ScriptRunConfig",
    "DockerConfiguration": "from azureml.core.runconfig import DockerConfiguration",
    "MpiConfiguration": "from azureml.core.runconfig import MpiConfiguration",
    "TensorflowConfiguration": "from azureml.core.runconfig import TensorflowConfiguration",
    "PyTorchConfiguration": "from azureml.core.runconfig import PyTorchConfiguration",
    "DEFAULT_GPU_IMAGE": "from azureml.core.runconfig import DEFAULT_GPU_IMAGE",
}


@st.composite
def programs(draw, notebook: bool | None = None, distinct_search_names: bool = False) -> Program:
    """``distinct_search_names``: no two HyperDrive search keys that differ only by leading dashes
    (the v2 harness cannot tell them apart; tests/fuzz/known_v2.py, 02_search_key_collision)."""
    g = ProgramGen(draw, notebook, distinct_search_names)
    b, d = g.b, g.d
    b.import_line("from azureml.core import Workspace, Experiment")
    setup = ["ws = Workspace.from_config()", d.pick(["exp = Experiment(workspace=ws, name='fuzz')",
                                                    "exp = Experiment(ws, 'fuzz')"])]
    n_estimators = d.pick([1, 2, 3], [55, 33, 12])
    hyperdrive_index = d.pick(list(range(n_estimators))) if d.chance(43) else None  # 1 file in 3 ends up with one
    plans, estimator_chunks = [], []
    for i in range(n_estimators):
        plan = g.estimator(i)
        plans.append(plan)
    # Imports of the names migrated code uses, placed where the tool must not trust them (class 2).
    placed = d.pick(["none", "top", "late-cell", "in-function", "under-branch", "try"], [45, 25, 12, 8, 5, 5])
    if placed != "none":
        names = d.draw(st.lists(st.sampled_from(sorted(_MORE_IMPORTS)), min_size=1, max_size=3, unique=True))
        lines = [_MORE_IMPORTS[n] for n in names]
        b.feature(f"extra-imports:{placed}")
        if placed == "top":
            for line in lines:
                b.import_line(line)
        elif placed == "late-cell":
            b.late_imports += lines
        elif placed == "in-function":
            b.helpers.append("def show_versions():\n" + "".join(f"    {ln}\n" for ln in lines) + "    return None")
        elif placed == "under-branch":
            b.helpers.append("if False:\n" + "".join(f"    {ln}\n" for ln in lines).rstrip("\n"))
        else:
            b.helpers.append("try:\n" + "".join(f"    {ln}\n" for ln in lines) + "except ImportError:\n    pass")

    # Render every estimator with its surroundings.
    for plan in plans:
        chunk: list[str] = []
        chunk += plan.before
        if plan.in_function:
            fn = plan.in_function
            body_call = render_call(plan, "    ")
            local_import = ""
            if d.chance(30):
                module = MODULE_OF[plan.kind]
                local_import = f"    from {module} import {plan.kind}\n" if "." not in plan.call else ""
                b.feature("import:inside-function")
            arg = d.pick(["", "lr"])
            if arg and "script_params={" in body_call:
                # A value only known at run time: the function's parameter.
                body_call = body_call.replace("script_params={", "script_params={'--lr': lr, ", 1)
                b.feature("param:function-parameter")
            fn_text = (f"def {fn}({arg}):\n{local_import}    {plan.holder} = {body_call}\n"
                       f"    return {plan.holder}")
            chunk.append(fn_text)
            submit = d.chance(60)
            call = f"{fn}({'0.1' if arg else ''})"
            if submit:
                run = b.fresh("run")
                b.holders.append(run)
                chunk.append(f"{run} = exp.submit({call})")
            else:
                chunk.append(f"{plan.holder} = {call}")
        elif plan.loop:
            params = dict(plan.kwargs)["script_params"]
            loop_var = d.pick(["lr", "rate"])
            set_key = f"    {params}['--learning-rate'] = {loop_var}\n" if params.isidentifier() else ""
            chunk.append(f"for {loop_var} in [0.01, 0.1]:\n{set_key}    {plan.holder} = {render_call(plan, '    ')}\n"
                         f"    exp.submit({plan.holder})")
        else:
            chunk.append(f"{plan.holder} = {render_call(plan)}")
            chunk += plan.after
        estimator_chunks.append(chunk)
        b.estimator_calls.add(plan.call)

    # Uses: right after the estimator (next cell) or all at the end.
    use_chunks: list[list[str]] = []
    for i, plan in enumerate(plans):
        lines = g.use(plan, hyperdrive=(i == hyperdrive_index))
        if lines:
            if d.chance(50):
                estimator_chunks[i] = estimator_chunks[i] + ["\n".join(lines)]
            else:
                use_chunks.append(lines)

    # Variables, then the changes drawn for them (already attached to each estimator's chunk).
    var_lines = [v.text for v in b.vars.values() if v.text]
    b.feature(f"estimators:{n_estimators}")

    # Assemble: cells for notebooks.
    cells: list[list[str]] = []
    cells.append(list(b.top_imports))
    cells.append(setup)
    if b.helpers:
        cells.append(list(b.helpers))
    if var_lines:
        cells.append(var_lines)
    for chunk in estimator_chunks:
        cells.append(chunk)
    for chunk in use_chunks:
        cells.append(chunk)
    if b.late_imports:
        cells.append(b.late_imports)
    if d.chance(10) and g.notebook:
        cells.insert(1, ["%matplotlib inline"])
        b.feature("notebook:magic")
    if g.notebook:
        out: list[tuple[str, str]] = []
        for n, chunk in enumerate(cells):
            if not chunk:
                continue
            if d.chance(20):
                out.append(("markdown", f"## Step {n}\n"))
            # a cell is one chunk, or its statements split further
            if len(chunk) > 1 and d.chance(30):
                cut = d.count(1, len(chunk) - 1)
                out.append(("code", "\n".join(chunk[:cut])))
                out.append(("code", "\n".join(chunk[cut:])))
            else:
                out.append(("code", "\n".join(chunk)))
        b.feature("notebook")
        return Program(tuple(out), True, frozenset(b.features), frozenset(b.estimator_calls))
    text = "\n\n".join("\n".join(chunk) for chunk in cells if chunk) + "\n"
    return Program((("code", text),), False, frozenset(b.features), frozenset(b.estimator_calls))


# -- programs written by hand (the reproducers in tests/fuzz/failures) ---------------------------------

CELL_MARK = "# %%"


def program_from_text(text: str) -> Program:
    """A program from a file: a .py program, or a notebook when lines starting with ``# %%``
    separate its cells (those lines belong to no cell; ``# %% [markdown]`` starts a markdown
    cell). Estimator calls are found by class name, including ``from ... import X as Y`` aliases."""
    import ast

    lines = text.splitlines(keepends=True)
    if not any(line.startswith(CELL_MARK) for line in lines):
        cells: tuple[tuple[str, str], ...] = (("code", text),)
        notebook = False
    else:
        parts: list[tuple[str, list[str]]] = [("code", [])]
        for line in lines:
            if line.startswith(CELL_MARK):
                parts.append(("markdown" if "[markdown]" in line else "code", []))
            else:
                parts[-1][1].append(line)
        cells = tuple((kind, "".join(body).rstrip("\n") + "\n") for kind, body in parts if "".join(body).strip())
        notebook = True
    code = "\n".join(src for kind, src in cells if kind == "code")
    names = set(KINDS)
    calls = set()
    tree = ast.parse(runnable_text([code])[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.update(a.asname for a in node.names if a.name in KINDS and a.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func in names or func.split(".")[-1] in KINDS:
                calls.add(func)
    return Program(cells, notebook, frozenset({"hand-written"}), frozenset(calls))
