"""Data: the ``inputs`` and ``source_directory_data_store`` parameters (spec §7): the data
references (``run.data_references``, where ``arguments`` adds those of ``script_params``) and
datasets the estimator registered for the run. What an argument value is (dataset,
DataReference, datastore, ...) is told by ``analysis/data_objects.py``."""

from __future__ import annotations

import ast
import re

from estimator_migrate.analysis import static
from estimator_migrate.analysis.data_objects import DATAREF, DATASET, DATASTORE, SCALAR, classify
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.run import DataReference, Dataset, Hoisted


def data(plan: Plan) -> None:
    if plan.given("inputs"):
        _inputs(plan)
    if plan.given("source_directory_data_store"):
        store = plan.kwargs["source_directory_data_store"]
        if not isinstance(store, ast.Name):
            plan.block("EM301", "`source_directory_data_store` is not a plain variable",
                       "Assign the datastore to a variable first, then run the tool again.")
            return
        code = plan.code("source_directory_data_store")
        # The estimator set the run's source_directory_data_store and mounted the datastore's root.
        plan.run.source_directory_data_store = code
        plan.run.data_references.append(DataReference("source_directory_data_store", code, datastore=True))
    if not plan.blockers:
        _one_name_twice(plan)


def _inputs(plan: Plan) -> None:
    expr = plan.resolve(plan.kwargs["inputs"])
    if not isinstance(expr, (ast.List, ast.Tuple)) or any(isinstance(e, ast.Starred) for e in expr.elts):
        changed = isinstance(plan.kwargs["inputs"], ast.Name) and \
            static.first_change(plan.ctx.names, plan.kwargs["inputs"], plan.call) is not None
        plan.block("EM301", "`inputs` may be changed between its assignment and this call" if changed else
                   "`inputs` is not a literal list, so its data objects cannot be told apart",
                   "Write the inputs as a list literal, or move them into `arguments` as datasets.")
        return
    for element in expr.elts:
        if not plan.portable(element):
            plan.block("EM301", f"input `{plan.ctx.segment(element)}` may hold another object at the estimator "
                       "call than where the list was built", "Write the inputs as a list literal in the call.",
                       element)
            return
        kind = classify(plan, element)
        code = plan.ctx.segment(element)
        if kind in (DATAREF, DATASTORE):
            ref = code
            if not _simple(element):
                # Built inline: evaluated once, into a variable (a second ``ds.path(...).as_mount()``
                # would be another reference, with another random name).
                ref = plan.ctx.unique_name(_reference_name(element))
                plan.run.hoisted.append(Hoisted(ref, code))
            plan.run.data_references.append(DataReference("inputs", ref, kind == DATASTORE, node=element))
        elif kind == DATASET:
            name = _input_name(plan, element)
            if name is None:
                plan.block("EM301", f"dataset input `{code}` has no name the tool can read",
                           "Use `.as_named_input('name')` or assign it to a variable first.", element)
                return
            plan.run.datasets.append(Dataset(name, code))
        else:
            plan.block("EM301", f"input `{code}` is a {kind if kind != SCALAR else 'value of unknown type'}; "
                       "the estimator only accepted DataReference, datastore and dataset inputs",
                       "Pass datasets with `.as_named_input(...)`; migrate this input by hand.", element)
            return


def _one_name_twice(plan: Plan) -> None:
    """Datasets registered under one input name more than once (two arguments, or an input and an
    argument): the estimator registered its inputs, then its arguments' datasets, in order, the
    last one replacing the others in ``run_config.data``. A ScriptRunConfig keeps what its
    ``run_config.data`` holds, else the first argument of that name (at submit). So the last one
    is written into ``run_config.data`` when they differ."""
    inputs: list[ast.expr] = []
    if plan.given("inputs"):
        listed = plan.resolve(plan.kwargs["inputs"])
        assert isinstance(listed, (ast.List, ast.Tuple))  # _inputs read it
        inputs = [e for e in listed.elts if classify(plan, e) == DATASET]  # in the order of run.datasets
    registered = [(node, d.code) for node, d in zip(inputs, plan.run.datasets, strict=False)] + \
        plan.argument_datasets
    found: dict[str, list[str]] = {}  # input name -> the code of each dataset registered under it
    for node, code in registered:
        name = _named_input(plan, node)
        if name is not None:
            found.setdefault(name, []).append(code)
    for name, codes in found.items():
        if len(set(codes)) > 1:
            # One entry for the name (where the estimator's dictionary had it first), holding the last.
            same = [i for i, node in enumerate(inputs) if _named_input(plan, node) == name]
            kept = [d for i, d in enumerate(plan.run.datasets) if i not in same]
            at = same[0] if same else len(kept)
            plan.run.datasets = kept[:at] + [Dataset(plan.q(name), codes[-1])] + kept[at:]
            inputs = [node for i, node in enumerate(inputs) if i not in same]
            inputs[at:at] = [ast.Constant(value=None)]  # keeps inputs aligned with run.datasets


def _named_input(plan: Plan, node: ast.expr) -> str | None:
    """The input name a dataset consumption was given (``.as_named_input("name")``), when literal."""
    for part in ast.walk(static.resolve_identity(plan.ctx.names, node)):
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) and part.func.attr == "as_named_input":
            arg = part.args[0] if part.args else next((k.value for k in part.keywords if k.arg == "name"), None)
            value = plan.value_of(arg) if arg is not None else None
            return value if isinstance(value, str) else None
    return None


def _reference_name(expr: ast.expr) -> str:
    """A variable name for a reference built inline, from the first path it names."""
    strings = [n for n in ast.walk(expr) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    for node in sorted(strings, key=lambda n: (n.lineno, n.col_offset)):
        assert isinstance(node.value, str)
        words = re.findall(r"[A-Za-z0-9]+", node.value)
        if words:
            name = "_".join(w.lower() for w in words[:4])
            return (name if not name[0].isdigit() else "input_" + name) + "_ref"
    return "input_ref"


def _simple(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) or isinstance(expr, ast.Attribute) and _simple(expr.value)


def _input_name(plan: Plan, element: ast.expr) -> str | None:
    if _simple(element):
        return f"{plan.ctx.segment(element)}.name"
    for node in ast.walk(element):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "as_named_input":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                return plan.ctx.segment(node.args[0])
            for kw in node.keywords:
                if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                    return plan.ctx.segment(kw.value)
    return None
