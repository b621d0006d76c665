"""``--add-todo-comments``: a ``# TODO(estimator-migrate): ...`` line above each statement that
needs manual work, so the work is visible in the code itself (like bump-pydantic's TODOs).
Running it again adds nothing: a statement that already carries the same TODO is skipped."""

from __future__ import annotations

import ast

from estimator_migrate.findings import Finding
from estimator_migrate.text import dominant_newline, end_of, indentation, split_lines

PREFIX = "# TODO(estimator-migrate): "


def todo_line(finding: Finding) -> str:
    return f"{PREFIX}{finding.code} {finding.message}"


def add_todo_comments(source: str, tree: ast.Module, findings: list[Finding]) -> str:
    lines = split_lines(source)
    nl = dominant_newline(lines)
    statements = sorted((n for n in ast.walk(tree) if isinstance(n, ast.stmt)),
                        key=lambda n: (n.lineno, -end_of(n)[0]))
    wanted: dict[int, list[str]] = {}
    for finding in findings:
        if finding.fixed or not finding.code.startswith("EM3"):
            continue
        # The innermost statement that starts its line and contains the finding.
        owner = None
        for stmt in statements:
            if stmt.lineno <= finding.line <= end_of(stmt)[0] and not lines[stmt.lineno - 1][
                    : stmt.col_offset].strip():
                owner = stmt
        if owner is None:
            continue
        text = indentation(lines[owner.lineno - 1]) + todo_line(finding)
        existing = _comments_above(lines, owner.lineno)
        if text.strip() not in existing and text not in wanted.get(owner.lineno, []):
            wanted.setdefault(owner.lineno, []).append(text)
    if not wanted:
        return source
    out: list[str] = []
    for number, line in enumerate(lines, 1):
        out.extend(t + nl for t in wanted.get(number, []))
        out.append(line)
    return "".join(out)


def _comments_above(lines: list[str], lineno: int) -> set:
    found = set()
    n = lineno - 1
    while n >= 1 and lines[n - 1].strip().startswith("#"):
        found.add(lines[n - 1].strip())
        n -= 1
    return found
