"""estimator_migrate.v2.data: the Input/Output code written for v1 DataReferences, datastores,
registered datasets and OutputFileDatasetConfig outputs submits the same data (URI, mode, kind) as
the v1 object did, in the harness's canonical form; with literal and with run-time arguments."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from v2blocks_support import examples, inside, make_workdir, need, record, v2_namespace

from estimator_migrate.v2 import command as cmd
from estimator_migrate.v2 import data, environment

PATHS = st.sampled_from(["mnist", "a/b/", "/lead/x", "images/{run-id}", "p q", None])


def _code(value, as_variable, namespace, name):
    if not as_variable:
        return repr(value)
    namespace[name] = value
    return name


def _compare(workdir, v1_config, v2_job_kwargs, namespace):
    canonical = need("equivalence.v2.canonical")
    compare = need("equivalence.v2.compare")
    env = environment.estimator_environment()
    with inside(workdir):
        v1 = canonical.v1_canonical(v1_config, base=str(workdir))
        job = namespace["command"](code="src", compute="cpu-cluster",
                                   environment=eval(environment.environment_code(env.image, env.conda).code, namespace),
                                   **v2_job_kwargs)
        v2 = canonical.v2_canonical(record(job), base=str(workdir))
    return [d for d in compare.compare(v1, v2) if not d.startswith(("shm_size", "timeout_s"))]


@pytest.mark.sdk
@settings(max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["mount", "download", "root"]), PATHS, st.booleans(), st.booleans(),
       st.sampled_from(["store", "other_store"]))
def test_data_references(tmp_path_factory, mode, path, as_variable, explicit_name, store_name):
    need("azureml.core")
    from azureml.data.azure_storage_datastore import AzureBlobDatastore
    from azureml.train.estimator import Estimator

    namespace = v2_namespace()
    store = AzureBlobDatastore(None, store_name, "container", "account")
    if mode == "root":
        v1_data = store
        snippet = data.data_reference(_code(store_name, as_variable, namespace, "store_name"))
    else:
        kwargs = {"data_reference_name": "images"} if explicit_name else {}
        reference = store.path(path, **kwargs) if path is not None else store.path(**kwargs)
        v1_data = reference.as_mount() if mode == "mount" else reference.as_download()
        snippet = data.data_reference(_code(store_name, as_variable, namespace, "store_name"),
                                      _code(path, as_variable, namespace, "path") if path is not None else None,
                                      mode=mode)
    workdir = make_workdir(tmp_path_factory.mktemp("refs"))
    with inside(workdir):
        est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                        script_params={"--data": v1_data})
    text = cmd.build(["--data", cmd.Placeholder("inputs", "data")], script="train.py").text
    assert _compare(workdir, est, {"command": text, "inputs": {"data": eval(snippet.code, namespace)}}, namespace) == []


@pytest.mark.sdk
@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["mount", "download"]), st.sampled_from([None, 1, 7, "latest"]), st.booleans())
def test_registered_datasets(tmp_path_factory, mode, version, as_variable):
    need("azureml.core")
    from azureml.core import Dataset, ScriptRunConfig
    from azureml.data.abstract_dataset import _DatasetRegistration

    namespace = v2_namespace()
    dataset = Dataset.File.from_files("https://example.invalid/files/", validate=False)
    dataset._registration = _DatasetRegistration(None, None, name="flowers",
                                                 version=None if version in (None, "latest") else version)
    named = dataset.as_named_input("flowers")
    consumed = named.as_mount() if mode == "mount" else named.as_download()
    snippet = data.dataset(_code("flowers", as_variable, namespace, "name"),
                           None if version is None else _code(version, as_variable and version != "latest",
                                                              namespace, "version"), mode=mode)
    workdir = make_workdir(tmp_path_factory.mktemp("sets"))
    with inside(workdir):
        src = ScriptRunConfig(source_directory="src", script="train.py", arguments=["--images", consumed],
                              compute_target="cpu-cluster")
    text = cmd.build(["--images", cmd.Placeholder("inputs", "flowers")], script="train.py").text
    assert _compare(workdir, src, {"command": text, "inputs": {"flowers": eval(snippet.code, namespace)}},
                    namespace) == []


@pytest.mark.sdk
@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["mount", "upload"]), st.none() | PATHS.filter(lambda p: p is not None), st.booleans())
def test_outputs(tmp_path_factory, mode, path, as_variable):
    need("azureml.core")
    from azureml.core import ScriptRunConfig
    from azureml.data import OutputFileDatasetConfig
    from azureml.data.azure_storage_datastore import AzureBlobDatastore

    namespace = v2_namespace()
    store = AzureBlobDatastore(None, "results", "container", "account")
    destination = (store, path) if path is not None else None
    out = OutputFileDatasetConfig(name="model", destination=destination)
    out = out.as_mount() if mode == "mount" else out.as_upload()
    snippet = data.output((_code("results", as_variable, namespace, "store_name"),
                           _code(path, as_variable, namespace, "path")) if path is not None else None, mode=mode)
    workdir = make_workdir(tmp_path_factory.mktemp("outs"))
    with inside(workdir):
        src = ScriptRunConfig(source_directory="src", script="train.py", arguments=["--out", out],
                              compute_target="cpu-cluster")
    text = cmd.build(["--out", cmd.Placeholder("outputs", "model")], script="train.py").text
    assert _compare(workdir, src, {"command": text, "outputs": {"model": eval(snippet.code, namespace)}},
                    namespace) == []


def test_what_is_reported():
    assert data.data_reference('"s"', '"p"', path_on_compute='"/tmp/x"').reports[0].code == "EM506"
    assert data.data_reference('"s"', '"p"', path_on_compute="None").reports == ()
    assert data.dataset('"t"', "2", tabular=True).code == 'Input(type="mltable", path="azureml:t:2", mode="direct")'
    assert data.output(upload_options=True, mode="upload").reports[0].code == "EM506"
    assert data.data_reference('"s"', '"p"', mode="upload").code.startswith("Output(")
