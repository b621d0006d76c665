"""estimator_migrate.v2.helpers: the functions written into migrated files do what v1 did, on values
only known at run time.

* ``v1_conda_document`` against the real estimators on the generated arguments of
  test_v2_blocks_environment (and v1's use of the caller's pip list);
* ``script_params_command`` against the real Estimator on generated script_params dictionaries
  (flags, bare flags, lists, nested lists, dicts, numbers, booleans, None, '', shell text, data
  as keys and values), the v2 job recorded through the real submit path and compared in the
  harness's canonical form; with ``tuned``, against HyperDrive's own ``_remove_duplicate_arguments``;
* ``arguments_command`` against a ScriptRunConfig's arguments.
"""

import os
import shlex

import pytest
import test_v2_blocks_environment as envtests
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from v2blocks_support import examples, inside, make_workdir, need, record, v2_namespace

from estimator_migrate.v2 import environment, helpers
from estimator_migrate.v2.conda import NeverRan


def _helper(base):
    namespace = {}
    exec(helpers.template(base, base), namespace)
    return namespace[base]


def test_templates_compile_and_take_a_name():
    for base in helpers.HELPERS:
        text = helpers.template(base, f"{base}_2", newline="\r\n")
        assert f"def {base}_2(" in text and "\r\n" in text
        compile(text.replace("\r\n", "\n"), base, "exec")
        assert "azureml" not in "".join(line for line in text.splitlines()
                                        if line.lstrip().startswith(("import", "from")))


# -- the conda document -------------------------------------------------------------------------------------
@pytest.mark.sdk
@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envtests.arguments)
def test_the_conda_helper_builds_what_the_estimator_built(tmp_path_factory, args):
    workdir = make_workdir(tmp_path_factory.mktemp("conda"))
    est = envtests.build_v1(workdir, args)
    if isinstance(est, Exception) or args["user_managed"]:
        event("v1 refused, or user_managed (no document)")
        return
    framework, version, gpu = args["framework"]
    found = environment.scenario(framework, version, gpu) if framework else None
    try:
        expected = envtests.mine(args).conda
    except NeverRan:
        return
    with inside(workdir):
        got = _helper(helpers.CONDA)(
            pip_packages=list(args["pip_packages"]) if args["pip_packages"] is not None else None,
            conda_packages=args["conda_packages"],
            requirements_file=os.path.join("src", "requirements.txt") if args["pip_requirements"] is not None else None,
            scenario=found)
    assert got == envtests.v1_environment(est)[1] == expected


@pytest.mark.sdk
def test_the_conda_helper_keeps_v1s_shared_list(tmp_path):
    _, classes = envtests._sdk()
    workdir = make_workdir(tmp_path)
    build = _helper(helpers.CONDA)
    v1_list, v2_list = ["pandas"], ["pandas"]
    with inside(workdir):
        first = classes["PyTorch"](source_directory="src", entry_script="train.py", compute_target="c",
                                   framework_version="1.6", pip_packages=v1_list)
        second = classes[None](source_directory="src", entry_script="train.py", compute_target="c",
                               pip_packages=v1_list)
    scenario = environment.scenario("PyTorch", "1.6", False)
    docs = [build(pip_packages=v2_list, scenario=scenario), build(pip_packages=v2_list)]
    assert v2_list == v1_list
    assert docs == [envtests.v1_environment(first)[1], envtests.v1_environment(second)[1]]


# -- script_params --------------------------------------------------------------------------------------------
present = st.one_of(st.just(""), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 0.5, -1.5, 1e-05]),
                    st.sampled_from(["x", "--flag", "a b", "0", "-1", "it's", "{inputs.x}", "$HOME", "a;b"]))
scalars = st.none() | present
data = st.sampled_from(["mount", "download", "dataset", "store"]).map(lambda k: ("data", k))
nested = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner), max_leaves=5)
values = st.one_of(data, scalars, st.lists(st.one_of(scalars, nested), max_size=4), st.tuples(scalars, scalars),
                   st.dictionaries(st.sampled_from(["k", "k2", ""]), scalars, max_size=2))
# Data as a key: v1 allowed it, but an azure-ai-ml Input cannot be a key (unhashable): reported instead.
keys = st.one_of(st.sampled_from(["--lr", "--epochs", "--flag", "pos", "", "-x", "--data", "--data-folder", "1st"]),
                 st.none(), st.integers(0, 2))
script_params = st.lists(st.tuples(keys, values), max_size=6)
# Half the dictionaries hold data for sure, anywhere among the other entries.
with_data = st.tuples(script_params, st.lists(st.tuples(keys, data), min_size=1, max_size=3)).flatmap(
    lambda t: st.permutations(t[0] + t[1]))


def _data(kind, i):
    """A fresh v1 data object and the azure-ai-ml Input a migration writes for it."""
    need("azureml.core")
    from azure.ai.ml import Input
    from azureml.core import Dataset
    from azureml.data.abstract_dataset import _DatasetRegistration
    from azureml.data.azure_storage_datastore import AzureBlobDatastore

    store = AzureBlobDatastore(None, "store", "container", "account")
    if kind == "mount":
        return store.path(f"images{i}").as_mount(), Input(type="uri_folder", path=f"azureml://datastores/store/paths/images{i}",
                                                          mode="ro_mount")
    if kind == "download":
        return store.path(f"labels{i}").as_download(), Input(
            type="uri_folder", path=f"azureml://datastores/store/paths/labels{i}", mode="download")
    if kind == "store":
        return store, Input(type="uri_folder", path="azureml://datastores/store/paths/", mode="ro_mount")
    dataset = Dataset.File.from_files("https://example.invalid/files/", validate=False)
    dataset._registration = _DatasetRegistration(None, None, name=f"set{i}", version=1)
    return dataset.as_named_input(f"set{i}").as_mount(), Input(type="uri_folder", path=f"azureml:set{i}:1",
                                                               mode="ro_mount")


def _build(pairs):
    v1, v2 = {}, {}
    store_used = [False]

    def make(x, i):
        if isinstance(x, tuple) and len(x) == 2 and x[0] == "data":
            if x[1] == "store":
                if store_used[0]:
                    return ("skip", None)
                store_used[0] = True
            return _data(x[1], i)
        return x, x

    for i, (key, value) in enumerate(pairs):
        (k1, k2), (w1, w2) = make(key, 2 * i), make(value, 2 * i + 1)
        if "skip" in (k1, w1):
            continue
        v1[k1], v2[k2] = w1, w2
    return v1, v2


@pytest.mark.sdk
@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(script_params, with_data))
def test_script_params_command_is_the_estimators_run(tmp_path_factory, pairs):
    canonical = need("equivalence.v2.canonical")
    compare = need("equivalence.v2.compare")
    from azureml.train.estimator import Estimator

    namespace = v2_namespace()
    workdir = make_workdir(tmp_path_factory.mktemp("params"))
    v1_params, v2_params = _build(pairs)
    with inside(workdir):
        try:
            est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                            script_params=v1_params)
            v1 = canonical.v1_canonical(est, base=str(workdir))
        except Exception:
            event("v1 refused the dictionary")
            return
        text, inputs, outputs = _helper(helpers.SCRIPT_PARAMS)("python train.py", v2_params)
        env = environment.estimator_environment()
        job = namespace["command"](code="src", command=text, inputs=inputs, outputs=outputs, compute="cpu-cluster",
                                   environment=eval(environment.environment_code(env.image, env.conda).code, namespace))
        v2 = canonical.v2_canonical(record(job), base=str(workdir))
    assert compare.compare(v1, v2) == []
    assert all(n.isidentifier() for n in inputs)
    event(f"compared, {len(inputs)} data inputs")


def test_script_params_command_names_and_refusals():
    need("azure.ai.ml")
    from azure.ai.ml import Input, Output

    build = _helper(helpers.SCRIPT_PARAMS)
    data = Input(type="uri_folder", path="azureml://datastores/s/paths/p", mode="ro_mount")
    out = Output(type="uri_folder", mode="rw_mount")
    text, inputs, outputs = build("python t.py", {"--data-folder": data, "--Data_folder": data, "--class": data,
                                                  "--out": out, "--n": 1, "--s": "a b", "--f": "", "--b": True},
                                  taken=["data_folder_2"])
    assert text == ("python t.py --data-folder ${{inputs.data_folder}} --Data_folder ${{inputs.Data_folder_3}} "
                    "--class ${{inputs.class_}} --out ${{outputs.out}} --n 1 --s 'a b' --f --b True")
    assert list(inputs) == ["data_folder", "Data_folder_3", "class_"] and list(outputs) == ["out"]
    need("azureml.core")
    from azureml.data.azure_storage_datastore import AzureBlobDatastore
    with pytest.raises(TypeError, match="v1 object"):
        build("python t.py", {"--data": AzureBlobDatastore(None, "s", "c", "a").path("p").as_mount()})


@pytest.mark.sdk
@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["--lr", "lr", "--epochs", "--batch-size", "--x", "pos"]), scalars),
                max_size=6),
       st.lists(st.sampled_from(["--lr", "--batch-size", "epochs"]), min_size=1, max_size=2, unique=True))
@example([("mode", ""), ("--data-folder", False), ("--fast", 3)], ["--lr"])  # a bool shifted into a flag's place
@example([("--lr", 0.1), ("--verbose", ""), ("--layers", 3), ("--x", 1)], ["--lr"])  # the tuned key comes first
def test_tuned_arguments_follow_hyperdrive(pairs, tuned_keys):
    """``tuned``: the fixed values HyperDrive's own ``_remove_duplicate_arguments`` removed."""
    need("azureml.train.hyperdrive")
    import copy

    from azureml.core.runconfig import RunConfiguration
    from azureml.train.hyperdrive import HyperDriveConfig

    params = dict(pairs)
    flattened = _helper_v1_flatten()(params)
    rc = RunConfiguration()
    rc.arguments = copy.copy(flattened)
    tuned = {key: key.lstrip("-").replace("-", "_") for key in tuned_keys}
    try:
        expected = HyperDriveConfig._remove_duplicate_arguments(rc, {"parameter_space": dict.fromkeys(tuned_keys)},
                                                                True).arguments
    except AttributeError as exc:
        event("HyperDrive raised")
        with pytest.raises(AttributeError) as raised:
            _helper(helpers.SCRIPT_PARAMS)("python t.py", params, tuned=tuned)
        assert str(raised.value) == str(exc)  # the error HyperDrive raised at submit (fuzz cause 05)
        return
    text, _, _ = _helper(helpers.SCRIPT_PARAMS)("python t.py", params, tuned=tuned)
    tokens = [str(t) if isinstance(t, bool) else __import__("json").dumps(t) if isinstance(t, (int, float)) else t
              for t in expected]
    sampled = [x for key, name in tuned.items() for x in (key, f"${{{{inputs.{name}}}}}")]
    assert shlex.split(text.replace("{''", "{")) == ["python", "t.py"] + tokens + sampled


def _helper_v1_flatten():
    from estimator_migrate.rewrite import runtime_helpers as rh

    namespace = {}
    exec(rh.template(rh.FLATTEN, "flatten", {rh.FLATTEN: "flatten"}), namespace)
    return namespace["flatten"]


@pytest.mark.sdk
@settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(present, st.just(("data", "dataset"))), max_size=6))
def test_arguments_command_is_the_script_run_config(tmp_path_factory, items):
    canonical = need("equivalence.v2.canonical")
    compare = need("equivalence.v2.compare")
    from azureml.core import ScriptRunConfig

    namespace = v2_namespace()
    workdir = make_workdir(tmp_path_factory.mktemp("args"))
    pairs = [_data("dataset", i) if isinstance(x, tuple) else (x, x) for i, x in enumerate(items)]
    with inside(workdir):
        src = ScriptRunConfig(source_directory="src", script="train.py", arguments=[a for a, _ in pairs],
                              compute_target="cpu-cluster")
        v1 = canonical.v1_canonical(src, base=str(workdir))
        text, inputs, outputs = _helper(helpers.ARGUMENTS)("python train.py", [b for _, b in pairs])
        env = environment.estimator_environment()
        job = namespace["command"](code="src", command=text, inputs=inputs, compute="cpu-cluster", shm_size="2g",
                                   timeout=2592000,
                                   environment=eval(environment.environment_code(env.image, env.conda).code, namespace))
        v2 = canonical.v2_canonical(record(job), base=str(workdir))
    assert compare.compare(v1, v2) == []
