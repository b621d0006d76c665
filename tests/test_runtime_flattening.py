"""Where and how the run-time helpers are written (runtime_helpers.define_helpers), and when the
rewrite uses them: once per file, above the first use (after the imports opening that cell or
file), under a name nothing else uses, and a second run changes nothing."""

import ast
import json
import textwrap

import nbformat

from estimator_migrate import migrate_source
from estimator_migrate.core import migrate_bytes
from estimator_migrate.settings import Settings

FLATTEN_DEF = "def flatten_script_params(script_params):"
REFERENCES_DEF = "def script_params_data_references(script_params):"


def migrate(code: str):
    return migrate_source(textwrap.dedent(code))


def notebook(*cells: str) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(c).strip("\n")) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    return nbformat.writes(nb).encode("utf-8")


def cell_sources(data: bytes):
    return ["".join(c["source"]) for c in json.loads(data)["cells"]]


def test_literal_dictionary_stays_a_literal_list():
    out = migrate("""
        from azureml.train.estimator import Estimator
        params = {"--lr": 0.1, "--flag": ""}
        est = Estimator(source_directory="src", compute_target="local", script_params=params)
    """).new_source
    assert 'arguments=["--lr", 0.1, "--flag"]' in out
    assert "flatten_script_params" not in out


def test_helper_written_once_after_the_imports_of_a_file():
    result = migrate('''
        #!/usr/bin/env python
        """Train two models."""
        import os

        from azureml.train.estimator import Estimator

        params = {"--lr": 0.1}
        if os.environ.get("LONG"):
            params["--epochs"] = 100
        a = Estimator(source_directory="src", compute_target="local", script_params=params)
        b = Estimator(source_directory="src", compute_target="local", script_params=dict(params))
    ''')
    out = result.new_source
    assert out.count(FLATTEN_DEF) == 1
    assert REFERENCES_DEF not in out  # every value is in sight, none is a DataReference
    lines = out.splitlines()
    at = lines.index(FLATTEN_DEF)
    assert lines[at - 3].startswith("from azureml.core") or lines[at - 3].startswith("from azureml"), lines[:at]
    assert lines[at - 2:at] == ["", ""]
    assert "arguments=flatten_script_params(params)" in out
    assert "arguments=flatten_script_params(dict(params))" in out
    assert migrate_source(out).new_source == out  # a second run changes nothing
    ast.parse(out)


def test_helper_name_does_not_take_a_users_name():
    out = migrate("""
        from azureml.train.estimator import Estimator

        def flatten_script_params(d):
            return list(d)

        params = make()
        est = Estimator(source_directory="src", compute_target="local", script_params=params)
    """).new_source
    assert "def flatten_script_params_2(script_params):" in out
    assert "arguments=flatten_script_params_2(params)" in out
    assert "def flatten_script_params(d):" in out


def test_a_later_run_reuses_the_helper_and_moves_it_above_a_new_first_use():
    first = migrate("""
        from azureml.train.estimator import Estimator
        from azureml.core import Workspace
        params = make()
        early = Estimator(source_directory="src", compute_target="local", script_params=params, vm_size="NC6")
        late = Estimator(source_directory="src", compute_target="local", script_params=params)
    """).new_source
    assert first.count(FLATTEN_DEF) == 1  # for `late`; `early` is left (vm_size)
    # The person fixes `early` by hand and runs the tool again: one helper, above both uses.
    fixed = first.replace(', vm_size="NC6"', "")
    again = migrate_source(fixed).new_source
    assert again.count(FLATTEN_DEF) == 1
    assert again.index(FLATTEN_DEF) < again.index("early = ScriptRunConfig(")
    assert migrate_source(again).new_source == again


def test_data_references_registered_only_when_the_dictionary_may_hold_one():
    out = migrate("""
        from azureml.core import Workspace
        from azureml.train.estimator import Estimator
        ws = Workspace.from_config()
        store = ws.get_default_datastore()
        params = {"--data": store.path("x").as_mount()}
        if ws:
            params["--flag"] = ""
        est = Estimator(source_directory="src", compute_target="local", script_params=params)
    """)
    assert {f.code for f in out.findings} == {"EM101", "EM201"}
    text = out.new_source
    assert text.count(REFERENCES_DEF) == 1
    assert "est.run_config.data_references = script_params_data_references(params)" in text
    # A dictionary a function returned, or one handed to a function that may change it, is out of sight.
    out = migrate("""
        from azureml.train.estimator import Estimator
        params = {"--lr": 0.1}
        if more:
            params["--epochs"] = 3
        add_more(params)
        est = Estimator(source_directory="src", compute_target="local", script_params=params)
        est2 = Estimator(source_directory="src", compute_target="local", script_params=load_params())
    """).new_source
    assert "est.run_config.data_references = script_params_data_references(params)" in out
    assert "est2_script_params = load_params()" in out
    assert "arguments=flatten_script_params(est2_script_params)" in out
    assert "est2.run_config.data_references = script_params_data_references(est2_script_params)" in out


def test_notebook_helper_goes_into_the_first_cell_that_needs_it():
    data = notebook(
        """
        from azureml.core import Workspace, Experiment
        ws = Workspace.from_config()
        """,
        """
        script_params = {"--epochs": 5}
        if ws:
            script_params["--lr"] = 0.1
        """,
        """
        from azureml.train.dnn import TensorFlow

        est = TensorFlow(source_directory="src", entry_script="train.py", compute_target="gpu",
                         script_params=script_params)
        """,
        """
        est2 = TensorFlow(source_directory="src", entry_script="train.py", compute_target="gpu",
                          script_params=script_params)
        """,
    )
    result = migrate_bytes(data, "nb.ipynb", Settings())
    new = result.new_data
    assert result.error is None and result.changed
    cells = cell_sources(new)
    assert FLATTEN_DEF not in cells[0] + cells[1] + cells[3]
    head = cells[2].split(FLATTEN_DEF)[0]
    assert all(line.startswith(("from ", "import ")) or not line for line in head.splitlines()), head
    assert cells[2].count(FLATTEN_DEF) == 1
    assert "arguments=flatten_script_params(script_params)" in cells[3]
    again = migrate_bytes(new, "nb.ipynb", Settings())
    assert not again.changed


def test_notebook_helper_after_the_imports_that_open_the_cell():
    data = notebook(
        """
        import os
        from azureml.train.estimator import Estimator
        from azureml.core import Workspace

        params = dict(os.environ.get("PARAMS", {}))
        est = Estimator(source_directory="src", compute_target="local", script_params=params)
        """,
    )
    result = migrate_bytes(data, "nb.ipynb", Settings())
    new = result.new_data
    cell = cell_sources(new)[0]
    lines = cell.splitlines()
    at = lines.index(FLATTEN_DEF)
    assert lines[at - 1] == "" and all(line.startswith(("from ", "import ")) for line in lines[:at - 1])
    last = "    return [reading(item) for item in arguments if item is not None and item != \"\"]"
    assert lines[lines.index(last) + 1] == ""
