"""The human report: findings grouped by file, each with its next step, then a summary.

Each line is built as styled pieces; rich draws them only when the caller asks for colour (a
terminal without NO_COLOR). Without colour the pieces are joined as they are: importing rich
would cost more than the rest of a run over a tree without estimators (issue 9).
"""

from __future__ import annotations

from collections.abc import Sequence

from estimator_migrate.report.common import FIXED, MANUAL, REVIEW, findings_of, kind, location

_STYLE = {MANUAL: "bold red", REVIEW: "yellow", FIXED: "green"}

Line = list[tuple[str, str]]  # (text, rich style) pieces


def render(results: Sequence, *, mode: str = "check", color: bool = False, quiet: bool = False,
           baselined: int = 0, suppressed: int | None = None, width: int = 100, **_) -> str:
    done_label = "fixed" if mode == "fix" else "fixable"
    counts = {FIXED: 0, REVIEW: 0, MANUAL: 0}
    lines: list[Line] = []
    for result in results:
        found = findings_of(result)
        if not found:
            continue
        if not quiet:
            lines.append([(result.path, "bold underline")])
        for finding in found:
            category = kind(finding)
            counts[category] += 1
            tag = {FIXED: done_label, REVIEW: f"{done_label}, review", MANUAL: "manual"}[category]
            lines.append([(location(finding), "bold"), (": ", ""), (finding.code, _STYLE[category]),
                          (f" [{tag}] ", ""), (finding.message, "")])
            if finding.hint and not quiet and category != FIXED:
                lines.append([("    ", ""), ("next step: ", "cyan"), (finding.hint, "")])
        if not quiet:
            lines.append([])
    if not quiet:
        lines += _summary(results, counts, mode, baselined, suppressed)
    if color:
        return _rich(lines, width)
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)


def _rich(lines: Sequence[Line], width: int) -> str:
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=width, highlight=False,
                      soft_wrap=True, emoji=False)
    for line in lines:
        console.print(Text.assemble(*line))
    return buffer.getvalue()


def _summary(results: Sequence, counts, mode: str, baselined: int, suppressed: int | None) -> list[Line]:
    changed = sum(1 for r in results if r.changed)
    errors = sum(1 for r in results if r.error)
    rows = [("files checked", len(results)),
            ("files changed" if mode == "fix" else "files that would change", changed),
            ("rewrites " + ("applied" if mode == "fix" else "available"), counts[FIXED]),
            ("rewrites to review (EM2xx)", counts[REVIEW]),
            ("need manual work (EM3xx/EM9xx)", counts[MANUAL])]
    if suppressed is not None:
        rows.append(("suppressed by comments", suppressed))
    if baselined:
        rows.append(("in the baseline (not shown)", baselined))
    rows.append(("file errors", errors))
    # Two columns: bold labels, then the numbers aligned on the right.
    label_width = max(len(label) for label, _ in rows)
    number_width = max(len(str(number)) for _, number in rows)
    return [[(label.ljust(label_width), "bold"), ("  " + str(number).rjust(number_width), "")]
            for label, number in rows]
