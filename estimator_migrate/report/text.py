"""The human report: findings grouped by file, each with its next step, then a summary.

Colour comes from rich and only when the caller says so (a terminal without NO_COLOR).
"""

from __future__ import annotations

import io
from typing import Optional, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from estimator_migrate.report.common import FIXED, MANUAL, REVIEW, findings_of, kind, location

_STYLE = {MANUAL: "bold red", REVIEW: "yellow", FIXED: "green"}


def render(results: Sequence, *, mode: str = "check", color: bool = False, quiet: bool = False,
           baselined: int = 0, suppressed: Optional[int] = None, width: int = 100, **_) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, color_system="standard" if color else None,
                      width=width, highlight=False, soft_wrap=True, emoji=False)
    done_label = "fixed" if mode == "fix" else "fixable"
    counts = {FIXED: 0, REVIEW: 0, MANUAL: 0}
    for result in results:
        found = findings_of(result)
        if not found:
            continue
        if not quiet:
            console.print(Text(result.path, style="bold underline"))
        for finding in found:
            category = kind(finding)
            counts[category] += 1
            tag = {FIXED: done_label, REVIEW: f"{done_label}, review", MANUAL: "manual"}[category]
            line = Text.assemble((location(finding), "bold"), ": ", (finding.code, _STYLE[category]),
                                 f" [{tag}] ", finding.message)
            console.print(line)
            if finding.hint and not quiet and category != FIXED:
                console.print(Text.assemble("    ", ("next step: ", "cyan"), finding.hint))
        if not quiet:
            console.print()
    if not quiet:
        console.print(_summary(results, counts, mode, baselined, suppressed))
    return buffer.getvalue()


def _summary(results: Sequence, counts, mode: str, baselined: int, suppressed: Optional[int]) -> Table:
    files = len(results)
    changed = sum(1 for r in results if r.changed)
    errors = sum(1 for r in results if r.error)
    table = Table(title=None, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("files checked", str(files))
    table.add_row("files changed" if mode == "fix" else "files that would change", str(changed))
    table.add_row("rewrites " + ("applied" if mode == "fix" else "available"), str(counts[FIXED]))
    table.add_row("rewrites to review (EM2xx)", str(counts[REVIEW]))
    table.add_row("need manual work (EM3xx/EM9xx)", str(counts[MANUAL]))
    if suppressed is not None:
        table.add_row("suppressed by comments", str(suppressed))
    if baselined:
        table.add_row("in the baseline (not shown)", str(baselined))
    table.add_row("file errors", str(errors))
    return table
