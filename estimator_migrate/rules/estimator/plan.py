"""The plan for one estimator construction: the call as the concerns read it, and the run
description (``run.py``) they fill in.

The driver builds a Plan for each estimator call and runs the concerns of ``driver.SEQUENCE``
on it in order; each reads the parameters it owns (``params.TABLE``) and writes into
``plan.run`` what the estimator did with them, or blocks. A blocker from any concern leaves the
whole call unchanged: never a half-migration. What one concern finds for a later one has a
typed field here (``scenario``, ``pairs_clean``, ``definition``).
"""

from __future__ import annotations

import ast
import dataclasses
from typing import TYPE_CHECKING

from estimator_migrate.analysis import static
from estimator_migrate.analysis.context import FileContext
from estimator_migrate.rules.edits import operand, sdk_name
from estimator_migrate.rules.estimator.run import Run

if TYPE_CHECKING:
    from estimator_migrate.rules.estimator.scenarios import Scenario


@dataclasses.dataclass
class Message:
    code: str
    message: str
    hint: str = ""
    node: ast.expr | None = None


class Plan:
    def __init__(self, ctx: FileContext, call: ast.Call, stmt: ast.stmt, kind: str, kwargs: dict[str, ast.expr]):
        self.ctx = ctx
        self.call = call
        self.stmt = stmt
        self.kind = kind  # canonical class name: Estimator, PyTorch, ...
        self.kwargs = kwargs  # every argument by parameter name (positional source_directory included)
        self.holder: str | None = None  # the expression the new object is stored in
        self.env_label = "env"
        self.quote = '"'
        self.blockers: list[Message] = []
        self.notes: list[Message] = []
        # Parameters given by ``**settings`` (a dictionary literal): parameter -> code for its value.
        self.unpacked: dict[str, str] = {}
        self.defaulted: set[str] = set()  # passed their default value: removed before the concerns ran
        self.run = Run(kind)
        # What one concern finds for a later one.
        self.scenario: Scenario | None = None  # framework: the scenario the estimator used
        self.definition = False  # environment: environment_definition is used (docker follows it)
        # arguments: whether the flattened list reads back two by two as flag/value pairs (None:
        # only run time knows); the downstream checks (submit overrides, HyperDrive) need it.
        self.pairs_clean: bool | None = True
        # arguments: the flattened list's items as literal values (static.UNKNOWN where only run time
        # knows the value), one per position; None when the positions themselves are not known.
        self.argument_values: list | None = []
        # arguments: the datasets among the flattened values, in order (node, code at the call);
        # the estimator registered them for the run after its inputs, the last of a name winning.
        self.argument_datasets: list[tuple[ast.expr, str]] = []

    # -- reading the call -----------------------------------------------------------------
    def has(self, param: str) -> bool:
        return param in self.kwargs

    def code(self, param: str) -> str:
        if param in self.unpacked:
            return self.unpacked[param]
        return self.ctx.segment(self.kwargs[param])

    def literal(self, param: str, default=static.UNKNOWN):
        """The argument's value when it is a literal (or a name certainly holding an unchanged
        literal when the estimator is called), else UNKNOWN."""
        if param not in self.kwargs:
            return default
        return static.literal(self.ctx.names, self.kwargs[param], self.call)

    def value_of(self, expr: ast.expr):
        """``static.literal`` read where the estimator reads its arguments."""
        return static.literal(self.ctx.names, expr, self.call)

    def resolve(self, expr: ast.expr) -> ast.expr:
        """Follow names to the expression that built the object, when what it holds is certainly
        unchanged when the estimator reads it (else the expression itself)."""
        return static.resolve(self.ctx.names, expr, self.call)

    def portable(self, expr: ast.expr) -> bool:
        """Whether the code of ``expr`` (found by following a name) may be written at the
        estimator call and means the same there."""
        return static.portable(self.ctx.names, expr, self.call)

    def shared_after(self, param: str) -> bool:
        """Whether the object passed as ``param`` may be used again after the estimator call."""
        return static.shared_after(self.ctx.names, self.kwargs[param], self.call)

    def given(self, param: str) -> bool:
        """Passed with a value other than a literal None (the estimator's usual default)."""
        return param in self.kwargs and self.literal(param) is not None

    def truthy(self, param: str) -> bool | None:
        """True/False when statically known, None when it depends on run time."""
        if param not in self.kwargs:
            return False
        value = self.literal(param)
        return None if value is static.UNKNOWN else bool(value)

    # -- writing the plan -----------------------------------------------------------------
    def block(self, code: str, message: str, hint: str = "", node: ast.expr | None = None) -> None:
        self.blockers.append(Message(code, message, hint, node))

    def note(self, code: str, message: str, hint: str = "", node: ast.expr | None = None) -> None:
        self.notes.append(Message(code, message, hint, node))

    def use(self, name: str) -> str:
        """The local name to write for an SDK name (imports are added afterwards)."""
        return sdk_name(self.ctx, name, self.call)

    def operand(self, param: str, level: str = "primary") -> str:
        """The argument's code, to be spliced where ``level`` asks (see ``edits.operand``)."""
        return operand(self.code(param), level)

    def q(self, text: str) -> str:
        """A string literal in the file's quote style."""
        body = text.replace("\\", "\\\\").replace(self.quote, "\\" + self.quote)
        return f"{self.quote}{body}{self.quote}"
