"""Smoke tests for scripts/corpus_check.py on a tiny corpus written here."""

import dataclasses
import importlib.util
import json
import os
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load():
    spec = importlib.util.spec_from_file_location("corpus_check", os.path.join(ROOT, "scripts", "corpus_check.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_check"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


corpus_check = _load()

TRAIN_JOB = textwrap.dedent("""\
    from azureml.core import Workspace, Experiment
    from azureml.train.estimator import Estimator

    ws = Workspace.from_config()
    target = ws.compute_targets["cpu"]
    job = Estimator(source_directory="src", entry_script="fit.py", compute_target=target,
                    script_params={"--rate": 0.01, "--verbose": ""}, pip_packages=["pandas"])
    Experiment(ws, "smoke").submit(job)
""")

DYNAMIC_CALL = textwrap.dedent("""\
    from azureml.train.dnn import PyTorch

    def build(**options):
        return PyTorch(source_directory="src", entry_script="fit.py", **options)
""")


def _notebook(*cells):
    return json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                   "source": textwrap.dedent(c).splitlines(keepends=True)} for c in cells],
        "metadata": {"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}},
        "nbformat": 4, "nbformat_minor": 4})


NOTEBOOK = _notebook(
    """\
    %pip install azureml-sdk
    from azureml.core import Workspace, Experiment
    from azureml.train.sklearn import SKLearn
    ws = Workspace.from_config()
    """,
    """\
    params = {"--alpha": 0.5}
    model = SKLearn(source_directory="src", entry_script="fit.py", compute_target=ws.compute_targets["cpu"],
                    script_params=params)
    """,
    """\
    run = Experiment(ws, "nb").submit(model)
    !echo done
    """,
)


def _corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "proj").mkdir(parents=True)
    (root / "proj" / "job.py").write_text(TRAIN_JOB)
    (root / "proj" / "factory.py").write_text(DYNAMIC_CALL)
    (root / "proj" / "notebook.ipynb").write_text(NOTEBOOK)
    (root / "proj" / "unrelated.py").write_text("print('no azure here')\n")
    return root


def _run(root, tmp_path, *extra):
    out = tmp_path / "out.json"
    assert corpus_check.main([str(root), "--json", str(out), "-q", *extra]) == 0
    return json.loads(out.read_text())


def test_census_counts_rewritten_and_unchanged_calls_without_executing(tmp_path, capsys):
    data = _run(_corpus(tmp_path), tmp_path, "--no-exec")
    summary = data["summary"]
    assert summary["files"] == 4 and summary["notebooks"] == 1
    assert summary["estimator_calls"] == 3
    assert summary["by_class"] == {"Estimator": 1, "PyTorch": 1, "SKLearn": 1}
    assert summary["rewritten"] == 2
    assert summary["unchanged_by_code"] == {"EM303": 1}
    assert summary["differential"]["not_run"] == 2
    calls = {(c["file"], c["cell"]): c for c in data["calls"]}
    assert calls[("proj/notebook.ipynb", 2)]["status"] == "rewritten"
    assert "left unchanged" in capsys.readouterr().out


def test_ipython_lines_keep_line_numbers():
    masked = corpus_check.mask_ipython("x = 1\nif x:\n    !ls\n%time y = 2\nx?\nfiles = !ls\n")
    assert masked.splitlines() == ["x = 1", "if x:", "    pass", "pass", "pass", "pass"]


@pytest.mark.sdk
def test_differential_run_finds_equivalent_rewrites(tmp_path):
    pytest.importorskip("azureml.train.estimator")
    summary = _run(_corpus(tmp_path), tmp_path)["summary"]
    assert summary["differential"]["compared"] == 2
    assert summary["differential"]["equivalent"] == 2
    assert summary["candidates"] == []


@pytest.mark.sdk
def test_differential_run_flags_a_wrong_rewrite(tmp_path, monkeypatch):
    pytest.importorskip("azureml.train.estimator")
    real = corpus_check.migrate_bytes

    def wrong(data, name, settings, **kwargs):  # a rewrite that changes a value
        result = real(data, name, settings, **kwargs)
        new = result.new_data.replace(b"0.01", b"0.02").replace(b'"--alpha\\", 0.5', b'"--alpha\\", 0.7')
        return dataclasses.replace(result, new_data=new)

    monkeypatch.setattr(corpus_check, "migrate_bytes", wrong)
    summary = _run(_corpus(tmp_path), tmp_path)["summary"]
    assert summary["differential"]["different"] == 2
    script, notebook = summary["candidates"]
    assert script["where"] == "proj/job.py:6"
    assert any("0.01" in p and "0.02" in p for p in script["problems"])
    # The call also carries an EM203 note, about something else: that does not excuse the difference.
    assert notebook["where"] == "proj/notebook.ipynb:cell 2:2" and "EM203" in notebook["codes"]
    assert any("0.5" in p and "0.7" in p for p in notebook["problems"])


@pytest.mark.sdk
def test_a_migrated_name_error_is_a_candidate(tmp_path, monkeypatch):
    pytest.importorskip("azureml.train.estimator")
    real = corpus_check.migrate_bytes

    def unbound(data, name, settings, **kwargs):  # the rewrite forgets an import
        result = real(data, name, settings, **kwargs)
        return dataclasses.replace(result, new_data=result.new_data.replace(b", Environment, ScriptRunConfig\n",
                                                                            b", ScriptRunConfig\n"))

    monkeypatch.setattr(corpus_check, "migrate_bytes", unbound)
    summary = _run(_corpus(tmp_path), tmp_path, "--only", "proj/job.py")["summary"]
    [candidate] = summary["candidates"]
    assert any("NameError: name 'Environment' is not defined <- unexplained" in p for p in candidate["problems"])


@pytest.mark.sdk
def test_sandbox_blocks_writes_outside_and_network(tmp_path):
    pytest.importorskip("azureml.train.estimator")
    outside = tmp_path / "outside.txt"
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "escape.py").write_text(TRAIN_JOB + textwrap.dedent(f"""\
        open({str(outside)!r}, "w").write("escaped")
        import socket
        socket.create_connection(("192.0.2.1", 80), timeout=1)
        while True:
            pass
    """))
    data = _run(root, tmp_path, "--stmt-timeout", "1", "--timeout", "60")
    assert not outside.exists()
    assert data["summary"]["differential"]["equivalent"] == 1
    assert data["files"][0]["run"] == "ran"
