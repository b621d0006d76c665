"""The causes of failures the ``--target v2`` fuzzer (tests/fuzz/oracle_v2.py) finds on main
that are not fixed yet, each with its minimal reproducer in tests/fuzz/failures_v2 (``# cause:``
in its header names the oracle cause it fails with).

``classify`` tells whether a failing program is explained by one of them: the bounded CI run
(tests/test_differential_v2.py) fails on any failure no entry explains, and
``scripts/fuzz.py --target v2`` counts failures per known cause (NEW: explained by none). The
rules look at what went wrong (the oracle's causes) AND at the construct responsible, so a new
failure of the same kind elsewhere is not hidden. When a cause is fixed, remove its entry and
turn its reproducer into a fixture pair.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable

FAILURES = pathlib.Path(__file__).resolve().parent / "failures_v2"
REPRODUCERS = sorted(FAILURES.glob("[0-9][0-9]_*.py"))



def _search_key_collision(program, verdict) -> bool:
    """02_search_key_collision: two search keys the harness's canonical form names alike. A
    limitation of tests/equivalence/v2/canonical.py (v2_search_name), not of the rewrite."""
    if not set(verdict.causes) <= {"diff:search_space", "diff:trial.argv", "diff:trial.sweep_args"}:
        return False
    from equivalence.v2.canonical import v2_search_name

    for m in re.finditer(r"Sampling\(\s*\{(.*?)\}\s*\)", verdict.original, re.S):
        keys = re.findall(r"['\"]([^'\"]+)['\"]\s*:", m.group(1))
        names = [v2_search_name(k) for k in keys]
        if len(set(names)) < len(names):
            return True
    return False


def _pairing_raise_without_submit(program, verdict) -> bool:
    """05_pairing_raise_without_submit: the v2 helper's `tuned` reading raises where the command
    is built (HyperDrive's AttributeError) in a program that never submits the sweep, so v1 never
    raised. Owner: v2/helpers.py."""
    return any("has no attribute 'lstrip'" in p for p in verdict.problems) and \
        "def script_params_command" in verdict.migrated


KNOWN: dict[str, Callable] = {
    "harness-search-key-collision (canonical.py)": _search_key_collision,
    "pairing-raise-without-submit (v2/helpers.py)": _pairing_raise_without_submit,
}


def classify(program, verdict) -> str | None:
    """The known cause that explains this failure, or None. A program that went wrong in several
    ways is explained only when every one of its problems is."""
    detail = getattr(verdict, "detail", None) or []
    if len({cause for cause, _ in detail}) > 1:
        names = [classify(program, _View(verdict, cause, [p for c, p in detail if c == cause]))
                 for cause in sorted({cause for cause, _ in detail})]
        return None if None in names else " + ".join(sorted(set(names)))
    for name, rule in KNOWN.items():
        if rule(program, verdict):
            return name
    return None


class _View:
    """One cause of a verdict with several."""

    def __init__(self, verdict, cause: str, problems):
        self.outcome, self.findings, self.original, self.migrated = (verdict.outcome, verdict.findings,
                                                                     verdict.original, verdict.migrated)
        self.causes, self.problems, self.detail = [cause], problems, []
