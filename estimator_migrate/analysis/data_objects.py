"""What kind of data object an expression builds (spec §7): a dataset, a DataReference, a
datastore, an output, ... Asked by the rules that migrate arguments and inputs, and by the
analysis of what a dictionary may hold (``contents``). ``classify`` takes anything with a
``ctx`` (a Plan, or the file context of a rule wrapped by ``contents``)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Protocol

from estimator_migrate.analysis import static

if TYPE_CHECKING:
    from estimator_migrate.analysis.context import FileContext


class Reader(Protocol):
    """What ``classify`` needs: the file's context (a Plan has it)."""

    ctx: FileContext


DATASET = "dataset"  # DatasetConsumptionConfig: ScriptRunConfig resolves it at submit, as the estimator did
OUTPUT = "output"  # OutputFileDatasetConfig: likewise
DATAREF = "datareference"  # needs str(ref) plus a data_references entry
DATASTORE = "datastore"  # a datastore's root reference, same treatment
RAW_DATASET = "raw dataset"  # a Dataset without as_named_input/as_mount: broken at submit
PIPELINE = "PipelineData"  # pipeline-only
UNKNOWN_DATA = "unknown data"  # .as_mount() on something we cannot identify
SCALAR = "scalar"  # anything else: passed through as written

_DATASTORE_GETTERS = {"get_default_datastore", "register_azure_blob_container", "register_azure_file_share",
                      "register_azure_data_lake", "register_azure_data_lake_gen2", "register_azure_sql_database",
                      "register_azure_postgre_sql", "register_azure_my_sql", "register_dbfs"}
_DATASET_FACTORIES = {"from_files", "from_delimited_files", "from_parquet_files", "from_json_lines_files",
                      "from_sql_query", "get_by_name", "get_by_id", "register", "from_pandas_dataframe"}


def classify(plan: Reader, expr: ast.expr, depth: int = 0) -> str:
    """What kind of data object ``expr`` is. The kind of an object does not change after it is
    built, so names are followed to the expression that built it even if it was used since."""
    names = plan.ctx.names
    expr = static.resolve_identity(names, expr)
    if depth > 8:
        return SCALAR
    if isinstance(expr, ast.Subscript):
        # ws.datastores["name"] / ws.datasets["name"]
        if isinstance(expr.value, ast.Attribute) and expr.value.attr == "datastores":
            return DATASTORE
        if isinstance(expr.value, ast.Attribute) and expr.value.attr == "datasets":
            return RAW_DATASET
        return SCALAR
    if not isinstance(expr, ast.Call):
        return SCALAR
    func = expr.func
    qual = names.qualified_name(func) or ""
    last = qual.rsplit(".", 1)[-1] if qual else (func.attr if isinstance(func, ast.Attribute) else "")
    if qual.endswith("DataReference") and qual.startswith("azureml"):
        return DATAREF
    if qual.startswith("azureml") and last == "OutputFileDatasetConfig":
        return OUTPUT
    if qual.startswith("azureml") and last == "PipelineData":
        return PIPELINE
    if qual.startswith("azureml.core") and (last == "Datastore" or qual.endswith("Datastore.get")):
        return DATASTORE
    if not isinstance(func, ast.Attribute):
        return SCALAR
    attr = func.attr
    receiver = func.value
    if attr == "as_named_input":
        return DATASET
    if attr in ("as_mount", "as_download", "as_upload", "as_hdfs"):
        inner = classify(plan, receiver, depth + 1)
        if inner in (DATASET, RAW_DATASET):
            return DATASET
        if inner in (DATAREF, DATASTORE):
            return DATAREF
        if inner == OUTPUT:
            return OUTPUT
        return UNKNOWN_DATA
    if attr == "path" and classify(plan, receiver, depth + 1) == DATASTORE:
        return DATAREF
    if attr in _DATASTORE_GETTERS or (attr == "get" and _mentions(receiver, "Datastore")):
        return DATASTORE
    if attr in _DATASET_FACTORIES and _mentions(receiver, "Dataset"):
        return RAW_DATASET
    if attr in ("read_delimited_files", "read_parquet_files", "register_on_complete") and \
            classify(plan, receiver, depth + 1) == OUTPUT:
        return OUTPUT
    return SCALAR


def _mentions(expr: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name or isinstance(n, ast.Attribute) and n.attr == name
               for n in ast.walk(expr))
