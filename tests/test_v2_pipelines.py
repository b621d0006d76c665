"""``--target v2``: a ``Pipeline`` of PythonScriptStep/EstimatorStep becomes a ``@dsl.pipeline``
(EM404), all or nothing per pipeline.

Every ``fixtures/v2/pipeline_*.py`` is migrated by the engine to exactly its
``.v2.expected.py`` (golden), a second run changes nothing, and tests/test_v2_equivalence.py
proves each expected file submits the same pipeline job as the v1 program (step by step:
command line, data flow, parameters, environment, compute, resources, reuse). What the v2 target
cannot prove is left unchanged, with the reason.
"""

from __future__ import annotations

import pathlib

import pytest

from estimator_migrate.core import migrate_source
from estimator_migrate.settings import Settings

ROOT = pathlib.Path(__file__).resolve().parent.parent
V2_FIXTURES = ROOT / "fixtures" / "v2"
V2 = Settings(target="v2")
PIPELINES = sorted(p for p in V2_FIXTURES.glob("pipeline_*.py") if not p.name.endswith(".expected.py"))


def _expected(original: pathlib.Path) -> pathlib.Path:
    return original.with_name(original.stem + ".v2.expected.py")


def test_there_are_pipeline_pairs():
    assert len(PIPELINES) >= 6
    assert all(_expected(p).exists() for p in PIPELINES)


@pytest.mark.parametrize("original", PIPELINES, ids=[p.stem for p in PIPELINES])
def test_engine_writes_the_proven_pipeline(original):
    source = original.read_text(encoding="utf-8")
    result = migrate_source(source, path=str(original), settings=V2)
    assert result.new_source == _expected(original).read_text(encoding="utf-8")
    codes = {f.code for f in result.findings}
    assert "EM404" in codes and "EM406" in codes
    assert not [f for f in result.findings if not f.fixed], result.findings
    again = migrate_source(result.new_source, settings=V2)
    assert again.new_source == result.new_source


@pytest.mark.parametrize("original", PIPELINES, ids=[p.stem for p in PIPELINES])
def test_default_target_leaves_the_pipeline_to_the_v1_rules(original):
    result = migrate_source(original.read_text(encoding="utf-8"), path=str(original))
    assert "@dsl.pipeline" not in result.new_source
    assert "EM404" not in {f.code for f in result.findings}


HEADER = """\
from azureml.core import Experiment, Workspace
from azureml.core.runconfig import RunConfiguration
from azureml.pipeline.core import Pipeline, PipelineData, PipelineParameter
from azureml.pipeline.steps import EstimatorStep, HyperDriveStep, ParallelRunStep, PythonScriptStep
from azureml.train.dnn import TensorFlow

ws = Workspace.from_config()
"""
PREP = """\
prep = PythonScriptStep(name="prep", script_name="prep.py", source_directory="src", compute_target="cpu")
"""


@pytest.mark.parametrize("body, code, words", [
    (PREP + """hd_step = HyperDriveStep(name="hd", hyperdrive_config=hd_config)
pipeline = Pipeline(workspace=ws, steps=[prep, hd_step])
Experiment(ws, "x").submit(pipeline)
""", "EM508", "only PythonScriptStep and EstimatorStep"),
    (PREP + """pipeline = Pipeline(workspace=ws, steps=[prep])
other = Pipeline(workspace=ws, steps=[prep])
Experiment(ws, "x").submit(pipeline)
""", "EM508", "used elsewhere too"),
    (PREP + """steps = [prep]
steps.append(make_step())
pipeline = Pipeline(workspace=ws, steps=steps)
Experiment(ws, "x").submit(pipeline)
""", "EM508", "steps"),
    ("""out = PipelineData("out", datastore=ws.get_default_datastore(), output_mode="upload")
prep = PythonScriptStep(name="prep", script_name="prep.py", source_directory="src", compute_target="cpu",
                        arguments=["--out", out], outputs=[out])
pipeline = Pipeline(workspace=ws, steps=[prep])
Experiment(ws, "x").submit(pipeline)
""", "EM508", "output_mode"),
    ("""rc = RunConfiguration()
rc.environment = pick_environment()
prep = PythonScriptStep(name="prep", script_name="prep.py", source_directory="src", compute_target="cpu",
                        runconfig=rc)
pipeline = Pipeline(workspace=ws, steps=[prep])
Experiment(ws, "x").submit(pipeline)
""", "EM508", "run configuration `rc` is used"),
    ("""data = PipelineData("data", datastore=ws.get_default_datastore())
prep = PythonScriptStep(name="prep", script_name="prep.py", source_directory="src", compute_target="cpu",
                        outputs=[data])
pipeline = Pipeline(workspace=ws, steps=[prep])
Experiment(ws, "x").submit(pipeline)
""", "EM508", "not passed in its arguments"),
    (PREP + """pipeline = Pipeline(workspace=ws, steps=[prep])
pipeline_run = Experiment(ws, "x").submit(pipeline)
pipeline_run.find_step_run("prep")
""", "EM508", "find_step_run"),
    (PREP + """pipeline = Pipeline(workspace=ws, steps=[prep])
published = pipeline.publish(name="p")
""", "EM508", "publish"),
    ("""lr = PipelineParameter(name="lr", default_value=0.1)
est = TensorFlow(source_directory="src", entry_script="train.py", compute_target="gpu", framework_version="2.1",
                 script_params={"--epochs": 3})
train = EstimatorStep(name="train", estimator=est, estimator_entry_script_arguments=["--lr", lr], compute_target="gpu")
pipeline = Pipeline(workspace=ws, steps=[train])
Experiment(ws, "x").submit(pipeline)
""", "EM508", "script_params"),
    ("""prep = PythonScriptStep(name="prep", script_name="prep.py", source_directory="src", compute_target="cpu",
                        arguments=["--when", get_date()])
pipeline = Pipeline(workspace=ws, steps=[prep])
Experiment(ws, "x").submit(pipeline)
""", "EM508", "get_date()"),
    ("""lr = PipelineParameter(name="lr", default_value=0.1)
prep = PythonScriptStep(name="lr", script_name="prep.py", source_directory="src", compute_target="cpu",
                        arguments=["--lr", lr])
pipeline = Pipeline(workspace=ws, steps=[prep])
Experiment(ws, "x").submit(pipeline)
""", "EM508", "would hide a name"),
    (PREP + """batch = ParallelRunStep(name="batch", parallel_run_config=config, inputs=[data], output=out)
pipeline = Pipeline(workspace=ws, steps=[prep, batch])
Experiment(ws, "x").submit(pipeline)
""", "EM508", "`ParallelRunStep`"),
    (PREP + """pipeline = Pipeline(workspace=ws, steps=[prep])
run = Experiment(ws, "x").submit(pipeline, regenerate_outputs=True)
""", "EM508", "regenerate_outputs"),
])
def test_a_pipeline_left_unchanged_and_reported(body, code, words):
    source = HEADER + body
    result = migrate_source(source, settings=V2)
    assert "Pipeline(" in result.new_source and "@dsl.pipeline" not in result.new_source
    assert "PythonScriptStep(" in result.new_source or "EstimatorStep(" in result.new_source
    found = [f for f in result.findings if f.code == code and words in f.message]
    assert found, [(f.code, f.message) for f in result.findings]


def test_estimator_of_a_refused_pipeline_is_left_and_says_why():
    source = HEADER + """est = TensorFlow(source_directory="src", entry_script="train.py", compute_target="gpu",
                 framework_version="2.1")
train = EstimatorStep(name="train", estimator=est, estimator_entry_script_arguments=[], compute_target="gpu")
pipeline = Pipeline(workspace=ws, steps=[train])
pipeline.publish(name="p")
"""
    result = migrate_source(source, settings=V2)
    assert result.new_source == source
    messages = [f.message for f in result.findings if f.code == "EM508"]
    assert any("EstimatorStep on line" in m and "its pipeline is left unchanged" in m for m in messages), messages


def test_a_text_parameter_is_quoted_in_the_command():
    source = HEADER + """title = PipelineParameter(default_value="two words", name="title")
show = PythonScriptStep(name="show", script_name="show.py", source_directory="src", compute_target="cpu",
                        arguments=["--title", title, "--size", size])
size = 3
"""
    source = source.replace("size])\nsize = 3\n", "3])\n") + """pipeline = Pipeline(ws, [show])
Experiment(ws, "t").submit(pipeline)
"""
    new = migrate_source(source, settings=V2).new_source
    assert "command=\"python show.py --title '${{inputs.title}}' --size 3\"" in new  # one argument (V1)
    assert 'inputs={"title": "two words"}' in new and 'def t(title="two words"):' in new


def test_validate_is_dropped_and_said_so():
    original = V2_FIXTURES / "pipeline_python_steps.py"
    source = original.read_text(encoding="utf-8").replace("pipeline_run = ", "pipeline.validate()\npipeline_run = ")
    result = migrate_source(source, settings=V2)
    assert result.new_source == _expected(original).read_text(encoding="utf-8")
    assert [f for f in result.findings if f.code == "EM453" and "validate()" in f.message]


def _notebook_case():
    import json

    from estimator_migrate.core import migrate_bytes

    original = V2_FIXTURES / "pipeline_parameters.py"
    source = original.read_text(encoding="utf-8")
    cells = [c.strip("\n") + "\n" for c in source.split("\n\n")]
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                           "source": c.splitlines(True)} for c in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    result = migrate_bytes(json.dumps(notebook, indent=1).encode(), "pipeline.ipynb", V2)
    assert result.error is None and result.changed
    migrated = json.loads(result.new_data)
    code = "\n".join("".join(c["source"]) for c in migrated["cells"] if c["cell_type"] == "code")
    assert "@dsl.pipeline(default_compute=\"cpu-cluster\")" in code and "PythonScriptStep" not in code
    assert "EM404" in {f.code for f in result.findings}
    assert migrate_bytes(result.new_data, "pipeline.ipynb", V2).changed is False
    return source, code


def test_a_notebook_pipeline_is_migrated_cell_by_cell():
    _notebook_case()


@pytest.mark.sdk
def test_the_notebook_pipeline_is_proven(tmp_path):
    from v2blocks_support import need

    programs = need("equivalence.v2.programs")
    source, code = _notebook_case()
    problems, before, _ = programs.compare_programs(source, code, str(tmp_path))
    assert not problems, problems
    assert before.submits


@pytest.mark.sdk
@pytest.mark.parametrize("old, new, field", [
    ("learning_rate=0.05", "learning_rate=0.5", "argv"),  # a parameter's default
    ("train = train_command(data=prep.outputs.prepared", "train = train_command(data=raw_images", "argv"),
    ("    is_deterministic=False,\n", "", "reuse"),
    ('    train.compute = "gpu-cluster"\n', "", "compute"),
    ('    shm_size="2g",\n', "", "shm_size"),
])
def test_the_pipeline_comparison_catches_a_wrong_migration(old, new, field, tmp_path):
    from v2blocks_support import need

    programs = need("equivalence.v2.programs")
    original = V2_FIXTURES / "pipeline_prep_train.py"
    expected = _expected(original).read_text(encoding="utf-8")
    assert old in expected
    problems, _, _ = programs.compare_programs(original.read_text(encoding="utf-8"), expected.replace(old, new, 1),
                                               str(tmp_path))
    assert any(field in p for p in problems), problems
