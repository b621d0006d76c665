"""Data: the ``inputs`` and ``source_directory_data_store`` parameters, and the
``run_config.data_references`` entries every data concern adds (spec §7). What an argument value
is (dataset, DataReference, datastore, ...) is told by ``analysis/data_objects.py``."""

from __future__ import annotations

import ast
import re
from typing import List, Optional, Tuple

from estimator_migrate.analysis import static
from estimator_migrate.analysis.data_objects import DATAREF, DATASET, DATASTORE, SCALAR, classify
from estimator_migrate.rules.estimator.plan import Plan, concern


def add_data_reference(plan: Plan, key_code: str, value_code: str, source: str = "script_params") -> None:
    """A ``run_config.data_references`` entry; ``key_code`` ``"**"`` unpacks a dictionary built at
    run time. The estimator registered ``inputs`` first, then ``script_params``, then
    ``source_directory_data_store`` (a later entry of the same name wins), and so does the rewrite."""
    plan.facts.setdefault("data_references", []).append((source, key_code, value_code))


def reference_code(plan: Plan, expr_code: str, kind: str) -> Tuple[str, str, str]:
    """(argument code, data_references key code, value code) for a DataReference or datastore."""
    if kind == DATASTORE:
        return f"str({expr_code}.as_mount())", f"{expr_code}.name", f"{expr_code}.as_mount().to_config()"
    return f"str({expr_code})", f"{expr_code}.data_reference_name", f"{expr_code}.to_config()"


@concern("data", 40, "inputs", "source_directory_data_store", always=True)
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
        plan.drop("source_directory_data_store")
        plan.post_line(f"{{src}}.run_config.source_directory_data_store = {code}.name")
        add_data_reference(plan, f"{code}.name", f"{code}.as_mount().to_config()", "source_directory_data_store")
        plan.note("EM201", "`source_directory_data_store` moved to `run_config.source_directory_data_store` "
                  "plus a mount of the datastore root; review it",
                  "Datastore-backed project folders are legacy; consider removing it.")
    refs = plan.facts.get("data_references")
    if refs and not plan.blockers:
        order = ("inputs", "script_params", "source_directory_data_store")
        refs = sorted(refs, key=lambda r: order.index(r[0]))
        # ScriptRunConfig registers resume_from's MODEL_LOCATION reference itself: keep it.
        _assign_dict(plan, "data_references", [(k, v) for _, k, v in refs], update=plan.given("resume_from"))


def _inputs(plan: Plan) -> None:
    expr = plan.resolve(plan.kwargs["inputs"])
    if not isinstance(expr, (ast.List, ast.Tuple)) or any(isinstance(e, ast.Starred) for e in expr.elts):
        changed = isinstance(plan.kwargs["inputs"], ast.Name) and \
            static.first_change(plan.ctx.names, plan.kwargs["inputs"], plan.call) is not None
        plan.block("EM301", "`inputs` may be changed between its assignment and this call" if changed else
                   "`inputs` is not a literal list, so its data objects cannot be told apart",
                   "Write the inputs as a list literal, or move them into `arguments` as datasets.")
        return
    datasets: List[Tuple[str, str]] = []
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
                plan.pre_lines.append(f"{ref} = {code}")
            _, key, value = reference_code(plan, ref, kind)
            add_data_reference(plan, key, value, "inputs")
            plan.note("EM201", f"DataReference input `{code}` moved to `run_config.data_references`; review it",
                      "Consider a FileDataset with `.as_named_input(...).as_mount()` instead.", element)
        elif kind == DATASET:
            name = _input_name(plan, element)
            if name is None:
                plan.block("EM301", f"dataset input `{code}` has no name the tool can read",
                           "Use `.as_named_input('name')` or assign it to a variable first.", element)
                return
            datasets.append((name, code))
        else:
            plan.block("EM301", f"input `{code}` is a {kind if kind != SCALAR else 'value of unknown type'}; "
                       "the estimator only accepted DataReference, datastore and dataset inputs",
                       "Pass datasets with `.as_named_input(...)`; migrate this input by hand.", element)
            return
    plan.drop("inputs")
    if datasets:
        _assign_dict(plan, "data", datasets)


def _assign_dict(plan: Plan, field: str, items: List[Tuple[str, str]], update: bool = False) -> None:
    """``src.run_config.<field> = {...}`` (``.update({...})`` to keep what is there): on one line
    when it fits, else one entry a line. A ``"**"`` key unpacks a dictionary built at run time."""
    entries = [f"**{v}" if k == "**" else f"{k}: {v}" for k, v in items]
    head, tail = (f"{{src}}.run_config.{field}.update(", ")") if update else (f"{{src}}.run_config.{field} = ", "")
    if len(items) == 1 and items[0][0] == "**":
        plan.post_line(f"{head}{items[0][1]}{tail}")
        return
    one_line = f"{head}{{{', '.join(entries)}}}{tail}"
    if len(items) == 1 or len(one_line) <= 88:
        plan.post_line(one_line)
        return
    plan.post_line(f"{head}{{")
    for entry in entries:
        plan.post_line(f"    {entry},")
    plan.post_line(f"}}{tail}")


def _reference_name(expr: ast.AST) -> str:
    """A variable name for a reference built inline, from the first path it names."""
    strings = [n for n in ast.walk(expr) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    for node in sorted(strings, key=lambda n: (n.lineno, n.col_offset)):
        words = re.findall(r"[A-Za-z0-9]+", node.value)
        if words:
            name = "_".join(w.lower() for w in words[:4])
            return (name if not name[0].isdigit() else "input_" + name) + "_ref"
    return "input_ref"


def _simple(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Name) or isinstance(expr, ast.Attribute) and _simple(expr.value)


def _input_name(plan: Plan, element: ast.AST) -> Optional[str]:
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
