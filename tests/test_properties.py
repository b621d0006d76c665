"""Property tests (hypothesis): generated estimator calls with any mix of parameters, literal
and non-literal values, comments and odd layout always give output that parses, is stable
under a second run, keeps every comment, and leaves the surrounding lines byte for byte."""

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estimator_migrate import migrate_source

VALUES = st.sampled_from(["0.1", "10", "True", "False", "''", "None", "'abc'", "lr", "args.epochs", "[1, 2]",
                          "('a', '')", "{'k': 1}", "-1", "f'{lr}'"])
KEYS = st.sampled_from(["'--lr'", "'--epochs'", "'--flag'", "''", "'pos'", "'--data'", "'--x'"])

PARAMS = {
    "compute_target": st.sampled_from(["'local'", "'cpu-cluster'", "target"]),
    "entry_script": st.sampled_from(["'train.py'", "script_name"]),
    "script_params": st.dictionaries(KEYS, VALUES, max_size=4).map(
        lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}") | st.just("params"),
    "pip_packages": st.sampled_from(["['pandas']", "['a==1', 'b']", "pkgs", "[]"]),
    "conda_packages": st.sampled_from(["['numpy']", "conda_pkgs"]),
    "use_gpu": st.sampled_from(["True", "False", "gpu"]),
    "use_docker": st.sampled_from(["True", "False"]),
    "shm_size": st.sampled_from(["'8g'", "None"]),
    "environment_variables": st.sampled_from(["{'A': '1'}", "env_vars"]),
    "max_run_duration_seconds": st.sampled_from(["3600", "None"]),
    "node_count": st.sampled_from(["1", "2", "nodes"]),
    "distributed_training": st.sampled_from(["Mpi(2)", "Mpi(process_count_per_node=4)", "mpi_cfg"]),
    "vm_size": st.sampled_from(["'STANDARD_D2'"]),
    "user_managed": st.sampled_from(["True", "False"]),
    "custom_docker_image": st.sampled_from(["'ubuntu:20.04'", "image"]),
}

PRELUDE = ("from azureml.train.estimator import Estimator, Mpi\n"
           "lr = 0.1\n"
           "params = {'--a': 1, '--b': ''}\n"
           "pkgs = ['x']\n")


@st.composite
def estimator_calls(draw):
    names = draw(st.lists(st.sampled_from(sorted(PARAMS)), unique=True, max_size=8))
    args = ["source_directory='src'"] + [f"{n}={draw(PARAMS[n])}" for n in names]
    parts = []
    comments = []
    for i, arg in enumerate(args):
        sep = ""
        if i < len(args) - 1:
            style = draw(st.sampled_from(["inline", "newline", "comment", "spaces", "comment_line"]))
            if style == "inline":
                sep = ", "
            elif style == "spaces":
                sep = " ,  "
            elif style == "newline":
                sep = ",\n" + " " * draw(st.sampled_from([4, 16]))
            elif style == "comment_line":
                comments.append(f"# line note {i}")
                pad = " " * draw(st.sampled_from([4, 16]))
                sep = f",\n{pad}# line note {i}\n{pad}"
            else:
                comments.append(f"# note {i}")
                sep = f",  # note {i}\n" + " " * draw(st.sampled_from([4, 16]))
        parts.append(arg + sep)
    call = "est = Estimator(" + "".join(parts) + ")"
    return call, comments


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estimator_calls(), st.sampled_from(["\n", "\r\n"]), st.sampled_from(["", " ", "\t"]))
def test_generated_calls_parse_are_stable_and_keep_comments(call_and_comments, newline, trailing):
    call, comments = call_and_comments
    before = f"x = 1{trailing}\n# keep me{trailing}\n"
    after = f"\nprint(est){trailing}\n"
    source = (PRELUDE + before + call + "\n" + after).replace("\n", newline)
    result = migrate_source(source)
    out = result.new_source
    ast.parse(out)
    assert migrate_source(out).new_source == out
    for comment in comments + ["# keep me"]:
        assert out.count(comment) == 1, comment
    # The untouched lines around the construction survive byte for byte.
    assert (before.replace("\n", newline)) in out
    assert out.endswith(after.replace("\n", newline))
    if result.changed:
        assert "ScriptRunConfig(" in out
