"""Fixture pairs under fixtures/rules/<concern>/: ``case.py`` is the input, ``case.expected.py``
the reviewed output (absent: the input must come out unchanged). A ``# expect: CODES`` line in
the input lists the finding codes the tool must report for it."""

from __future__ import annotations

import dataclasses
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "rules"
_EXPECT = re.compile(r"^# expect:(.*)$", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class Case:
    input: pathlib.Path
    expected: pathlib.Path | None

    @property
    def id(self) -> str:
        return f"{self.input.parent.name}/{self.input.stem}"

    @property
    def source(self) -> str:
        return self.input.read_text(encoding="utf-8")

    @property
    def expected_source(self) -> str:
        return self.expected.read_text(encoding="utf-8") if self.expected else self.source

    @property
    def expected_codes(self) -> set[str]:
        m = _EXPECT.search(self.source)
        assert m, f"{self.input} has no '# expect:' line"
        return set(m.group(1).replace(",", " ").split())


def cases(concern: str | None = None) -> list[Case]:
    found = []
    for path in sorted(ROOT.glob("*/*.py")):
        if path.name.endswith(".expected.py") or (concern and path.parent.name != concern):
            continue
        expected = path.with_name(path.stem + ".expected.py")
        found.append(Case(path, expected if expected.exists() else None))
    return found
