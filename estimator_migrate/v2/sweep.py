"""HyperDrive -> v2 sweep (spec v2 §8, V29..V33, V36..V38), as code text.

The renderer gives the v1 call's argument code (``bind`` puts positional arguments under v1's
parameter names); each function returns the v2 code and what must be reported. What v2 does
differently and the code must therefore spell out:

* search-space keys must be identifiers (``--batch-size`` -> ``batch_size``, V30), and a sampled
  value reaches the script only where the command names it (V31): the trial command gets
  ``--batch-size ${{inputs.batch_size}}``, and, for an estimator, the fixed value HyperDrive
  removed (``_remove_duplicate_arguments``, reproduced by :func:`trial_arguments`) goes too;
* v1's defaults: Bandit and Truncation evaluate every interval (v2 default 0) and start at once
  (V29); ``max_concurrent_runs`` defaults to ``max_total_runs`` (``or``: 0 too) and
  ``max_duration_minutes`` to 10080 (V32); the trial's own time limit only survives as
  ``trial_timeout`` (V33); the goal is ``"maximize"``/``"minimize"`` (V36).

The trial is a command node with each tuned input declared (a literal the sweep never uses, see
:func:`trial_input`) and called with the distributions: ``node(lr=Uniform(...)).sweep(...)``. The
node call works for every choice value; distributions placed directly in ``command(inputs=...)``
fail for a choice whose first value is a tuple, dict or None.
"""

from __future__ import annotations

import ast
import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

from estimator_migrate.v2.command import Expr, Item, Placeholder
from estimator_migrate.v2.conda import NeverRan
from estimator_migrate.v2.names import Names, search_key
from estimator_migrate.v2.snippet import Import, Report, Snippet, py_string

SWEEP = "azure.ai.ml.sweep"
UNVERIFIED = "EM453"
DYNAMIC = "EM512"
NO_COUNTERPART = "EM505"

# v1 parameter order of each callable, for binding positional arguments.
V1_SIGNATURES: dict[str, tuple[str, ...]] = {
    "choice": ("*options",),
    "randint": ("upper",),
    "uniform": ("min_value", "max_value"), "loguniform": ("min_value", "max_value"),
    "quniform": ("min_value", "max_value", "q"), "qloguniform": ("min_value", "max_value", "q"),
    "normal": ("mu", "sigma"), "lognormal": ("mu", "sigma"),
    "qnormal": ("mu", "sigma", "q"), "qlognormal": ("mu", "sigma", "q"),
    "BanditPolicy": ("evaluation_interval", "slack_factor", "slack_amount", "delay_evaluation"),
    "MedianStoppingPolicy": ("evaluation_interval", "delay_evaluation"),
    "TruncationSelectionPolicy": ("truncation_percentage", "evaluation_interval", "delay_evaluation"),
    "NoTerminationPolicy": (),
    "RandomParameterSampling": ("parameter_space", "properties"),
    "GridParameterSampling": ("parameter_space", "properties"),
    "BayesianParameterSampling": ("parameter_space", "properties"),
    "HyperDriveConfig": ("hyperparameter_sampling", "primary_metric_name", "primary_metric_goal", "max_total_runs",
                         "max_concurrent_runs", "max_duration_minutes", "policy", "estimator", "run_config",
                         "resume_from", "resume_child_runs", "pipeline", "debug_flag", "custom_run_id"),
    # deprecated; it returned HyperDriveConfig(...) with these
    "HyperDriveRunConfig": ("estimator", "hyperparameter_sampling", "primary_metric_name", "primary_metric_goal",
                            "max_total_runs", "max_concurrent_runs", "max_duration_minutes", "policy"),
}

# v1 function -> (v2 class, v2 keyword per v1 parameter)
_DISTRIBUTIONS = {
    "randint": ("Randint", ("upper",)),
    "uniform": ("Uniform", ("min_value", "max_value")),
    "loguniform": ("LogUniform", ("min_value", "max_value")),
    "quniform": ("QUniform", ("min_value", "max_value", "q")),
    "qloguniform": ("QLogUniform", ("min_value", "max_value", "q")),
    "normal": ("Normal", ("mu", "sigma")),
    "lognormal": ("LogNormal", ("mu", "sigma")),
    "qnormal": ("QNormal", ("mu", "sigma", "q")),
    "qlognormal": ("QLogNormal", ("mu", "sigma", "q")),
}


def bind(callable_name: str, args: Sequence[str], kwargs: Mapping[str, str]) -> dict[str, Any]:
    """Argument code by v1 parameter name (``*options`` collects positional code as a list)."""
    params = V1_SIGNATURES[callable_name]
    bound: dict[str, Any] = {}
    if params and params[0].startswith("*"):
        bound[params[0][1:]] = list(args)
        params = ()
    elif len(args) > len(params):
        raise NeverRan(f"{callable_name}() got {len(args)} positional arguments, takes {len(params)}")
    bound.update(zip(params, args, strict=False))
    for key, code in kwargs.items():
        if key in bound or key not in V1_SIGNATURES[callable_name]:
            raise NeverRan(f"{callable_name}() got an unexpected or repeated argument {key!r}")
        bound[key] = code
    return bound


def _literal(code: str | None) -> tuple[bool, Any]:
    if code is None:
        return True, None
    try:
        return True, ast.literal_eval(code)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def _atom(code: str) -> str:
    """``code`` safe to use as an operand (parenthesised unless a name, attribute, call or literal)."""
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return f"({code})"
    if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)) and \
            not (isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and node.value < 0):
        return code
    return f"({code})"


# -- parameter expressions --------------------------------------------------------------------------
def parameter_expression(function: str, args: Sequence[str], kwargs: Mapping[str, str] | None = None) -> Snippet:
    """``uniform(0.01, 0.1)`` -> ``Uniform(min_value=0.01, max_value=0.1)`` (code text in, code
    text out). Literal arguments v1 refused raise :class:`NeverRan`."""
    kwargs = kwargs or {}
    if function == "choice":
        if kwargs:
            raise NeverRan("choice() takes no keyword arguments")
        return _choice(list(args))
    if function not in _DISTRIBUTIONS:
        raise KeyError(f"not a HyperDrive parameter expression: {function}")
    v2_class, v2_params = _DISTRIBUTIONS[function]
    bound = bind(function, args, kwargs)
    v1_params = V1_SIGNATURES[function]
    missing = [p for p in v1_params if p not in bound]
    if missing:
        raise NeverRan(f"{function}() is missing {', '.join(missing)}")
    _check(function, {p: _literal(bound[p]) for p in v1_params})
    text = f"{v2_class}(" + ", ".join(f"{v2}={bound[v1]}" for v1, v2 in zip(v1_params, v2_params, strict=False)) + ")"
    return Snippet(text, ((SWEEP, v2_class),))


def _check(function: str, literals: Mapping[str, tuple[bool, Any]]) -> None:
    """v1's own checks on the arguments that are literals."""
    def number(value):
        return isinstance(value, (int, float))  # bool included, as v1's isinstance checks let it

    known = {k: v for k, (ok, v) in literals.items() if ok}
    if function == "randint":
        if "upper" in known and (not isinstance(known["upper"], int) or known["upper"] <= 0):
            raise NeverRan("randint(upper) needs an int > 0")
        return
    for key in ("min_value", "max_value", "mu", "sigma"):
        if key in known and not number(known[key]):
            raise NeverRan(f"{function}({key}) must be a number")
    q = known.get("q")
    if "q" in known and not (isinstance(q, int) or (isinstance(q, float) and q.is_integer())):
        raise NeverRan(f"{function}(q) must be a whole number")
    if "min_value" in known and "max_value" in known:
        low, high = known["min_value"], known["max_value"]
        if (low >= high) if function in ("uniform", "quniform") else (low > high):
            raise NeverRan(f"{function}: min_value must be below max_value")
    if "sigma" in known and known["sigma"] < 0:
        raise NeverRan(f"{function}: sigma must be >= 0")


def _choice(args: list[str]) -> Snippet:
    """v1 ``choice(*options)``: one list or range argument is the values; several arguments are
    the values; a list or range among several was refused."""
    imports: tuple[Import, ...] = ((SWEEP, "Choice"),)
    if not args:
        raise NeverRan("choice() needs at least one option")
    starred = [a for a in args if a.lstrip().startswith("*")]
    kinds = [_choice_kind(a) for a in args]
    if len(args) > 1:
        if any(k in ("list", "range") for k in kinds):
            raise NeverRan("choice() takes one list or range, or several plain options")
        return Snippet(f"Choice(values=[{', '.join(args)}])", imports)
    (arg,), (kind,) = args, kinds
    if starred:
        return Snippet(f"Choice(values=[{arg}])", imports)
    if kind == "list":
        if arg.replace(" ", "") == "[]":
            raise NeverRan("choice([]) has no options")
        return Snippet(f"Choice(values={arg})", imports)
    if kind == "range":
        definition = v1_definition("choice", args)
        if definition is not None and not definition[1][0]:
            raise NeverRan("choice() of an empty range has no options")
        return Snippet(f"Choice(values=list({arg}))", imports)
    if kind == "scalar":
        return Snippet(f"Choice(values=[{arg}])", imports)
    try:
        simple = isinstance(ast.parse(arg, mode="eval").body, (ast.Name, ast.Attribute))
    except SyntaxError:
        simple = False
    if simple:  # exact whatever the name holds
        return Snippet(f"Choice(values={arg} if isinstance({arg}, list) else list({arg}) "
                       f"if isinstance({arg}, range) else [{arg}])", imports)
    return Snippet(f"Choice(values={arg})", imports, (Report(
        DYNAMIC, "the choice() options are only known at run time; they are assumed to be a list",
        "If the value is a range or a single option, write the list of options."),))


def _choice_kind(code: str) -> str:
    try:
        node = ast.parse(code.strip(), mode="eval").body
    except SyntaxError:
        return "starred" if code.lstrip().startswith("*") else "unknown"
    if isinstance(node, (ast.List, ast.ListComp)):
        return "list"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        return "range"
    if isinstance(node, (ast.Constant, ast.Tuple, ast.Dict, ast.Set, ast.UnaryOp, ast.BinOp)):
        return "scalar"
    return "unknown"


def v1_definition(function: str, args: Sequence[str], kwargs: Mapping[str, str] | None = None) -> list | None:
    """The v1 JSON of a parameter expression whose arguments are all literals
    (``["choice", [[16, 32]]]``), or None when some argument is only known at run time."""
    kwargs = kwargs or {}
    values = []
    for code in list(args) + list(kwargs.values()):
        node = None
        try:
            node = ast.parse(code.strip(), mode="eval").body
        except SyntaxError:
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" \
                and not node.keywords:
            parts = [_literal(ast.get_source_segment(code.strip(), a)) for a in node.args]
            if not all(o for o, _ in parts) or not all(isinstance(v, int) for _, v in parts):
                return None
            values.append(range(*[v for _, v in parts]))
            continue
        ok, value = _literal(code)
        if not ok:
            return None
        values.append(value)
    if function == "choice":
        options = tuple(values)
        for item in options:
            if isinstance(item, (range, list)):
                return ["choice", [list(item)]]
        return ["choice", [list(options)]]
    bound = dict(zip(V1_SIGNATURES[function], values[:len(args)], strict=False))
    bound.update(zip(kwargs, values[len(args):], strict=False))
    return [function, [bound.get(p) for p in V1_SIGNATURES[function]]]


def check_space(sampling_name: str, definitions: Mapping[str, list]) -> None:
    """The checks v1's sampling classes made on the space (v2 makes none client-side, V38).
    ``definitions``: :func:`v1_definition` per key, or ``(function, None)`` when not literal."""
    for key, definition in definitions.items():
        function = definition[0]
        if sampling_name == "GridParameterSampling" and function != "choice":
            raise NeverRan(f"grid sampling takes only choice(); {key} is {function}()")
        if sampling_name != "BayesianParameterSampling":
            continue
        if function not in ("choice", "quniform", "uniform"):
            raise NeverRan(f"Bayesian sampling takes choice(), quniform() and uniform(); {key} is {function}()")
        values = definition[1]
        if values is None:
            continue
        if function == "choice":
            options = values[0]
            if not options or any(type(v) not in (int, str, float) for v in options) or \
                    [type(v) for v in options].count(str) % len(options):
                raise NeverRan(f"Bayesian choice() values of {key} must be all str or all int/float")
        if function == "quniform":
            if any(type(v) is not int for v in values) or (values[1] - values[0]) / values[2] > 100000:
                raise NeverRan(f"Bayesian quniform() of {key} needs int arguments and at most 100000 points")


# -- sampling ------------------------------------------------------------------------------------------
def sampling(name: str, properties: str | None = None) -> Snippet:
    """``RandomParameterSampling`` -> ``"random"`` or ``RandomSamplingAlgorithm(rule=, seed=)``
    (v1 sent ``properties`` as they were; v2 knows rule and seed); Grid -> ``"grid"``, Bayesian
    -> ``"bayesian"`` (v2 has no properties for them)."""
    kind = {"RandomParameterSampling": "random", "GridParameterSampling": "grid",
            "BayesianParameterSampling": "bayesian"}[name]
    ok, value = _literal(properties)
    if ok and not value:
        return Snippet(f'"{kind}"')
    if kind != "random":
        return Snippet(f'"{kind}"', (), (Report(NO_COUNTERPART, f"{name}(properties=...) has no v2 counterpart; "
                                                f"the sweep uses {kind} sampling without them",
                                                "Check the sampling settings by hand."),))
    if ok and isinstance(value, dict):
        unknown = sorted(set(value) - {"rule", "seed"})
        args = ", ".join(f"{k}={v!r}" for k, v in value.items() if k in ("rule", "seed"))
        reports = (Report(NO_COUNTERPART, f"sampling properties {unknown} have no v2 counterpart",
                          "Check the sampling settings by hand."),) if unknown else ()
        return Snippet(f"RandomSamplingAlgorithm({args})", ((SWEEP, "RandomSamplingAlgorithm"),), reports)
    return Snippet(f"RandomSamplingAlgorithm(**({properties} or {{}}))", ((SWEEP, "RandomSamplingAlgorithm"),))


# -- early termination -------------------------------------------------------------------------------
def policy(name: str | None, bound: Mapping[str, str] | None = None) -> Snippet | None:
    """v1 policy (``bind``-ed argument code) -> v2 policy with v1's defaults written (V29), or
    None (no policy: ``NoTerminationPolicy`` or none given)."""
    if name in (None, "NoTerminationPolicy"):
        return None
    bound = dict(bound or {})
    interval = bound.get("evaluation_interval", "1")
    delay = bound.get("delay_evaluation", "0")
    if name == "BanditPolicy":
        slack = [f"{k}={bound[k]}" for k in ("slack_factor", "slack_amount") if k in bound]
        if not slack:
            raise NeverRan("BanditPolicy needs slack_factor or slack_amount")
        text = f"BanditPolicy({', '.join(slack)}, evaluation_interval={interval}, delay_evaluation={delay})"
        return Snippet(text, ((SWEEP, "BanditPolicy"),))
    if name == "MedianStoppingPolicy":
        return Snippet(f"MedianStoppingPolicy(evaluation_interval={interval}, delay_evaluation={delay})",
                       ((SWEEP, "MedianStoppingPolicy"),))
    if name == "TruncationSelectionPolicy":
        if "truncation_percentage" not in bound:
            raise NeverRan("TruncationSelectionPolicy needs truncation_percentage")
        text = (f"TruncationSelectionPolicy(truncation_percentage={bound['truncation_percentage']}, "
                f"evaluation_interval={interval}, delay_evaluation={delay})")
        return Snippet(text, ((SWEEP, "TruncationSelectionPolicy"),), (Report(
            UNVERIFIED, "v1's truncation policy sent exclude_finished_jobs=False; v2 has no such field and its "
                        "service default is not verified", "Check which runs the policy compares."),))
    raise KeyError(f"not a HyperDrive policy: {name}")


# -- objective and limits ----------------------------------------------------------------------------
def goal(code: str) -> Snippet:
    """``PrimaryMetricGoal.MAXIMIZE`` -> ``"maximize"`` (v1 sent ``goal.name.lower()``)."""
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        node = None
    word: object = None
    if isinstance(node, ast.Attribute):
        word = node.attr
    elif isinstance(node, ast.Call) and len(node.args) == 1 and isinstance(node.args[0], ast.Constant):
        word = node.args[0].value
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        word = node.slice.value
    if isinstance(word, str) and word in ("MAXIMIZE", "MINIMIZE"):
        return Snippet(f'"{word.lower()}"')
    if isinstance(node, ast.Constant):
        raise NeverRan("primary_metric_goal must be a PrimaryMetricGoal (v1 read its .name)")
    return Snippet(f"{_atom(code)}.name.lower()", (), (Report(
        DYNAMIC, "the metric goal is only known at run time; the sweep reads it as v1 did (goal.name.lower()), "
                 "which needs the v1 PrimaryMetricGoal", 'Write goal="maximize" or goal="minimize".'),))


def limits(*, max_total_runs: str, max_concurrent_runs: str | None = None,
           max_duration_minutes: str | None = None,
           trial_timeout: str | None = None) -> tuple[dict[str, str], tuple[Report, ...]]:
    """``.sweep()`` keyword code for v1's limits (V32, V33). ``trial_timeout``: the trial run's
    ``max_run_duration_seconds`` code (None: the estimator's default, no limit; a
    ScriptRunConfig's default is 2592000 and must be passed)."""
    reports: list[Report] = []
    out = {"max_total_trials": max_total_runs}
    ok, value = _literal(max_concurrent_runs)
    if max_concurrent_runs is None or (ok and not value):
        out["max_concurrent_trials"] = max_total_runs
    elif ok:
        out["max_concurrent_trials"] = max_concurrent_runs
    else:
        out["max_concurrent_trials"] = f"{_atom(max_concurrent_runs)} or {_atom(max_total_runs)}"
    if max_duration_minutes is None:
        out["timeout"] = "10080 * 60"
    else:
        ok, value = _literal(max_duration_minutes)
        if ok and value is None:
            raise NeverRan("max_duration_minutes=None (v1 compared it with 10080)")
        out["timeout"] = f"{_atom(max_duration_minutes)} * 60"
        if ok and isinstance(value, (int, float)) and value > 10080:
            reports.append(Report(UNVERIFIED, f"max_duration_minutes={value}: v1's service cut it to 10080 minutes "
                                              "(7 days); whether v2 does is not verified",
                                  "Use at most 10080 * 60 seconds."))
    ok, value = _literal(trial_timeout)
    if trial_timeout is not None and not (ok and value is None):
        out["trial_timeout"] = trial_timeout
    return out, tuple(reports)


# -- the trial -------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Tuned:
    """One search-space entry: the v1 key (``--lr``), its v2 name (``lr``), the distribution code."""

    key: str
    name: str
    distribution: Snippet
    quote: bool = False


def search_space(entries: Sequence[tuple[str, Snippet]], names: Names | None = None) -> list[Tuned]:
    """v1 keys -> v2 names (V30), unique among ``names`` (the trial's other inputs and outputs)."""
    names = names if names is not None else Names()
    out = []
    for key, dist in entries:
        quote = dist.code.startswith("Choice(") and not _numeric_choice(dist.code)
        out.append(Tuned(key, names.add(search_key(key) or "param"), dist, quote))
    return out


def _numeric_choice(code: str) -> bool:
    """A Choice over number literals only: its placeholder needs no shell quotes."""
    try:
        call = ast.parse(code, mode="eval").body
        if not isinstance(call, ast.Call):
            return False
        values = ast.literal_eval(call.keywords[0].value)
    except (SyntaxError, ValueError, IndexError, AttributeError, TypeError):
        return False
    return isinstance(values, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                            and math.isfinite(v) for v in values)


def trial_arguments(items: Sequence[Item], tuned: Sequence[Tuned], *,
                    estimator: bool) -> tuple[list[Item], tuple[Report, ...]]:
    """The trial's argument items: v1's fixed ones as HyperDrive left them, then ``key
    ${{inputs.name}}`` per search key (v1 passed the sampled values after the fixed arguments).

    ``estimator=True`` (``HyperDriveConfig(estimator=...)``): HyperDrive read the arguments two by
    two as flag and value (a trailing odd item and repeated flags collapse), dropped the flags it
    tunes (leading dashes ignored) and flattened the rest again; a non-string in a flag place
    made it raise. With ``run_config=`` nothing was removed: the fixed value stays, and the
    sampled one, after it, wins.
    """
    reports = [Report(UNVERIFIED, f"the search key {t.key!r} has no leading dash; how v1 passed it to the script "
                                  "is not verified", "Check the argument the script reads.")
               for t in tuned if not t.key.startswith("-")]
    names = {t.key.lstrip("-") for t in tuned}
    fixed: list[Item] = list(items)
    if estimator:
        keys = [key for key, _ in zip(fixed[::2], fixed[1::2], strict=False)]  # a trailing odd item is no key
        if any(isinstance(k, Expr) for k in keys):
            raise ValueError("a flag only known at run time: use the run-time helper")
        if any(not isinstance(k, (str, Placeholder)) for k in keys):
            raise NeverRan("HyperDrive read a non-string in a flag place (it raised at submit)")
        pairs = dict(zip(fixed[::2], fixed[1::2], strict=False))
        if any(isinstance(k, str) and k.lstrip("-") in names for k in pairs):
            fixed = [x for key, value in pairs.items() if not (isinstance(key, str) and key.lstrip("-") in names)
                     for x in (key, value) if x is not None and x != ""]
    sampled = [x for t in tuned for x in (t.key, Placeholder("inputs", t.name, quote=t.quote))]
    return fixed + sampled, tuple(reports)


def trial_input(fixed: Item | None = None, distribution: Snippet | None = None) -> str:
    """The literal a tuned input is declared with (code). The sweep never uses it (swept inputs
    leave ``inputs``); it is the fixed v1 value when there was one (so the node also runs
    alone as v1's estimator did), else a value of the distribution, so it reads naturally."""
    if isinstance(fixed, (str, int, float)) and not (isinstance(fixed, float) and not math.isfinite(fixed)):
        return py_string(fixed) if isinstance(fixed, str) else repr(fixed)
    if distribution is not None:
        try:
            call = ast.parse(distribution.code, mode="eval").body
            if not isinstance(call, ast.Call):
                raise ValueError(distribution.code)
            first = call.keywords[0].value
            if isinstance(first, ast.List) and first.elts:
                first = first.elts[0]
            value = ast.literal_eval(first)
            if isinstance(value, (str, int, float)):
                return py_string(value) if isinstance(value, str) else repr(value)
        except (SyntaxError, ValueError, IndexError, AttributeError, TypeError):
            pass
    return "0"


def sweep_code(node: str, tuned: Sequence[Tuned], *, sampling_algorithm: Snippet, primary_metric: str,
               goal_code: Snippet, early_termination: Snippet | None, limit_kwargs: Mapping[str, str],
               indent: str = "", prefix: int = 0, width: int = 99) -> Snippet:
    """``node(lr=Uniform(...), ...).sweep(sampling_algorithm=..., primary_metric=..., goal=...,
    early_termination_policy=..., max_total_trials=..., max_concurrent_trials=..., timeout=...,
    trial_timeout=...)``. ``node`` is the trial command's code (declaring every tuned input).
    ``prefix``: the width of what stands before the code on its first line (``hd = ``); a call
    longer than ``width`` takes one tuned input a line, a keyword longer than 120 columns (a
    truncation policy) its arguments on the next line."""
    inner = indent + "    "
    call = f"{node}(" + ", ".join(f"{t.name}={t.distribution.code}" for t in tuned) + ")" if tuned else node
    if tuned and len(indent) + prefix + len(call) + len(".sweep(") > width:  # one tuned input a line
        call = f"{node}(\n" + "".join(f"{inner}{t.name}={t.distribution.code},\n" for t in tuned) + f"{indent})"
    kwargs = [("sampling_algorithm", sampling_algorithm.code), ("primary_metric", primary_metric),
              ("goal", goal_code.code)]
    if early_termination is not None:
        kwargs.append(("early_termination_policy", early_termination.code))
    kwargs += [(k, limit_kwargs[k]) for k in ("max_total_trials", "max_concurrent_trials", "timeout", "trial_timeout")
               if k in limit_kwargs]
    # (a keyword's line may reach the project's 120 columns: the common Bandit policy stays whole)
    text = f"{call}.sweep(\n" + "".join(f"{inner}{_wrapped(k, v, inner, 120)},\n" for k, v in kwargs) + f"{indent})"
    parts = [t.distribution for t in tuned] + [sampling_algorithm, goal_code] + \
        ([early_termination] if early_termination is not None else [])
    imports = tuple(dict.fromkeys(i for p in parts for i in p.imports))
    reports = tuple(r for p in parts for r in p.reports)
    return Snippet(text, imports, reports)


def _wrapped(keyword: str, code: str, inner: str, width: int) -> str:
    """``keyword=Call(a=1, b=2)``, its arguments on the next line when the line is too long."""
    text = f"{keyword}={code}"
    if len(inner) + len(text) + 1 <= width or not code.endswith(")") or "(" not in code or "\n" in code:
        return text
    head, _, args = code.partition("(")
    return f"{keyword}={head}(\n{inner}    {args}"
