"""GitHub Actions workflow commands: one ``::error``/``::warning`` line per finding, shown
inline on the pull request.

GitHub shows at most 10 annotations of each level per step, so a workflow should also
keep a full report (SARIF upload or --output-file). Paths are relative to the working
directory, which in Actions is the repository root.
"""

from __future__ import annotations

from collections.abc import Sequence

from estimator_migrate.report.common import all_findings, level, relative_uri, rule_name


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(results: Sequence, *, root=None, **_) -> str:
    lines = []
    for _result, finding in all_findings(results):
        props: list[tuple[str, object]] = [("file", relative_uri(finding.path, root))]
        message = finding.message
        if finding.cell is not None:
            # Lines inside a notebook cell do not match lines of the .ipynb JSON GitHub shows.
            message = f"cell {finding.cell}, line {finding.line}: {message}"
        else:
            end_line = finding.end_line or finding.line
            props += [("line", finding.line), ("endLine", end_line)]
            if end_line == finding.line:  # GitHub rejects col/endColumn across lines
                props += [("col", finding.column), ("endColumn", finding.end_column or finding.column)]
        props.append(("title", f"{finding.code} ({rule_name(finding.code)})"))
        if finding.hint:
            message += f"\nNext step: {finding.hint}"
        rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
        lines.append(f"::{level(finding)} {rendered}::{escape_data(finding.code + ' ' + message)}")
    return "".join(line + "\n" for line in lines)
