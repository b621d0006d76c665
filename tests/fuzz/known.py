"""The causes of silently wrong rewrites the fuzzer has found on main and that are not fixed
yet, each with its reproducer in tests/fuzz/failures (see tests/fuzz/README.md).

``classify`` tells whether a failing program is explained by one of them. The bounded CI run
(tests/test_differential.py) fails on any failure no entry explains, and is marked xfail while
known ones remain. When a cause is fixed, remove its entry (its reproducer turns into a fixture
pair): from then on the CI run fails if the fuzzer hits it again.

The rules are deliberately narrow: each looks at what went wrong (the oracle's causes) AND at
the construct in the program that the reproducer shows to be responsible.
"""

from __future__ import annotations

from collections.abc import Callable

# None left: the last five (hyperdrive-pairing-crash, src-in-unrecognised-call,
# star-import-unreported, finding-on-shared-dict-line, two-inputs-one-name) were fixed on branch
# sound3; their reproducers became fixture pairs (fixtures/rules/hyperdrive/*pairing*,
# run_config_factory_star_imports, manual_consumer_from_unknown_star; fixtures/rules/imports/
# two_star_imports; fixtures/rules/data/manual_shared_raw_dataset, one_input_name_twice).
# A new cause gets an entry here (a narrow rule, see above) with its reproducer in failures/.
KNOWN: dict[str, Callable] = {}


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
