"""The bundled example project (fixtures/example/) that scripts/run-example.sh shows a newcomer:
each file gives the findings the README promises, and the migrated project is valid Python,
a valid notebook, and stable under a second run."""

from __future__ import annotations

import ast
import json
import pathlib
import shutil

import nbformat
from click.testing import CliRunner

from estimator_migrate import cli

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "example"
EXPECTED = {
    "evaluate.py": ["EM301"],  # a DataReference inside a list: left for a person
    "pipeline.py": ["EM101", "EM104"],  # Estimator + EstimatorStep
    "src/train.py": [],  # the training script itself uses azureml.core.Run only
    "train_digits.ipynb": ["EM102", "EM203"],  # TensorFlow with script_params in a variable
    "tune_learning_rate.py": ["EM101", "EM103"],  # Estimator + HyperDriveConfig
}


def test_each_file_gives_the_expected_findings(monkeypatch):
    monkeypatch.chdir(EXAMPLE)
    result = CliRunner().invoke(cli.main, ["check", "--output-format", "json", "."], catch_exceptions=False)
    assert result.exit_code == 1
    found = {name: [] for name in EXPECTED}
    for item in json.loads(result.stdout):
        found[item["filename"]].append(item["code"])
    assert found == EXPECTED


def test_the_migrated_project_is_valid_and_stable(tmp_path, monkeypatch):
    project = tmp_path / "example"
    shutil.copytree(EXAMPLE, project)
    monkeypatch.chdir(project)
    first = CliRunner().invoke(cli.main, ["fix", "--report", "MIGRATION.md", "."], catch_exceptions=False)
    assert first.exit_code == 1  # rewritten, and EM301 still needs a person
    for path in project.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"))
    nbformat.validate(nbformat.read(str(project / "train_digits.ipynb"), as_version=4))
    assert "evaluate.py:10:53` **EM301**" in (project / "MIGRATION.md").read_text(encoding="utf-8")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and p.name != "MIGRATION.md"}
    second = CliRunner().invoke(cli.main, ["fix", "--output-format", "json", "."], catch_exceptions=False)
    assert [item["code"] for item in json.loads(second.stdout)] == ["EM301"]
    assert {p: p.read_bytes() for p in before} == before
