"""The per-file pipeline: the core (core.migrate_bytes) and the file layer around it
(runner: read once, prefilter, write back), with a toy engine standing in for the real one."""

import codecs
import functools
import json
import os

import nbformat
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from toy_engine import toy_engine

from estimator_migrate.core import FileResult, migrate_bytes
from estimator_migrate.engine import Result
from estimator_migrate.findings import Finding
from estimator_migrate.io import runner, sources
from estimator_migrate.io.parallel import Work
from estimator_migrate.io.prefilter import may_contain_estimators
from estimator_migrate.settings import Settings

SETTINGS = Settings()
IMPORT = "from azureml.train.estimator import Estimator\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative names are display paths


def process_file(path, engine=toy_engine, *, write=True, diff=False, settings=SETTINGS):
    job = runner.Job(settings, write=write, diff=diff, migrate=functools.partial(migrate_bytes, engine=engine))
    return runner.process_file(path, job)


def migrate(data, name, engine=toy_engine, **options):
    return migrate_bytes(data, name, SETTINGS, engine=engine, **options)


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def no_temp_files(directory):
    return not [p for p in os.listdir(directory) if p.endswith(".tmp")]


# -- the prefilter -------------------------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    (b"", False),
    (b"import os\nprint('hello')\n", False),
    (b"from azureml.core import Workspace\n", True),
    (b"import azureml", True),
    (b"# caf\xc3\xa9\nx = 1\n", False),  # non-ASCII, but no azureml however normalised
    ("import \uff41\uff5a\uff55\uff52\uff45\uff4d\uff4c.train\n".encode(), True),  # NFKC: this IS azureml
    (b'{"source": ["import \\uff41zureml"]}', True),  # the same, escaped in notebook JSON
    (b'{"text": ["\\u001b[0;31mError\\u001b[0m"]}', False),  # ANSI escapes are ASCII
    (b'{"source": ["import \\u0061zureml"]}', True),  # an ASCII letter escaped in notebook JSON
    (b"# coding: latin-1\n# caf\xe9\n", False),  # not UTF-8, with a cookie: read in its codec
    (b"#!/usr/bin/python\n# vim: fileencoding=shift_jis\n\x82\xa0", False),
    (b"# coding: latin-1\nimport \xaazureml\n", True),  # latin-1 0xAA is U+00AA, NFKC "a"
    (b"# coding: shift_jis\n\x82\x60zureml\n", False),  # full-width A: NFKC "Azureml", another name
    (b"# coding: shift_jis\n\x82\x81zureml\n", True),  # full-width a in Shift JIS: NFKC "azureml"
    (b"# coding: utf-42\n# caf\xe9\n", True),  # an unknown codec: the pipeline reports it
    (b"# coding: ascii\n# caf\xe9\n", True),  # bytes the codec rejects: the pipeline reports them
    (b"x = '\xe9'\n", False),  # not UTF-8 and no cookie: Python cannot read it as source
    (bytes(range(256)), False),
])
def test_may_contain_estimators(data, expected):
    assert may_contain_estimators(data) is expected


def test_prefilter_never_decodes_or_parses(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("must not be called")

    monkeypatch.setattr("estimator_migrate.core.decode_source", boom)
    monkeypatch.setattr("estimator_migrate.io.notebook.load_notebook", boom)
    for name, data in [("a.py", b"import os\n"), ("b.ipynb", b"not json at all"), ("c.py", b"\x00\x01\x02")]:
        result = process_file(write(tmp_path, name, data), boom)
        assert result == FileResult(path=str(tmp_path / name))
        assert migrate(data, name, boom) == FileResult(path=name, new_data=data)


# -- Python files ----------------------------------------------------------------------------------

def test_fix_python_file(tmp_path):
    (tmp_path / "src").mkdir()
    path = write(tmp_path, "src/train.py", (IMPORT + "est = Estimator(source_directory='.')\r\n").encode())
    result = process_file("src/train.py", diff=True)
    assert result.changed and result.written and result.error is None
    assert path.read_bytes() == (IMPORT + "est = ScriptRunConfig(source_directory='.')\r\n").encode()
    assert [(f.code, f.path, f.line, f.column, f.cell) for f in result.findings] == [
        ("EM101", "src/train.py", 2, 7, None)]
    assert result.diff.startswith("--- a/src/train.py\n+++ b/src/train.py\n")
    assert "-est = Estimator(source_directory='.')\r\n+est = ScriptRunConfig(source_directory='.')\r\n" in result.diff
    assert no_temp_files(tmp_path)


def test_check_mode_does_not_write(tmp_path):
    data = (IMPORT + "est = Estimator()\n").encode()
    path = write(tmp_path, "train.py", data)
    result = process_file(path, write=False)
    assert result.changed and not result.written and result.diff == ""
    assert path.read_bytes() == data
    assert result.path == str(path)  # the path as given
    assert result.new_data is None  # the file layer keeps no content in results


def test_unchanged_file_is_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "atomic_write", lambda *a, **k: pytest.fail("wrote an unchanged file"))
    path = write(tmp_path, "a.py", (IMPORT + "x = 1\n").encode())
    result = process_file(path, diff=True)
    assert not result.changed and not result.written and result.diff == "" and result.findings == ()


def test_latin1_file_keeps_its_encoding(tmp_path):
    data = b"# -*- coding: latin-1 -*-\n" + IMPORT.encode() + b"est = Estimator(name='caf\xe9')\n"
    path = write(tmp_path, "a.py", data)
    process_file(path)
    assert path.read_bytes() == data.replace(b"Estimator(name", b"ScriptRunConfig(name")


def test_symlink_target_rewritten(tmp_path):
    target = write(tmp_path, "real.py", (IMPORT + "e = Estimator()\n").encode())
    link = tmp_path / "link.py"
    link.symlink_to("real.py")
    result = process_file(link)
    assert result.written and link.is_symlink()
    assert b"ScriptRunConfig()" in target.read_bytes()


newline = st.sampled_from(["\n", "\r\n", "\r"])
pad = st.text(alphabet=" \t", max_size=3)
stmt = st.sampled_from(["est = Estimator(source_directory='.')", "x = 1", "# caf\u00e9 \u2713", "", "y = 'a'  ",
                        "z = Estimator(\n    compute_target='cpu')"])
body = st.lists(st.tuples(stmt, pad, newline), max_size=10).map(lambda ls: "".join(s + p + n for s, p, n in ls))


@hsettings(max_examples=150, deadline=None)
@given(text=body, final=st.sampled_from(["", "w = 2", "v = Estimator()"]), bom=st.booleans())
def test_only_the_rewrite_changes_bytes(text, final, bom):
    source = IMPORT + text + final
    data = (codecs.BOM_UTF8 if bom else b"") + source.encode("utf-8")
    result = migrate(data, "gen.py", diff=True)
    out = result.new_data
    assert result.error is None
    assert out == data.replace(b"Estimator(", b"ScriptRunConfig(")
    assert result.changed == (out != data)
    assert bool(result.diff) == result.changed


# -- safety checks (EM902) ----------------------------------------------------------------------

def _unsafe(tmp_path, fn):
    data = (IMPORT + "est = Estimator()\n").encode()
    (tmp_path / "pkg").mkdir()
    path = write(tmp_path, "pkg/a.py", data)
    result = process_file("pkg/a.py", fn)
    assert path.read_bytes() == data
    assert not result.changed and not result.written and result.error is None
    em902 = [f for f in result.findings if f.code == "EM902"]
    assert len(em902) == 1 and em902[0].path == "pkg/a.py" and em902[0].message.startswith("pkg/a.py: ")
    assert not any(f.fixed for f in result.findings)
    return em902[0].message


def test_output_that_does_not_parse(tmp_path):
    def broken(source, *, path, settings):
        new = source.replace("Estimator()", "ScriptRunConfig((")
        return Result(source, new, (Finding("EM101", "x", 2, 7, fixed=True),))

    assert "does not parse (line 2: " in _unsafe(tmp_path, broken)


def test_output_that_is_not_idempotent(tmp_path):
    def grows(source, *, path, settings):
        return Result(source, source + "x = 1\n", ())

    assert "not idempotent" in _unsafe(tmp_path, grows)


def test_second_pass_error(tmp_path):
    def once(source, *, path, settings):
        if "ScriptRunConfig" in source:
            return Result(source, source, (), error="cannot")
        return toy_engine(source, path=path, settings=settings)

    assert "cannot be processed again" in _unsafe(tmp_path, once)


def test_syntax_error_is_a_finding_not_an_error(tmp_path):
    data = (IMPORT + "def f(:\n").encode()
    path = write(tmp_path, "a.py", data)
    result = process_file(path)
    assert result.error is None and not result.changed
    assert [(f.code, f.line, f.path) for f in result.findings] == [("EM901", 2, str(path))]
    assert path.read_bytes() == data


# -- one file never stops the others ---------------------------------------------------------------

def test_exception_in_one_file(tmp_path):
    def picky(source, *, path, settings):
        if "boom" in source:
            raise ValueError("boom\nwith a second line")
        return toy_engine(source, path=path, settings=settings)

    bad = write(tmp_path, "bad.py", (IMPORT + "boom = Estimator()\n").encode())
    good = write(tmp_path, "good.py", (IMPORT + "est = Estimator()\n").encode())
    results = [process_file(p, picky) for p in (bad, good)]
    assert results[0].error == f"{bad}: internal error: ValueError: boom with a second line"
    assert results[0].findings == () and not results[0].written
    assert results[1].written and b"ScriptRunConfig" in good.read_bytes()


def test_write_failure_keeps_findings(tmp_path):
    data = (IMPORT + "est = Estimator()\n").encode()
    path = write(tmp_path, "a.py", data)
    os.chmod(path, 0o444)
    result = process_file(path)
    assert result.error == f"{path}: file is read-only; not rewritten"
    assert result.changed and not result.written and [f.code for f in result.findings] == ["EM101"]
    assert path.read_bytes() == data


def test_file_edited_during_the_run_is_not_overwritten(tmp_path):
    path = write(tmp_path, "a.py", (IMPORT + "est = Estimator()\n").encode())

    def engine_that_edits(source, *, path, settings):
        if "Estimator(" in source:
            (tmp_path / "a.py").write_bytes(b"# someone saved the file in their editor\n" + source.encode())
        return toy_engine(source, path=path, settings=settings)

    result = process_file(path, engine_that_edits)
    assert "changed on disk since it was read; not rewritten" in result.error
    assert path.read_bytes().startswith(b"# someone saved")


def test_interrupt_leaves_each_file_fully_old_or_fully_new(tmp_path, monkeypatch):
    paths = [write(tmp_path, f"f{i}.py", (IMPORT + f"e{i} = Estimator()\n").encode()) for i in range(3)]
    real_replace = os.replace
    calls = []

    def interrupted(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C after the temp file is written, before the rename
        real_replace(src, dst)

    monkeypatch.setattr(sources.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        for path in paths:
            process_file(path)
    assert paths[0].read_bytes() == (IMPORT + "e0 = ScriptRunConfig()\n").encode()
    assert paths[1].read_bytes() == (IMPORT + "e1 = Estimator()\n").encode()
    assert paths[2].read_bytes() == (IMPORT + "e2 = Estimator()\n").encode()
    assert no_temp_files(tmp_path)


# -- notebooks and stdin --------------------------------------------------------------------------

def _notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title")] + [nbformat.v4.new_code_cell(s) for s in sources]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    return (nbformat.writes(nb) + "\n").encode()


def test_fix_notebook_file(tmp_path):
    data = _notebook(IMPORT + "%pip install x", "est = Estimator()\n!ls")
    path = write(tmp_path, "nb.ipynb", data)
    result = process_file(path, diff=True)
    assert result.written and result.error is None
    assert [(f.code, f.cell, f.line) for f in result.findings] == [("EM101", 3, 1)]
    new = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(new)
    assert new.cells[2].source == "est = ScriptRunConfig()\n!ls"
    assert result.diff.startswith(f"--- a/{path}:cell 3\n+++ b/{path}:cell 3\n")


def test_unchanged_notebook_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "atomic_write", lambda *a, **k: pytest.fail("wrote an unchanged notebook"))
    data = _notebook(IMPORT, "x = 1")
    path = write(tmp_path, "nb.ipynb", data)
    result = process_file(path)
    assert not result.changed and path.read_bytes() == data


def test_migrate_bytes_python_and_notebook():
    result = migrate((IMPORT + "e = Estimator()\n").encode(), "-", diff=True)
    assert result.new_data.endswith(b"e = ScriptRunConfig()\n") and result.path == "-" and not result.written
    assert result.diff.startswith("--- a/-\n+++ b/-\n")
    data = _notebook(IMPORT, "e = Estimator()")
    result = migrate(data, "x.IPYNB")
    assert json.loads(result.new_data)["cells"][2]["source"] == ["e = ScriptRunConfig()"]
    same = b"print(1)\n"
    assert migrate(same, "-").new_data is same


def test_engine_receives_the_path_and_settings(tmp_path):
    seen = []

    def spy(source, *, path, settings):
        seen.append((path, settings))
        return Result(source, source, ())

    custom = Settings(add_todo_comments=True)
    write(tmp_path, "a.py", IMPORT.encode())
    process_file("a.py", spy, write=False, settings=custom)
    assert seen == [("a.py", custom)]


def test_migrate_bytes_records_line_texts_as_read():
    # The texts fingerprints need, taken before the rewrite: reports never read the file again.
    data = ("# -*- coding: latin-1 -*-\n" + IMPORT + "e = Estimator(name='caf\xe9')\x0c\n"
            "f = Estimator()\n").encode("latin-1")
    result = migrate(data, "a.py")
    assert result.changed
    assert dict(result.line_texts) == {(None, 3): "e = Estimator(name='caf\xe9')\x0c", (None, 4): "f = Estimator()"}
    nb = migrate(_notebook(IMPORT, "x = 1\ne = Estimator()"), "n.ipynb")
    assert dict(nb.line_texts) == {(3, 2): "e = Estimator()"}


def test_scan_rules_out_only_files_without_azureml(tmp_path):
    plain = write(tmp_path, "plain.py", b"import os\nprint(os.sep)\n")
    assert runner.scan(str(plain)) == FileResult(str(plain))
    assert process_file(plain) == FileResult(str(plain))  # what the pool assumes
    est = write(tmp_path, "est.py", b"from azureml.train.estimator import Estimator\n")
    scanned = runner.scan(str(est))
    assert isinstance(scanned, Work) and scanned.payload.data == est.read_bytes()  # read once, handed on
    assert runner.scan(str(tmp_path / "missing.py")).error == f"{tmp_path / 'missing.py'}: no such file or directory"
    assert runner.scan(str(tmp_path)).error == f"{tmp_path}: is a directory"


def test_escapes_do_not_spell_names_in_python_source():
    assert may_contain_estimators(b"x = 'caf\\u00e9'\n", notebook=True) is False
    assert may_contain_estimators(b"import \\uff41zureml\n", notebook=False) is False  # a syntax error in Python
    assert may_contain_estimators("import ａzureml\n".encode(), notebook=False) is True
