"""Stand-ins for the real engine, for tests of the file layer (runner, notebooks, bad input):
they make rewrites predictable without depending on the estimator rules."""

import ast

from estimator_migrate.engine import Result
from estimator_migrate.findings import Finding, Severity
from estimator_migrate.text import split_lines


def toy_engine(source, *, path, settings):
    """Estimator( -> ScriptRunConfig(, one EM101 per rewritten line; EM901 on a syntax error
    (as the real core reports it)."""
    try:
        ast.parse(source)
    except SyntaxError as err:
        finding = Finding("EM901", f"syntax error: {err.msg}", err.lineno or 1, err.offset or 1, path=path)
        return Result(source, source, (finding,), error=err.msg)
    findings = tuple(
        Finding("EM101", "Estimator rewritten", n, line.index("Estimator(") + 1, fixed=True, severity=Severity.WARNING)
        for n, line in enumerate(split_lines(source), 1) if "Estimator(" in line)
    return Result(source, source.replace("Estimator(", "ScriptRunConfig("), findings)


def identity_engine(source, *, path, settings):
    return Result(source, source, ())
