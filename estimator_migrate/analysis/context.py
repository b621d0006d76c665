"""Per-file state shared by the rules: the source, its ast, name resolution, findings, edits."""

from __future__ import annotations

import ast
import dataclasses
import re

from estimator_migrate.analysis.names import NameResolver
from estimator_migrate.analysis.symbols import IMPORT_FROM, canonical
from estimator_migrate.codes import RULES
from estimator_migrate.findings import Finding, Severity
from estimator_migrate.rewrite.imports import ALIAS_PREFIX
from estimator_migrate.settings import Settings
from estimator_migrate.text import Located, byte_col_to_char_col, dominant_newline, end_of, indentation, split_lines

_NOQA_RE = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_IGNORE_RE = re.compile(r"#\s*estimator-migrate:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
ALL = "*"


@dataclasses.dataclass
class Edit:
    """Replace source lines ``start..end`` (1-based, inclusive) by ``text``. ``end == start - 1``
    inserts before ``start``."""

    start: int
    end: int
    text: str
    # Findings that describe this edit: dropped with it when it has to wait for the next pass.
    findings: list[Finding] = dataclasses.field(default_factory=list)
    # Edits of one group (two statements that change together) are applied together or not at all.
    group: int = 0


class FileContext:
    def __init__(self, source: str, tree: ast.Module, path: str, settings: Settings):
        self.source = source
        self.lines = split_lines(source)
        self.newline = dominant_newline(self.lines)
        self.tree = tree
        self.path = path
        self.settings = settings
        self.names = NameResolver(tree)
        self.findings: list[Finding] = []
        self.edits: list[Edit] = []
        self._taken_names: set[str] | None = None
        self._suppressions: dict[int, set[str]] = {}
        for number, line in enumerate(self.lines, 1):
            if "#" not in line:
                continue
            codes = self._suppressed_codes(line)
            if codes:
                self._suppressions[number] = codes
        self.suppressed_count = 0
        # Set by the engine: what rules learnt in earlier passes, and line numbers as read.
        self.memory: dict[str, dict] = {}
        self.origin_line = lambda line: line

    # -- names ------------------------------------------------------------------------------
    def canonical_name(self, expr: ast.AST) -> str | None:
        found = canonical(self.names.qualified_name(expr))
        if found is None and isinstance(expr, ast.Name):
            # A name an earlier pass generated is imported only after the last pass: until then
            # it is unbound, and it stands for the SDK name it was generated for.
            name = expr.id[len(ALIAS_PREFIX):] if expr.id.startswith(ALIAS_PREFIX) else expr.id
            scope = self.names.scope_of.get(id(expr), self.names.module_scope)
            if name in IMPORT_FROM and not self.names.bindings_of(expr.id, scope):
                found = canonical(f"{IMPORT_FROM[name]}.{name}")
        return found

    def unique_name(self, base: str) -> str:
        if self._taken_names is None:
            self._taken_names = self.names.all_identifiers()  # parameters are bindings too
        name, n = base, 2
        while name in self._taken_names:
            name = f"{base}_{n}"
            n += 1
        self._taken_names.add(name)
        return name

    # -- text -----------------------------------------------------------------------------
    def char_col(self, line: int, byte_col: int) -> int:
        return byte_col_to_char_col(self.lines[line - 1], byte_col)

    def segment(self, node: Located) -> str:
        """The exact source text of an expression or statement."""
        (sl, sc_byte), (el, ec_byte) = (node.lineno, node.col_offset), end_of(node)
        sc = self.char_col(sl, sc_byte)
        ec = self.char_col(el, ec_byte)
        if sl == el:
            return self.lines[sl - 1][sc:ec]
        parts = [self.lines[sl - 1][sc:]] + self.lines[sl:el - 1] + [self.lines[el - 1][:ec]]
        return "".join(parts)

    def indent_of(self, line: int) -> str:
        return indentation(self.lines[line - 1])

    def owns_lines(self, stmt: ast.stmt) -> bool:
        """True when nothing but whitespace precedes the statement on its first line and
        nothing but a comment follows it on its last line (no ``;`` neighbours)."""
        first = self.lines[stmt.lineno - 1]
        if first[: self.char_col(stmt.lineno, stmt.col_offset)].strip():
            return False
        end_line, end_col = end_of(stmt)
        rest = self.lines[end_line - 1][self.char_col(end_line, end_col):].strip()
        return not rest or rest.startswith("#")

    # -- suppression ----------------------------------------------------------------------
    @staticmethod
    def _suppressed_codes(line: str) -> set[str]:
        found: set[str] = set()
        m = _IGNORE_RE.search(line)
        if m:
            codes = m.group("codes")
            found.update(c.strip().upper() for c in codes.split(",") if c.strip()) if codes else found.add(ALL)
        m = _NOQA_RE.search(line)
        if m:
            codes = m.group("codes")
            if codes:
                found.update(c.upper() for c in re.split(r"[\s,]+", codes) if c)
            else:
                found.add(ALL)
        return found

    def suppressed(self, code: str, *lines: int) -> bool:
        for line in lines:
            codes = self._suppressions.get(line)
            if codes and (ALL in codes or code in codes or any(code.startswith(c) for c in codes)):
                return True
        return False

    # -- reporting ------------------------------------------------------------------------
    def report(self, code: str, node: Located, message: str, hint: str = "", *, fixed: bool = False,
               severity: Severity | None = None, lines=()) -> bool:
        """Record a finding unless it is suppressed or not selected. Returns True if recorded."""
        line = node.lineno
        if self.suppressed(code, line, *lines):
            self.suppressed_count += 1
            return False
        if not self.settings.enabled(code):
            return False
        rule = RULES[code]
        self.findings.append(Finding(
            code=code, message=message, hint=hint or (rule.fix_safety if not rule.fixable else ""),
            line=line, column=self.char_col(line, node.col_offset) + 1,
            end_line=node.end_lineno or line,
            end_column=self.char_col(node.end_lineno or line, node.end_col_offset or node.col_offset) + 1,
            fixed=fixed, severity=severity or rule.severity, path=self.path,
        ))
        return True

    def may_fix(self, code: str, node: Located, *lines: int) -> bool:
        """A rewrite is applied only when its code is enabled and not suppressed on its line."""
        if not self.settings.enabled(code):
            return False
        if self.suppressed(code, node.lineno, *lines):
            self.suppressed_count += 1
            return False
        return True

    def enclosing_statement(self, node: ast.AST) -> ast.stmt:
        while not isinstance(node, ast.stmt):
            node = self.names.parent[id(node)]
        return node

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.names.parent.get(id(node))
