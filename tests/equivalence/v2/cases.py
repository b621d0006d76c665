"""Fixture pairs for the v2 target: a v1 program and the v2 program it should become.

Two places, one naming rule (``<name>.py`` + ``<name>.v2.expected.py``):

* ``fixtures/v2/<name>.py``: hand-written pairs for the v2 harness itself;
* ``fixtures/rules/<concern>/<case>.py``: every rule fixture that migrates to ScriptRunConfig
  gets a v2 expected file next to it (issue 14). ``fixture_cases.cases()`` skips names ending in
  ``.expected.py``, so these files do not disturb the v1 fixture tests.

A v1 program headed ``# equivalence: full-build`` runs on clusters in a region without prebuilt
framework images (as in the v1 equivalence test).
"""

from __future__ import annotations

import dataclasses
import pathlib

FIXTURES = pathlib.Path(__file__).resolve().parents[3] / "fixtures"
SUFFIX = ".v2.expected.py"
FULL_BUILD = "# equivalence: full-build"


@dataclasses.dataclass(frozen=True)
class V2Case:
    original: pathlib.Path
    expected: pathlib.Path

    @property
    def id(self) -> str:
        return f"{self.original.parent.name}/{self.original.stem}"

    @property
    def source(self) -> str:
        return self.original.read_text(encoding="utf-8")

    @property
    def expected_source(self) -> str:
        return self.expected.read_text(encoding="utf-8")

    @property
    def compute_location(self) -> str:
        return "chinaeast2" if FULL_BUILD in self.source else "westeurope"


def v2_cases() -> list[V2Case]:
    found = []
    for expected in sorted(FIXTURES.glob(f"v2/*{SUFFIX}")) + sorted(FIXTURES.glob(f"rules/*/*{SUFFIX}")):
        original = expected.with_name(expected.name[: -len(SUFFIX)] + ".py")
        found.append(V2Case(original, expected))
    return found
