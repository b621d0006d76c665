"""Helper functions the rewrite writes into a file, for what is only known at run time.

The estimator flattened ``script_params`` into its arguments when it was built, by a fixed rule
(spec §3). When the dictionary is not a literal the tool can read (built in a branch or a loop,
filled from argparse, returned by a function), the migrated code calls ``flatten_script_params``
at the same place, on the same dictionary, and gets what the estimator got. A DataReference or
datastore in it was also registered in the run configuration (spec §7): that is what
``script_params_data_references`` returns. HyperDrive removed tuned arguments from an estimator's
list (spec §8.2): ``without_tuned_arguments`` (where HyperDrive's reading raised at submit, it keeps
the list: the run starts, and the rewrite says so); ``Experiment.submit(est, script_params=...)``
merged overrides into it (spec §3): ``merge_script_params``.

Each is a transliteration of the SDK's own code (``azureml.train._estimator_helper._get_arguments``,
``_get_data_inputs`` / ``_get_data_configuration``, ``azureml._base_sdk_common.utils``, HyperDrive's
``_remove_duplicate_arguments``), proven against it by tests/test_runtime_helpers.py. Their SDK
imports stand inside the function: code that runs them already uses the SDK.

Rules ask for a helper by its base name (``helper_name``); after the last pass the engine calls
``define_helpers``, which writes each helper the code calls once, at module level, above the
first statement that uses it: after the imports at the top of that cell (a notebook) or file.
"""

from __future__ import annotations

import ast
import re

from estimator_migrate.text import end_of, split_lines

FLATTEN = "flatten_script_params"
DATA_REFERENCES = "script_params_data_references"
WITHOUT_TUNED = "without_tuned_arguments"
MERGE = "merge_script_params"


def _read_two_by_two(reader: str, first: str = "") -> str:
    """Template lines both pairing helpers share: the estimator's arguments read two by two as
    flag and value, as ``reader`` read them (datasets by their text, the first flag kept).
    ``first``: the helper's own lines that come after the imports."""
    return f'''\
    from azureml.data.dataset_consumption_config import DatasetConsumptionConfig
    from azureml.data.output_dataset_config import OutputDatasetConfig

{first}    def as_text(item):
        # The estimator held mounted or downloaded datasets and outputs as this text, so two
        # of one name were one flag when {reader} read its arguments two by two.
        if isinstance(item, DatasetConsumptionConfig) and item.mode.lower() in ("download", "mount"):
            return "DatasetConsumptionConfig:" + item.name
        if isinstance(item, OutputDatasetConfig):
            return "DatasetOutputConfig:" + item.name
        return item

    pairs, first = {{{{}}}}, {{{{}}}}
    for flag, value in zip(arguments[::2], arguments[1::2]):
        pairs[first.setdefault(as_text(flag), flag)] = value
'''


_NO_OVERRIDES = "    if not overrides:\n        return arguments\n\n"

# Each template defines ``{name}``; other helpers it calls are ``{flatten}``.
_TEMPLATES: dict[str, str] = {
    FLATTEN: '''\
def {name}(script_params):
    """`script_params` as the estimator flattened it into its arguments: each key, then its
    value; a '' or None value is a bare flag; a list, tuple or dict value is expanded (nested
    lists become strings); '' and None items are dropped. A DataReference or datastore
    becomes its "$AZUREML_DATAREFERENCE_..." name; datasets stay objects (resolved at submit)."""
    from collections.abc import Iterable

    from azureml.data.azure_storage_datastore import AbstractAzureStorageDatastore
    from azureml.data.data_reference import DataReference
    from azureml.data.dataset_consumption_config import DatasetConsumptionConfig

    def convert(item):
        if isinstance(item, AbstractAzureStorageDatastore):
            item = item.as_mount()
        return str(item) if isinstance(item, DataReference) else item

    converted = {{convert(key): convert(value) for key, value in (script_params or {{}}).items()}}
    # The estimator registered one dataset per input name, the last of its keys and values,
    # and every argument of that name read it (ScriptRunConfig would keep the first).
    kept = {{item.name: item for pair in converted.items() for item in pair
            if isinstance(item, DatasetConsumptionConfig)}}
    arguments = []
    for key, value in converted.items():
        arguments.append(key)
        if isinstance(value, Iterable) and not isinstance(value, str):
            arguments.extend(str(item) if isinstance(item, Iterable) else item for item in value)
        else:
            arguments.append(value)
    return [kept.get(item.name, item) if isinstance(item, DatasetConsumptionConfig) else item
            for item in arguments if item is not None and item != ""]
''',
    DATA_REFERENCES: '''\
def {name}(script_params):
    """The run configuration's data references for `script_params`, as the estimator
    registered them: each DataReference or datastore among its keys and values."""
    from azureml.data.azure_storage_datastore import AbstractAzureStorageDatastore
    from azureml.data.data_reference import DataReference

    references = {{}}
    for item in [part for pair in (script_params or {{}}).items() for part in pair]:
        if isinstance(item, AbstractAzureStorageDatastore):
            item = item.as_mount()
        if isinstance(item, DataReference):
            references[item.data_reference_name] = item.to_config()
    return references
''',
    WITHOUT_TUNED: '''\
def {name}(arguments, parameter_space):
    """What HyperDrive did to an estimator's arguments: read them two by two as flag and
    value, drop the flags it tunes (leading '-' ignored), and flatten the rest again. Where
    that reading put something other than a string in a flag's place, HyperDrive raised at
    submit and the run never started: the arguments are then kept as they are."""
''' + _read_two_by_two("HyperDrive") + '''    if not all(isinstance(as_text(flag), str) for flag in pairs):
        return arguments
    tuned = {{name.lstrip("-") for name in parameter_space}}
    if not any(as_text(flag).lstrip("-") in tuned for flag in pairs):
        return arguments
    kept = {{flag: value for flag, value in pairs.items() if as_text(flag).lstrip("-") not in tuned}}
    return {flatten}(kept)
''',
    MERGE: '''\
def {name}(arguments, overrides):
    """What `Experiment.submit(estimator, script_params=overrides)` sent: the estimator's
    arguments read two by two as flag and value, the overrides on top, flattened again."""
''' + _read_two_by_two("it", first=_NO_OVERRIDES) + '''    return {flatten}({{**pairs, **overrides}})
''',
}
_USES = {WITHOUT_TUNED: [FLATTEN], MERGE: [FLATTEN]}

_MEMORY = "runtime_helpers"
# The line the notebook adapter puts above each cell (see notebook.build_module).
_CELL_MARKER = re.compile(r"# __em_cell_\d+__\d+\s*$")


def _bases() -> list[str]:
    """Every helper's base name: these, then the v2 target's (``estimator_migrate/v2/helpers.py``),
    which are placed the same way."""
    from estimator_migrate.v2 import helpers as v2helpers

    return list(_TEMPLATES) + list(v2helpers.HELPERS)


def is_helper(name: str) -> bool:
    """Whether ``name`` is one of these helpers (``flatten_script_params``, ``..._2``)."""
    return any(re.fullmatch(re.escape(base) + r"(_\d+)?", name) for base in _bases())


def helper_name(ctx, base: str) -> str:
    """The name under which helper ``base`` is called in this file (and written once, after the
    last pass). A helper this tool already wrote keeps its name; otherwise a name nothing in
    the file uses."""
    chosen = ctx.memory.setdefault(_MEMORY, {})
    if base in chosen:
        return chosen[base]
    for dependency in _USES.get(base, []):
        helper_name(ctx, dependency)
    name = _existing(ctx.tree, base, chosen) or ctx.unique_name(base)
    chosen[base] = name
    return name


def _existing(tree: ast.Module, base: str, chosen: dict[str, str]) -> str | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and re.fullmatch(re.escape(base) + r"(_\d+)?", node.name):
            if _same(node, base, node.name, chosen):
                return node.name
    return None


def template(base: str, name: str, names: dict[str, str], newline: str = "\n") -> str:
    if base not in _TEMPLATES:
        from estimator_migrate.v2 import helpers as v2helpers

        return v2helpers.template(base, name, newline)
    text = _TEMPLATES[base].format(name=name, flatten=names.get(FLATTEN, FLATTEN))
    return text.replace("\n", newline)


def _same(node: ast.FunctionDef, base: str, name: str, names: dict[str, str]) -> bool:
    expected = ast.parse(template(base, name, names)).body[0]
    return ast.dump(expected) == ast.dump(node)


def define_helpers(source: str, memory: dict, newline: str = "\n") -> str:
    """``source`` with a definition of every helper it calls and does not define yet."""
    chosen: dict[str, str] = memory.get(_MEMORY, {})
    if not chosen:
        return source
    # Helpers that call others first: their definitions count as uses of those (FLATTEN last).
    for base in [b for b in reversed(_bases()) if b in chosen]:
        name = chosen[base]
        tree = ast.parse(source)
        first = _first_use(tree, name)
        if first is None or _defined_before(tree, name, first, base, chosen):
            continue
        late = [s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == name]
        if late:  # written by an earlier run below what now uses it first: moved up
            source = _remove(source, late[0])
            tree = ast.parse(source)
            first = _first_use(tree, name)
            assert first is not None  # the use found above is still there
        source = _insert(source, tree, first, template(base, name, chosen, newline), newline)
    return source


def _remove(source: str, node: ast.FunctionDef) -> str:
    lines = split_lines(source)
    start, end = node.lineno - 1, end_of(node)[0]
    while end < len(lines) and not lines[end].strip():
        end += 1
    return "".join(lines[:start] + lines[end:])


def _first_use(tree: ast.Module, name: str) -> ast.stmt | None:
    """The top-level statement that holds the first use of ``name``."""
    for stmt in tree.body:
        if any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) for n in ast.walk(stmt)):
            return stmt
    return None


def _defined_before(tree: ast.Module, name: str, first: ast.stmt, base: str, chosen: dict[str, str]) -> bool:
    for stmt in tree.body:
        if stmt is first or stmt.lineno > first.lineno:
            return False
        if isinstance(stmt, ast.FunctionDef) and stmt.name == name and _same(stmt, base, name, chosen):
            return True
    return False


def _insert(source: str, tree: ast.Module, first: ast.stmt, definition: str, newline: str) -> str:
    """Write ``definition`` after the imports that open the cell (notebook) or file holding
    ``first``; blank lines around it as PEP 8 asks (one in a notebook cell)."""
    lines = split_lines(source)
    notebook = any(_CELL_MARKER.match(line) for line in lines)
    top = 0  # 0-based index of the region's first line
    for i in range(first.lineno - 1, -1, -1):
        if _CELL_MARKER.match(lines[i]):
            top = i + 1
            break
    after_imports: int | None = None  # 0-based index of the line after the region's leading imports
    for stmt in tree.body:
        if stmt.lineno - 1 < top:
            continue
        if stmt is first or stmt.lineno > first.lineno:
            break
        docstring = not notebook and stmt is tree.body[0] and isinstance(stmt, ast.Expr) and \
            isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
        if not (isinstance(stmt, (ast.Import, ast.ImportFrom)) or docstring):
            break
        after_imports = stmt.end_lineno
    gap = 1 if notebook else 2
    if after_imports is None:
        if notebook:
            at = top
        else:  # a file: below its header comments, above the first statement
            at = next((i for i in range(top, len(lines)) if lines[i].strip() and not lines[i].lstrip().startswith("#")),
                      first.lineno - 1)
            at = min(at, first.lineno - 1)
        before = 0 if at == top else _blank_needed(lines, at, gap)
    else:
        at = after_imports
        while at < first.lineno - 1 and not lines[at].strip():
            at += 1
        before = gap - sum(1 for line in lines[after_imports:at] if not line.strip())
    blank_after = 0
    while at + blank_after < len(lines) and not lines[at + blank_after].strip():
        blank_after += 1
    text = newline * max(before, 0) + definition + newline * max(gap - blank_after, 0)
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        text = newline + text
    return "".join(lines[:at]) + text + "".join(lines[at:])


def _blank_needed(lines: list[str], at: int, gap: int) -> int:
    blank = 0
    while at - blank - 1 >= 0 and not lines[at - blank - 1].strip():
        blank += 1
    return gap - blank
