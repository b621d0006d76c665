"""The causes of silently wrong rewrites the fuzzer has found on main and that are not fixed
yet, each with its reproducer in tests/fuzz/failures and its summary in the lead's notes
(/work/notes/fuzz-failures.md).

``classify`` tells whether a failing program is explained by one of them. The bounded CI run
(tests/test_differential.py) fails on any failure no entry explains, and is marked xfail while
known ones remain. When a cause is fixed, remove its entry (its reproducer turns into a fixture
pair): from then on the CI run fails if the fuzzer hits it again.

The rules are deliberately narrow: each looks at what went wrong (the oracle's causes) AND at
the construct in the program that the reproducer shows to be responsible.
"""

from __future__ import annotations

from collections.abc import Callable


def _has(program, *prefixes: str) -> bool:
    return any(f.startswith(prefixes) for f in program.features)


def _hyperdrive_pairing(program, verdict) -> bool:
    # The original HyperDrive failed at submit; the migrated code either runs (main 85b8383) or
    # raises the same error when the ScriptRunConfig is built (since branch runtime).
    return len(verdict.causes) == 1 and verdict.causes[0] in (
        "diff:error", "migrated-crashes:AttributeError:'int' object has no attribute 'lstrip'",
        "migrated-crashes:AttributeError:'float' object has no attribute 'lstrip'",
        "migrated-crashes:AttributeError:'bool' object has no attribute 'lstrip'") and \
        any("has no attribute 'lstrip'" in p for p in verdict.problems)


def _src_in_unrecognised_call(program, verdict) -> bool:
    return verdict.causes == ["diff:error"] and _has(program, "import:star") and \
        any("holds a ScriptRunConfig" in p for p in verdict.problems)


def _star_unreported(program, verdict) -> bool:
    return verdict.outcome == "unreported" and _has(program, "import:star") and \
        verdict.causes in (["unreported-estimator"], ["never-ran-unreported"])


def _one_input_name(program, verdict) -> bool:
    return all(c.startswith("diff:data.") for c in verdict.causes) and \
        len([f for f in program.features if f.startswith("data:named-")]) > 1


def _finding_elsewhere(program, verdict) -> bool:
    return verdict.outcome == "unreported" and any("left unchanged" in f for f in verdict.findings)


KNOWN: dict[str, Callable] = {
    "hyperdrive-pairing-crash": _hyperdrive_pairing,  # failures/12
    "src-in-unrecognised-call": _src_in_unrecognised_call,  # failures/13
    "star-import-unreported": _star_unreported,  # failures/16
    "finding-on-shared-dict-line": _finding_elsewhere,  # failures/18
    "two-inputs-one-name": _one_input_name,  # failures/19
}


def classify(program, verdict) -> str | None:
    """The known cause that explains this failure, or None. A program that went wrong in several
    ways is explained only when every one of its problems is (each is classified on its own)."""
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
        self.outcome, self.findings = verdict.outcome, verdict.findings
        self.causes, self.problems, self.detail = [cause], problems, []
