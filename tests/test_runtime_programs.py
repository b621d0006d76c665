"""Generated programs whose script_params are only known at run time (built in steps, changed in
place, rebound in a branch, unpacked, shared by two estimators, overridden at submit) are
migrated and run against the real SDK next to the original: the run configurations must match."""

import os

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from estimator_migrate import migrate_source

try:
    from equivalence import harness
except ImportError as exc:  # pragma: no cover - depends on the test environment
    if os.environ.get("CI"):
        raise
    pytest.skip(f"azureml SDK not installed ({exc})", allow_module_level=True)

pytestmark = pytest.mark.sdk

PRELUDE = """\
import os

from azureml.core import Dataset, Experiment, Workspace
from azureml.train.estimator import Estimator
from azureml.train.hyperdrive import HyperDriveConfig, PrimaryMetricGoal, RandomParameterSampling, choice

ws = Workspace.from_config()
store = ws.get_default_datastore()
files = Dataset.File.from_files("https://example.invalid/files/", validate=False)
exp = Experiment(ws, "generated")
flag = True
"""

KEYS = st.sampled_from(['"--lr"', '"--epochs"', '"--flag"', '"--data"', '"pos"', '""', '"--layers"'])
VALUES = st.sampled_from([
    "0.1", "3", "True", "False", "0", '""', "None", '"adam"', "[1, 2]", "[[1, 2], 3]", '("a", "")', '{"k": 1}',
    "[]", 'store.path("images").as_mount()', "store", 'files.as_named_input("train").as_mount()',
    'files.as_named_input("more").as_download()', "-1", "os.sep",
])

OVERRIDES = st.sampled_from(["0.5", "7", '"x"'])


def _dict(pairs):
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


@st.composite
def programs(draw):
    lines = [f"params = {_dict(draw(st.lists(st.tuples(KEYS, VALUES), max_size=3)))}"]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["item", "update", "setdefault", "pop", "branch", "loop", "estimator"]))
        key, value = draw(KEYS), draw(VALUES)
        if kind == "item":
            lines.append(f"params[{key}] = {value}")
        elif kind == "update":
            lines.append(f"params.update({_dict([(key, value)])})")
        elif kind == "setdefault":
            lines.append(f"params.setdefault({key}, {value})")
        elif kind == "pop":
            lines.append(f"params.pop({key}, None)")
        elif kind == "branch":
            lines += ["if flag:", f"    params = {_dict([(key, value)])}", "else:", "    params = {}"]
        elif kind == "loop":
            lines += [f"for value in [{value}, {draw(VALUES)}]:", f"    params[{key}] = value"]
        else:
            lines.append('first = Estimator(source_directory="src", entry_script="train.py", '
                         'compute_target="local", script_params=params)')
    extra = draw(st.sampled_from(["", "**params", "unpack"]))
    if extra == "unpack":
        given_params = f"{{**params, {draw(KEYS)}: {draw(VALUES)}}}"
    else:
        given_params = "params"
    lines.append('est = Estimator(source_directory="src", entry_script="train.py", compute_target="local",')
    lines.append(f"                script_params={given_params})")
    use = draw(st.sampled_from(["submit", "override", "hyperdrive", "hyperdrive-runtime-space"]))
    if use == "override":
        override = _dict([(draw(KEYS), draw(OVERRIDES))])
        lines.append(f"exp.submit(est, script_params={override})")
    elif use.startswith("hyperdrive"):
        tuned = draw(st.lists(st.sampled_from(['"lr"', '"--epochs"', '"flag"', '"layers"']), min_size=1, max_size=2,
                              unique=True))
        if use == "hyperdrive":
            lines.append(f"space = {{{', '.join(f'{t}: choice(1, 2)' for t in tuned)}}}")
        else:
            lines += ["space = {}", f"for name in [{', '.join(tuned)}]:", "    space[name] = choice(1, 2)"]
        lines += ["hd = HyperDriveConfig(estimator=est, hyperparameter_sampling=RandomParameterSampling(space),",
                  '                      primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,',
                  "                      max_total_runs=2)",
                  "exp.submit(hd)"]
    else:
        lines.append("exp.submit(est)")
    return PRELUDE + "\n".join(lines) + "\n"


@settings(max_examples=int(os.environ.get("RUNTIME_PROGRAMS", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(source=programs())
# Found by hypothesis: an override under the empty key (the estimator's flattening drops the key).
@example(source=PRELUDE + "params = {}\n"
         "first = Estimator(source_directory=\"src\", entry_script=\"train.py\", compute_target=\"local\", "
         "script_params=params)\n"
         "est = Estimator(source_directory=\"src\", entry_script=\"train.py\", compute_target=\"local\",\n"
         "                script_params=params)\n"
         "exp.submit(est, script_params={\"\": 0.5})\n")
def test_generated_program_builds_the_same_runs(source, tmp_path_factory):
    result = migrate_source(source)
    workdir = tmp_path_factory.mktemp("run")
    try:
        before, before_rec = harness.run_fixture(source, str(workdir / "before"))
    except Exception:  # the original raised (a combination the SDK rejected): nothing to preserve
        return
    assert not [f for f in result.findings if f.code.startswith("EM9")], [f.message for f in result.findings]
    # An estimator may be left as it is, with the reason (a bare flag shifted a submit's merge); never half-migrated.
    event("left unchanged" if any(f.code.startswith("EM3") for f in result.findings) else "migrated")
    after, after_rec = harness.run_fixture(result.new_source, str(workdir / "after"))
    problems = harness.compare(before, before_rec, after, after_rec)
    if any("error" in harness.downstream_state(v) for v in before.values() if harness._downstream(v)):
        # HyperDrive could not submit the original (a shifted pairing put a number where it reads a
        # flag: AttributeError in its own code), so that run never started. Where the arguments are
        # certain the estimator is left as it is (EM305); else the rewrite's run-time reading keeps
        # the arguments, the HyperDrive run starts, and EM103 says so.
        assert not problems or any(f.code == "EM103" and "raised at submit" in f.message
                                   for f in result.findings), [f.message for f in result.findings]
        return
    assert not problems, "\n".join(problems) + "\n\n" + result.new_source
