"""The manual-work report (--report FILE): every finding a person has to act on, with its
next step, as a markdown checklist (for an issue or a pull request) or as json (by the
file extension). Rewrites that need a review (EM2xx) are listed in their own section."""

from __future__ import annotations

import json
from collections.abc import Sequence

from estimator_migrate.report.common import MANUAL, REVIEW, all_findings, kind, location, rule_name


def render(results: Sequence, *, fmt: str = "markdown", mode: str = "check", **_) -> str:
    items = []
    for _result, finding in all_findings(results):
        category = kind(finding)
        if category not in (MANUAL, REVIEW):
            continue
        items.append((category, finding))
    if fmt == "json":
        return json.dumps([{
            "kind": category, "filename": f.path, "line": f.line, "column": f.column, "cell": f.cell,
            "code": f.code, "name": rule_name(f.code), "message": f.message, "next_step": f.hint or None,
        } for category, f in items], indent=2, ensure_ascii=False) + "\n"
    manual = [f for c, f in items if c == MANUAL]
    review = [f for c, f in items if c == REVIEW]
    out = ["# estimator-migrate: manual work", ""]
    out.append(f"{len(manual)} finding(s) need manual work, {len(review)} rewrite(s) need a review, "
               f"in {len({f.path for _, f in items})} file(s).")
    for title, group in (("Manual work (code left unchanged)", manual),
                         ("Review (rewritten; check the result)", review)):
        out += ["", f"## {title}", ""]
        if not group:
            out.append("Nothing.")
        for f in group:
            out.append(f"- [ ] `{location(f)}` **{f.code}** ({rule_name(f.code)}): {_md(f.message)}")
            if f.hint:
                out.append(f"  - Next step: {_md(f.hint)}")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    # Messages may hold newlines; keep each item on its list line.
    return " ".join(text.split())
