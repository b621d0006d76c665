"""Findings: what the tool reports about one place in one file."""

from __future__ import annotations

import dataclasses
import enum


class Severity(str, enum.Enum):
    ERROR = "error"  # needs a person: the code was left unchanged
    WARNING = "warning"  # rewritten, but a person should review the result
    INFO = "info"  # rewritten; nothing to do

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


@dataclasses.dataclass(frozen=True)
class Finding:
    """One report about one place. Lines and columns are 1-based, columns count characters.

    ``fixed`` says whether the tool rewrote the code the finding is about (in ``fix`` mode)
    or would rewrite it. ``cell`` is the 1-based notebook cell index when the file is a
    notebook; ``line``/``end_line`` are then relative to that cell.
    """

    code: str
    message: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0
    hint: str = ""
    fixed: bool = False
    severity: Severity = Severity.ERROR
    path: str = ""
    cell: int | None = None

    def with_path(self, path: str) -> Finding:
        return dataclasses.replace(self, path=path)

    def sort_key(self):
        return (self.path, self.cell or 0, self.line, self.column, self.code)
