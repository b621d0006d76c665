"""--baseline: the first run records, later runs report only new findings."""

from __future__ import annotations

import json
import re

import _cli_support as fake
import pytest
from click.testing import CliRunner

from estimator_migrate import cli
from estimator_migrate.core import FileResult
from estimator_migrate.report import baseline


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.py").write_text(fake.MANUAL_CODE)
    return tmp_path


def check(*args):
    return invoke(["check", "--baseline", "ci/baseline.json", *args, "."])


def invoke(args):
    return CliRunner().invoke(cli.main, args, catch_exceptions=False, obj=fake.migrate_bytes)


def test_first_run_writes_the_baseline_and_exits_zero(project):
    result = check()
    assert result.exit_code == 0
    data = json.loads((project / "ci" / "baseline.json").read_text())
    assert data["version"] == 1
    assert [(f["code"], f["path"], f["line"]) for f in data["findings"]] == [("EM101", "../old.py", 2),
                                                                            ("EM302", "../old.py", 2)]
    assert all(len(f["fingerprint"]) == 32 for f in data["findings"])


def test_known_findings_are_hidden_and_counted(project):
    check()
    result = check()
    assert result.exit_code == 0, result.output
    assert "EM302" not in result.stdout
    assert re.search(r"in the baseline \(not shown\)\s+2", result.stdout)


def test_findings_survive_line_shifts(project):
    check()
    (project / "old.py").write_text("# moved down\nimport os\n\n" + fake.MANUAL_CODE)
    assert check().exit_code == 0


def test_new_findings_fail(project):
    check()
    (project / "new.py").write_text(fake.MANUAL_CODE)
    result = check("--output-format", "json")
    assert result.exit_code == 1
    assert {(i["filename"], i["code"]) for i in json.loads(result.stdout)} == {("new.py", "EM101"), ("new.py", "EM302")}


def test_a_second_identical_finding_in_the_same_file_is_new(project):
    check()
    (project / "old.py").write_text(fake.MANUAL_CODE + "est = Estimator(vm_size='STANDARD_D2')\n")
    result = check("--output-format", "json")
    assert result.exit_code == 1
    assert [i["location"]["row"] for i in json.loads(result.stdout)] == [3, 3]


def test_editing_the_line_makes_it_new(project):
    check()
    (project / "old.py").write_text(fake.MANUAL_CODE.replace("STANDARD_D2", "STANDARD_D3"))
    assert check().exit_code == 1


def test_baseline_works_from_another_working_directory(project, monkeypatch):
    check()
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    result = invoke(["check", "--baseline", "../ci/baseline.json", ".."])
    assert result.exit_code == 0, result.output


def test_fix_mode_fingerprints_use_the_text_before_the_rewrite(project):
    check()
    # fix rewrites the Estimator( line; the remaining EM302 must still match the baseline.
    result = invoke(["fix", "--exit-zero-even-if-changed", "--baseline", "ci/baseline.json", "."])
    assert result.exit_code == 0, result.output
    assert "ScriptRunConfig(" in (project / "old.py").read_text()


def test_corrupt_baseline_is_a_config_error(project):
    (project / "ci").mkdir()
    (project / "ci" / "baseline.json").write_text("{not json")
    result = check()
    assert result.exit_code == 2
    assert "baseline" in result.stderr


def test_apply_keeps_results_without_known_findings(tmp_path):
    path = str(tmp_path / "b.json")
    baseline.write(path, [])
    results = [FileResult("a.py", [])]
    assert baseline.apply(path, results) == (results, 0)
