"""The core engine on small inputs: name resolution, layout, newlines, suppression, TODOs."""

import ast
import textwrap

import pytest

from estimator_migrate import Settings, migrate_source


def migrate(source, **settings):
    return migrate_source(textwrap.dedent(source), settings=Settings(**settings))


def test_noop_without_estimators():
    src = "import os\nprint(os.getcwd())\n"
    result = migrate_source(src)
    assert result.new_source == src and not result.findings


def test_star_import_resolves():
    result = migrate("""
        from azureml.train.estimator import *
        est = Estimator(source_directory="src", compute_target="local")
    """)
    assert "ScriptRunConfig(" in result.new_source


def test_global_shadowing_in_function_is_respected():
    result = migrate("""
        from azureml.train.estimator import Estimator

        def setup():
            global Estimator
            Estimator = object

        est = Estimator(source_directory="src", compute_target="local")
    """)
    assert "ScriptRunConfig" not in result.new_source
    assert not result.findings


def test_class_scope_does_not_leak_into_methods():
    result = migrate("""
        from azureml.train.estimator import Estimator

        class Builder:
            Estimator = dict

            def build(self):
                return Estimator(source_directory="src", compute_target="local")
    """)
    assert "return ScriptRunConfig(" in result.new_source


def test_crlf_is_kept_in_generated_lines():
    src = ("from azureml.train.estimator import Estimator\r\n"
           "est = Estimator(source_directory='src',\r\n"
           "                compute_target='local', pip_packages=['x'])\r\n")
    out = migrate_source(src).new_source
    assert "\n" not in out.replace("\r\n", "")
    assert out.count("\r\n") == len(out.splitlines())


def test_tab_indentation_and_missing_final_newline():
    src = ("from azureml.train.estimator import Estimator\nif True:\n"
           "\test = Estimator('src', compute_target='local', use_gpu=True)")
    out = migrate_source(src).new_source
    ast.parse(out)
    assert not out.endswith("\n")
    assert "\n\test_env = Environment(" in out


def test_suppressed_findings_are_counted():
    result = migrate("""
        from azureml.train.estimator import Estimator
        est = Estimator(source_directory="src", vm_size="STANDARD_D2")  # noqa: EM302
    """)
    assert result.suppressed == 1 and not result.findings and not result.changed


def test_ignore_comment_with_codes():
    result = migrate("""
        from azureml.train.estimator import Estimator
        est = Estimator(source_directory="src", compute_target="local")  # estimator-migrate: ignore[EM101]
    """)
    assert not result.changed


def test_ignored_code_is_not_applied():
    result = migrate("""
        from azureml.train.estimator import Estimator
        est = Estimator(source_directory="src", compute_target="local")
    """, ignore=frozenset({"EM101"}))
    assert not result.changed and not result.findings


def test_todo_comments_are_added_once():
    src = """
        from azureml.train.estimator import Estimator

        def build():
            est = Estimator(source_directory="src", entry_script="train.py", vm_size="STANDARD_D2")
            return est
    """
    first = migrate(src, add_todo_comments=True).new_source
    assert "    # TODO(estimator-migrate): EM302 " in first
    assert migrate_source(first, settings=Settings(add_todo_comments=True)).new_source == first


def test_syntax_error_is_a_finding_not_an_exception():
    result = migrate_source("print 'hello'\nimport azureml\n")
    assert result.error and [f.code for f in result.findings] == ["EM901"]
    assert result.new_source == result.source


def test_new_names_avoid_collisions():
    result = migrate("""
        from azureml.train.estimator import Estimator
        est_env = "taken"
        est = Estimator(source_directory="src", compute_target="local", use_gpu=True)
    """)
    assert "est_env_2 = Environment(" in result.new_source


def test_user_class_named_environment_gets_an_alias():
    result = migrate("""
        from azureml.train.estimator import Estimator

        class Environment:
            pass

        est = Estimator(source_directory="src", compute_target="local", use_gpu=True)
    """)
    assert "from azureml.core import Environment as AmlEnvironment" in result.new_source
    assert "est_env = AmlEnvironment(" in result.new_source
    ast.parse(result.new_source)


def test_existing_imports_are_not_duplicated():
    result = migrate("""
        from azureml.core import ScriptRunConfig, Environment
        from azureml.core.runconfig import DockerConfiguration
        from azureml.train.estimator import Estimator
        est = Estimator(source_directory="src", compute_target="local", use_gpu=True)
    """)
    imports = [ln for ln in result.new_source.splitlines() if ln.startswith("from ")]
    assert imports == ["from azureml.core import ScriptRunConfig, Environment",
                       "from azureml.core.runconfig import DockerConfiguration, DEFAULT_GPU_IMAGE"]
    assert "from azureml.train.estimator" not in result.new_source


def test_estimator_import_still_used_is_kept():
    result = migrate("""
        from azureml.train.estimator import Estimator
        est = Estimator(source_directory="src", compute_target="local")
        isinstance(est, Estimator)
    """)
    assert "from azureml.train.estimator import Estimator" in result.new_source


@pytest.mark.parametrize("context", [
    "run = exp.submit(Estimator(source_directory='src', compute_target='local'))",
    "configs = {'a': Estimator(source_directory='src', compute_target='local')}",
])
def test_estimator_inside_an_expression_is_rewritten_in_place(context):
    out = migrate_source("from azureml.train.estimator import Estimator\n" + context + "\n").new_source
    assert "ScriptRunConfig(source_directory='src'" in out
    ast.parse(out)


def test_post_statements_for_an_unnamed_estimator_hoist_it():
    out = migrate_source(
        "from azureml.train.estimator import Estimator\n"
        "run = exp.submit(Estimator(source_directory='src', compute_target='local',"
        " environment_variables={'A': '1'}))\n").new_source
    assert "src = ScriptRunConfig(" in out
    assert "src.run_config.environment_variables = {'A': '1'}" in out
    assert "run = exp.submit(src)" in out


def test_module_value_used_from_a_function_needs_a_single_binding():
    """The function may run after any of the bindings: the dictionary is flattened when it runs."""
    result = migrate("""
        from azureml.train.estimator import Estimator
        params = {"--a": 1}

        def make():
            return Estimator(source_directory="src", compute_target="local", script_params=params)

        params = {"--a": 2}
        est = make()
    """)
    assert [f.code for f in result.findings] == ["EM101"]
    assert "arguments=flatten_script_params(params)" in result.new_source
    assert '"--a", 1' not in result.new_source and '"--a", 2' not in result.new_source


def test_comment_lines_between_removed_arguments_are_kept_once():
    result = migrate("""
        from azureml.train.estimator import Estimator
        est = Estimator(source_directory='.',
                        compute_target='local',
                        custom_docker_image=image_name,
                        # uncomment to use a private registry
                        #image_registry_details=registry,
                        user_managed=managed
                        )
    """)
    out = result.new_source
    assert out.count("# uncomment to use a private registry") == 1
    assert out.count("#image_registry_details=registry,") == 1
    assert "# uncomment to use a private registry\n#image_registry_details=registry,\nest_env.docker.base_image" in out
