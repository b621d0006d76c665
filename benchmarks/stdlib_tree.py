"""Build a real-world tree for the benchmark: copies of the running Python's standard library.

The synthetic trees of generate_tree.py are pure ASCII. Real repositories are not: comments in
other languages, names of people, box-drawing characters, and now and then a file in another
encoding with a PEP 263 coding cookie. The standard library has all of that (about 7% of its
``.py`` files hold non-ASCII bytes, a few are Latin-1 or KOI8-R with a cookie, some do not even
parse), and no file mentions azureml. The tree is generated at run time from the interpreter
that runs it; nothing of it is committed.

    python benchmarks/stdlib_tree.py OUT --copies 6     # about 10,700 files with CPython 3.11
"""

from __future__ import annotations

import argparse
import os
import sysconfig


def stdlib_files(stdlib: str) -> list[str]:
    """The ``.py`` files of the standard library, sorted, without third-party packages."""
    found = []
    for folder, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "dist-packages", "__pycache__"))
        found += [os.path.join(folder, name) for name in sorted(files) if name.endswith(".py")]
    return found


def generate(out: str, copies: int = 6, stdlib: str = "") -> dict[str, int]:
    """Write ``copies`` copies of the standard library's ``.py`` files under ``out``
    (``out/copy0/...``); returns counts. Same interpreter, same bytes."""
    stdlib = stdlib or sysconfig.get_paths()["stdlib"]
    sources = stdlib_files(stdlib)
    stats = {"files": 0, "non_ascii": 0, "bytes": 0}
    for copy in range(copies):
        for source in sources:
            with open(source, "rb") as handle:
                data = handle.read()
            target = os.path.join(out, f"copy{copy}", os.path.relpath(source, stdlib))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
            stats["files"] += 1
            stats["non_ascii"] += not data.isascii()
            stats["bytes"] += len(data)
    return stats


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--copies", type=int, default=6)
    args = parser.parse_args(argv)
    stats = generate(args.out, args.copies)
    print(f"{stats['files']} files, {stats['non_ascii']} with non-ASCII bytes, {stats['bytes'] / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
