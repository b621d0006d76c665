"""The command line with a stand-in core (tests/_cli_support.py): exit codes, modes, stdin,
options, several outputs in one run; and end to end with the real one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import _cli_support as fake
import pytest
from click.testing import CliRunner

from estimator_migrate import __version__, cli
from estimator_migrate.codes import RULES
from estimator_migrate.core import FileResult


def crash(*args, **kwargs):  # module level: the pool pickles the core by reference
    raise RuntimeError("kaput")


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    return CliRunner()


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(fake.ESTIMATOR_CODE)
    (tmp_path / "clean.py").write_text(fake.CLEAN_CODE)
    return tmp_path


def invoke(runner, *args, migrate=fake.migrate_bytes, **kwargs):
    return runner.invoke(cli.main, list(args), catch_exceptions=False, obj=migrate, **kwargs)


def test_version(runner):
    result = invoke(runner, "--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"estimator-migrate {__version__}"


def test_list_rules_names_every_code(runner):
    result = invoke(runner, "--list-rules")
    assert result.exit_code == 0
    for code in RULES:
        assert code in result.output


def test_explain(runner):
    result = invoke(runner, "--explain", "EM302")
    assert result.exit_code == 0
    assert result.output == RULES["EM302"].explain()
    assert invoke(runner, "--explain", "run-based-compute").output == RULES["EM302"].explain()


def test_explain_unknown_code_is_a_usage_error(runner):
    assert invoke(runner, "--explain", "XX999").exit_code == 2


def test_no_command_is_a_usage_error(runner):
    assert invoke(runner).exit_code == 2


def test_check_reports_and_writes_nothing(runner, project):
    result = invoke(runner, "check", ".")
    assert result.exit_code == 1
    assert "train.py:2:7: EM101" in result.stdout
    assert (project / "train.py").read_text() == fake.ESTIMATOR_CODE


def test_check_clean_exits_zero(runner, project):
    result = invoke(runner, "check", "clean.py")
    assert result.exit_code == 0, result.output
    assert "EM" not in result.stdout.replace("EM2xx", "").replace("EM3xx/EM9xx", "")


def test_check_defaults_to_current_folder(runner, project):
    assert invoke(runner, "check").exit_code == 1


def test_fix_rewrites_then_passes(runner, project):
    first = invoke(runner, "fix", ".")
    assert first.exit_code == 1
    assert "ScriptRunConfig(" in (project / "train.py").read_text()
    second = invoke(runner, "fix", ".")
    assert second.exit_code == 0, second.output


def test_fix_exit_zero_even_if_changed(runner, project):
    result = invoke(runner, "fix", "--exit-zero-even-if-changed", ".")
    assert result.exit_code == 0
    assert "ScriptRunConfig(" in (project / "train.py").read_text()


def test_fix_still_fails_when_manual_work_remains(runner, project):
    (project / "manual.py").write_text(fake.MANUAL_CODE)
    result = invoke(runner, "fix", "--exit-zero-even-if-changed", "manual.py")
    assert result.exit_code == 1
    assert "EM302" in result.stdout
    assert "next step: Create an AmlCompute cluster" in result.stdout
    # Rewritten, yet the manual finding stays: the next run still fails.
    assert invoke(runner, "fix", "manual.py").exit_code == 1


def test_exit_zero_even_if_changed_from_config(runner, project):
    (project / "pyproject.toml").write_text("[tool.estimator-migrate]\nexit-zero-even-if-changed = true\n")
    assert invoke(runner, "fix", ".").exit_code == 0


def test_fix_diff_prints_and_writes_nothing(runner, project):
    result = invoke(runner, "fix", "--diff", ".")
    assert result.exit_code == 1
    assert "-est = Estimator(" in result.stdout
    assert "+est = ScriptRunConfig(" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    assert (project / "train.py").read_text() == fake.ESTIMATOR_CODE
    # The report goes to stderr so that stdout stays a clean patch.
    assert "EM101" in result.stderr


def test_diff_still_fails_on_findings_without_fix(runner, project):
    (project / "train.py").unlink()
    (project / "manual.py").write_text(fake.MANUAL_CODE)
    result = invoke(runner, "fix", "--diff", "--exit-zero-even-if-changed", ".")
    assert result.exit_code == 1
    assert "EM302" in result.stderr


def test_check_diff(runner, project):
    result = invoke(runner, "check", "--diff", "train.py")
    assert result.exit_code == 1
    assert "+est = ScriptRunConfig(" in result.stdout


def test_file_error_exits_2_and_other_files_are_processed(runner, project):
    (project / "broken.py").write_text("import azureml\nSYNTAX ERROR\n")
    result = invoke(runner, "fix", ".")
    assert result.exit_code == 2
    assert "EM901" in result.stdout
    assert "ScriptRunConfig(" in (project / "train.py").read_text()


def test_missing_path_exits_2(runner, project):
    result = invoke(runner, "check", "nope.py", "clean.py")
    assert result.exit_code == 2
    assert "nope.py" in result.stdout


def test_core_crash_is_a_file_error(runner, project):
    result = invoke(runner, "check", "train.py", migrate=crash)
    assert result.exit_code == 2
    assert "internal error: RuntimeError: kaput" in result.stdout


def test_stdin_check(runner, project):
    result = invoke(runner, "check", "-", "--stdin-filename", "src/job.py", input=fake.ESTIMATOR_CODE)
    assert result.exit_code == 1
    assert "src/job.py:2:7: EM101" in result.stdout


def test_stdin_fix_writes_code_to_stdout(runner, project):
    result = invoke(runner, "fix", "-", input=fake.ESTIMATOR_CODE)
    assert result.exit_code == 1
    assert result.stdout == fake.ESTIMATOR_CODE.replace("Estimator(", "ScriptRunConfig(")
    assert "EM101" in result.stderr


def test_stdin_cannot_mix_with_paths(runner, project):
    assert invoke(runner, "check", "-", "train.py", input="").exit_code == 2


def test_stdin_force_exclude_passes_through(runner, project):
    result = invoke(runner, "fix", "-", "--stdin-filename", "build/x.py", "--extend-exclude", "build/",
                    "--force-exclude", input=fake.ESTIMATOR_CODE)
    assert result.exit_code == 0
    assert result.stdout == fake.ESTIMATOR_CODE


def test_ignore_and_select(runner, project):
    assert invoke(runner, "check", "--ignore", "EM101", ".").exit_code == 0
    assert invoke(runner, "check", "--select", "EM3", ".").exit_code == 0
    assert invoke(runner, "check", "--select", "EM1,EM3", ".").exit_code == 1
    assert invoke(runner, "check", "--select", "estimator-to-scriptrunconfig", ".").exit_code == 1


def test_unknown_code_is_a_usage_error(runner, project):
    result = invoke(runner, "check", "--select", "E501", ".")
    assert result.exit_code == 2
    assert "E501" in result.stderr


def test_unknown_config_key_exits_2_naming_it(runner, project):
    (project / "pyproject.toml").write_text("[tool.estimator-migrate]\nselct = ['EM1']\n")
    result = invoke(runner, "check", ".")
    assert result.exit_code == 2
    assert "selct" in result.stderr


def test_flags_win_over_config(runner, project):
    (project / "pyproject.toml").write_text("[tool.estimator-migrate]\nignore = ['EM101']\n")
    assert invoke(runner, "check", ".").exit_code == 0
    assert invoke(runner, "check", "--ignore", "EM3", ".").exit_code == 1
    assert invoke(runner, "check", "--isolated", ".").exit_code == 1


def test_several_output_files_in_one_run(runner, project):
    result = invoke(runner, "check", ".", "--output-format", "json", "--output-file", "sarif:out/r.sarif",
                    "--output-file", "junit:out/r.xml", "--output-file", "github:out/gh.txt",
                    "--output-file", "text:out/r.txt")
    assert result.exit_code == 1
    assert [item["code"] for item in json.loads(result.stdout)] == ["EM101"]
    assert json.loads((project / "out/r.sarif").read_text())["version"] == "2.1.0"
    assert "<testsuites" in (project / "out/r.xml").read_text()
    assert (project / "out/gh.txt").read_text().startswith("::warning file=train.py,")
    assert "train.py:2:7: EM101" in (project / "out/r.txt").read_text()


def test_bad_output_file_is_a_usage_error(runner, project):
    assert invoke(runner, "check", ".", "--output-file", "xml:out.xml").exit_code == 2
    assert invoke(runner, "check", ".", "--output-file", "sarif").exit_code == 2


@pytest.mark.parametrize("name", ["manual.md", "manual.json"])
def test_manual_work_report(runner, project, name):
    (project / "manual.py").write_text(fake.MANUAL_CODE)
    result = invoke(runner, "fix", ".", "--report", name)
    assert result.exit_code == 1
    text = (project / name).read_text()
    if name.endswith(".json"):
        (item,) = json.loads(text)
        assert item["code"] == "EM302" and item["filename"] == "manual.py" and item["line"] == 2
        assert item["next_step"].startswith("Create an AmlCompute cluster")
    else:
        assert "- [ ] `manual.py:2:" in text and "EM302" in text
        assert "Next step: Create an AmlCompute cluster" in text


def test_quiet_prints_findings_only(runner, project):
    result = invoke(runner, "check", "-q", ".")
    assert result.exit_code == 1
    assert result.stdout.strip().splitlines() == [
        "train.py:2:7: EM101 [fixable] Estimator rewritten into ScriptRunConfig"]


def test_process_pool_gives_the_serial_results(runner, project):
    for n in range(12):
        (project / f"m{n:02}.py").write_text(fake.MANUAL_CODE if n % 3 else fake.ESTIMATOR_CODE)
    serial = invoke(runner, "check", "-j", "1", "--output-format", "json", ".")
    pooled = invoke(runner, "check", "-j", "3", "--output-format", "json", ".")
    assert serial.exit_code == pooled.exit_code == 1
    assert json.loads(serial.stdout) == json.loads(pooled.stdout)
    assert len(json.loads(pooled.stdout)) == 13 + 8


def test_pool_fix_writes_every_file(runner, project):
    for n in range(10):
        (project / f"m{n}.py").write_text(fake.ESTIMATOR_CODE)
    assert invoke(runner, "fix", "-j", "2", ".").exit_code == 1
    assert all("ScriptRunConfig(" in (project / f"m{n}.py").read_text() for n in range(10))


def test_colour_follows_terminal_and_no_color(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.use_color(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.use_color(Tty())
    assert not cli.use_color(object())


def test_exit_code_table():
    ok = FileResult("a.py", [])
    fixable = FileResult("a.py", fake._migrate(fake.ESTIMATOR_CODE, "a.py", cli.Options().settings())[1],
                         changed=True)
    manual = FileResult("b.py", fake._migrate(fake.MANUAL_CODE, "b.py", cli.Options().settings())[1])
    broken = FileResult("c.py", [], error="boom")
    assert cli.exit_code([ok], "check", False) == 0
    assert cli.exit_code([fixable], "check", False) == 1
    assert cli.exit_code([fixable], "fix", False) == 1
    assert cli.exit_code([fixable], "fix", True) == 0
    assert cli.exit_code([manual], "fix", True) == 1
    assert cli.exit_code([ok, broken, fixable], "check", False) == 2


def test_python_dash_m_entry_point():
    out = subprocess.run([sys.executable, "-m", "estimator_migrate", "--version"], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.returncode == 0
    assert out.stdout.strip() == f"estimator-migrate {__version__}"


# -- end to end with the real runner and engine ----------------------------------------------
REAL_CODE = ("from azureml.train.estimator import Estimator\n\n"
             "est = Estimator(source_directory='.', entry_script='train.py', compute_target='local')\n")
REAL_MANUAL = ("from azureml.train.estimator import Estimator\n\n"
               "est = Estimator(source_directory='.', entry_script='train.py', vm_size='STANDARD_D2')\n")


@pytest.fixture
def real(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    (tmp_path / "train.py").write_text(REAL_CODE)
    (tmp_path / "util.py").write_text("import os\n")
    return tmp_path


def test_real_check_then_fix_then_clean(real):
    runner = CliRunner()
    check = runner.invoke(cli.main, ["check", "."], catch_exceptions=False)
    assert check.exit_code == 1, check.output
    assert "train.py:3:7: EM101" in check.stdout
    assert (real / "train.py").read_text() == REAL_CODE
    fixed = runner.invoke(cli.main, ["fix", "."], catch_exceptions=False)
    assert fixed.exit_code == 1, fixed.output
    assert "ScriptRunConfig(" in (real / "train.py").read_text()
    assert runner.invoke(cli.main, ["fix", "."], catch_exceptions=False).exit_code == 0
    assert runner.invoke(cli.main, ["check", "."], catch_exceptions=False).exit_code == 0


def test_real_manual_work_fails_fix_and_fills_the_report(real):
    (real / "cluster.py").write_text(REAL_MANUAL)
    result = CliRunner().invoke(cli.main, ["fix", "--exit-zero-even-if-changed", "--report", "todo.json", "."],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    items = json.loads((real / "todo.json").read_text())
    assert [(i["filename"], i["code"], i["line"]) for i in items] == [("cluster.py", "EM302", 3)]
    assert items[0]["next_step"]


def test_real_stdin_fix(real):
    result = CliRunner().invoke(cli.main, ["fix", "-", "--stdin-filename", "job.py"], input=REAL_CODE,
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert "ScriptRunConfig(" in result.stdout and "EM101" in result.stderr


def test_real_notebook_findings_carry_the_cell(real):
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
                          {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                           "source": REAL_CODE.splitlines(keepends=True)}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (real / "explore.ipynb").write_text(json.dumps(notebook, indent=1))
    result = CliRunner().invoke(cli.main, ["check", "--output-format", "json", "explore.ipynb"],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    (item,) = json.loads(result.stdout)
    assert item["code"] == "EM101" and item["cell"] == 2 and item["location"]["row"] == 3


def test_real_process_pool(real):
    for n in range(10):
        (real / f"job{n}.py").write_text(REAL_CODE if n % 2 else REAL_MANUAL)
    serial = CliRunner().invoke(cli.main, ["check", "-j", "1", "--output-format", "json", "."])
    pooled = CliRunner().invoke(cli.main, ["check", "-j", "2", "--output-format", "json", "."])
    assert serial.exit_code == pooled.exit_code == 1
    assert json.loads(serial.stdout) == json.loads(pooled.stdout)
    assert len(json.loads(pooled.stdout)) == 11
