"""--baseline FILE: adopt the tool on a large repository without fixing everything first.

The first run (FILE missing) records every current finding and exits 0. Later runs hide
the recorded findings (counted as "baselined") so only new ones fail. A finding is
recognised by its fingerprint (report.common.fingerprints: code, path, line text,
occurrence index), so adding lines above it does not make it new; editing the line does.
Paths are stored relative to the baseline file's folder, so the file works from any cwd.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import os
from collections.abc import Sequence

from estimator_migrate.config import ConfigError
from estimator_migrate.report.common import fingerprints

VERSION = 1


def _root(path: str) -> str:
    return os.path.dirname(os.path.abspath(path))


def write(path: str, results: Sequence) -> int:
    """Record every finding of ``results``; returns how many."""
    entries = [{"fingerprint": fp, "code": f.code, "path": uri, "line": f.line, "message": f.message}
               for _r, f, fp, uri in fingerprints(results, _root(path), allow_parent=True)]
    data = {"tool": "estimator-migrate", "version": VERSION, "findings": entries}
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return len(entries)


def load(path: str) -> collections.Counter:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        prints = [entry["fingerprint"] for entry in data["findings"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a readable estimator-migrate baseline ({exc})") from exc
    return collections.Counter(prints)


def apply(path: str, results: Sequence) -> tuple[list, int]:
    """``results`` without the findings recorded in the baseline, and how many were hidden."""
    known = load(path)
    # fingerprints() sees a finding without a path as a new object; give them paths first.
    results = [_replace(r, [f if f.path else f.with_path(r.path) for f in r.findings]) for r in results]
    hidden_ids = set()
    for _result, finding, fp, _uri in fingerprints(results, _root(path), allow_parent=True):
        if known[fp] > 0:
            known[fp] -= 1
            hidden_ids.add(id(finding))
    if not hidden_ids:
        return list(results), 0
    kept = []
    for result in results:
        remaining = [f for f in result.findings if id(f) not in hidden_ids]
        if len(remaining) != len(result.findings):
            result = _replace(result, remaining)
        kept.append(result)
    return kept, len(hidden_ids)


def _replace(result, findings):
    return dataclasses.replace(result, findings=findings)
