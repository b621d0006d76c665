"""The plan for one estimator construction: what each constructor argument turns into.

Concern modules (arguments, environment, docker, distributed, data, compute) each register a
handler for the parameters they own; the estimator rule builds a Plan, lets every concern
fill it in, and renders it. A blocker from any concern leaves the whole call unchanged:
never a half-migration.
"""

from __future__ import annotations

import ast
import dataclasses
from typing import Callable, Dict, List, Optional, Tuple

import libcst as cst

from estimator_migrate import static
from estimator_migrate.context import FileContext

REMOVE = None  # arg_changes value: the argument disappears from the call


@dataclasses.dataclass
class Concern:
    name: str
    order: int
    params: Tuple[str, ...]
    handler: Callable[["Plan"], None]
    always: bool  # called even when none of its parameters is given (defaults that matter)


CONCERNS: List[Concern] = []


def concern(name: str, order: int, *params: str, always: bool = False):
    def register(func: Callable[["Plan"], None]):
        CONCERNS.append(Concern(name, order, params, func, always))
        CONCERNS.sort(key=lambda c: c.order)
        return func

    return register


def owned_params() -> Dict[str, str]:
    return {p: c.name for c in CONCERNS for p in c.params}


@dataclasses.dataclass
class Message:
    code: str
    message: str
    hint: str = ""
    node: Optional[ast.AST] = None


class Plan:
    def __init__(self, ctx: FileContext, call: ast.Call, stmt: ast.stmt, kind: str, kwargs: Dict[str, ast.AST]):
        self.ctx = ctx
        self.call = call
        self.stmt = stmt
        self.kind = kind  # canonical class name: Estimator, PyTorch, ...
        self.kwargs = kwargs  # every argument by parameter name (positional source_directory included)
        self.holder: Optional[str] = None  # the expression the new ScriptRunConfig is stored in
        self.env: Optional[str] = None  # variable name of the Environment, once one is needed
        self.env_label = "env"
        self.quote = '"'
        # param -> (new keyword, new value code) or REMOVE; params not listed are kept as they are
        self.arg_changes: Dict[str, Optional[Tuple[str, Optional[str]]]] = {}
        self.new_args: List[Tuple[str, str]] = []  # appended keyword arguments (keyword, code)
        self.pre_lines: List[str] = []  # statements before the environment (hoisted values)
        self.env_lines: List[Tuple[str, Optional[str]]] = []  # (statement on {env}, parameter it comes from)
        self.post_lines: List[str] = []  # statements after the construction ({src})
        self.blockers: List[Message] = []
        self.notes: List[Message] = []
        self.comments: Dict[str, List[Tuple[str, bool]]] = {}  # param -> (comment, on its own line)
        self.facts: Dict[str, object] = {}  # shared between concerns (e.g. the framework scenario)
        # Parameters given by ``**settings`` (a dictionary literal): parameter -> code for its value.
        self.unpacked: Dict[str, str] = {}

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

    def value_of(self, expr: ast.AST):
        """``static.literal`` read where the estimator reads its arguments."""
        return static.literal(self.ctx.names, expr, self.call)

    def resolve(self, expr: ast.AST) -> ast.AST:
        """Follow names to the expression that built the object, when what it holds is certainly
        unchanged when the estimator reads it (else the expression itself)."""
        return static.resolve(self.ctx.names, expr, self.call)

    def portable(self, expr: ast.AST) -> bool:
        """Whether the code of ``expr`` (found by following a name) may be written at the
        estimator call and means the same there."""
        return static.portable(self.ctx.names, expr, self.call)

    def shared_after(self, param: str) -> bool:
        """Whether the object passed as ``param`` may be used again after the estimator call."""
        return static.shared_after(self.ctx.names, self.kwargs[param], self.call)

    def given(self, param: str) -> bool:
        """Passed with a value other than a literal None (the estimator's usual default)."""
        return param in self.kwargs and self.literal(param) is not None

    def truthy(self, param: str) -> Optional[bool]:
        """True/False when statically known, None when it depends on run time."""
        if param not in self.kwargs:
            return False
        value = self.literal(param)
        return None if value is static.UNKNOWN else bool(value)

    # -- writing the plan -----------------------------------------------------------------
    def block(self, code: str, message: str, hint: str = "", node: Optional[ast.AST] = None) -> None:
        self.blockers.append(Message(code, message, hint, node))

    def note(self, code: str, message: str, hint: str = "", node: Optional[ast.AST] = None) -> None:
        self.notes.append(Message(code, message, hint, node))

    def drop(self, param: str) -> None:
        if param in self.kwargs:
            self.arg_changes[param] = REMOVE

    def rename(self, param: str, keyword: str, value: Optional[str] = None) -> None:
        self.arg_changes[param] = (keyword, value)

    def add_arg(self, keyword: str, code: str) -> None:
        self.new_args.append((keyword, code))

    def env_line(self, line: str, param: Optional[str] = None) -> None:
        """A statement on the environment; ``{env}`` stands for its variable."""
        self.env_lines.append((line, param))

    def post_line(self, line: str) -> None:
        """A statement after the construction; ``{src}`` stands for the new ScriptRunConfig."""
        self.post_lines.append(line)

    def use(self, name: str) -> str:
        """The local name to write for an SDK name (imports are added afterwards)."""
        return sdk_name(self.ctx, name, self.call)

    def operand(self, param: str, level: str = "primary") -> str:
        """The argument's code, to be spliced where ``level`` asks (see ``operand``)."""
        return operand(self.code(param), level)

    def q(self, text: str) -> str:
        """A string literal in the file's quote style."""
        body = text.replace("\\", "\\\\").replace(self.quote, "\\" + self.quote)
        return f"{self.quote}{body}{self.quote}"


# How tightly an expression binds (Python's precedence, loosest first), and what a place asks
# for: "primary" before `.attr`, `[...]` or `(...)`; "star" after `*` in a display (a
# bitwise_or); "test" as the condition of `x if <test> else y` (an or_test).
_LEVELS = {"primary": 15, "star": 6, "test": 2}
_BINOPS = {ast.BitOr: 6, ast.BitXor: 7, ast.BitAnd: 8, ast.LShift: 9, ast.RShift: 9, ast.Add: 10, ast.Sub: 10,
           ast.Pow: 13}


def _binding(node: ast.AST, text: str) -> int:
    if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Yield, ast.YieldFrom)):
        return 0
    if isinstance(node, ast.Tuple) and not text.startswith("("):
        return 0
    if isinstance(node, ast.IfExp):
        return 1
    if isinstance(node, ast.BoolOp):
        return 2 if isinstance(node.op, ast.Or) else 3
    if isinstance(node, ast.UnaryOp):
        return 4 if isinstance(node.op, ast.Not) else 12
    if isinstance(node, ast.Compare):
        return 5
    if isinstance(node, ast.BinOp):
        return _BINOPS.get(type(node.op), 11)
    if isinstance(node, ast.Await):
        return 14
    return 15


def operand(code: str, level: str = "primary") -> str:
    """``code`` (a user's expression, copied) parenthesised when it binds less tightly than the
    place it goes to asks: ``[...] if gpu else []`` before ``.insert(...)`` or after ``*`` must
    be ``([...] if gpu else [])``. Every rule that splices copied code into an operand place
    writes it through here; keyword values, call arguments and right-hand sides need nothing."""
    text = code.strip()
    try:
        node = ast.parse(f"({text})", mode="eval").body
    except SyntaxError:
        return f"({text})"
    return f"({text})" if _binding(node, text) < _LEVELS[level] else code


def sdk_name(ctx: FileContext, name: str, at: Optional[ast.AST] = None) -> str:
    """``name`` itself unless something visible where the new code goes (``at``; default: the
    module) binds it to anything but that SDK name; then an alias the module does not use.
    Whether an import of it reaches the new code is settled afterwards (imports.fix_imports)."""
    from estimator_migrate.imports import ALIAS_PREFIX, MODULES
    from estimator_migrate.symbols import IMPORT_FROM

    scope = ctx.names.scope_of.get(id(at), ctx.names.module_scope) if at is not None else ctx.names.module_scope
    bindings = ctx.names.bindings_of(name, scope)
    if not bindings:
        return name
    expected = {name} if name in MODULES else {f"{IMPORT_FROM.get(name, '')}.{name}", f"azureml.core.{name}"}
    if all(b.kind == "import" and b.qualname in expected for b in bindings):
        return name
    return ALIAS_PREFIX + name


def comments_in(node: cst.CSTNode) -> List[Tuple[str, bool]]:
    """Every comment in ``node`` as (text, stood on a line of its own)."""
    found: List[Tuple[str, bool]] = []

    class _Collect(cst.CSTVisitor):
        def visit_EmptyLine(self, line: cst.EmptyLine) -> None:
            if line.comment is not None:
                found.append((line.comment.value, True))

        def visit_TrailingWhitespace(self, ws: cst.TrailingWhitespace) -> None:
            if ws.comment is not None:
                found.append((ws.comment.value, False))

    node.visit(_Collect())
    return found
