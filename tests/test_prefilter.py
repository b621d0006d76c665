"""The raw-bytes prefilter: the fast substring search is exactly ``in``, and reading refuses
what is not a regular file."""

import os

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from estimator_migrate import prefilter
from estimator_migrate.prefilter import NotRegularFile, contains_azureml, read_regular, rules_out

# Bytes made mostly of the letters of the word, so near misses ("azurem", "zzureml") are common.
near_words = st.lists(st.sampled_from([b"a", b"z", b"u", b"r", b"e", b"m", b"l", b"azureml", b"azure", b"zureml",
                                       b"\n", b"\xc3\xa9", b" "]), max_size=60).map(b"".join)


@hsettings(max_examples=400, deadline=None)
@given(near_words)
def test_contains_azureml_is_in(data):
    assert contains_azureml(data) is (b"azureml" in data)


@pytest.mark.parametrize("data", [
    b"", b"z", b"azureml", b"zazureml", b"azuremlz", b"x" * 100 + b"azureml",
    b"z" * (prefilter._Z_PROBES - 1) + b"azureml",  # found by the probes
    b"z" * (prefilter._Z_PROBES + 5) + b"azureml",  # found after the fall-back to the plain search
    b"z" * 1000,  # base64-like: many "z", no word
    b"azurem" + b"z" * 40 + b"l",
])
def test_contains_azureml_edges(data):
    assert contains_azureml(data) is (b"azureml" in data)


def test_read_regular(tmp_path):
    path = tmp_path / "a.py"
    path.write_bytes(b"x = 1\n" * 5000)
    data, st = read_regular(str(path))
    assert data == path.read_bytes() and st.st_size == len(data)
    empty = tmp_path / "empty.py"
    empty.write_bytes(b"")
    assert read_regular(str(empty))[0] == b""
    with pytest.raises(IsADirectoryError):
        read_regular(str(tmp_path))
    with pytest.raises(FileNotFoundError):
        read_regular(str(tmp_path / "missing.py"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile):
        read_regular(str(fifo))
    assert rules_out(str(fifo)) is False  # the full pipeline reports it


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no procfs")
def test_file_longer_than_its_stat_size_is_read_to_the_end():
    # procfs reports size 0 for files with content: the read must not stop at st_size.
    data, st = read_regular("/proc/self/status")
    assert st.st_size == 0 and b"Name:" in data


def test_rules_out(tmp_path):
    plain = tmp_path / "plain.py"
    plain.write_bytes(b"import os\n")
    assert rules_out(str(plain)) is True
    notebook = tmp_path / "n.ipynb"
    notebook.write_bytes(b'{"cells": [{"source": ["import \\u0061zureml"]}]}')  # JSON escape of "a"
    assert rules_out(str(notebook)) is False
