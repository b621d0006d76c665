"""Find the files to migrate: walk folders, keep `.py` and `.ipynb`, honour `.gitignore` and
the exclude globs. Pure file-system logic, no knowledge of estimators.

Semantics (the ones ruff users already know):
- ``exclude`` replaces the default list :data:`DEFAULT_EXCLUDE`; ``extend_exclude`` adds to it.
- Globs use `.gitignore` syntax (gitwildmatch) relative to the project root: ``build`` matches
  a folder or file named build at any depth, ``src/legacy/*.py`` is anchored to the root.
- Files named explicitly on the command line are always taken, whatever their extension,
  unless ``force_exclude`` is set: then the excludes apply to them too (pre-commit passes
  files one by one, so without it an excluded folder would still be linted).
- Folders that hold a ``pyvenv.cfg`` are virtualenvs and are always skipped while walking.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

import pathspec
from pathspec.patterns import GitWildMatchPattern

SUFFIXES = (".py", ".ipynb")
# Hidden folders (".*") cover .git, .venv, .tox, .mypy_cache and friends.
DEFAULT_EXCLUDE: tuple[str, ...] = (".*/", "venv/", "site-packages/", "__pycache__/", "node_modules/")


class ExcludeSpec:
    """Exclude globs in gitwildmatch syntax, matched against paths relative to ``root``."""

    def __init__(self, patterns: Iterable[str], root: str):
        self.patterns = list(patterns)
        self.root = os.path.abspath(root)
        self.spec = pathspec.PathSpec.from_lines(GitWildMatchPattern, self.patterns)
        # Folder-only globs (the defaults) never match a file the walk reaches: the folder was
        # excluded before the walk could enter it. Skipping files then saves a match per file.
        self.folders_only = all(p.strip().endswith("/") and "!" not in p for p in self.patterns
                                if p.strip() and not p.lstrip().startswith("#"))

    def matches(self, path: str, is_dir: bool) -> bool:
        rel = _relative(path, self.root)
        if rel is None:
            # Outside the root: match the name alone, so `venv/` still excludes ../venv.
            rel = os.path.basename(os.path.abspath(path))
        return self.matches_relative(rel, is_dir)

    def matches_relative(self, rel: str, is_dir: bool) -> bool:
        """``rel``: the path relative to the root with forward slashes (or the bare name for a
        path outside the root)."""
        if not is_dir and self.folders_only:
            return False
        return self.spec.match_file(rel + "/" if is_dir else rel)


class GitIgnore:
    """The `.gitignore` files that apply to one folder, deepest last.

    Git's rule: the deepest file with a matching pattern decides, and within one file the
    last matching pattern decides (so ``!keep.py`` re-includes). pathspec's PathSpec only
    answers "ignored or not" for one file, so the verdicts are combined here."""

    def __init__(self, layers: tuple[tuple[str, tuple[GitWildMatchPattern, ...]], ...] = (),
                 folders_only: bool = True):
        self.layers = layers
        # Like ExcludeSpec.folders_only: with folder patterns only, no file needs a match.
        self.folders_only = folders_only

    def child(self, folder: str) -> GitIgnore:
        patterns, folders_only = _read_gitignore(folder)
        if not patterns:
            return self
        return GitIgnore(self.layers + ((os.path.abspath(folder), patterns),), self.folders_only and folders_only)

    def ignored(self, path: str, is_dir: bool) -> bool:
        return self.ignored_absolute(os.path.abspath(path), is_dir)

    def ignored_absolute(self, path: str, is_dir: bool) -> bool:
        """``path`` absolute and normalised (as os.path.abspath gives it): the walk builds such
        paths by joining names, so the relative path to each layer is a string slice."""
        if not is_dir and self.folders_only:
            return False
        for folder, patterns in reversed(self.layers):
            prefix = folder if folder.endswith(os.sep) else folder + os.sep
            if path.startswith(prefix):
                rel = path[len(prefix):]
                if os.sep != "/":
                    rel = rel.replace(os.sep, "/")
            elif path == folder:
                rel = ""
            else:
                continue
            if is_dir:
                rel += "/"
            verdict = None
            for pattern in patterns:
                if pattern.include is not None and pattern.match_file(rel) is not None:
                    verdict = pattern.include
            if verdict is not None:
                return verdict
        return False


def _read_gitignore(folder: str) -> tuple[tuple[GitWildMatchPattern, ...], bool]:
    """The patterns of ``folder/.gitignore`` and whether all of them name folders only."""
    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return (), True
    kept = [(line, p) for line, p in ((line, GitWildMatchPattern(line)) for line in lines) if p.include is not None]
    folders_only = all(line.strip().endswith("/") and not line.lstrip().startswith("!") for line, _ in kept)
    return tuple(p for _, p in kept), folders_only


def _relative(path: str, folder: str) -> str | None:
    """``path`` relative to ``folder`` with forward slashes, or None when it is not inside."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, folder)
    except ValueError:  # another drive on Windows
        return None
    if rel == os.curdir:
        return ""
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/")


def git_root(start: str) -> str | None:
    """The nearest folder at or above ``start`` that holds `.git` (folder or worktree file)."""
    current = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _ancestor_gitignore(folder: str) -> GitIgnore:
    """The `.gitignore` files from the repository root down to ``folder`` (exclusive): a walk
    that starts in ``src/`` must still honour the root's `.gitignore`."""
    folder = os.path.abspath(folder)
    top = git_root(folder)
    if top is None:
        return GitIgnore()
    chain: list[str] = []
    current = folder
    while current != top:
        current = os.path.dirname(current)
        chain.append(current)
    ignore = GitIgnore()
    for ancestor in reversed(chain):
        ignore = ignore.child(ancestor)
    return ignore


def _is_virtualenv(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


def _display(path: str) -> str:
    return os.path.normpath(path)


def discover(
    paths: Sequence[str],
    *,
    root: str = ".",
    exclude: Sequence[str] | None = None,
    extend_exclude: Sequence[str] = (),
    force_exclude: bool = False,
    respect_gitignore: bool = True,
) -> list[str]:
    """The files to process under ``paths``, deduplicated and sorted, as display paths
    (relative when the argument was relative)."""
    patterns = list(DEFAULT_EXCLUDE if exclude is None else exclude) + list(extend_exclude)
    excludes = ExcludeSpec(patterns, root)
    found: dict[str, None] = {}
    for path in paths:
        if os.path.isdir(path):
            ignore = _ancestor_gitignore(path) if respect_gitignore else GitIgnore()
            # The walk joins names onto the normalised folder, so its paths are display paths.
            for file in _walk(_display(path), excludes, ignore, respect_gitignore, set()):
                found.setdefault(file)
        elif os.path.lexists(path):
            if force_exclude and _explicit_file_excluded(path, excludes):
                continue
            found.setdefault(_display(path))
        else:
            raise FileNotFoundError(path)
    if len(paths) == 1:
        # One folder is walked in sorted order already: siblings sorted by name, depth first.
        return list(found)
    return sorted(found, key=_sort_key)


def _sort_key(path: str):
    # Compare path components, so "a/b.py" sorts with "a/" and not after "a-b.py".
    return os.path.normpath(path).split(os.sep)


def _explicit_file_excluded(path: str, excludes: ExcludeSpec) -> bool:
    """With --force-exclude an explicit file is dropped when it, or any folder above it
    (up to the root), matches an exclude glob."""
    if excludes.matches(path, is_dir=False):
        return True
    current = os.path.dirname(os.path.abspath(path))
    while _relative(current, excludes.root):  # stops at the root ("") and outside it (None)
        if excludes.matches(current, is_dir=True):
            return True
        current = os.path.dirname(current)
    return False


def _walk(folder: str, excludes: ExcludeSpec, ignore: GitIgnore, respect_gitignore: bool,
          seen: set[tuple[int, int]]) -> Iterator[str]:
    try:
        stat = os.stat(folder)
    except OSError:
        return
    key = (stat.st_dev, stat.st_ino)
    if key in seen:  # a symlink loop, or the same folder reached twice
        return
    seen.add(key)
    absolute = os.path.abspath(folder)
    if respect_gitignore:
        ignore = ignore.child(absolute)
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_name)
    except OSError:
        return
    # Paths are built by string joins, not os.path.join or relpath per entry: on a large tree
    # those were most of the discovery time. scandir names never hold a separator.
    prefix = "" if folder == os.curdir else (folder if folder.endswith(os.sep) else folder + os.sep)
    absolute_prefix = absolute if absolute.endswith(os.sep) else absolute + os.sep
    rel_folder = _relative(absolute, excludes.root)
    rel_prefix = rel_folder + "/" if rel_folder else ""
    check_files = not (excludes.folders_only and ignore.folders_only)
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()  # follows symlinks; loops are caught by `seen`
        except OSError:
            continue
        if not is_dir and not name.endswith(SUFFIXES):
            continue
        path = prefix + name
        # Outside the root the name alone is matched, so `venv/` still excludes ../venv.
        rel = rel_prefix + name
        if is_dir:
            if (name == ".git" or excludes.matches_relative(rel, True)
                    or ignore.ignored_absolute(absolute_prefix + name, True)):
                continue
            if _is_virtualenv(path):
                continue
            yield from _walk(path, excludes, ignore, respect_gitignore, seen)
        else:
            try:
                if not entry.is_file():  # broken symlink, socket, ...
                    continue
            except OSError:
                continue
            if check_files and (excludes.matches_relative(rel, False)
                                or ignore.ignored_absolute(absolute_prefix + name, False)):
                continue
            yield path


def _name(entry: os.DirEntry) -> str:
    return entry.name
