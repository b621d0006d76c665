"""Nothing is ever lost: every bad input gives a clear one-line error or finding, the file on
disk stays exactly as it was, and the other files are still processed."""

import ast
import codecs
import functools
import os
import pathlib

import pytest
from toy_engine import toy_engine

from estimator_migrate import core
from estimator_migrate.core import migrate_bytes
from estimator_migrate.io import runner
from estimator_migrate.settings import Settings

SETTINGS = Settings()
IMPORT = b"from azureml.train.estimator import Estimator\n"
FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "notebooks"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files are named by their display path


def process_file(path, *, diff=False, engine=toy_engine):
    """Migrate one file in fix mode, with the toy engine unless told otherwise."""
    job = runner.Job(SETTINGS, write=True, diff=diff, migrate=functools.partial(migrate_bytes, engine=engine))
    return runner.process_file(path, job)


def check(tmp_path, name, data, *, error=None, codes=(), engine=toy_engine):
    """Process ``data`` saved as ``name`` in fix mode and check the outcome; the file must be
    unchanged and every message one line."""
    path = tmp_path / name
    path.write_bytes(data)
    result = process_file(name, diff=True, engine=engine)
    assert path.read_bytes() == data
    assert not result.written and not result.changed and result.diff == ""
    if error is None:
        assert result.error is None
    else:
        assert result.error == f"{name}: {error}"
    assert [f.code for f in result.findings] == list(codes)
    for message in [result.error or ""] + [f.message for f in result.findings]:
        assert "\n" not in message and "\r" not in message and "Traceback" not in message
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    return result


def test_syntax_error(tmp_path):
    result = check(tmp_path, "a.py", IMPORT + b"est = Estimator(\n", codes=["EM901"])
    assert result.findings[0].path == "a.py"


def test_python2_print_statement(tmp_path):
    result = check(tmp_path, "py2.py", IMPORT + b'print "hello"\nest = Estimator()\n', codes=["EM901"])
    assert result.findings[0].line == 2


def test_python2_with_cookie_and_latin1(tmp_path):
    data = b"# -*- coding: latin-1 -*-\n" + IMPORT + b"print 'caf\xe9'\n"
    check(tmp_path, "py2.py", data, codes=["EM901"])


def test_null_bytes(tmp_path):
    check(tmp_path, "nul.py", IMPORT + b"x = 1\x00\n",
          error="contains a null byte at byte offset 51 (line 2); binary file?")


def test_binary_file_named_py(tmp_path):
    data = bytes(range(256)) * 4 + b"azureml"
    check(tmp_path, "blob.py", data, error="contains a null byte at byte offset 0 (line 1); binary file?")


def test_binary_without_azureml_is_skipped_by_the_prefilter(tmp_path):
    check(tmp_path, "blob.py", bytes(range(256)) * 4)


def test_undecodable_bytes(tmp_path):
    check(tmp_path, "bad.py", IMPORT + b"name = 'caf\xe9'\n",
          error="cannot decode as utf-8: invalid byte 0xe9 at byte offset 57 (line 2)")


def test_unknown_coding_cookie(tmp_path):
    check(tmp_path, "bad.py", b"# coding: utf-42\n" + IMPORT, error="unknown encoding in coding cookie: 'utf-42'")


def test_utf16_file(tmp_path):
    data = codecs.BOM_UTF16_LE + (IMPORT.decode() + "azureml").encode("utf-16-le")
    check(tmp_path, "u16.py", data + b"azureml",
          error="file is UTF-16/UTF-32 encoded; Python source must be UTF-8 or an ASCII-compatible encoding")


def test_empty_file(tmp_path):
    check(tmp_path, "empty.py", b"")
    check(tmp_path, "empty.ipynb", b"")


def test_only_import_no_estimator(tmp_path):
    check(tmp_path, "a.py", IMPORT)


def test_huge_file_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(core, "MAX_SOURCE_BYTES", 1000)
    data = IMPORT + b"x = 1\n" * 300 + b"est = Estimator()\n"
    check(tmp_path, "huge.py", data, error="too large to migrate (0.0 MB of code, limit 0 MB); left unchanged")


def test_large_file_still_processed(tmp_path):
    data = (IMPORT + b"# a comment line that pads the file out\n" * 50_000 + b"x = [1, 2]\n" * 5_000
            + b"est = Estimator()\n")
    path = tmp_path / "large.py"
    path.write_bytes(data)
    result = process_file(path)
    assert result.written and path.read_bytes() == data.replace(b"Estimator()", b"ScriptRunConfig()")


DEEP = IMPORT + b"x = " + b"1 + " * 100_000 + b"1\n"


def _parser_recurses(data: bytes) -> bool:
    """Python 3.11+ builds this ast with a recursion limit; 3.10's parser accepts it."""
    try:
        ast.parse(data)
    except RecursionError:
        return True
    return False


def test_deep_nesting_recursion(tmp_path):
    if _parser_recurses(DEEP):
        check(tmp_path, "deep.py", DEEP,
              error="too deeply nested to process (Python's recursion limit); left unchanged")
    else:  # parsed: nothing to migrate in it, and nothing may break
        check(tmp_path, "deep.py", DEEP)


def test_deep_nesting_syntax_limit(tmp_path):
    # "too many nested parentheses" is a SyntaxError: an EM901 finding.
    check(tmp_path, "deep.py", IMPORT + b"x = " + b"(" * 300 + b"1" + b")" * 300 + b"\n", codes=["EM901"])


def test_recursion_in_the_engine(tmp_path):
    def recurse(source, *, path, settings):
        return recurse(source, path=path, settings=settings)

    check(tmp_path, "a.py", IMPORT + b"est = Estimator()\n", engine=recurse,
          error="too deeply nested to process (Python's recursion limit); left unchanged")


def test_invalid_notebook(tmp_path):
    data = (FIXTURES / "invalid.ipynb").read_bytes()
    check(tmp_path, "nb.ipynb", data, error="invalid notebook JSON: Expecting value: line 10 column 1 (char 141)")


def test_json_that_is_not_a_notebook(tmp_path):
    check(tmp_path, "nb.ipynb", b'{"azureml": true}', error="not a Jupyter notebook: no 'cells' list")


def test_old_notebook_format(tmp_path):
    check(tmp_path, "nb.ipynb", b'{"nbformat": 3, "cells": [], "worksheets": [{"azureml": 1}]}',
          error="unsupported notebook format 3 (nbformat 4 is needed)")


def test_missing_path(tmp_path):
    path = tmp_path / "nope.py"
    result = process_file(path)
    assert result.error == f"{path}: no such file or directory"
    assert not path.exists()


def test_directory(tmp_path):
    (tmp_path / "pkg.py").mkdir()
    result = process_file("pkg.py")
    assert result.error == "pkg.py: is a directory"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    result = process_file("pipe.py")
    assert result.error == "pipe.py: not a regular file"


def test_unreadable_file(tmp_path, monkeypatch):
    data = IMPORT + b"est = Estimator()\n"
    path = tmp_path / "secret.py"
    path.write_bytes(data)
    os.chmod(path, 0)
    if os.geteuid() == 0 if hasattr(os, "geteuid") else False:
        # root reads anything: simulate what the permission bits would do for a user.
        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(runner, "read_regular", denied)
    result = process_file("secret.py")
    assert result.error == "secret.py: permission denied (cannot read)"
    os.chmod(path, 0o644)
    assert path.read_bytes() == data


def test_nothing_is_lost_in_a_batch(tmp_path):
    """One run over every kind of bad file and one good file: each bad file reports, the good
    one is fixed, and no bad file changes."""
    bad = {
        "syntax.py": IMPORT + b"def f(:\n",
        "py2.py": IMPORT + b"print 'x'\n",
        "nul.py": IMPORT + b"\x00",
        "latin.py": IMPORT + b"'\xe9'\n",
        "cookie.py": b"# coding: nope\n" + IMPORT,
        **({"deep.py": DEEP} if _parser_recurses(DEEP) else {}),
        "broken.ipynb": (FIXTURES / "invalid.ipynb").read_bytes(),
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    good = tmp_path / "good.py"
    good.write_bytes(IMPORT + b"est = Estimator()\n")
    names = sorted(bad) + ["missing.py", "good.py"]
    results = [process_file(n) for n in names]
    for name, result in zip(names, results, strict=False):
        if name == "good.py":
            assert result.written and result.error is None
            continue
        assert result.error or any(f.code.startswith("EM9") for f in result.findings), name
        assert not result.written
        if name in bad:
            assert (tmp_path / name).read_bytes() == bad[name]
    assert good.read_bytes() == IMPORT + b"est = ScriptRunConfig()\n"
