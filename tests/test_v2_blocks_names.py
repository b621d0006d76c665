"""estimator_migrate.v2.names: any v1 name becomes a v2 identifier the real SDK accepts at submit
(V4), readable when the v1 code says what the data is, never colliding (ignoring case)."""

import ast
import keyword
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from v2blocks_support import CONDA, IMAGE, examples, inside, make_workdir, need, record

from estimator_migrate.v2 import names
from estimator_migrate.v2.snippet import py_string

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@given(texts)
def test_any_text_becomes_an_identifier(text):
    name = names.identifier(text)
    assert names.IDENTIFIER.match(name) and name.isidentifier() and not keyword.iskeyword(name)


@given(st.from_regex(names.IDENTIFIER, fullmatch=True).filter(lambda n: not keyword.iskeyword(n)))
def test_identifiers_keep_their_spelling(name):
    assert names.identifier(name) == name


def test_the_harness_rule_and_the_keywords():
    assert names.identifier("my-data") == "my_data"
    assert names.identifier("5f0c9e3a") == "_5f0c9e3a"
    assert names.identifier("données") == "donn_es"
    assert names.identifier("") == "_"
    assert names.identifier("class") == "class_"
    assert names.from_flag("--data-folder") == "data_folder"
    assert names.from_flag("-x") == "x" and names.from_flag("--") == ""
    assert names.search_key("--batch-size") == "batch_size"
    assert names.from_flag(3) == "_3"  # script_params keys may be ints


def test_readable_prefers_what_the_user_wrote():
    assert names.readable(explicit="mnist", flag="--data") == "mnist"
    assert names.readable(explicit="0f3a" * 8, flag="--data-folder") == "data_folder"
    assert names.readable(flag="--") == "data"
    assert names.readable(kind="output") == "output"


@given(st.lists(st.sampled_from(["data", "Data", "DATA", "data_2", "x", "--x", "1", "class", ""]), max_size=12))
def test_names_are_unique_ignoring_case(preferred):
    given_names = names.Names(["taken"])
    out = [given_names.add(p) for p in preferred]
    assert len({n.lower() for n in out} | {"taken"}) == len(out) + 1
    assert all(names.IDENTIFIER.match(n) for n in out)
    assert "TAKEN" in given_names and list(given_names)[0] == "taken"


@given(texts)
def test_python_string_literals(text):
    assert ast.literal_eval(py_string(text)) == text


@pytest.mark.sdk
def test_the_sdk_generated_names_are_recognised():
    need("azureml.core")
    from azureml.core import Dataset
    from azureml.data import OutputFileDatasetConfig
    from azureml.data.azure_storage_datastore import AzureBlobDatastore

    store = AzureBlobDatastore(None, "store", "container", "account")
    files = Dataset.File.from_files("https://example.invalid/files/", validate=False)
    generated = [store.path("images").as_mount().data_reference_name, files.as_mount().name,
                 OutputFileDatasetConfig().name, OutputFileDatasetConfig().as_input().name]
    assert all(names.looks_generated(n) for n in generated), generated
    assert not any(names.looks_generated(n) for n in [store.as_mount().data_reference_name, "mnist", "input_data"])


@pytest.mark.sdk
@settings(max_examples=examples(40), deadline=None)
@given(st.lists(texts, min_size=1, max_size=4))
def test_the_sdk_accepts_the_names_at_submit(tmp_path_factory, v1_names):
    """V4: only the submit checks names; every name made here passes it."""
    need("azure.ai.ml")
    from azure.ai.ml import Input, Output, command
    from azure.ai.ml.entities import Environment

    workdir = make_workdir(tmp_path_factory.mktemp("names"))
    taken = names.Names()
    inputs = {taken.add(names.identifier(n)): Input(type="uri_folder", path="azureml://datastores/ds/paths/p",
                                                    mode="ro_mount") for n in v1_names}
    outputs = {taken.add(names.readable(flag=n, kind="output")): Output(type="uri_folder", mode="rw_mount")
               for n in v1_names}
    text = "python train.py " + " ".join(f"${{{{inputs.{n}}}}}" for n in inputs) + " " + \
        " ".join(f"${{{{outputs.{n}}}}}" for n in outputs)
    with inside(workdir):
        body = record(command(code="src", command=text, inputs=inputs, outputs=outputs, compute="c",
                              environment=Environment(image=IMAGE, conda_file=CONDA))).properties
    assert set(body["inputs"]) == set(inputs) and set(body["outputs"]) == set(outputs)
    assert all(re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", n) for n in body["inputs"])
