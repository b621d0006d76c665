"""[tool.estimator-migrate] discovery, validation and precedence."""

from __future__ import annotations

import os

import pytest

from estimator_migrate.config import KEYS, ConfigError, find_config, load_config, resolve


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_key_is_accepted(tmp_path):
    cfg = write(tmp_path / "pyproject.toml", """
[tool.estimator-migrate]
select = ["EM1", "EM3"]
ignore = "EM302"
exclude = ["build/"]
extend-exclude = ["legacy/"]
force-exclude = true
environment = "curated"
target = "v2"
output-format = "github"
jobs = 4
baseline = "ci/baseline.json"
add-todo-comments = true
exit-zero-even-if-changed = true
""")
    values = load_config(str(cfg))
    assert set(KEYS) == {"select", "ignore", "exclude", "extend-exclude", "force-exclude", "environment",
                         "target", "output-format", "jobs", "baseline", "add-todo-comments",
                         "exit-zero-even-if-changed"}
    assert values["select"] == ("EM1", "EM3") and values["ignore"] == ("EM302",)
    assert values["environment"] == "curated" and values["jobs"] == 4 and values["force_exclude"] is True
    # Relative paths in the file are relative to the file, not to the working directory.
    assert values["baseline"] == os.path.join(str(tmp_path), "ci", "baseline.json")


@pytest.mark.parametrize("body, needle", [
    ("selct = ['EM1']", "selct"),
    ("extend_exclude = ['x']", "extend-exclude"),
    ("environment = 'fast'", "environment"),
    ("target = 'v3'", "target"),
    ("jobs = 'many'", "jobs"),
    ("force-exclude = 'yes'", "force-exclude"),
    ("select = ['W605']", "W605"),
    ("output-format = 'xml'", "output-format"),
])
def test_bad_values_name_the_key(tmp_path, body, needle):
    cfg = write(tmp_path / "pyproject.toml", f"[tool.estimator-migrate]\n{body}\n")
    with pytest.raises(ConfigError, match=needle):
        load_config(str(cfg))


def test_broken_toml_is_a_config_error(tmp_path):
    cfg = write(tmp_path / "pyproject.toml", "[tool.estimator-migrate\n")
    with pytest.raises(ConfigError):
        resolve({}, [str(tmp_path)])
    assert find_config([str(tmp_path)]) == str(cfg)


def test_found_by_walking_up_and_skipping_unrelated_pyprojects(tmp_path):
    top = write(tmp_path / "pyproject.toml", "[tool.estimator-migrate]\nenvironment = 'curated'\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[tool.black]\nline-length = 100\n")
    write(tmp_path / "pkg" / "src" / "a.py", "")
    assert find_config([str(tmp_path / "pkg" / "src" / "a.py")]) == str(top)
    options = resolve({}, [str(tmp_path / "pkg" / "src")])
    assert options.environment == "curated"
    assert options.root == str(tmp_path)


def test_uses_cwd_without_paths(tmp_path, monkeypatch):
    cfg = write(tmp_path / "pyproject.toml", "[tool.estimator-migrate]\n")
    monkeypatch.chdir(tmp_path)
    assert find_config([]) == str(cfg)
    assert find_config(["-"]) == str(cfg)


def test_flags_win_and_none_means_not_given(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.estimator-migrate]\nselect = ['EM1']\njobs = 2\n")
    options = resolve({"select": ("EM3",), "jobs": None}, [str(tmp_path)])
    assert options.select == ("EM3",) and options.jobs == 2
    settings = options.settings()
    assert settings.select == frozenset({"EM3"})


def test_explicit_config_and_isolated(tmp_path):
    cfg = write(tmp_path / "conf" / "pyproject.toml", "[tool.estimator-migrate]\nenvironment = 'curated'\n")
    assert resolve({}, [str(tmp_path)], config_file=str(cfg)).environment == "curated"
    assert resolve({}, [str(tmp_path)], config_file=str(cfg), isolated=True).environment == "faithful"
    with pytest.raises(ConfigError):
        resolve({}, [str(tmp_path)], config_file=str(tmp_path / "missing.toml"))


def test_jobs_zero_means_all_cores(tmp_path):
    cfg = write(tmp_path / "pyproject.toml", "[tool.estimator-migrate]\njobs = 0\n")
    assert load_config(str(cfg))["jobs"] is None
