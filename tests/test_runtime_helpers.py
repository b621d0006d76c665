"""The helper functions the rewrite writes into files (estimator_migrate.rewrite.runtime_helpers) do what
the SDK did, on any dictionary: hypothesis draws script_params dictionaries with flags, lists,
nested lists, dicts, numbers, booleans, None, '', datasets, DataReferences and datastores; the
estimator built with them is compared with the ScriptRunConfig built from the helpers' output,
field by field (arguments, data references, datasets, outputs), and HyperDrive's and submit's
own code is compared with theirs."""

import copy
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from estimator_migrate.rewrite import runtime_helpers as rh

try:
    from equivalence import harness
except ImportError as exc:  # pragma: no cover - depends on the test environment
    if os.environ.get("CI"):
        raise
    pytest.skip(f"azureml SDK not installed ({exc})", allow_module_level=True)

from azureml.core import Dataset, ScriptRunConfig  # noqa: E402
from azureml.data import OutputFileDatasetConfig  # noqa: E402
from azureml.data.azure_storage_datastore import AzureBlobDatastore  # noqa: E402
from azureml.train.estimator import Estimator  # noqa: E402
from azureml.train.hyperdrive import HyperDriveConfig  # noqa: E402

pytestmark = pytest.mark.sdk

NAMES = {rh.FLATTEN: "flatten_script_params", rh.DATA_REFERENCES: "script_params_data_references",
         rh.WITHOUT_TUNED: "without_tuned_arguments", rh.MERGE: "merge_script_params"}


def _helpers():
    namespace = {}
    for base, name in NAMES.items():
        exec(rh.template(base, name, NAMES), namespace)
    return namespace


HELPERS = _helpers()
STORE = AzureBlobDatastore(None, "store", "container", "account")
OTHER_STORE = AzureBlobDatastore(None, "results", "container", "account")
FILES = Dataset.File.from_files("https://example.invalid/files/", validate=False)

# Data objects are made fresh for every example (DataReference names are random uuids).
DATA = {
    "mount": lambda: STORE.path("images").as_mount(),
    "download": lambda: OTHER_STORE.path("labels", data_reference_name="labels").as_download(
        path_on_compute="labels"),
    "store": lambda: STORE,
    "store_mount": lambda: OTHER_STORE.as_mount(),
    "dataset_mount": lambda: FILES.as_named_input("images").as_mount(),
    "dataset_download": lambda: FILES.as_named_input("more").as_download(),
    "dataset_direct": lambda: FILES.as_named_input("direct"),
    "output": lambda: OutputFileDatasetConfig(name="out"),
}

scalars = st.one_of(
    st.none(), st.just(""), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 0.5, -1.5]),
    st.sampled_from(["x", "--flag", "a b", "0", "-1"]),
)
data_objects = st.sampled_from(sorted(DATA)).map(lambda k: ("data", k))
nested = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner), max_leaves=5)
values = st.one_of(
    scalars, data_objects,
    st.lists(st.one_of(scalars, nested), max_size=4),
    st.tuples(scalars, scalars),
    st.dictionaries(st.sampled_from(["k", "k2", "", "3"]), scalars, max_size=3),
    st.lists(st.sampled_from(["dataset_mount", "dataset_direct"]).map(lambda k: ("data", k)), max_size=2),
)
keys = st.one_of(st.sampled_from(["--lr", "--epochs", "--flag", "pos", "", "-x", "--data", "--out"]),
                 st.none(), st.integers(0, 2), st.sampled_from(["mount", "store"]).map(lambda k: ("data", k)))
script_params = st.lists(st.tuples(keys, values), max_size=6)


def _build(pairs):
    """A fresh dictionary with fresh data objects (one object per position)."""
    def make(x):
        if isinstance(x, tuple) and len(x) == 2 and x[0] == "data":
            return DATA[x[1]]()
        if isinstance(x, list):
            return [make(i) for i in x]
        if isinstance(x, tuple):
            return tuple(make(i) for i in x)
        if isinstance(x, dict):
            return {make(k): make(v) for k, v in x.items()}
        return x
    return {make(k): make(v) for k, v in pairs}


def _estimator(params):
    return Estimator(source_directory=".", entry_script="train.py", compute_target="local", script_params=params)


def _migrated(params):
    src = ScriptRunConfig(source_directory=".", script="train.py", compute_target="local",
                          arguments=HELPERS["flatten_script_params"](params))
    src.run_config.data_references = HELPERS["script_params_data_references"](params)
    return src


def _state(config):
    """Arguments and data wiring as submitted (datasets resolved the way submit resolves them)."""
    state = harness.normalised(config)
    return {k: state.get(k) for k in ("arguments", "dataReferences", "data", "outputs")}


def _raised(func, *args):
    try:
        func(*args)
    except Exception as exc:  # the SDK raises for some inputs: the helpers must raise too
        return type(exc).__name__
    return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script_params)
def test_flattening_matches_the_estimator(pairs):
    params = _build(pairs)
    error = _raised(_estimator, copy.copy(params))
    if error is not None:  # a combination the SDK rejected at construction never ran
        return
    est = _estimator(params)
    assert _state(_migrated(params)) == _state(est)


def test_examples_from_the_spec():
    flatten = HELPERS["flatten_script_params"]
    assert flatten({"--flag": "", "--other": None, "--x": 1}) == ["--flag", "--other", "--x", 1]
    assert flatten({"--list": [1, 2, 3], "--tuple": ("a", "b"), "--nested": [[1, 2], "x"], "--emptylist": []}) == \
        ["--list", 1, 2, 3, "--tuple", "a", "b", "--nested", "[1, 2]", "x", "--emptylist"]
    assert flatten({"--dict": {"k": "v", "k2": 2}}) == ["--dict", "k", "k2"]
    assert flatten({"positional_key": "v", "": "orphan", None: "nonekey"}) == \
        ["positional_key", "v", "orphan", "nonekey"]
    assert flatten({"--lstr": ["a", "", None, "b"]}) == ["--lstr", "a", "b"]
    assert flatten(None) == [] and flatten({}) == []
    ref = STORE.path("x").as_mount()
    assert flatten({"--data": ref, "--store": STORE}) == ["--data", str(ref), "--store", "$AZUREML_DATAREFERENCE_store"]
    found = HELPERS["script_params_data_references"]({"--data": ref, "--n": 1})
    assert {k: vars(v) for k, v in found.items()} == {ref.data_reference_name: vars(ref.to_config())}


flag_lists = st.lists(st.one_of(st.sampled_from(["--lr", "--batch", "-epochs", "--flag", "lr", "x", ""]),
                                st.integers(0, 3), st.just(True)), max_size=8)
spaces = st.lists(st.sampled_from(["lr", "--batch", "epochs", "flag", "other"]), max_size=3, unique=True)


@settings(max_examples=300, deadline=None)
@given(flag_lists, spaces)
def test_tuned_arguments_are_removed_as_hyperdrive_did(arguments, space):
    rc = ScriptRunConfig(".", script="train.py", arguments=list(arguments)).run_config
    rc.arguments = list(arguments)
    generator = {"parameter_space": {name: ["choice", [[1, 2]]] for name in space}}
    expected = _raised(HyperDriveConfig._remove_duplicate_arguments, rc, generator, True)
    got = _raised(HELPERS["without_tuned_arguments"], list(arguments), generator["parameter_space"])
    if expected == "AttributeError":  # `str.lstrip` on a key that is not a string
        # HyperDrive raised at submit (a flag's place held something else than a string): the run
        # never started, and the helper keeps the arguments as they are (the rewrite says so).
        assert got is None
        assert HELPERS["without_tuned_arguments"](list(arguments), generator["parameter_space"]) == list(arguments)
        return
    assert got == expected
    if expected is None:
        stripped = HyperDriveConfig._remove_duplicate_arguments(rc, generator, True).arguments
        assert HELPERS["without_tuned_arguments"](list(arguments), generator["parameter_space"]) == stripped


def _no_listed_datasets(pairs):
    # Datasets inside list values stayed objects in the estimator's list; its re-flattening turned
    # them into placeholders it never registered (a broken run), where ScriptRunConfig resolves them.
    return [(k, v) for k, v in pairs if not (isinstance(v, list) and any(isinstance(i, tuple) for i in v))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script_params.map(_no_listed_datasets), script_params)
# Found by hypothesis: two downloads of one name end up as flags, one flag for the estimator.
@example([(None, None), ("--epochs", ("data", "dataset_download")), ("--lr", None),
          (None, ("data", "dataset_download"))], [(None, None)])
# Found by hypothesis: a direct dataset under a flag and the same one under a positional key.
@example([("--lr", None), ("--flag", ("data", "dataset_direct")), (0, ("data", "dataset_direct")),
          ("--epochs", None)], [(None, None)])
def test_submit_overrides_merge_as_the_estimator_did(base, overrides):
    params, extra = _build(base), _build([(k, v) for k, v in overrides if not isinstance(v, tuple) or v[0] != "data"])
    if _raised(_estimator, copy.copy(params)) is not None:
        return
    est = _estimator(params)
    arguments = HELPERS["flatten_script_params"](params)
    error = _raised(est._override_params, extra)
    if error is None:
        expected = est.run_config.arguments
        merged = HELPERS["merge_script_params"](arguments, extra)
        # The estimator's list had datasets as placeholders already; ScriptRunConfig resolves them at submit.
        assert [_token(a) for a in merged] == [_token(a) for a in expected]


def _token(item):
    """A dataset argument as submit resolves it (the estimator had done so already for mounts)."""
    name = getattr(item, "name", None)
    if type(item).__name__ == "DatasetConsumptionConfig":
        return f"DatasetConsumptionConfig:{name}" if item.mode.lower() in ("mount", "download") else ("direct", name)
    if type(item).__name__ == "OutputFileDatasetConfig":
        return f"DatasetOutputConfig:{name}"
    return item
