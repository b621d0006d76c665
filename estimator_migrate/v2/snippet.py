"""What the v2 building blocks hand back to the renderer.

A :class:`Snippet` is Python code text plus what the renderer must do around it: the imports the
text needs and the findings to report at the place it is written (codes from ``codes.py``, the
EM4xx/EM5xx family of the v2 target). Blocks never emit findings themselves: they do not know
positions.
"""

from __future__ import annotations

import dataclasses

# ("azure.ai.ml", "command") means `from azure.ai.ml import command`; ("shlex", None) `import shlex`.
Import = tuple[str, str | None]


@dataclasses.dataclass(frozen=True)
class Report:
    """A finding to emit where the snippet is written."""

    code: str
    message: str
    hint: str = ""


@dataclasses.dataclass(frozen=True)
class Snippet:
    code: str
    imports: tuple[Import, ...] = ()
    reports: tuple[Report, ...] = ()

    def with_reports(self, *reports: Report) -> Snippet:
        return dataclasses.replace(self, reports=self.reports + tuple(reports))


def merge_imports(*groups) -> tuple[Import, ...]:
    """Imports of several snippets, each once, in first-seen order."""
    return tuple(dict.fromkeys(i for group in groups for i in group))


def py_string(text: str) -> str:
    """A Python string literal for ``text``, double-quoted unless the text holds double quotes
    (the command strings hold single quotes from shell quoting)."""
    literal = repr(text)
    if '"' not in text and literal.startswith("'"):
        return '"' + literal[1:-1] + '"'  # no quote of either kind inside: same escapes
    return literal
