"""File discovery: suffixes, .gitignore, excludes, --force-exclude, symlink loops, order."""

from __future__ import annotations

import os

import pytest

from estimator_migrate.io.discover import discover


def touch(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    touch(tmp_path, "a.py", "nb.ipynb", "notes.txt", "pkg/b.py", "pkg/sub/c.py", "a-b.py")
    return tmp_path


def test_takes_py_and_ipynb_in_deterministic_order(tree):
    assert discover(["."], root=".") == ["a-b.py", "a.py", "nb.ipynb", "pkg/b.py", "pkg/sub/c.py"]


def test_skips_hidden_venv_site_packages_pycache_node_modules(tree):
    touch(tree, ".hidden/x.py", ".venv/lib/x.py", "venv/x.py", "lib/site-packages/x.py",
          "__pycache__/x.py", "node_modules/x.py", "env/lib/x.py")
    (tree / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    assert discover(["."], root=".") == ["a-b.py", "a.py", "nb.ipynb", "pkg/b.py", "pkg/sub/c.py"]


def test_gitignore_at_every_level_with_negation(tree):
    (tree / ".gitignore").write_text("*.ipynb\ngenerated/\npkg/sub/\n")
    (tree / "pkg" / ".gitignore").write_text("b.py\n")
    touch(tree, "generated/g.py", "keep/generated.py", "keep/k.py")
    (tree / "keep" / ".gitignore").write_text("*.py\n!k.py\n")
    assert discover(["."], root=".") == ["a-b.py", "a.py", "keep/k.py"]


def test_gitignore_of_the_repository_applies_when_walking_a_subfolder(tree):
    (tree / ".gitignore").write_text("sub/\n")
    assert discover(["pkg"], root=".") == ["pkg/b.py"]


def test_exclude_replaces_defaults_and_extend_exclude_adds(tree):
    touch(tree, "venv/x.py", "build/y.py")
    assert "build/y.py" not in discover(["."], root=".", extend_exclude=["build/"])
    assert "venv/x.py" not in discover(["."], root=".", extend_exclude=["build/"])
    replaced = discover(["."], root=".", exclude=["build/"])
    assert "venv/x.py" in replaced and "build/y.py" not in replaced


def test_anchored_and_file_globs(tree):
    assert discover(["."], root=".", extend_exclude=["pkg/sub", "*.ipynb"]) == ["a-b.py", "a.py", "pkg/b.py"]


def test_explicit_files_are_taken_unless_force_exclude(tree):
    touch(tree, "build/y.py", "script.txt")
    assert discover(["build/y.py", "script.txt"], root=".", extend_exclude=["build/"]) == ["build/y.py", "script.txt"]
    assert discover(["build/y.py", "a.py"], root=".", extend_exclude=["build/"], force_exclude=True) == ["a.py"]
    touch(tree, ".venv/lib/z.py")
    assert discover([".venv/lib/z.py"], root=".", force_exclude=True) == []
    assert discover(["pkg/b.py"], root=".", extend_exclude=["b.py"], force_exclude=True) == []


def test_paths_are_deduplicated(tree):
    assert discover(["pkg", "pkg/b.py", "./pkg/sub"], root=".") == ["pkg/b.py", "pkg/sub/c.py"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_symlink_loop_terminates(tree):
    os.symlink("..", tree / "pkg" / "loop")
    os.symlink(str(tree / "pkg"), tree / "pkg" / "sub" / "up")
    os.symlink("missing.py", tree / "dangling.py")
    found = discover(["."], root=".")
    assert "a.py" in found and "dangling.py" not in found
    assert len(found) == len(set(found)) and len(found) < 20


def test_outside_root_still_matches_names(tmp_path, monkeypatch):
    touch(tmp_path, "proj/venv/x.py", "proj/a.py")
    monkeypatch.chdir(tmp_path / "proj")
    assert discover([str(tmp_path / "proj")], root=str(tmp_path / "elsewhere")) == [str(tmp_path / "proj" / "a.py")]
