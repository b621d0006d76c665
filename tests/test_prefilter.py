"""The raw-bytes prefilter: the fast substring search is exactly ``in``, the test on
non-ASCII text never rules out what Python would read as azureml, and reading refuses what is
not a regular file."""

import json
import os
import unicodedata

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from estimator_migrate.core import FileResult
from estimator_migrate.io import prefilter, runner
from estimator_migrate.io.parallel import Work
from estimator_migrate.io.prefilter import NotRegularFile, contains_azureml, may_contain_estimators, read_regular

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
    (b"z" + b" " * prefilter._Z_GAP) * (prefilter._Z_PROBES * 3) + b"azureml",  # sparse "z": probed to the end
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
    assert runner.scan(str(fifo)) == FileResult(str(fifo), error=f"{fifo}: not a regular file")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no procfs")
def test_file_longer_than_its_stat_size_is_read_to_the_end():
    # procfs reports size 0 for files with content: the read must not stop at st_size.
    data, st = read_regular("/proc/self/status")
    assert st.st_size == 0 and b"Name:" in data


def test_scan_rules_out(tmp_path):
    plain = tmp_path / "plain.py"
    plain.write_bytes(b"import os\n")
    assert runner.scan(str(plain)) == FileResult(str(plain))
    notebook = tmp_path / "n.ipynb"
    notebook.write_bytes(b'{"cells": [{"source": ["import \\u0061zureml"]}]}')  # JSON escape of "a"
    assert isinstance(runner.scan(str(notebook)), Work)


# Characters that NFKC turns into letters of "azureml" (full-width, mathematical, ordinal,
# modifier, Roman numeral), look-alikes that it does not, and ordinary non-ASCII text.
SPELLING = "\uff41\uff5a\uff55\uff52\uff45\uff4d\uff4c\U0001d41a\U0001d433\u00aa\u1d49\u217f\u217c\u02b3\u1dbb"
OTHER = "\u00e9\u00e0\u00fc\u4e2d\u6587\u2500\u2713\u0430\u0435\u0301\u200b\U0001f600\ufeff\u0391"
letters = st.sampled_from(list("azureml") + list(SPELLING) + list(OTHER) + [" ", "\n", "import ", "azur", "eml"])
texts = st.lists(letters, max_size=40).map("".join)


def python_reads_azureml(text):
    return "azureml" in unicodedata.normalize("NFKC", text)


@hsettings(max_examples=1500, deadline=None)
@given(texts)
def test_never_rules_out_what_nfkc_reads_as_azureml(text):
    data = text.encode("utf-8")
    if python_reads_azureml(text):
        assert may_contain_estimators(data, notebook=False)
        assert may_contain_estimators(data, notebook=True)
    escaped = json.dumps({"source": [text]}, ensure_ascii=True).encode()
    if python_reads_azureml(text):
        assert may_contain_estimators(escaped, notebook=True)


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("azureml") + list(OTHER) + [" ", "\n", "azur", "eml"]), max_size=40).map("".join))
def test_ordinary_non_ascii_text_is_ruled_out_without_normalising(text):
    if "azureml" in text:
        return
    prefilter._SPELLS.clear()
    assert not may_contain_estimators(text.encode("utf-8"), notebook=True)
    assert not any(prefilter._SPELLS.values())  # no character could spell: no NFKC of the text


@pytest.mark.parametrize("text", [
    "x" * 5000 + " import \uff41zureml " + "y" * 5000,  # far from the start and the end
    "\uff41zureml", "azurem\u217c", "# caf\u00e9\n" * 300 + "import a\u1dbbureml",  # at the edges
    "\U0001d41a\U0001d433\U0001d42e\U0001d42b\U0001d41e\U0001d426\U0001d425",  # every letter spelled
])
def test_spelled_names_anywhere_in_long_text(text):
    assert python_reads_azureml(text)
    assert may_contain_estimators(text.encode("utf-8"), notebook=False)
    assert may_contain_estimators(json.dumps([text], ensure_ascii=True).encode(), notebook=True)


def test_cookie_files_are_read_in_their_codec():
    latin = "# -*- coding: latin-1 -*-\n# Fran\u00e7ois, na\u00efve caf\u00e9\nx = 1\n".encode("latin-1")
    assert not may_contain_estimators(latin, notebook=False)
    koi8 = "# coding: koi8-r\n# \u041f\u0440\u0438\u0432\u0435\u0442\n".encode("koi8-r")
    assert not may_contain_estimators(koi8, notebook=False)
    assert may_contain_estimators("# coding: latin-1\nimport \u00aazureml\n".encode("latin-1"), notebook=False)
