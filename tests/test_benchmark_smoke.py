"""The benchmark's tree generator and runner work (a smoke test: no timings are asserted)."""

import ast
import json
import os
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, BENCH)
    try:
        import generate_tree
        import run

        yield generate_tree, run
    finally:
        sys.path.remove(BENCH)


def _files(tree):
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(tree) for f in fs if f.endswith((".py", ".ipynb")))


def test_generator_is_deterministic_and_realistic(bench, tmp_path):
    generate_tree, _ = bench
    stats = generate_tree.generate(str(tmp_path / "a"), 20, candidates=0.5, seed=3)
    generate_tree.generate(str(tmp_path / "b"), 20, candidates=0.5, seed=3)
    files_a, files_b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert stats["files"] == len(files_a) == 20 and stats["candidates"] == 10
    assert [open(f, "rb").read() for f in files_a] == [open(f, "rb").read() for f in files_b]
    with_azureml = 0
    for path in files_a:
        text = open(path, encoding="utf-8").read()
        with_azureml += "azureml" in text
        if path.endswith(".ipynb"):
            nb = json.loads(text)
            code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
            ast.parse("\n".join(line for line in code.splitlines() if not line.startswith("%")))
        else:
            ast.parse(text)
    assert with_azureml == 10


def test_runner_measures_a_process_and_reports_ratios(bench, tmp_path):
    _, run = bench
    seconds, rss_mb, code = run.measure([sys.executable, "-c", "pass"], str(tmp_path))
    assert seconds > 0 and rss_mb > 1 and code == 0
    lines = run.report("t", "toy", {"grep -rl azureml": (0.1, 2.0), "check -j 1": (0.2, 30.0),
                                    "check -j 2": (0.1, 31.0)})
    text = "\n".join(lines)
    assert "| `check -j 1` | 0.200 | 2.00 | 30 |" in text and "2.00x speed-up" in text


def test_report_shows_both_floors_for_a_mixed_tree(bench):
    _, run = bench
    lines = run.report("mixed", "toy", {"grep -rl azureml": (0.1, 2.0), "libcst parse+codegen": (2.0, 50.0),
                                        "check -j 1": (1.0, 30.0)})
    text = "\n".join(lines)
    assert "| command | median s | x grep -rl azureml | x libcst parse+codegen | peak RSS MB |" in text
    assert "| `check -j 1` | 1.000 | 10.00 | 0.50 | 30 |" in text
    candidates = "\n".join(run.report("candidates", "toy", {"grep -rl azureml": (0.01, 2.0),
                                                           "libcst parse+codegen": (2.0, 50.0)}))
    assert "x grep" not in candidates


def test_stdlib_tree_copies_the_standard_library_files(tmp_path):
    sys.path.insert(0, BENCH)
    try:
        import stdlib_tree
    finally:
        sys.path.remove(BENCH)
    fake = tmp_path / "lib"
    (fake / "pkg").mkdir(parents=True)
    (fake / "site-packages" / "other").mkdir(parents=True)
    (fake / "a.py").write_bytes("# caf\u00e9\n".encode())
    (fake / "pkg" / "b.py").write_bytes(b"# -*- coding: latin-1 -*-\n# caf\xe9\n")
    (fake / "pkg" / "c.txt").write_text("not python")
    (fake / "site-packages" / "other" / "d.py").write_text("x = 1\n")
    stats = stdlib_tree.generate(str(tmp_path / "out"), copies=2, stdlib=str(fake))
    assert stats == {"files": 4, "non_ascii": 4, "bytes": 2 * (len("# caf\u00e9\n".encode()) + 33)}
    assert sorted(os.path.relpath(f, tmp_path / "out") for f in _files(tmp_path / "out")) == [
        "copy0/a.py", "copy0/pkg/b.py", "copy1/a.py", "copy1/pkg/b.py"]
