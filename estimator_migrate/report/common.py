"""What several renderers share: levels, "needs a person", paths, fingerprints.

Renderers take a sequence of core.FileResult and never read files: the text of a finding's
line comes from FileResult.line_texts, recorded by the core as the file was read."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from estimator_migrate.codes import RULES, kind_of
from estimator_migrate.findings import Finding

if TYPE_CHECKING:
    from estimator_migrate.core import FileResult

# A FileResult.error that came without an EM9xx finding (an unreadable file, say) is still
# reported in every format, under this code.
FILE_ERROR_CODE = "EM903"

MANUAL = "manual"  # EM3xx / EM5xx / EM9xx: left unchanged, a person must act
REVIEW = "review"  # EM2xx / EM45x: rewritten, a person should read the result
FIXED = "fixed"  # EM1xx / EM40x: rewritten, nothing to do


def kind(finding: Finding) -> str:
    """The code's kind (codes.kind_of, both targets); a code outside the families counts as
    fixed only when the finding says it was."""
    found = kind_of(finding.code)
    if found == FIXED and not finding.code.startswith(("EM1", "EM4")) and not finding.fixed:
        return MANUAL
    return found


def level(finding: Finding) -> str:
    """GitHub/SARIF level. EM1xx are warnings, not notices: `check` fails on them, and
    notices are folded away in the GitHub UI. EM2xx warn; what needs a person is an error."""
    if kind_of(finding.code) == MANUAL:
        return "error"
    return "warning"


def rule_name(code: str) -> str:
    rule = RULES.get(code)
    return rule.name if rule is not None else code


def findings_of(result: FileResult) -> list[Finding]:
    """The findings of one FileResult, plus a synthetic one for an error without an EM9xx."""
    if not result.findings and not result.error:
        return []  # most files of a tree: keep the reports cheap for them
    found = [f if f.path else f.with_path(result.path) for f in result.findings]
    if result.error and not any(f.code.startswith("EM9") for f in found):
        found.append(Finding(code=FILE_ERROR_CODE, message=result.error, line=1, column=1,
                             end_line=1, end_column=1, path=result.path,
                             hint="Check that the file exists, is readable and is UTF-8 encoded."))
    return sorted(found, key=Finding.sort_key)


def all_findings(results: Sequence[FileResult]) -> Iterator[tuple[FileResult, Finding]]:
    for result in results:
        for finding in findings_of(result):
            yield result, finding


def relative_uri(path: str, root: str | None = None, allow_parent: bool = False) -> str:
    """``path`` relative to ``root`` (default: the working directory), forward slashes;
    absolute when it lies outside, unless ``allow_parent`` permits ``../`` paths."""
    if path in ("-", "") or path.startswith("<"):
        return path
    root = os.path.abspath(root or os.getcwd())
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:
        return absolute.replace(os.sep, "/")
    if rel.startswith(os.pardir) and not allow_parent:
        return absolute.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


def location(finding: Finding) -> str:
    """``path:line:col`` (notebooks: ``path:cell N:line:col`` as ruff prints them)."""
    where = f"{finding.path}:"
    if finding.cell is not None:
        where += f"cell {finding.cell}:"
    return f"{where}{finding.line}:{finding.column}"


def fingerprints(results: Sequence, root: str | None = None,
                 allow_parent: bool = False) -> list[tuple[FileResult, Finding, str, str]]:
    """(result, finding, fingerprint, uri) per finding. The fingerprint survives edits elsewhere
    in the file: a hash of the code, the repository-relative path, the finding's line text (as
    read, before a fix) with whitespace collapsed, and the occurrence index among identical
    (code, path, text) triples. Line numbers are left out on purpose, so inserting a line
    above does not make an old finding look new."""
    import hashlib

    seen: dict[tuple[str, str, str], int] = {}
    texts: dict[int, dict] = {}  # id(result) -> its line texts
    out = []
    for result, finding in all_findings(results):
        if id(result) not in texts:
            texts[id(result)] = dict(result.line_texts)
        # The finding's line as the file was read (before a fix rewrote it).
        text = " ".join(texts[id(result)].get((finding.cell, finding.line), "").split())
        uri = relative_uri(finding.path, root, allow_parent)
        key = (finding.code, uri, text)
        index = seen.get(key, 0)
        seen[key] = index + 1
        digest = hashlib.sha256("\0".join((finding.code, uri, text, str(index))).encode("utf-8")).hexdigest()
        out.append((result, finding, digest[:32], uri))
    return out
