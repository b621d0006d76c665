"""Line bookkeeping shared by the engine: lines keep their own endings, offsets are exact."""

from __future__ import annotations

import ast
import re
from typing import Protocol

# Python ends lines at \r\n, \n or \r only (str.splitlines also splits on \f, \x1c, \u2028...,
# which would shift every line number after such a character).
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")


def split_lines(text: str) -> list[str]:
    """Split ``text`` into lines that keep their endings; ''.join(result) == text."""
    lines = _LINE_RE.findall(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def newline_of(line: str, default: str = "\n") -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    if line.endswith("\r"):
        return "\r"
    return default


def dominant_newline(lines: list[str]) -> str:
    counts = {"\n": 0, "\r\n": 0, "\r": 0}
    for line in lines:
        nl = newline_of(line, "")
        if nl:
            counts[nl] += 1
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "\n"


def indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def byte_col_to_char_col(line: str, byte_col: int) -> int:
    """ast reports columns as UTF-8 byte offsets; findings and libcst count characters."""
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))


def shift_continuations(code: str, delta: int) -> str:
    """The code of an expression moved ``delta`` columns: its continuation lines move with it
    (unless a string spans lines: its text must not change)."""
    lines = code.splitlines(True)
    if delta == 0 or len(lines) == 1:
        return code
    tree = ast.parse(code.strip(), mode="eval")
    if any(isinstance(n, (ast.Constant, ast.JoinedStr)) and n.lineno != n.end_lineno for n in ast.walk(tree)):
        return code
    moved = [lines[0]]
    for line in lines[1:]:
        lead = len(line) - len(line.lstrip(" "))
        moved.append(" " * max(lead + delta, 0) + line[lead:] if line.strip() else line)
    return "".join(moved)


class Located(Protocol):
    """An ast node with a position: expressions, statements, keywords, arguments, ..."""

    @property
    def lineno(self) -> int: ...

    @property
    def col_offset(self) -> int: ...

    @property
    def end_lineno(self) -> int | None: ...

    @property
    def end_col_offset(self) -> int | None: ...


def end_of(node: Located) -> tuple[int, int]:
    """(end line, end byte column); the parser always sets them, a built node may not."""
    line = node.end_lineno if node.end_lineno is not None else node.lineno
    return line, node.end_col_offset if node.end_col_offset is not None else node.col_offset
