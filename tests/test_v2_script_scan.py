"""EM507: the training script of a job migrated by ``--target v2`` is read for the v1 run context
a v2 job does not provide. The core never reads another file: the scan is a step the file layer
runs with a reader it supplies (tests: a dictionary, or real files under tmp_path)."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from estimator_migrate import cli
from estimator_migrate.core import migrate_bytes
from estimator_migrate.settings import Settings
from estimator_migrate.v2 import script_scan

V2 = Settings(target="v2")
JOB = b"""from azureml.core import Experiment, Workspace
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
folder = "src"
est = Estimator(source_directory=folder, entry_script="train.py", compute_target="cpu-cluster")
run = Experiment(ws, "x").submit(est)
"""
SCRIPT = b"""import os
from azureml.core import Run
# Run.get_context() in a comment does not count
run = Run.get_context()
images = run.input_datasets["images"]
data = os.environ["AZUREML_DATAREFERENCE_data"]
print("Run.get_context() in a string # counts: the scan is textual")
"""


def test_uses_in_names_each_use_with_its_line():
    assert script_scan.uses_in(SCRIPT.decode()) == [(4, "`Run.get_context()`"), (5, "`run.input_datasets`"),
                                                    (6, "`AZUREML_DATAREFERENCE_*`"), (7, "`Run.get_context()`")]
    assert script_scan.uses_in("import mlflow\nmlflow.log_metric('a', 1)\n") == []


def test_the_finding_is_on_the_estimator_line_and_names_the_script():
    result = migrate_bytes(JOB, os.path.join("proj", "job.py"), V2)
    read = {os.path.normpath("proj/src/train.py"): SCRIPT}.get
    scanned = script_scan.add_findings(result, JOB, read)
    found = [f for f in scanned.findings if f.code == "EM507"]
    assert len(found) == 1
    em401 = next(f for f in result.findings if f.code == "EM401")
    assert (found[0].line, found[0].column) == (em401.line, em401.column) == (6, 7)
    assert "src/train.py" in found[0].message and "`Run.get_context()` (line 4)" in found[0].message
    assert "`AZUREML_DATAREFERENCE_*` (line 6)" in found[0].message and not found[0].fixed
    assert scanned.new_data == result.new_data  # advice only: the rewrite is the core's


def test_nothing_when_the_script_is_missing_clean_or_not_literal():
    result = migrate_bytes(JOB, "job.py", V2)
    assert script_scan.add_findings(result, JOB, {}.get) is result
    clean = {os.path.normpath("src/train.py"): b"print('hi')\n"}.get
    assert script_scan.add_findings(result, JOB, clean) is result
    dynamic = JOB.replace(b'folder = "src"', b'folder = pick()')
    result = migrate_bytes(dynamic, "job.py", V2)
    assert script_scan.add_findings(result, dynamic, {os.path.normpath("src/train.py"): SCRIPT}.get) is result


def test_a_scriptrunconfig_and_a_notebook_cell(tmp_path):
    src = b"""from azureml.core import Experiment, ScriptRunConfig, Workspace
ws = Workspace.from_config()
src = ScriptRunConfig("code", "fit.py", compute_target="cpu-cluster")
run = Experiment(ws, "x").submit(src)
"""
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "%pip install azureml-sdk\n" + src.decode()}]
    nb = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}).encode()
    path = str(tmp_path / "job.ipynb")
    result = migrate_bytes(nb, path, V2)
    assert "EM402" in {f.code for f in result.findings}
    read = {os.path.normpath(str(tmp_path / "code" / "fit.py")): b"run = Run.get_context()\n"}.get
    found = [f for f in script_scan.add_findings(result, nb, read).findings if f.code == "EM507"]
    assert len(found) == 1 and found[0].cell == 1 and found[0].line == 4 and "code/fit.py" in found[0].message


def test_the_cli_reads_the_script_next_to_the_file_under_v2_only(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_bytes(SCRIPT)
    (tmp_path / "job.py").write_bytes(JOB)
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli.main, ["check", "--isolated", "--target", "v2", "job.py"]).output
    assert "job.py:6:7: EM507" in out and "src/train.py" in out
    out = CliRunner().invoke(cli.main, ["check", "--isolated", "job.py"]).output
    assert "EM507" not in out
    result = CliRunner().invoke(cli.main, ["fix", "--isolated", "--target", "v2", "job.py"])
    assert result.exit_code == 1 and "EM507" in result.output  # a person must still move the script
    assert "command(" in (tmp_path / "job.py").read_text()
    assert (tmp_path / "src" / "train.py").read_bytes() == SCRIPT  # scripts are never rewritten
