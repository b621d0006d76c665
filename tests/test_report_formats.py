"""Renderers: json parsed, GitHub lines with escaping, SARIF against the official schema,
JUnit as XML; and the GitHub Actions example workflow's commands end to end."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import _cli_support as fake
from click.testing import CliRunner

from estimator_migrate import cli
from estimator_migrate.codes import RULES
from estimator_migrate.core import FileResult
from estimator_migrate.findings import Finding, Severity
from estimator_migrate.io import runner
from estimator_migrate.report import render
from estimator_migrate.report.github import escape_data, escape_property

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The OASIS SARIF 2.1.0 schema (errata 01), shipped unmodified with its notice (tests/data/README.md).
SCHEMA = os.path.join(REPO, "tests", "data", "sarif-schema-2.1.0.json")

FIXED = Finding("EM101", "Estimator rewritten", 2, 7, 2, 17, fixed=True, severity=Severity.WARNING,
                path="src/train.py")
REVIEW = Finding("EM201", "DataReference, review: it", 4, 1, 6, 3, hint="Use datasets.", fixed=True,
                 severity=Severity.WARNING, path="src/train.py")
MANUAL = Finding("EM302", "vm_size=100%\r\nno: compute, sorry", 9, 5, 9, 12, hint="Create an AmlCompute cluster.",
                 path="src/train.py")
CELL = Finding("EM303", "**kwargs", 3, 1, 3, 9, path="nb/explore.ipynb", cell=2)


def results():
    return [
        FileResult("src/train.py", [FIXED, REVIEW, MANUAL], changed=True),
        FileResult("nb/explore.ipynb", [CELL]),
        FileResult("src/clean.py", []),
        FileResult("src/broken.py", [], error="src/broken.py: cannot read: permission denied"),
    ]


def test_json_shape():
    items = json.loads(render("json", results()))
    assert [i["code"] for i in items] == ["EM101", "EM201", "EM302", "EM303", "EM903"]
    first = items[0]
    assert first == {
        "code": "EM101", "name": "estimator-to-scriptrunconfig", "message": "Estimator rewritten", "hint": None,
        "severity": "warning", "kind": "fixed", "fixed": True, "filename": "src/train.py",
        "location": {"row": 2, "column": 7}, "end_location": {"row": 2, "column": 17}, "cell": None,
    }
    assert items[2]["severity"] == "error" and items[2]["fixed"] is False and items[2]["kind"] == "manual"
    assert items[1]["kind"] == "review"
    assert items[3]["cell"] == 2
    assert items[4]["message"].endswith("permission denied")


def test_json_empty_is_an_empty_array():
    assert json.loads(render("json", [FileResult("a.py", [])])) == []


def test_github_escaping_helpers():
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_github_lines():
    lines = render("github", results(), root=".").splitlines()
    assert lines[0] == ("::warning file=src/train.py,line=2,endLine=2,col=7,endColumn=17,"
                        "title=EM101 (estimator-to-scriptrunconfig)::EM101 Estimator rewritten")
    # Multi-line finding: no col/endColumn; commas in the message are data, not escaped.
    assert lines[1] == ("::warning file=src/train.py,line=4,endLine=6,title=EM201 (data-reference-review)"
                        "::EM201 DataReference, review: it%0ANext step: Use datasets.")
    assert lines[2] == ("::error file=src/train.py,line=9,endLine=9,col=5,endColumn=12,"
                        "title=EM302 (run-based-compute)"
                        "::EM302 vm_size=100%25%0D%0Ano: compute, sorry%0ANext step: Create an AmlCompute cluster.")
    # Notebook: lines inside a cell are not lines of the .ipynb file, so none are given.
    assert lines[3] == "::error file=nb/explore.ipynb,title=EM303 (dynamic-call)::EM303 cell 2, line 3: **kwargs"
    assert lines[4].startswith(
        "::error file=src/broken.py,line=1,endLine=1,col=1,endColumn=1,title=EM903 (file-error)::")
    assert len(lines) == 5


def test_github_property_escaping_in_paths(tmp_path):
    odd = Finding("EM302", "m", 1, 1, 1, 2, path="we,ird:name.py")
    (line,) = render("github", [FileResult("we,ird:name.py", [odd])]).splitlines()
    assert line.startswith("::error file=we%2Cird%3Aname.py,line=1,")


def _schema_validator():
    import jsonschema  # the test extra installs it: never skipped

    with open(SCHEMA, encoding="utf-8") as handle:
        schema = json.load(handle)
    return jsonschema.Draft7Validator(schema) if "draft-07" in schema.get("$schema", "") else \
        jsonschema.validators.validator_for(schema)(schema)


def validate_sarif(text):
    log = json.loads(text)
    errors = sorted(_schema_validator().iter_errors(log), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])
    return log


def test_sarif_is_valid_and_complete():
    log = validate_sarif(render("sarif", results(), root="."))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][: len(RULES)] == list(RULES)
    em302 = rules[list(RULES).index("EM302")]
    assert em302["defaultConfiguration"]["level"] == "error"
    assert em302["help"]["markdown"] == RULES["EM302"].explain()
    assert em302["shortDescription"]["text"] == RULES["EM302"].summary
    by_rule = {r["ruleId"]: r for r in run["results"]}
    manual = by_rule["EM302"]
    assert manual["level"] == "error"
    assert manual["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/train.py"
    assert manual["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 9, "startColumn": 5, "endLine": 9, "endColumn": 12}
    assert by_rule["EM101"]["level"] == "warning"
    assert rules[by_rule["EM303"]["ruleIndex"]]["id"] == "EM303"
    prints = [r["partialFingerprints"]["estimatorMigrate/v1"] for r in run["results"]]
    assert len(set(prints)) == len(prints)


def test_sarif_of_a_clean_run_is_valid():
    log = validate_sarif(render("sarif", [FileResult("a.py", [])]))
    assert log["runs"][0]["results"] == []


def test_sarif_fingerprints_survive_line_shifts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    job = runner.Job(cli.Options().settings(), migrate=fake.migrate_bytes)
    (tmp_path / "m.py").write_text(fake.MANUAL_CODE)
    before = json.loads(render("sarif", [runner.process_file("m.py", job)]))
    (tmp_path / "m.py").write_text("# a new comment\n\n" + fake.MANUAL_CODE)
    after = json.loads(render("sarif", [runner.process_file("m.py", job)]))
    fp = lambda log: [r["partialFingerprints"] for r in log["runs"][0]["results"]]  # noqa: E731
    lines = lambda log: [r["locations"][0]["physicalLocation"]["region"]["startLine"]  # noqa: E731
                         for r in log["runs"][0]["results"]]
    assert lines(before) != lines(after)
    assert fp(before) == fp(after)


def test_junit_is_xml_with_a_suite_per_file():
    root = ET.fromstring(render("junit", results()))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["src/train.py", "nb/explore.ipynb", "src/clean.py", "src/broken.py"]
    train = suites["src/train.py"]
    assert train.get("tests") == "3" and train.get("failures") == "3"
    assert [c.find("failure").get("type") for c in train.findall("testcase")] == ["EM101", "EM201", "EM302"]
    assert "Next step: Create an AmlCompute cluster." in train.findall("testcase")[2].find("failure").text
    clean = suites["src/clean.py"]
    (case,) = clean.findall("testcase")
    assert case.find("failure") is None and clean.get("failures") == "0"
    assert suites["src/broken.py"].get("errors") == "1"
    assert root.get("tests") == "6" and root.get("failures") == "4" and root.get("errors") == "1"


def test_junit_fix_mode_passes_applied_rewrites():
    written = [FileResult("a.py", [FIXED], changed=True, written=True)]
    suite = ET.fromstring(render("junit", written, mode="fix")).find("testsuite")
    assert suite.get("failures") == "0"


def test_text_report_groups_by_file_with_hints_and_summary():
    out = render("text", results(), mode="check", baselined=3, suppressed=2)
    assert "\x1b[" not in out
    assert "src/train.py:9:5: EM302 [manual] vm_size=100%" in out
    assert "next step: Create an AmlCompute cluster." in out
    assert "nb/explore.ipynb:cell 2:3:1: EM303" in out
    assert out.index("src/train.py:2:7") < out.index("src/train.py:9:5") < out.index("nb/explore.ipynb:cell 2")
    summary = out[out.index("files checked"):]
    assert re.search(r"files checked\s+4", summary)
    assert re.search(r"need manual work \(EM3xx/EM9xx\)\s+3", summary)
    assert re.search(r"rewrites to review \(EM2xx\)\s+1", summary)
    assert re.search(r"suppressed by comments\s+2", summary)
    assert re.search(r"in the baseline \(not shown\)\s+3", summary)
    assert re.search(r"file errors\s+1", summary)


def test_text_colour_only_when_asked():
    assert "\x1b[" in render("text", results(), color=True)


def test_manual_report_markdown_lists_every_finding_for_a_person():
    text = render_manual("markdown")
    assert "- [ ] `src/train.py:9:5` **EM302** (run-based-compute): vm_size=100% no: compute, sorry" in text
    assert "  - Next step: Create an AmlCompute cluster." in text
    assert "`src/broken.py:1:1` **EM903**" in text
    assert "EM101" not in text  # rewritten, nothing to do
    assert "## Review" in text and "EM201" in text


def test_manual_report_json():
    items = json.loads(render_manual("json"))
    assert {i["code"] for i in items} == {"EM201", "EM302", "EM303", "EM903"}
    assert all({"filename", "line", "code", "message", "next_step"} <= set(i) for i in items)


def render_manual(fmt):
    from estimator_migrate.report import manual

    return manual.render(results(), fmt=fmt)


# The commands of the README's GitHub Actions example, run the same way.
WORKFLOW_COMMAND = ["check", "--output-format", "github", "--output-file", "sarif:out.sarif", "."]


def test_github_actions_workflow_commands(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "train.py").write_text(fake.ESTIMATOR_CODE)
    (tmp_path / "jobs" / "cluster.py").write_text(fake.MANUAL_CODE)
    result = CliRunner().invoke(cli.main, WORKFLOW_COMMAND, catch_exceptions=False, obj=fake.migrate_bytes)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "::warning file=jobs/cluster.py,line=2,endLine=2,col=7,endColumn=17,"
        "title=EM101 (estimator-to-scriptrunconfig)::EM101 Estimator rewritten into ScriptRunConfig",
        "::error file=jobs/cluster.py,line=2,endLine=2,col=23,endColumn=30,title=EM302 (run-based-compute)::"
        "EM302 vm_size: run-based compute, 100%25 manual, a,b:c%0Asecond line"
        "%0ANext step: Create an AmlCompute cluster and pass it as compute_target.",
        "::warning file=jobs/train.py,line=2,endLine=2,col=7,endColumn=17,"
        "title=EM101 (estimator-to-scriptrunconfig)::EM101 Estimator rewritten into ScriptRunConfig",
    ]
    log = validate_sarif((tmp_path / "out.sarif").read_text())
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]} == {
        "jobs/cluster.py", "jobs/train.py"}


def test_the_shipped_schema_is_the_official_one_unmodified():
    import hashlib

    with open(SCHEMA, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    assert digest == "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"  # see tests/data/README.md


def test_v2_codes_are_classified_like_their_families():
    # Every report reads a code's kind from codes.kind_of, for both targets.
    from estimator_migrate.findings import Finding
    from estimator_migrate.report import common

    def finding(code, fixed):
        return Finding(code, "m", 1, 1, fixed=fixed)

    assert [common.kind(finding(c, f)) for c, f in
            [("EM401", True), ("EM451", True), ("EM501", False), ("EM101", True), ("EM201", True),
             ("EM301", False), ("EM901", False)]] == \
        ["fixed", "review", "manual", "fixed", "review", "manual", "manual"]
    assert [common.level(finding(c, False)) for c in ("EM401", "EM451", "EM501", "EM301", "EM201")] == \
        ["warning", "warning", "error", "error", "warning"]
