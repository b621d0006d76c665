"""The floor for rewriting: a bare libcst parse + codegen of every file named on standard input
(one path a line). Notebooks contribute their code cells, joined, with IPython lines (magics,
shell escapes) turned into comments, which is what any libcst-based tool has to parse.

Run as its own process by run.py, so it pays the same interpreter start-up and libcst import
as the tool does.
"""

from __future__ import annotations

import json
import sys

import libcst


def notebook_code(data: bytes) -> str:
    nb = json.loads(data)
    cells = []
    for cell in nb.get("cells", ()):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        lines = ["# " + line if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines()]
        cells.append("\n".join(lines) + "\n")
    return "\n".join(cells)


def main() -> int:
    total = 0
    for path in sys.stdin.read().splitlines():
        with open(path, "rb") as handle:
            data = handle.read()
        if path.endswith(".ipynb"):
            module = libcst.parse_module(notebook_code(data))
        else:
            module = libcst.parse_module(data)
        total += len(module.code)
    print(total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
