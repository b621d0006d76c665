"""``--target scriptrunconfig|v2`` and ``target = "v2"`` reach the core's Settings; the default
is today's ScriptRunConfig target."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from estimator_migrate import cli
from estimator_migrate.config import ConfigError, load_config, resolve
from estimator_migrate.core import FileResult
from estimator_migrate.settings import Settings


def test_default_target_is_scriptrunconfig():
    assert Settings().target == "scriptrunconfig"
    assert resolve({}, ["."], isolated=True).settings().target == "scriptrunconfig"


def test_config_key_and_flag_precedence(tmp_path):
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text("[tool.estimator-migrate]\ntarget = 'v2'\n")
    assert load_config(str(cfg))["target"] == "v2"
    assert resolve({}, [str(tmp_path)]).settings().target == "v2"
    assert resolve({"target": "scriptrunconfig"}, [str(tmp_path)]).settings().target == "scriptrunconfig"
    cfg.write_text("[tool.estimator-migrate]\ntarget = 'sdk2'\n")
    with pytest.raises(ConfigError, match="target"):
        load_config(str(cfg))


def _recording():
    seen = []

    def migrate(data, path="<bytes>", settings=Settings(), **kwargs):
        seen.append(settings.target)
        return FileResult(path, new_data=data)

    return seen, migrate


@pytest.mark.parametrize("command", ["check", "fix"])
@pytest.mark.parametrize("flags, expected", [((), "scriptrunconfig"), (("--target", "v2"), "v2"),
                                             (("--target", "scriptrunconfig"), "scriptrunconfig"),
                                             (("--target", "v2", "--diff"), "v2")])
def test_flag_reaches_the_core(tmp_path, monkeypatch, command, flags, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "job.py").write_text("from azureml.train.estimator import Estimator\n")
    seen, migrate = _recording()
    result = CliRunner().invoke(cli.main, [command, "--isolated", *flags, "job.py"], obj=migrate,
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert seen == [expected]


def test_bad_flag_value_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli.main, ["check", "--target", "v3", str(tmp_path)])
    assert result.exit_code == 2 and "--target" in result.output
