"""The real pre-commit against this repository's .pre-commit-hooks.yaml (slow: pre-commit
installs the package with pip into its own environment, which needs the package index).

The hook repository is a clone of this repository at HEAD, so what is tested is what
users get from `rev: <commit>`: commit the hook file and the package before running this.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ESTIMATOR_CODE = textwrap.dedent("""\
    from azureml.train.estimator import Estimator

    est = Estimator(source_directory='.', entry_script='train.py', compute_target='local')
""")


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    clone = tmp_path_factory.mktemp("hooks") / "estimator-migrate"
    subprocess.run(["git", "clone", "--quiet", REPO, str(clone)], check=True, capture_output=True)
    assert (clone / ".pre-commit-hooks.yaml").exists(), "commit .pre-commit-hooks.yaml first"
    return str(clone), git("rev-parse", "HEAD", cwd=str(clone))


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    # One home for the module: pre-commit installs the hook environment once, not per test.
    return str(tmp_path_factory.mktemp("pre-commit-home"))


def make_project(path, hook_repo, hook_id, files):
    repo, rev = hook_repo
    path.mkdir()
    git("init", "--quiet", cwd=str(path))
    git("config", "user.email", "test@example.com", cwd=str(path))
    git("config", "user.name", "test", cwd=str(path))
    (path / ".pre-commit-config.yaml").write_text(textwrap.dedent(f"""\
        repos:
          - repo: {repo}
            rev: {rev}
            hooks:
              - id: {hook_id}
    """))
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git("add", "-A", cwd=str(path))
    return path


def pre_commit(project, home):
    env = dict(os.environ, PRE_COMMIT_HOME=home, PRE_COMMIT_COLOR="never", NO_COLOR="1")
    env.pop("PRE_COMMIT", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--show-diff-on-failure"],
                          cwd=str(project), env=env, capture_output=True, text=True, timeout=900)


def test_check_hook_fails_and_names_the_finding(tmp_path, hook_repo, pre_commit_home):
    project = make_project(tmp_path / "p", hook_repo, "estimator-migrate-check", {"jobs/submit.py": ESTIMATOR_CODE})
    out = pre_commit(project, pre_commit_home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "jobs/submit.py:3:" in out.stdout and "EM101" in out.stdout, out.stdout + out.stderr
    assert (project / "jobs" / "submit.py").read_text() == ESTIMATOR_CODE


def test_fix_hook_rewrites_fails_once_then_passes(tmp_path, hook_repo, pre_commit_home):
    project = make_project(tmp_path / "p", hook_repo, "estimator-migrate-fix", {"jobs/submit.py": ESTIMATOR_CODE})
    first = pre_commit(project, pre_commit_home)
    assert first.returncode == 1, first.stdout + first.stderr
    rewritten = (project / "jobs" / "submit.py").read_text()
    assert "ScriptRunConfig(" in rewritten and "Estimator(" not in rewritten
    git("add", "-A", cwd=str(project))
    second = pre_commit(project, pre_commit_home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (project / "jobs" / "submit.py").read_text() == rewritten


@pytest.mark.parametrize("hook_id", ["estimator-migrate-check", "estimator-migrate-fix"])
def test_clean_repository_passes(tmp_path, hook_repo, pre_commit_home, hook_id):
    project = make_project(tmp_path / "p", hook_repo, hook_id, {"src/app.py": "print('hello')\n"})
    out = pre_commit(project, pre_commit_home)
    assert out.returncode == 0, out.stdout + out.stderr


def test_excluded_folder_is_skipped_even_when_pre_commit_names_the_file(tmp_path, hook_repo, pre_commit_home):
    project = make_project(tmp_path / "p", hook_repo, "estimator-migrate-check", {
        "legacy/old.py": ESTIMATOR_CODE,
        "pyproject.toml": "[tool.estimator-migrate]\nextend-exclude = ['legacy/']\n",
    })
    out = pre_commit(project, pre_commit_home)
    assert out.returncode == 0, out.stdout + out.stderr
