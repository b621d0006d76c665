"""estimator_migrate.v2.sweep: a HyperDriveConfig and the sweep written from its code submit the
same sweep.

Hypothesis writes v1 HyperDrive code (parameter expressions of every kind, positional and keyword,
choice over lists, ranges, tuples, names; Random with properties, Grid, Bayesian; every policy
with and without v1's defaults; limits with and without defaults; estimator trials whose fixed
arguments repeat a tuned flag or hold a bare flag, and ScriptRunConfig trials). The v1 objects
are built by the real v1 SDK from that code; the v2 code the block writes from the same code runs
with the real azure-ai-ml and is recorded; both go through the harness's canonical form and
comparison (tests/equivalence/v2)."""

import ast

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from v2blocks_support import examples, inside, make_workdir, need, record, v2_namespace

from estimator_migrate.v2 import command as cmd
from estimator_migrate.v2 import environment, sweep
from estimator_migrate.v2.conda import NeverRan
from estimator_migrate.v2.snippet import Snippet

KEYS = ["--lr", "--batch-size", "--dropout_rate", "lr2", "--opt", "--momentum"]
NAMED = {"sizes": [16, 32], "span": range(2, 5), "pair": (1, 2), "single": 8}

num = st.one_of(st.integers(-5, 5), st.sampled_from([0.1, 0.5, 1.5, -2.25, 1e-3]))


@st.composite
def expression(draw, kinds=("choice", "uniform", "quniform", "loguniform", "qloguniform", "normal", "qnormal",
                            "lognormal", "qlognormal", "randint")):
    kind = draw(st.sampled_from(kinds))
    keyword = draw(st.booleans())
    if kind == "choice":
        return draw(st.sampled_from([
            "choice(16, 32, 64)", "choice([0.1, 0.2])", 'choice("adam", "sgd w")', "choice(range(1, 4))",
            'choice([(1, 2), "x y"])', "choice(True, False)", "choice(sizes)", "choice(span)", "choice(pair)",
            "choice(single)", "choice(*sizes)", 'choice(["a"])', "choice(1)", "choice(-1, 2.5)"]))
    if kind == "randint":
        upper = draw(st.integers(1, 20))
        return f"randint(upper={upper})" if keyword else f"randint({upper})"
    low = draw(num)
    high = low + draw(st.sampled_from([1, 2, 0.5, 10]))
    params = sweep.V1_SIGNATURES[kind]
    values = {"min_value": low, "max_value": high, "mu": low, "sigma": abs(high - low),
              "q": draw(st.sampled_from([1, 2, 2.0]))}
    args = [f"{p}={values[p]!r}" if keyword else repr(values[p]) for p in params]
    return f"{kind}({', '.join(args)})"


POLICIES = [None, "NoTerminationPolicy()", "BanditPolicy(slack_factor=0.1)", "BanditPolicy(2, 0.2)",
            "BanditPolicy(slack_amount=0.5, evaluation_interval=3, delay_evaluation=2)",
            "MedianStoppingPolicy()", "MedianStoppingPolicy(evaluation_interval=3, delay_evaluation=5)",
            "TruncationSelectionPolicy(20)",
            "TruncationSelectionPolicy(truncation_percentage=10, evaluation_interval=2, delay_evaluation=1)"]


@st.composite
def hyperdrive(draw):
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True))
    name = draw(st.sampled_from(["RandomParameterSampling", "GridParameterSampling", "BayesianParameterSampling"]))
    kinds = {"GridParameterSampling": ("choice",), "BayesianParameterSampling": ("choice", "uniform", "quniform")}
    space = {k: draw(expression(kinds.get(name, ("choice", "uniform", "quniform", "loguniform", "qloguniform", "normal",
                                                  "qnormal", "lognormal", "qlognormal", "randint")))) for k in keys}
    properties = draw(st.sampled_from([None, None, '{"rule": "sobol", "seed": 7}', '{"seed": 3}', "{}"])) \
        if name == "RandomParameterSampling" else None
    fixed = draw(st.lists(st.sampled_from(KEYS + ["--epochs", "--verbose", "--name"]), max_size=4, unique=True))
    script_params = {k: ("" if k == "--verbose" else "a b" if k == "--name" else draw(num)) for k in fixed}
    return {
        "space": space, "sampling": name, "properties": properties,
        "policy": draw(st.sampled_from(POLICIES if name != "BayesianParameterSampling" else [None])),
        "goal": draw(st.sampled_from(["PrimaryMetricGoal.MAXIMIZE", "PrimaryMetricGoal.MINIMIZE"])),
        "max_total_runs": draw(st.integers(1, 50)),
        "max_concurrent_runs": draw(st.sampled_from([None, None, 0, 4])),
        "max_duration_minutes": draw(st.sampled_from([None, None, 60, 10080])),
        "trial": draw(st.sampled_from(["estimator", "src"])),
        "script_params": script_params,
        "max_run_duration_seconds": draw(st.sampled_from([None, 600])),
    }


def _call(code):
    node = ast.parse(code, mode="eval").body
    return (node.func.id, [ast.get_source_segment(code, a) for a in node.args],
            {k.arg: ast.get_source_segment(code, k.value) for k in node.keywords})


def v1_objects(case, workdir):
    need("azureml.train.hyperdrive")
    from azureml.core import ScriptRunConfig
    from azureml.train import hyperdrive
    from azureml.train.estimator import Estimator

    namespace = {**vars(hyperdrive), **NAMED}
    space = {k: eval(code, namespace) for k, code in case["space"].items()}
    sampling_class = getattr(hyperdrive, case["sampling"])
    sampling = sampling_class(space, properties=eval(case["properties"], namespace)) if case["properties"] \
        else sampling_class(space)
    policy = eval(case["policy"], namespace) if case["policy"] else None
    with inside(workdir):
        if case["trial"] == "estimator":
            trial = {"estimator": Estimator(source_directory="src", entry_script="train.py",
                                            compute_target="cpu-cluster", script_params=dict(case["script_params"]),
                                            max_run_duration_seconds=case["max_run_duration_seconds"])}
        else:
            arguments = [x for k, v in case["script_params"].items() for x in (k, v) if x != ""]
            extra = {} if case["max_run_duration_seconds"] is None else \
                {"max_run_duration_seconds": case["max_run_duration_seconds"]}
            trial = {"run_config": ScriptRunConfig(source_directory="src", script="train.py", arguments=arguments,
                                                   compute_target="cpu-cluster", **extra)}
    limits = {k: case[k] for k in ("max_concurrent_runs", "max_duration_minutes") if case[k] is not None}
    return hyperdrive.HyperDriveConfig(hyperparameter_sampling=sampling, primary_metric_name="accuracy",
                                       primary_metric_goal=eval(case["goal"], namespace),
                                       max_total_runs=case["max_total_runs"], policy=policy, **limits, **trial)


def v2_code(case, hd):
    """The v2 program for the case, from its v1 code only (and the trial's flattened arguments)."""
    sweep.check_space(case["sampling"], {k: sweep.v1_definition(*_call(code)) or (_call(code)[0], None)
                                         for k, code in case["space"].items()})
    tuned = sweep.search_space([(k, sweep.parameter_expression(*_call(code))) for k, code in case["space"].items()])
    estimator = case["trial"] == "estimator"
    items = list((hd.estimator.run_config if estimator else hd.run_config).arguments or [])
    arguments, reports = sweep.trial_arguments(items, tuned, estimator=estimator)
    text = cmd.build(arguments, script="train.py").snippet.code
    env = environment.estimator_environment()
    sampling = sweep.sampling(case["sampling"], case["properties"])
    policy = None
    if case["policy"]:
        name, args, kwargs = _call(case["policy"])
        policy = sweep.policy(name, sweep.bind(name, args, kwargs))
    if case["max_run_duration_seconds"] is not None:
        trial_timeout = repr(case["max_run_duration_seconds"])
    else:
        trial_timeout = None if estimator else "2592000"  # the ScriptRunConfig default
    limits, limit_reports = sweep.limits(
        max_total_runs=repr(case["max_total_runs"]),
        max_concurrent_runs=None if case["max_concurrent_runs"] is None else repr(case["max_concurrent_runs"]),
        max_duration_minutes=None if case["max_duration_minutes"] is None else repr(case["max_duration_minutes"]),
        trial_timeout=trial_timeout)
    inputs = "{" + ", ".join(f"{t.name!r}: {sweep.trial_input(None, t.distribution)}" for t in tuned) + "}"
    shm = "" if estimator else ', shm_size="2g"'
    node = (f"node = command(code='src', command={text}, inputs={inputs}, compute='cpu-cluster', "
            f"environment={environment.environment_code(env.image, env.conda).code}{shm})\n")
    swept = sweep.sweep_code("node", tuned, sampling_algorithm=sampling, primary_metric='"accuracy"',
                             goal_code=sweep.goal(case["goal"]), early_termination=policy, limit_kwargs=limits)
    return node + "hd = " + swept.code + "\n", swept, reports + limit_reports


@pytest.mark.sdk
@settings(max_examples=examples(250), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hyperdrive())
@example({"space": {"--lr": "loguniform(-6, -1)", "--batch-size": "choice(16, 32, 64)"},
          "sampling": "RandomParameterSampling", "properties": None, "policy": "BanditPolicy(slack_factor=0.1)",
          "goal": "PrimaryMetricGoal.MAXIMIZE", "max_total_runs": 20, "max_concurrent_runs": 4,
          "max_duration_minutes": None, "trial": "estimator", "script_params": {"--epochs": 5, "--lr": 0.01},
          "max_run_duration_seconds": 600})
@example({"space": {"--lr": "uniform(0.1, 0.5)"}, "sampling": "RandomParameterSampling", "properties": None,
          "policy": "TruncationSelectionPolicy(20)", "goal": "PrimaryMetricGoal.MINIMIZE", "max_total_runs": 5,
          "max_concurrent_runs": 0, "max_duration_minutes": 60, "trial": "estimator",
          "script_params": {"--verbose": "", "--lr": 0.1, "--epochs": 3}, "max_run_duration_seconds": None})
@example({"space": {"--lr": "uniform(0.1, 0.5)"}, "sampling": "RandomParameterSampling", "properties": None,
          "policy": None, "goal": "PrimaryMetricGoal.MINIMIZE", "max_total_runs": 5,
          "max_concurrent_runs": None, "max_duration_minutes": None, "trial": "estimator",
          "script_params": {"--lr": 0.1, "--verbose": "", "--epochs": "x"}, "max_run_duration_seconds": 600})
def test_the_sweep_is_the_hyperdrive_run(tmp_path_factory, case):
    canonical = need("equivalence.v2.canonical")
    compare = need("equivalence.v2.compare")
    workdir = make_workdir(tmp_path_factory.mktemp("sweep"))
    try:
        hd = v1_objects(case, workdir)
    except Exception:  # v1 refused: the block must refuse too, when it can see the values
        event("v1 refused the HyperDriveConfig")
        if all(sweep.v1_definition(*_call(code)) is not None for code in case["space"].values()):
            with pytest.raises(NeverRan):
                v2_code(case, None)
        return
    try:
        v1 = canonical.v1_canonical(hd, base=str(workdir))
    except AttributeError:  # HyperDrive's own reading of the arguments raised at submit
        event("HyperDrive raised reading the arguments")
        with pytest.raises(NeverRan):
            v2_code(case, hd)
        return
    try:
        program, swept, reports = v2_code(case, hd)
    except NeverRan as exc:
        pytest.fail(f"v1 built this HyperDriveConfig, the block said it never ran: {exc}")
    namespace = {**v2_namespace(), **NAMED}
    with inside(workdir):
        exec(program, namespace)
        v2 = canonical.v2_canonical(record(namespace["hd"]), base=str(workdir))
    assert compare.compare(v1, v2) == []
    event(f"compared ({case['trial']}, {case['sampling']})")
    codes = [r.code for r in swept.reports + reports]
    assert ("EM453" in codes) == (bool(case["policy"]) and "Truncation" in case["policy"]) or \
        any(not k.startswith("-") for k in case["space"])


def test_translations():
    assert sweep.parameter_expression("uniform", ["0.01", "0.1"]).code == "Uniform(min_value=0.01, max_value=0.1)"
    assert sweep.parameter_expression("qnormal", ["1", "2"], {"q": "3"}).code == "QNormal(mu=1, sigma=2, q=3)"
    assert sweep.parameter_expression("randint", [], {"upper": "5"}).code == "Randint(upper=5)"
    assert sweep.parameter_expression("choice", ["16", "32"]).code == "Choice(values=[16, 32])"
    assert sweep.parameter_expression("choice", ["[16, 32]"]).code == "Choice(values=[16, 32])"
    assert sweep.parameter_expression("choice", ["range(3)"]).code == "Choice(values=list(range(3)))"
    assert sweep.parameter_expression("choice", ["(1, 2)"]).code == "Choice(values=[(1, 2)])"
    assert sweep.parameter_expression("choice", ["opts"]).code == \
        "Choice(values=opts if isinstance(opts, list) else list(opts) if isinstance(opts, range) else [opts])"
    assert sweep.parameter_expression("choice", ["get()"]).reports[0].code == "EM512"
    for bad in (("uniform", ["1", "1"]), ("randint", ["0"]), ("choice", []), ("choice", ["[1]", "2"]),
                ("quniform", ["0", "1", "0.5"]), ("normal", ["0", "-1"])):
        with pytest.raises(NeverRan):
            sweep.parameter_expression(*bad)
    assert sweep.sampling("RandomParameterSampling").code == '"random"'
    assert sweep.sampling("RandomParameterSampling", '{"rule": "sobol", "seed": 1}').code == \
        "RandomSamplingAlgorithm(rule='sobol', seed=1)"
    assert sweep.sampling("RandomParameterSampling", "props").code == "RandomSamplingAlgorithm(**(props or {}))"
    assert sweep.sampling("GridParameterSampling", '{"x": 1}').reports[0].code == "EM505"
    assert sweep.policy("BanditPolicy", sweep.bind("BanditPolicy", ["2", "0.1"], {})).code == \
        "BanditPolicy(slack_factor=0.1, evaluation_interval=2, delay_evaluation=0)"
    assert sweep.policy("NoTerminationPolicy") is None
    assert sweep.goal("PrimaryMetricGoal.MAXIMIZE").code == '"maximize"'
    assert sweep.goal("hd.PrimaryMetricGoal.MINIMIZE").code == '"minimize"'
    assert sweep.goal('PrimaryMetricGoal("MAXIMIZE")').code == '"maximize"'
    assert sweep.goal("my_goal").code == "my_goal.name.lower()"
    limits, reports = sweep.limits(max_total_runs="20")
    assert limits == {"max_total_trials": "20", "max_concurrent_trials": "20", "timeout": "10080 * 60"} and not reports
    limits, reports = sweep.limits(max_total_runs="n", max_concurrent_runs="c", max_duration_minutes="a + b",
                                   trial_timeout="600")
    assert limits == {"max_total_trials": "n", "max_concurrent_trials": "c or n", "timeout": "(a + b) * 60",
                      "trial_timeout": "600"}
    assert sweep.limits(max_total_runs="5", max_duration_minutes="20000")[1][0].code == "EM453"


def test_trial_arguments_follow_hyperdrive():
    lr = sweep.Tuned("--lr", "lr", Snippet("Uniform(min_value=0, max_value=1)"))
    bs = sweep.Tuned("--batch-size", "batch_size", Snippet('Choice(values=["a b"])'), quote=True)
    items, _ = sweep.trial_arguments(["--epochs", 5, "--lr", 0.01], [lr, bs], estimator=True)
    assert cmd.build(items, script="t.py").text == \
        "python t.py --epochs 5 --lr ${{inputs.lr}} --batch-size '${{inputs.batch_size}}'"
    items, _ = sweep.trial_arguments(["--lr", 0.01, "--epochs", 5], [lr], estimator=True)
    assert cmd.build(items, script="t.py").text == "python t.py --epochs 5 --lr ${{inputs.lr}}"
    # A bare flag shifts HyperDrive's two-by-two reading: the trailing item is lost, as in v1, and a
    # number in a flag place made HyperDrive raise.
    items, _ = sweep.trial_arguments(["--lr", 0.1, "--verbose", "--epochs", "x"], [lr], estimator=True)
    assert cmd.build(items, script="t.py").text == "python t.py --verbose --epochs --lr ${{inputs.lr}}"
    with pytest.raises(NeverRan):
        sweep.trial_arguments(["--verbose", "--lr", 0.1, "--epochs", 3], [lr], estimator=True)
    items, _ = sweep.trial_arguments(["--lr", 0.1, "--epochs"], [lr], estimator=True)
    assert cmd.build(items, script="t.py").text == "python t.py --lr ${{inputs.lr}}"
    items, _ = sweep.trial_arguments(["--lr", 0.1], [lr], estimator=False)
    assert cmd.build(items, script="t.py").text == "python t.py --lr 0.1 --lr ${{inputs.lr}}"
    with pytest.raises(NeverRan):
        sweep.trial_arguments([1, 2], [lr], estimator=True)
    assert sweep.trial_input(0.01) == "0.01" and sweep.trial_input(None, Snippet("Choice(values=[16, 32])")) == "16"
    assert sweep.trial_input(None, Snippet("Uniform(min_value=0.5, max_value=1)")) == "0.5"
