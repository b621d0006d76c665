"""JUnit XML for CI systems that show test results (Azure Pipelines, GitLab, Jenkins):
a testsuite per file, a testcase per finding. A finding that fails the run is a
``failure``; a file that could not be processed is an ``error``; a clean file gets one
passing testcase so the file shows up as checked."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from estimator_migrate.report.common import FILE_ERROR_CODE, FIXED, findings_of, kind, location


def render(results: Sequence, *, mode: str = "check", **_) -> str:
    root = ET.Element("testsuites", name="estimator-migrate")
    total = failures_total = errors_total = 0
    for result in results:
        suite = ET.SubElement(root, "testsuite", name=result.path)
        found = findings_of(result)
        failures = errors = 0
        for finding in found:
            case = ET.SubElement(suite, "testcase", classname=_classname(result.path),
                                 name=f"{finding.code} {location(finding)}", file=result.path,
                                 line=str(finding.line))
            body = finding.message + (f"\nNext step: {finding.hint}" if finding.hint else "")
            if finding.code.startswith("EM9") or finding.code == FILE_ERROR_CODE:
                errors += 1
                node = ET.SubElement(case, "error", message=finding.message, type=finding.code)
                node.text = body
            elif mode == "fix" and kind(finding) == FIXED and result.written:
                ET.SubElement(case, "system-out").text = f"fixed: {finding.message}"
            else:
                failures += 1
                node = ET.SubElement(case, "failure", message=finding.message, type=finding.code)
                node.text = body
        if not found:
            ET.SubElement(suite, "testcase", classname=_classname(result.path), name="estimator-migrate",
                          file=result.path)
        suite.set("tests", str(max(len(found), 1)))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        total += max(len(found), 1)
        failures_total += failures
        errors_total += errors
    root.set("tests", str(total))
    root.set("failures", str(failures_total))
    root.set("errors", str(errors_total))
    ET.indent(root)  # Python 3.9+; one element per line keeps CI artefacts readable
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _classname(path: str) -> str:
    return path.replace("\\", "/")
