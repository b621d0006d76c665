"""The v2 command string (spec §3, V1, V3, V6, V40).

v1 ran ``python <script> <arguments...>`` with the arguments as an argv list: each item one token,
never through a shell. v2 has one command string; the service substitutes ``${{inputs.x}}``
textually and a shell splits the result. So every literal token is shell-quoted
(``shlex.quote``), numbers are written as v1 serialised them (``json.dumps``), data becomes a
placeholder, and text that v2 itself would rewrite is defused:

* the SDK turns ``{inputs.x}``/``{outputs.x}``/``{search_space.x}`` into ``${{...}}`` even inside
  quotes (V3 refined), and the service substitutes ``${{inputs.x}}`` and drops ``$[[...]]``
  segments; a literal holding such text gets an empty quoted string (``''``) inside the marker,
  which the shell removes and which neither the SDK nor the service matches.

Items only known at run time (``args.lr``) are :class:`Expr`: the result is then Python code that
builds the command when the migrated program runs (``"python train.py --lr " +
shlex.quote(str(args.lr))``). That form assumes a str, int, finite float or bool value, as the v1
rewrite assumes a plain scalar; for those ``str()`` spells numbers as ``json.dumps`` does.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shlex
from collections.abc import Sequence

from estimator_migrate.v2.names import IDENTIFIER
from estimator_migrate.v2.snippet import Report, Snippet, py_string

BOOLEAN = "EM451"  # boolean-argument (V6)
UNVERIFIED = "EM453"  # unverified-v2-behaviour

# Text v2 would rewrite or substitute, and the same text with an empty shell string inside.
_DEFUSE = [("{inputs.", "{''inputs."), ("{outputs.", "{''outputs."), ("{search_space.", "{''search_space."),
           ("$[[", "$[''[")]


@dataclasses.dataclass(frozen=True)
class Placeholder:
    """A v2 data binding: ``${{inputs.name}}`` (kind ``inputs``), ``${{outputs.name}}``, or
    ``${{search_space.name}}``. ``quote=True`` writes ``'${{inputs.name}}'``: needed when a literal
    input's value may hold a space (V1); data paths do not."""

    kind: str
    name: str
    quote: bool = False

    def __post_init__(self):
        if self.kind not in ("inputs", "outputs", "search_space") or not IDENTIFIER.match(self.name):
            raise ValueError(f"not a v2 binding: {self.kind}.{self.name}")

    @property
    def text(self) -> str:
        binding = "${{" + f"{self.kind}.{self.name}" + "}}"
        return f"'{binding}'" if self.quote else binding


@dataclasses.dataclass(frozen=True)
class Expr:
    """A Python expression (code text) whose value is only known at run time."""

    code: str


Item = str | int | float | bool | None | Placeholder | Expr


def quote(text: str) -> str:
    """``text`` as one shell token that v2 passes through unchanged."""
    quoted = shlex.quote(text)
    for marker, safe in _DEFUSE:
        quoted = quoted.replace(marker, safe)
    return quoted


def token(item: Item) -> tuple[str, tuple[Report, ...]]:
    """One literal v1 argument as command text, and what must be reported about it."""
    if isinstance(item, Placeholder):
        return item.text, ()
    if isinstance(item, bool):
        return str(item), (Report(BOOLEAN, f"the boolean argument {item} is written `{item}` in the v2 command; "
                                           "how v1 spelled it on the command line is not known (V6)",
                                  "Check what the script expects; write the value the script parses."),)
    if isinstance(item, (int, float)):
        text = json.dumps(item)
        if isinstance(item, float) and not math.isfinite(item):
            return text, (Report(UNVERIFIED, f"the argument {item!r} is written `{text}`; v1's spelling of a "
                                             "non-finite number is not known", "Check what the script expects."),)
        return text, ()
    if item is None:
        return "None", (Report(UNVERIFIED, "a None argument (v1 sent JSON null) is written `None`; v1's spelling "
                                           "is not known",
                               "Remove the argument or write the value the script expects."),)
    if isinstance(item, str):
        return quote(item), ()
    raise TypeError(f"not a literal argument: {item!r}")


@dataclasses.dataclass(frozen=True)
class CommandText:
    """``text``: the command, when every item is a literal. ``snippet``: Python code giving the
    command (a string literal, or an expression building it at run time), its imports and
    reports. ``runtime``: positions (in ``items``) of the :class:`Expr` items."""

    text: str | None
    snippet: Snippet
    runtime: tuple[int, ...] = ()


def head(script: str, interpreter: str = "python") -> list[str]:
    """The first tokens: the environment's interpreter and the script (v1 ran
    ``[interpreter_path, script] + arguments``)."""
    return [quote(interpreter), quote(script)]


def build(items: Sequence[Item], *, script: str, interpreter: str = "python") -> CommandText:
    """The v2 command for v1's ``[interpreter, script] + items``."""
    parts: list[str | Expr] = list(head(script, interpreter))
    reports: list[Report] = []
    runtime: list[int] = []
    for i, item in enumerate(items):
        if isinstance(item, Expr):
            parts.append(item)
            runtime.append(i)
            continue
        text, found = token(item)
        parts.append(text)
        reports += found
    if not runtime:
        text = " ".join(parts)  # type: ignore[arg-type]
        return CommandText(text, Snippet(py_string(text), (), tuple(reports)))
    return CommandText(None, Snippet(_concatenation(parts), (("shlex", None),), tuple(reports)), tuple(runtime))


def _concatenation(parts: Sequence[str | Expr]) -> str:
    """``"python train.py --lr " + shlex.quote(str(args.lr)) + " --epochs 5"``: literal runs in
    one string, each run-time value quoted when the program runs. (Not an f-string: the
    ``${{...}}`` braces would have to be doubled, and before Python 3.12 an expression could
    not reuse the string's quote.)"""
    segments: list[str] = []
    pending = ""
    for i, part in enumerate(parts):
        if i:
            pending += " "
        if isinstance(part, Expr):
            if pending:
                segments.append(py_string(pending))
                pending = ""
            segments.append(f"shlex.quote(str({part.code}))")
        else:
            pending += part
    if pending:
        segments.append(py_string(pending))
    return " + ".join(segments)


def from_v1_command(command: str | Sequence) -> Snippet:
    """A v1 ``ScriptRunConfig(command=...)``: a string as it is, a list joined with spaces
    without quoting (spec §3.1; v2 rejects lists at submit, V40). Both reported: how the v1
    service ran them is not known."""
    if isinstance(command, str):
        return Snippet(py_string(command), (), (Report(UNVERIFIED, "a v1 command string is used as the v2 command; "
                                                       "v1 ran it the same way is assumed, not verified",
                                                       "Check the command runs as it did."),))
    text = " ".join(str(x) for x in command)
    return Snippet(py_string(text), (), (Report(UNVERIFIED, "a v1 command list is joined with spaces (v2 takes one "
                                                "string); how the v1 service joined it is not known (V40)",
                                                "Check the command, quoting items that hold spaces."),))
