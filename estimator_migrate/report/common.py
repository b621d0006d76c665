"""What several renderers share: levels, "needs a person", paths, the source line text."""

from __future__ import annotations

import os
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from estimator_migrate.codes import RULES
from estimator_migrate.findings import Finding

# A FileResult.error that came without an EM9xx finding (an unreadable file, say) is still
# reported in every format, under this code.
FILE_ERROR_CODE = "EM903"

MANUAL = "manual"  # EM3xx / EM9xx: left unchanged, a person must act
REVIEW = "review"  # EM2xx: rewritten, a person should read the result
FIXED = "fixed"  # EM1xx: rewritten, nothing to do


def kind(finding: Finding) -> str:
    if finding.code.startswith("EM2"):
        return REVIEW
    if finding.code.startswith("EM1") or (finding.fixed and not finding.code.startswith(("EM3", "EM9"))):
        return FIXED
    return MANUAL


def level(finding: Finding) -> str:
    """GitHub/SARIF level. EM1xx are warnings, not notices: `check` fails on them, and
    notices are folded away in the GitHub UI. EM2xx warn; EM3xx/EM9xx are errors."""
    if finding.code.startswith(("EM3", "EM9")):
        return "error"
    return "warning"


def rule_name(code: str) -> str:
    rule = RULES.get(code)
    return rule.name if rule is not None else code


def findings_of(result) -> List[Finding]:
    """The findings of one FileResult, plus a synthetic one for an error without an EM9xx."""
    found = [f if f.path else f.with_path(result.path) for f in result.findings]
    if result.error and not any(f.code.startswith("EM9") for f in found):
        found.append(Finding(code=FILE_ERROR_CODE, message=result.error, line=1, column=1,
                             end_line=1, end_column=1, path=result.path,
                             hint="Check that the file exists, is readable and is UTF-8 encoded."))
    return sorted(found, key=Finding.sort_key)


def all_findings(results: Sequence) -> Iterator[Tuple[object, Finding]]:
    for result in results:
        for finding in findings_of(result):
            yield result, finding


def relative_uri(path: str, root: Optional[str] = None, allow_parent: bool = False) -> str:
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


def line_text(result, finding: Finding, cache: Optional[Dict] = None) -> str:
    """The source text of the finding's first line, for fingerprints. The CLI records the
    texts before a fix rewrites the file (``result.line_texts``); otherwise read the file
    (once per file and cell within one ``cache``; no global cache, files change)."""
    recorded: Optional[Dict] = getattr(result, "line_texts", None)
    if recorded is not None:
        return recorded.get((finding.cell, finding.line), "")
    cache = {} if cache is None else cache
    key = (result.path, finding.cell)
    if key not in cache:
        cache[key] = _source_lines(result.path, finding.cell)
    lines = cache[key]
    if 1 <= finding.line <= len(lines):
        return lines[finding.line - 1]
    return ""


def source_lines(data: bytes, path: str, cell: Optional[int]) -> List[str]:
    """The lines of a file (or of one notebook cell, 1-based over all cells)."""
    text = data.decode("utf-8", errors="replace")
    if path.endswith(".ipynb"):
        import json  # only notebooks need it

        try:
            cells = json.loads(text).get("cells", [])
            source = cells[(cell or 1) - 1].get("source", "")
        except (ValueError, AttributeError, IndexError, TypeError):
            return []
        text = "".join(source) if isinstance(source, list) else str(source)
    return text.splitlines()


def _source_lines(path: str, cell: Optional[int]) -> List[str]:
    try:
        with open(path, "rb") as handle:
            return source_lines(handle.read(), path, cell)
    except OSError:
        return []


def record_line_texts(result, data: bytes) -> None:
    """Remember the text of every finding's line from the original bytes (before a fix)."""
    texts = {}
    cache: Dict[Optional[int], List[str]] = {}
    for finding in result.findings:
        if finding.cell not in cache:
            cache[finding.cell] = source_lines(data, result.path, finding.cell)
        lines = cache[finding.cell]
        if 1 <= finding.line <= len(lines):
            texts[(finding.cell, finding.line)] = lines[finding.line - 1]
    try:
        result.line_texts = texts
    except AttributeError:  # a FileResult with __slots__: fall back to reading the file
        pass


def location(finding: Finding) -> str:
    """``path:line:col`` (notebooks: ``path:cell N:line:col`` as ruff prints them)."""
    where = f"{finding.path}:"
    if finding.cell is not None:
        where += f"cell {finding.cell}:"
    return f"{where}{finding.line}:{finding.column}"


def fingerprints(results: Sequence, root: Optional[str] = None,
                 allow_parent: bool = False) -> List[Tuple[object, Finding, str, str]]:
    """(result, finding, fingerprint, uri) per finding. The fingerprint that survives edits elsewhere in the file: a hash of the
    code, the repository-relative path, the finding's line text with whitespace collapsed,
    and the occurrence index among identical (code, path, text) triples. Line numbers are
    left out on purpose, so inserting a line above does not make an old finding look new."""
    import hashlib

    seen: Dict[Tuple[str, str, str], int] = {}
    cache: Dict = {}
    out = []
    for result, finding in all_findings(results):
        text = " ".join(line_text(result, finding, cache).split())
        uri = relative_uri(finding.path, root, allow_parent)
        key = (finding.code, uri, text)
        index = seen.get(key, 0)
        seen[key] = index + 1
        digest = hashlib.sha256("\0".join((finding.code, uri, text, str(index))).encode("utf-8")).hexdigest()
        out.append((result, finding, digest[:32], uri))
    return out
