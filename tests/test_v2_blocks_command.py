"""estimator_migrate.v2.command: the v2 command string submits the argv v1 ran (V1, V3, V6).

Generated argument lists (shell metacharacters, quotes, newlines, empty strings, text in v2's own
placeholder syntax, numbers, booleans, data) go through the real azure-ai-ml submit path
(recorder) and the harness's shell model; the result is compared with the v1 ScriptRunConfig
built from the same list by the real v1 SDK."""

import json
import math

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from v2blocks_support import CONDA, IMAGE, examples, inside, make_workdir, need, record

from estimator_migrate.v2 import command as cmd

SPECIAL = st.sampled_from([
    "{inputs.x}", "${{inputs.y}}", "$[[--a ${{inputs.z}}]]", "{outputs.o}", "{search_space.s}", "${{outputs.o}}",
    "a b", "", "'", '"', "\\", "$HOME", "--flag", "-1", "*", "~", "#c", "a\nb", "x;y", "a&&b", "`id`", "$(id)",
    "{{inputs.q}}", "{inputs.}", "it's", "tab\there", "é ü", "--lr=0.1",
])
strings = st.one_of(SPECIAL, st.text(st.sampled_from(list("ab {}$[]'\"\\;&|<>*?`~#=-.\n\tx1")), max_size=10))
finite = st.floats(allow_nan=False, allow_infinity=False)
literals = st.one_of(strings, st.integers(-10**12, 10**12), finite, st.booleans())
data = st.sampled_from(["data", "labels", "out"]).map(lambda n: ("data", n))
argument_lists = st.lists(st.one_of(literals, data), max_size=8)


def expected_token(item):
    if isinstance(item, bool):
        return str(item)
    if isinstance(item, (int, float)):
        return json.dumps(item)
    if isinstance(item, tuple):
        return f"<{'output' if item[1] == 'out' else 'input'}:{item[1]}>"
    return item


def v2_items(items):
    return [cmd.Placeholder("outputs" if i[1] == "out" else "inputs", i[1]) if isinstance(i, tuple) else i
            for i in items]


def test_literal_tokens():
    built = cmd.build(["--lr", 0.01, "--name", "a b", "--flag", 1e-05, "", "it's"], script="train.py")
    assert built.text == "python train.py --lr 0.01 --name 'a b' --flag 1e-05 '' 'it'\"'\"'s'"
    assert built.snippet.code == repr(built.text) and not built.snippet.reports and not built.snippet.imports
    assert cmd.build([], script="my train.py", interpreter="/usr/bin/python3").text == "/usr/bin/python3 'my train.py'"


def test_placeholder_syntax_in_a_literal_is_defused():
    assert cmd.quote("{inputs.x}") == "'{''inputs.x}'"
    assert cmd.quote("${{inputs.y}}") == "'${{''inputs.y}}'"
    assert cmd.quote("$[[x]]") == "'$[''[x]]'"
    assert cmd.Placeholder("inputs", "lr", quote=True).text == "'${{inputs.lr}}'"
    with pytest.raises(ValueError):
        cmd.Placeholder("inputs", "my-data")


def test_booleans_none_and_non_finite_numbers_are_reported():
    built = cmd.build(["--b", True, "--n", None, "--f", float("nan"), float("inf")], script="t.py")
    assert built.text == "python t.py --b True --n None --f NaN Infinity"
    assert [r.code for r in built.snippet.reports] == ["EM451", "EM453", "EM453", "EM453"]


def test_run_time_values_build_the_command_when_the_program_runs():
    built = cmd.build(["--lr", cmd.Expr("args.lr"), cmd.Expr("name"), "--epochs", 5, cmd.Expr("flag")],
                      script="train.py")
    assert built.text is None and built.runtime == (1, 2, 5)
    assert built.snippet.code == ('"python train.py --lr " + shlex.quote(str(args.lr)) + " " + '
                                  'shlex.quote(str(name)) + " --epochs 5 " + shlex.quote(str(flag))')
    assert built.snippet.imports == (("shlex", None),)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.tuples(literals.filter(lambda v: not (isinstance(v, str) and any(
    m in v for m in ("{inputs.", "{outputs.", "{search_space.", "$[[")))), st.booleans()), max_size=8))
def test_run_time_form_equals_the_literal_form(pairs):
    """The code built for run-time values gives the literal command for the same values (str,
    int, finite float, bool: what the v1 rewrite assumes a variable holds)."""
    import shlex

    namespace = {"shlex": shlex}
    items = []
    for i, (value, at_run_time) in enumerate(pairs):
        if at_run_time:
            namespace[f"v{i}"] = value
            items.append(cmd.Expr(f"v{i}"))
        else:
            items.append(value)
    built = cmd.build(items, script="train.py")
    assert eval(built.snippet.code, namespace) == cmd.build([v for v, _ in pairs], script="train.py").text


def test_run_time_form_limits():
    """What the run-time form does not cover, pinned: a run-time string holding v2 placeholder
    syntax is not defused, and a run-time NaN is spelled as str() spells it."""
    import shlex

    code = cmd.build([cmd.Expr("v")], script="t.py").snippet.code
    assert eval(code, {"shlex": shlex, "v": "{inputs.x}"}) == "python t.py '{inputs.x}'"
    assert eval(code, {"shlex": shlex, "v": float("nan")}) == "python t.py nan"


def test_v1_command_values():
    assert cmd.from_v1_command(["python", "a.py", "--n", 1, "&&", "echo", "$HOME"]).code == \
        '"python a.py --n 1 && echo $HOME"'
    assert cmd.from_v1_command("python a.py").code == '"python a.py"'
    assert cmd.from_v1_command("x").reports[0].code == "EM453"


@pytest.mark.sdk
@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argument_lists)
@example(["{inputs.x}", "${{inputs.y}}", "$[[--a ${{inputs.z}}]]", "{outputs.o}", ("data", "data"), True, 0.1, "",
          "a b", ("data", "out")])
def test_v2_submits_the_argv_v1_ran(tmp_path_factory, items):
    """The command text through the real submit path and the shell model is v1's argv, token for
    token, and equals the v1 ScriptRunConfig's canonical argv (data renamed by position)."""
    need("azure.ai.ml")
    need("azureml.core")
    from azure.ai.ml import Input, Output, command
    from azure.ai.ml.entities import Environment
    from azureml.core import ScriptRunConfig
    from azureml.data import OutputFileDatasetConfig
    from azureml.data.azure_storage_datastore import AzureBlobDatastore
    from equivalence.v2 import canonical

    workdir = make_workdir(tmp_path_factory.mktemp("command"))
    built = cmd.build(v2_items(items), script="train.py")
    used = {i[1] for i in items if isinstance(i, tuple)}
    inputs = {n: Input(type="uri_folder", path=f"azureml://datastores/ds/paths/{n}", mode="ro_mount")
              for n in used - {"out"}}
    outputs = {"out": Output(type="uri_folder", mode="rw_mount")} if "out" in used else {}
    with inside(workdir):
        job = command(code="src", command=built.text, inputs=inputs, outputs=outputs, compute="c",
                      environment=Environment(image=IMAGE, conda_file=CONDA))
        v2 = canonical.v2_canonical(record(job), base=str(workdir))
    assert v2["argv"] == ["python", "train.py"] + [expected_token(i) for i in items]

    store = AzureBlobDatastore(None, "ds", "container", "account")
    v1_objects = {"data": store.path("data").as_mount(), "labels": store.path("labels").as_mount(),
                  "out": OutputFileDatasetConfig(name="out")}
    v1_items = [v1_objects[i[1]] if isinstance(i, tuple) else i for i in items]
    rename = {v1_objects[n].data_reference_name: n for n in ("data", "labels")}
    with inside(workdir):
        v1 = canonical.v1_canonical(ScriptRunConfig(source_directory="src", script="train.py", arguments=v1_items,
                                                    compute_target="c"), base=str(workdir), rename=rename)
    assert v1["argv"] == v2["argv"]
    booleans = sum(isinstance(i, bool) for i in items)
    assert [r.code for r in built.snippet.reports] == ["EM451"] * booleans


def test_numbers_are_spelled_as_json():
    for value in (0.1, 1e-05, 1e20, 0.30000000000000004, -0.0, 10**20, 5e-324):
        assert cmd.token(value)[0] == json.dumps(value) == str(value)
    assert math.isnan(json.loads(cmd.token(float("nan"))[0]))
