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
