"""The notebook adapter: one module for the engine, cells back out, minimal JSON rewrites."""

import ast
import codecs
import copy
import json
import pathlib

import nbformat
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from toy_engine import identity_engine, toy_engine

from estimator_migrate.core import migrate_bytes
from estimator_migrate.engine import Result
from estimator_migrate.findings import Finding
from estimator_migrate.io.notebook import NotebookError, build_module, load_notebook, mask_ipython, render_notebook
from estimator_migrate.io.sources import SourceError
from estimator_migrate.settings import Settings
from estimator_migrate.text import split_lines

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "notebooks"
VALID = ["training", "magics", "bad_cell", "outputs_attachments"]


def fixture_bytes(name):
    return (FIXTURES / f"{name}.ipynb").read_bytes()


def run(data, name="nb.ipynb", diff=False, engine=toy_engine):
    """(result, the bytes to write) of the core on notebook bytes, with the toy engine by default."""
    result = migrate_bytes(data, name, Settings(), diff=diff, engine=engine)
    return result, result.new_data


def sources_of(data):
    return ["".join(c["source"]) for c in json.loads(data)["cells"]]


# -- loading -----------------------------------------------------------------------------------

def test_invalid_json_fixture():
    with pytest.raises(SourceError) as info:
        load_notebook(fixture_bytes("invalid"))
    assert str(info.value).startswith("invalid notebook JSON: Expecting ")
    assert str(info.value) == "invalid notebook JSON: Expecting value: line 10 column 1 (char 141)"


@pytest.mark.parametrize("text, message", [
    ('{"metadata": {}}', "not a Jupyter notebook: no 'cells' list"),
    ('[1, 2]', "not a Jupyter notebook: no 'cells' list"),
    ('{"cells": {}, "nbformat": 4}', "not a Jupyter notebook: no 'cells' list"),
    ('{"worksheets": [], "cells": [], "nbformat": 3}', "unsupported notebook format 3 (nbformat 4 is needed)"),
    ('{"cells": [3], "nbformat": 4}', "not a Jupyter notebook: cell 1 is not an object"),
    ('{"cells": [{"cell_type": "code", "source": 5}], "nbformat": 4}',
     "not a Jupyter notebook: cell 1 source is not text"),
    ('', "invalid notebook JSON: Expecting value: line 1 column 1 (char 0)"),
])
def test_not_a_notebook(text, message):
    with pytest.raises(SourceError) as info:
        load_notebook(text.encode())
    assert str(info.value) == message


def test_not_utf8():
    with pytest.raises(SourceError, match=r"^invalid notebook: not UTF-8 \(invalid byte 0xe9 at byte offset 12\)$"):
        load_notebook(b'{"cells": ["\xe9"]}')


def test_cells_are_numbered_among_all_cells():
    nb = load_notebook(fixture_bytes("training"))
    assert [c.index for c in nb.cells] == list(range(1, 10))
    assert [c.cell_type for c in nb.cells][:2] == ["markdown", "code"]
    assert nb.is_python


# -- unchanged notebooks -------------------------------------------------------------------------

@pytest.mark.parametrize("name", VALID)
def test_unchanged_notebook_is_byte_identical(name):
    data = fixture_bytes(name)
    result, out = run(data, engine=identity_engine)
    assert out == data and not result.changed and result.diff == ""
    nb = load_notebook(data)
    module = build_module(nb)
    split = module.split(module.text)
    assert all(split[i] == nb.cells[i - 1].source for i in split)
    assert render_notebook(nb, split) == nb.text


# -- migrated notebooks ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", VALID)
def test_only_code_cell_sources_change(name):
    data = fixture_bytes(name)
    result, out = run(data, diff=True)
    assert result.changed and result.error is None
    before, after = json.loads(data), json.loads(out)
    for old, new in zip(before["cells"], after["cells"], strict=False):
        if old["source"] != new["source"]:
            assert old["cell_type"] == "code"
            assert type(old["source"]) is type(new["source"])
            assert "".join(new["source"]) == "".join(old["source"]).replace("Estimator(", "ScriptRunConfig(")
        old.pop("source"), new.pop("source")
    assert before == after
    nbformat.validate(nbformat.reads(out.decode("utf-8"), as_version=4))


def test_output_is_what_jupyter_would_write():
    data = fixture_bytes("training")
    _, out = run(data)
    nb = nbformat.reads(data.decode(), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = cell.source.replace("Estimator(", "ScriptRunConfig(")
    assert out.decode("utf-8") == nbformat.writes(nb) + "\n"


def test_ascii_escaped_four_space_notebook():
    data = fixture_bytes("outputs_attachments")
    _, out = run(data)
    expected = json.loads(data)
    cell = expected["cells"][1]
    cell["source"] = [s.replace("Estimator(", "ScriptRunConfig(") for s in cell["source"]]
    assert out == json.dumps(expected, indent=4, ensure_ascii=True, sort_keys=True).encode()
    assert out.isascii() and not out.endswith(b"\n")
    assert b'"image/png": "iVBOR' in out  # attachments and outputs untouched


def test_magics_restored_exactly():
    data = fixture_bytes("magics")
    result, out = run(data)
    old, new = sources_of(data), sources_of(out)
    assert new[0] == old[0]  # imports only: unchanged
    assert new[1] == old[1].replace("Estimator(", "ScriptRunConfig(")
    assert "files = !ls data\n%env AZUREML_LOG=1\nif files:\n    %time print(files)\n" in new[1]
    assert new[1].endswith("est?\n")
    assert new[2] == old[2]
    assert new[3:] == old[3:]  # %%bash and %%writefile cells are never touched
    assert [(f.cell, f.line, f.column) for f in result.findings] == [(2, 5, 7)]
    assert isinstance(json.loads(out)["cells"][1]["source"], str)  # still one string
    cells = [dict(c, source=s) for c, s in zip(json.loads(data)["cells"], new, strict=False)]
    assert out == json.dumps(dict(json.loads(data), cells=cells), indent=2, ensure_ascii=False).encode() + b"\n"


def test_ipython_lines_masked_but_strings_left_alone():
    nb = load_notebook(fixture_bytes("magics"))
    module = build_module(nb)
    ast.parse(module.text)
    assert "!this line is inside a string\n%so is this one\nx?\n" in module.text
    assert "%" not in module.text.replace("%so is this one", "")
    assert "files = __em_ipython_" in module.text  # the assignment target stays visible
    cell2 = module.text.split(module.marker + "2\n")[1].split(module.marker)[0]
    assert len(split_lines(cell2)) == len(split_lines(nb.cells[1].source))  # line numbers map 1:1
    assert [p.cell for p in module.parts] == [1, 2, 3]


def test_mask_continued_magic_and_help():
    counter = iter(range(1, 100))
    text = "%pip install \\\n    a b\nx = 1\nobj.attr??\n  !ls\n"
    masked, restore = mask_ipython(text, lambda: f"_P{next(counter)}")
    assert masked == "_P1\n_P2\nx = 1\n_P3\n  _P4\n"
    assert restore == {"_P1": "%pip install \\", "_P2": "    a b", "_P3": "obj.attr??", "  _P4": "  !ls"}


@pytest.mark.parametrize("line", ["x = y % 3", "a != b", "x %= 2", "print('?')", "f(a,\n  !b)", "# !ls",
                                  "s = '%d' % 1"])
def test_python_is_not_taken_for_ipython(line):
    masked, restore = mask_ipython(line + "\n", lambda: "_P")
    assert restore == {}  # "!b" inside brackets does not start a logical line
    assert masked == line + "\n"


def test_findings_carry_cell_numbers():
    result, _ = run(fixture_bytes("training"), name="train.ipynb")
    assert [(f.code, f.cell, f.line, f.column, f.path) for f in result.findings] == [("EM101", 6, 1, 7, "train.ipynb")]


def test_line_mapping_for_every_line():
    seen = []

    def every_line(source, *, path, settings):
        findings = tuple(Finding("EM310", "x", n, 1, end_line=n) for n, _ in enumerate(split_lines(source), 1))
        seen.append(source)
        return Result(source, source, findings)

    data = fixture_bytes("training")
    result, _ = run(data, engine=every_line)
    nb = load_notebook(data)
    expected = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            expected.append((cell.index, 1))  # the boundary line maps to the cell's first line
            expected += [(cell.index, n) for n in range(1, len(split_lines(cell.source)) + 1)]
    assert [(f.cell, f.line) for f in result.findings] == expected
    assert all(f.end_line == f.line for f in result.findings)


def test_unparseable_cells_reported_and_others_migrated():
    data = fixture_bytes("bad_cell")
    result, out = run(data)
    bad = [(f.code, f.cell, f.line) for f in result.findings if f.code == "EM901"]
    assert bad == [("EM901", 2, 1), ("EM901", 4, 1)]
    assert all("does not parse" in f.message for f in result.findings if f.code == "EM901")
    assert result.changed
    old, new = sources_of(data), sources_of(out)
    assert new[1] == old[1] and new[3] == old[3]
    assert new[2] == old[2].replace("Estimator(", "ScriptRunConfig(")


def test_engine_adding_lines_at_the_top_goes_into_first_cell():
    def add_import(source, *, path, settings):
        new = source.replace("Estimator(", "ScriptRunConfig(")
        if "import ScriptRunConfig" not in new:
            new = "from azureml.core import ScriptRunConfig\n" + new
        return Result(source, new, ())

    data = fixture_bytes("training")
    result, out = run(data, engine=add_import)
    cells = json.loads(out)["cells"]
    assert cells[1]["source"][0] == "from azureml.core import ScriptRunConfig\n"
    assert cells[1]["source"][1:] == json.loads(data)["cells"][1]["source"]
    nbformat.validate(nbformat.reads(out.decode(), as_version=4))


@pytest.mark.parametrize("damage", [
    lambda text, m: text.replace(m.marker + "6\n", ""),
    lambda text, m: text.replace(m.marker + "6\n", "") + m.marker + "6\n",
    lambda text, m: text + m.marker + "2\n",
])
def test_lost_boundary_is_an_internal_error(damage):
    data = fixture_bytes("training")
    module = build_module(load_notebook(data))

    def destructive(source, *, path, settings):
        return Result(source, damage(source, module).replace("Estimator(", "ScriptRunConfig("), ())

    with pytest.raises(NotebookError):
        module.split(damage(module.text, module))
    result, out = run(data, engine=destructive)
    assert out == data and not result.changed and result.error is None
    assert [f.code for f in result.findings] == ["EM902"]
    assert "left unchanged" in result.findings[0].message


def test_lost_placeholder_is_an_internal_error():
    data = fixture_bytes("magics")

    def drop_magic(source, *, path, settings):
        lines = [line for line in split_lines(source) if not line.startswith("__em_ipython_0_1\n")]
        return Result(source, "".join(lines).replace("Estimator(", "ScriptRunConfig("), ())

    result, out = run(data, engine=drop_magic)
    assert out == data and [f.code for f in result.findings] == ["EM902"]


def test_non_python_kernel_is_skipped():
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"language": "R", "name": "ir", "display_name": "R"}})
    nb.cells = [nbformat.v4.new_code_cell("library(azureml)\nEstimator(x)")]
    data = nbformat.writes(nb).encode()
    result, out = run(data)
    assert out == data and result.findings == () and not result.changed


def test_vscode_cell_language_respected():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from azureml.train.estimator import Estimator\nEstimator(x)",
                                          metadata={"vscode": {"languageId": "sql"}})]
    data = nbformat.writes(nb).encode()
    assert run(data)[1] == data


def test_cell_diffs():
    result, _ = run(fixture_bytes("training"), name="nbs/train.ipynb", diff=True)
    assert result.diff.startswith("--- a/nbs/train.ipynb:cell 6\n+++ b/nbs/train.ipynb:cell 6\n@@ -1,4 +1,4 @@\n")
    assert ("-est = Estimator(source_directory=\"src\",\n"
            "+est = ScriptRunConfig(source_directory=\"src\",\n") in result.diff
    assert result.diff.count("--- a/") == 1


def test_bom_kept():
    data = codecs.BOM_UTF8 + fixture_bytes("training")
    result, out = run(data)
    assert out.startswith(codecs.BOM_UTF8) and result.changed
    assert json.loads(out[3:]) == json.loads(run(data[3:])[1])


# -- serialisation styles -----------------------------------------------------------------------

def make_nb(cell_sources, as_list=True):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3 \u00e9"}})
    nb.cells = [nbformat.v4.new_markdown_cell("caf\u00e9 \u2713")]
    for i, source in enumerate(cell_sources):
        nb.cells.append(nbformat.v4.new_code_cell(source, execution_count=i + 1))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    data = json.loads(nbformat.writes(nb))
    if not as_list:
        for cell in data["cells"]:
            cell["source"] = "".join(cell["source"])
    return data


SOURCES = ["from azureml.train.estimator import Estimator\nimport os",
           "est = Estimator(source_directory='.',\n                compute_target='cpu')\n",
           "x = 1\r\nest2 = Estimator(source_directory='.')\r\n"]


@pytest.mark.parametrize("indent", [None, 1, 2, 4])
@pytest.mark.parametrize("ensure_ascii", [False, True])
@pytest.mark.parametrize("sort_keys", [False, True])
@pytest.mark.parametrize("as_list", [False, True])
@pytest.mark.parametrize("final_newline", ["", "\n"])
def test_styles_preserved(indent, ensure_ascii, sort_keys, as_list, final_newline):
    data = make_nb(SOURCES, as_list)
    if not sort_keys:  # key order as some other tools write it
        data = {"nbformat": data["nbformat"], "nbformat_minor": data["nbformat_minor"], "metadata": data["metadata"],
                "cells": [dict(reversed(list(c.items()))) for c in data["cells"]]}

    def dump(d):
        return (json.dumps(d, indent=indent, ensure_ascii=ensure_ascii) + final_newline).encode("utf-8")

    expected = copy.deepcopy(data)
    for cell in expected["cells"][1:]:
        if as_list:
            cell["source"] = [s.replace("Estimator(", "ScriptRunConfig(") for s in cell["source"]]
        else:
            cell["source"] = cell["source"].replace("Estimator(", "ScriptRunConfig(")
    result, out = run(dump(data))
    assert result.changed
    assert out == dump(expected)


def test_crlf_json_file():
    data = make_nb(SOURCES)
    text = json.dumps(data, indent=1, ensure_ascii=False).replace("\n", "\r\n") + "\r\n"
    _, out = run(text.encode())
    assert b"ScriptRunConfig(" in out
    assert out.count(b"\n") == out.count(b"\r\n")
    assert out.decode().replace("ScriptRunConfig(", "Estimator(") == text


def test_source_list_resplit_when_lines_are_added():
    def wrap(source, *, path, settings):
        new = source.replace("est = Estimator(", "env = Environment('e')\nest = ScriptRunConfig(")
        return Result(source, new, ())

    data = make_nb(SOURCES)
    _, out = run((json.dumps(data, indent=1) + "\n").encode(), engine=wrap)
    cell = json.loads(out)["cells"][2]
    assert cell["source"] == ["env = Environment('e')\n", "est = ScriptRunConfig(source_directory='.',\n",
                              "                compute_target='cpu')\n"]


# -- properties -----------------------------------------------------------------------------------

ipython_line = st.sampled_from(["%pip install azureml-core", "!ls -la", "files = !ls", "x = %env PATH", "obj?",
                                "??Estimator", "%time f()", "%pip install \\\n  azureml-sdk"])
python_line = st.sampled_from(["x = 1", "est = Estimator(source_directory='.')", "s = '''\n!not\n%not\n'''",
                               "if x:\n    %time y()\n    pass", "# %comment", "f(1,\n  2)", "", "y = 'caf\u00e9'"])
cell_text = st.lists(st.one_of(ipython_line, python_line), max_size=6).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n"]).map(lambda nl: nl.join(lines).replace("\n", nl)))


@hsettings(max_examples=150, deadline=None)
@given(cells=st.lists(cell_text, min_size=1, max_size=4), trailing=st.booleans())
def test_module_round_trip_property(cells, trailing):
    cells = [c + ("\n" if trailing and c else "") for c in cells]
    data = json.dumps(make_nb(["import azureml"] + cells), indent=1).encode()
    nb = load_notebook(data)
    module = build_module(nb)
    ast.parse(module.text)
    assert module.bad_cells == []
    split = module.split(module.text)
    for index, source in split.items():
        assert source == nb.cells[index - 1].source
    changed = module.split(module.text.replace("Estimator(", "ScriptRunConfig("))
    for index, source in changed.items():
        assert source == nb.cells[index - 1].source.replace("Estimator(", "ScriptRunConfig(")
    assert json.loads(render_notebook(nb, changed))["cells"][0] == json.loads(data)["cells"][0]


def _notebook_with(*sources):
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
              "source": source} for i, source in enumerate(sources)]
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                      "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(nb, indent=1) + "\n").encode("utf-8")


def test_indented_cell_is_migrated_like_ipython_runs_it():
    """IPython strips the first line's indentation from a whole cell; such a cell is migrated
    and gets its indentation back."""
    data = _notebook_with(
        "from azureml.train.estimator import Estimator\n",
        "  est = Estimator(source_directory='src', compute_target='local',\n"
        "                  use_gpu=True)\n"
        "\n"
        "  run = exp.submit(est)",
    )
    result = migrate_bytes(data, "indented.ipynb", Settings())
    new_data = result.new_data
    assert result.error is None and result.changed
    assert not [f for f in result.findings if f.code == "EM901"]
    cell = "".join(json.loads(new_data)["cells"][1]["source"])
    assert cell.startswith("  est_env = Environment(")
    assert "\n  est = ScriptRunConfig(source_directory='src'" in cell
    assert cell.endswith("\n\n  run = exp.submit(est)")
    nbformat.validate(nbformat.reads(new_data.decode("utf-8"), as_version=4))


def test_indented_cell_that_cannot_be_restored_exactly_is_reported():
    data = _notebook_with("    x = 1\n  y = 2\n")
    module = build_module(load_notebook(data))
    assert [b.cell for b in module.bad_cells] == [1]


def test_removed_import_at_the_top_of_a_cell_leaves_no_blank_first_line():
    data = _notebook_with(
        "from azureml.train.estimator import Estimator\n"
        "\n"
        "est = Estimator(source_directory='src', compute_target='local')",
    )
    result = migrate_bytes(data, "top.ipynb", Settings())
    new_data = result.new_data
    cell = "".join(json.loads(new_data)["cells"][0]["source"])
    assert cell.startswith("from azureml.core")


# -- automagic ---------------------------------------------------------------------------------

def _cells_notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    return nbformat.writes(nb).encode("utf-8")


def test_automagic_cells_are_read_as_ipython_runs_them():
    """IPython runs a magic without `%` (pip, cd, ls, ...) when it is the only line of its cell
    and its name is not bound (checked against IPython 7.16 and 9.18: transform_cell)."""
    data = _cells_notebook(
        "pip install azureml-sdk[notebooks]",       # a magic alone in its cell
        "\n\n  cd src",                             # leading empty lines and indentation are dropped first
        "ls -la outputs",                           # a default alias (valid Python too: nothing to mask)
        "x = 1\npip install pandas",                # two lines: IPython raised SyntaxError
        "pip list\n\n",                             # a trailing empty line makes it two lines as well
        "def cd(path):\n    return path",
        "cd src",                                   # `cd` is bound now: not a magic any more
        "from azureml.train.estimator import Estimator\n"
        "est = Estimator(source_directory='.', entry_script='train.py', compute_target='local')",
    )
    module = build_module(load_notebook(data))
    assert [(b.cell, b.line) for b in module.bad_cells] == [(4, 2), (5, 1), (7, 1)]
    message = module.bad_cells[0].message
    assert "`pip install pandas` is a magic without `%`" in message and "write `%pip install pandas`" in message
    assert module.bad_cells[2].message == "invalid syntax"
    result = migrate_bytes(data, "nb.ipynb", Settings())
    out = result.new_data
    assert result.changed
    assert sources_of(out)[:3] == sources_of(data)[:3]  # masked and restored exactly
    assert "ScriptRunConfig(" in sources_of(out)[7]


@pytest.mark.parametrize("line", ["ls = 3", "ls, x = 1, 2", "pip.main(['list'])", "time.sleep(1)", "print(1)"])
def test_python_lines_are_not_automagic(line):
    module = build_module(load_notebook(_cells_notebook(line)))
    assert not module.bad_cells and not module.restore


def test_databricks_language_cells_are_not_python():
    module = build_module(load_notebook(_cells_notebook("%sh\n\nls -la /dbfs/models/*", "%md\n# Notes", "x = 1")))
    assert not module.bad_cells and [p.cell for p in module.parts] == [3]
