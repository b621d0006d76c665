"""EM103: ``HyperDriveConfig(estimator=x)`` and ``HyperDriveRunConfig(x, ...)`` become
``HyperDriveConfig(..., run_config=x)`` once ``x`` holds a ScriptRunConfig (spec §8.2, T27).

* Decided by what ``x`` holds: a ScriptRunConfig the tool made from an estimator, or the
  user's own one put in the ``estimator`` slot (accepted at construction, broken at submit).
  An ``x`` that still holds an estimator (one the tool left alone) keeps working as it is.
* ``run_config`` is always a keyword: positionally it is the 9th slot, the estimator the 8th.
* With ``estimator=`` HyperDrive removed from the fixed arguments every pair whose key (leading
  ``-`` ignored) is in the parameter space (``_remove_duplicate_arguments``); with
  ``run_config=`` it does not, so those pairs are removed from the ScriptRunConfig's literal
  ``arguments`` here, in the same pass as the keyword change.
"""

from __future__ import annotations

import ast

from estimator_migrate.analysis import contents, static
from estimator_migrate.analysis.context import Edit, FileContext
from estimator_migrate.rewrite import runtime_helpers
from estimator_migrate.rules import on_call
from estimator_migrate.rules.downstream.migrated import SrcRef, holds_estimator, src_held_by, uses_of
from estimator_migrate.rules.downstream.pairs import Pairs
from estimator_migrate.rules.edits import keyword_range, new_group, remove_list_items, replace_ranges, sdk_name
from estimator_migrate.text import end_of

_SAMPLINGS = ("RandomParameterSampling", "GridParameterSampling", "BayesianParameterSampling")
# SDK classes that take an estimator and nothing else in that slot (a ScriptRunConfig there fails).
_CONSUMERS = ("HyperDriveConfig", "HyperDriveRunConfig", "EstimatorStep", "HyperDriveStep")
ESTIMATOR_SLOT = 7  # HyperDriveConfig(hyperparameter_sampling, ..., policy, estimator, run_config, ...)


@on_call("HyperDriveConfig", "HyperDriveRunConfig")
def migrate_hyperdrive(ctx: FileContext, call: ast.Call) -> None:
    kind = ctx.canonical_name(call.func)
    factory = kind == "HyperDriveRunConfig"
    estimator = _argument(call, "estimator", 0 if factory else ESTIMATOR_SLOT)
    sampling = _argument(call, "hyperparameter_sampling", 1 if factory else 0)
    stmt = ctx.enclosing_statement(call)
    lines = (stmt.lineno, call.lineno)
    if estimator is None:
        if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
            ctx.report("EM310", call, f"`{kind}` gets its arguments from `*`/`**` unpacking; if they hold an "
                       "`estimator` that became a ScriptRunConfig, pass it as `run_config=`", lines=lines)
        return
    if holds_estimator(ctx, estimator):
        return  # still an estimator: the next pass sees what the estimator rule made of it
    ref = src_held_by(ctx, estimator)
    held = ctx.segment(estimator)
    if ref is None:
        ctx.report("EM310", estimator, f"cannot tell what `{held}` holds: if it is a ScriptRunConfig now (an "
                   "estimator this tool migrated elsewhere), pass it as `run_config=` instead of `estimator=`",
                   "`estimator=` accepts only estimators; a ScriptRunConfig there fails at submit.", lines=lines)
        return
    if not ctx.may_fix("EM103", call, *lines):
        return
    if not ctx.owns_lines(stmt):
        ctx.report("EM310", call, f"`{kind}` shares its line with other code; pass `{held}` as `run_config=` "
                   "by hand", lines=lines)
        return
    group = new_group()
    edits: list = []
    notes: list[str] = []
    value = held  # what run_config= gets: the ScriptRunConfig, or a copy without the tuned arguments
    if ref.record is None:
        notes.append(f"`{held}` is a ScriptRunConfig in the `estimator` slot, which fails at submit; it is "
                     "passed as `run_config=` now")
    else:
        strip = _strip_tuned(ctx, ref, sampling, estimator, call, group, lines)
        if strip is None:
            return
        edits, strip_notes, value = strip
        notes += strip_notes
    edits.insert(0, _rewrite_call(ctx, call, stmt, estimator, factory, group, value))
    what = "`HyperDriveRunConfig(estimator, ...)` is deprecated" if factory else "`estimator=` is deprecated"
    detail = "; ".join([f"{what}; rewritten to `HyperDriveConfig(..., run_config={value})`"] + notes)
    finding = ctx.report("EM103", call, detail, fixed=True, lines=lines)
    for edit in edits:
        edit.findings = ctx.findings[-1:] if finding else []
        ctx.edits.append(edit)


def blocking_hyperdrive(ctx: FileContext, stmt: ast.stmt, holder: str, clean, base, values: list | None = None):
    """Before an estimator stored in ``holder`` is rewritten: (code, HyperDrive call, why, hint)
    when a HyperDrive configuration that uses it cannot be carried over, and the estimator is
    then left as it is, never half-migrated. None when there is no such use.

    * HyperDrive's reading of the arguments two by two (``values``: the flattened items, see
      ``Plan.argument_values``) put a value that is not a string where a flag is expected:
      ``str.lstrip`` on it raised at submit, for every such key, whatever the space (spec §8.2).
      That HyperDrive run never started (EM305).
    * Its removal of tuned arguments may drop a dataset argument the estimator had registered
      for the run (a ScriptRunConfig would not have it; EM310)."""
    for use in uses_of(ctx, holder, stmt):
        call = ctx.parent(use)
        if isinstance(call, ast.keyword) and call.arg == "estimator":
            call = ctx.parent(call)
        if not isinstance(call, ast.Call):
            continue
        kind = ctx.canonical_name(call.func)
        spelled = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
        if kind is None and spelled in _CONSUMERS:
            return ("EM310", call,
                    f"`{spelled}` on line {call.lineno} receives the estimator, but the tool cannot tell which "
                    "module bound that name (a star import of a module it does not know, or a rebinding); if it "
                    "is the SDK's, it accepts only estimators, so the construction is left as it is",
                    f"Import `{spelled}` by name from the SDK, then run the tool again.")
        if kind not in ("HyperDriveConfig", "HyperDriveRunConfig"):
            continue
        factory = kind == "HyperDriveRunConfig"
        if _argument(call, "estimator", 0 if factory else ESTIMATOR_SLOT) is not use:
            continue
        flag = _not_a_flag(values)
        if flag is not None:
            return ("EM305", call,
                    f"the HyperDrive configuration on line {call.lineno} never ran: HyperDrive read `{holder}`'s "
                    f"arguments two by two as flag and value, and {flag!r} stood where a flag is expected (a "
                    f"bare flag, an expanded list or a key that is not a string put it there); `str.lstrip` on it "
                    f"raised at submit "
                    f"({type(flag).__name__} has no `lstrip`), so there is no run to preserve",
                    "Fix `script_params` so that it reads as flag/value pairs (e.g. give the bare flag a value), "
                    "then run the tool again.")
        if base is None:
            continue
        space = parameter_space(ctx, _argument(call, "hyperparameter_sampling", 1 if factory else 0))
        if contents.may_drop_data(ctx, base, space, clean, strip=True):
            return ("EM310", call,
                    f"the HyperDrive configuration on line {call.lineno} cannot be carried over (HyperDrive's "
                    "removal of the tuned arguments may drop a dataset argument, whose dataset the estimator had "
                    "registered for the run (it stayed mounted); the ScriptRunConfig would lose it), so the "
                    "construction is left as it is",
                    "Take the dataset out of the tuned flags (or give it a flag of its own), then run the tool "
                    "again.")
    return None


def hyperdrive_around(ctx: FileContext, call: ast.Call) -> ast.Call | None:
    """The HyperDrive configuration whose ``estimator`` argument is the estimator construction
    ``call`` itself (built inline), or None."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.keyword):
        if parent.arg != "estimator":
            return None
        parent = ctx.parent(parent)
    if not isinstance(parent, ast.Call):
        return None
    kind = ctx.canonical_name(parent.func)
    if kind not in ("HyperDriveConfig", "HyperDriveRunConfig"):
        return None
    return parent if _argument(parent, "estimator", 0 if kind == "HyperDriveRunConfig" else ESTIMATOR_SLOT) \
        is call else None


def _not_a_flag(values: list | None):
    """The first item HyperDrive's ``convert_list_to_dict`` took for a flag that is certainly not
    a string (an odd last item is no key), or None."""
    if not values:
        return None
    for item in values[0:len(values) - len(values) % 2:2]:
        if item is not static.UNKNOWN and not isinstance(item, str):
            return item
    return None


def _argument(call: ast.Call, name: str, slot: int) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if len(call.args) > slot and not any(isinstance(a, ast.Starred) for a in call.args[:slot + 1]):
        return call.args[slot]
    return None


def _rewrite_call(ctx: FileContext, call: ast.Call, stmt: ast.stmt, estimator: ast.expr, factory: bool, group: int,
                  held: str):
    ranges: list[tuple[int, int, int, int, str]] = []
    kw = next((k for k in call.keywords if k.value is estimator), None)
    if factory:
        func = call.func
        if isinstance(func, ast.Attribute):  # hd.HyperDriveRunConfig -> hd.HyperDriveConfig
            end_line, end_col = end_of(func)
            ranges.append((end_line, end_col - len(func.attr), end_line, end_col, "HyperDriveConfig"))
        else:
            ranges.append((func.lineno, func.col_offset, *end_of(func), sdk_name(ctx, "HyperDriveConfig", call)))
        # The estimator was first; HyperDriveConfig's positional order is the same without it.
        ranges.append(keyword_range(ctx, call, kw) if kw else _positional_range(call, estimator))
        every: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
        last: ast.expr | ast.keyword | None = max(every, key=end_of)
        if last is estimator or last is kw:
            rest = [a for a in every if a is not estimator and a is not kw]
            last = max(rest, key=end_of) if rest else None
        if last is None:
            end_line, end_col = end_of(call)
            ranges.append((end_line, end_col - 1, end_line, end_col - 1, f"run_config={held}"))
        else:
            ranges.append((*end_of(last), *end_of(last), f", run_config={held}"))
    elif kw is not None:  # same place, new keyword
        ranges.append((kw.lineno, kw.col_offset, *end_of(kw), f"run_config={held}"))
    else:  # the 8th positional slot becomes a keyword in place (nothing positional may follow it)
        ranges.append((estimator.lineno, estimator.col_offset, *end_of(estimator), f"run_config={held}"))
    return replace_ranges(ctx, ctx.enclosing_statement(call), ranges, group)


def _positional_range(call: ast.Call, arg: ast.expr):
    rest = [a for a in list(call.args) + list(call.keywords) if a is not arg]
    rest.sort(key=lambda a: (a.lineno, a.col_offset))
    if rest:
        return (arg.lineno, arg.col_offset, rest[0].lineno, rest[0].col_offset, "")
    return (arg.lineno, arg.col_offset, *end_of(arg), "")


def parameter_space(ctx: FileContext, sampling: ast.expr | None):
    """The names of the parameter space (leading '-' stripped), or None when not static."""
    if sampling is None:
        return None
    # HyperDrive reads the space when it builds its configuration (and keeps it): it must be the
    # literal as written, never changed anywhere.
    if isinstance(sampling, ast.Name) and static.is_mutated(ctx.names, sampling):
        return None
    value = static.resolve(ctx.names, sampling, sampling)
    if not isinstance(value, ast.Call):
        return None
    qual = ctx.names.qualified_name(value.func) or ""
    if not qual.startswith("azureml.train.hyperdrive") or qual.rsplit(".", 1)[-1] not in _SAMPLINGS:
        return None
    space = value.args[0] if value.args else next((k.value for k in value.keywords
                                                    if k.arg == "parameter_space"), None)
    if isinstance(space, ast.Name) and static.is_mutated(ctx.names, space):
        return None
    space = static.resolve(ctx.names, space) if space is not None else None
    if not isinstance(space, ast.Dict) or any(k is None for k in space.keys):
        return None
    keys = [static.literal(ctx.names, k) for k in space.keys if k is not None]
    if not all(isinstance(k, str) for k in keys):
        return None
    return {k.lstrip("-") for k in keys}


def _strip_tuned(ctx: FileContext, ref: SrcRef, sampling, estimator, call, group, lines):
    """(edits, notes, run_config value) that drop tuned arguments from the ScriptRunConfig, or
    give HyperDrive a copy without them; None to stop."""
    held = ctx.segment(estimator)
    arguments = ref.keyword("arguments")
    if arguments is None:
        return [], [], held
    space = parameter_space(ctx, sampling)
    pairs = Pairs(ctx, arguments.value)
    if space is None or not pairs.literal_list:
        return _strip_at_run_time(ctx, ref, sampling, estimator, call, group, lines, arguments)
    # HyperDrive read the list two by two (an odd last item is dropped) and took each first item
    # for a flag: one that is not a string raised there, one not known here is only known at run time.
    items = pairs.items
    keys = [static.literal(ctx.names, k) for k in items[0:len(items) - len(items) % 2:2]]
    if not all(isinstance(k, str) for k in keys):
        return _strip_at_run_time(ctx, ref, sampling, estimator, call, group, lines, arguments)
    tuned = [i for i, k in enumerate(keys) if k.lstrip("-") in space]
    if not tuned:
        return [], [], held
    if not pairs.clean:
        # HyperDrive read the list two by two; a bare flag shifted that: the same reading, at run time.
        return _strip_at_run_time(ctx, ref, sampling, estimator, call, group, lines, arguments)
    uses = _uses(ctx, ref)
    drop = [n for i in tuned for n in (2 * i, 2 * i + 1)]
    removed = ", ".join(ctx.segment(pairs.items[2 * i]) for i in tuned)
    if len(uses) > 1:
        # Used elsewhere too: HyperDrive gets its own ScriptRunConfig on the same run
        # configuration, without the tuned arguments. Items that are not constants are read
        # from the original (a dataset or reference object is not built a second time).
        kept = [ctx.segment(item) if isinstance(item, ast.Constant) else f"{held}.arguments[{n}]"
                for n, item in enumerate(pairs.items) if n not in drop]
        name, insert = _tuning_copy(ctx, held, call, group, f"[{', '.join(kept)}]")
        return [insert], [f"`{held}` is used elsewhere too, so HyperDrive gets `{name}`, a copy without the "
                          f"tuned arguments {removed}, as HyperDrive removed them for estimators"], name
    if len(drop) == len(pairs.items):
        ranges = [keyword_range(ctx, ref.call, arguments)]
    else:
        assert isinstance(arguments.value, (ast.List, ast.Tuple))  # pairs.literal_list
        ranges = remove_list_items(ctx, ref.stmt, arguments.value, drop)
    edit = replace_ranges(ctx, ref.stmt, ranges, group)
    return [edit], [f"the tuned arguments {removed} were removed from `{held}`'s `arguments`, as HyperDrive did "
                    "for estimators"], held


def _uses(ctx: FileContext, ref: SrcRef) -> list[ast.Name]:
    return [u for u in uses_of(ctx, ref.expr.id, ref.stmt) if not _harmless(ctx, u)] \
        if isinstance(ref.expr, ast.Name) else []


def _tuning_copy(ctx: FileContext, held: str, call: ast.Call, group: int, arguments: str):
    """A ScriptRunConfig for HyperDrive on the same run configuration, before its statement."""
    name = ctx.unique_name(f"{held}_tuning" if held.isidentifier() else "tuning_config")
    stmt = ctx.enclosing_statement(call)
    indent = ctx.indent_of(stmt.lineno)
    src_name = sdk_name(ctx, "ScriptRunConfig", call)
    align = ctx.newline + " " * (len(indent) + len(name) + len(src_name) + 4)
    insert = Edit(stmt.lineno, stmt.lineno - 1,
                  f"{indent}{name} = {src_name}({held}.source_directory, script={held}.script,{align}"
                  f"arguments={arguments},{align}run_config={held}.run_config){ctx.newline}")
    insert.group = group
    return name, insert


def _space_code(ctx: FileContext, sampling) -> str | None:
    """Code for the names HyperDrive tunes, evaluable where the HyperDriveConfig is built: the
    literal keys of the parameter space, or the sampling's (or space's) own variable."""
    if sampling is None:
        return None
    value = static.resolve(ctx.names, sampling)
    space = None
    if isinstance(value, ast.Call):
        space = value.args[0] if value.args else next((k.value for k in value.keywords
                                                        if k.arg == "parameter_space"), None)
    if parameter_space(ctx, sampling) is not None and space is not None:
        literal = static.resolve(ctx.names, space)
        assert isinstance(literal, ast.Dict)  # parameter_space read it
        return "[" + ", ".join(ctx.segment(k) for k in literal.keys if k is not None) + "]"
    if isinstance(space, ast.Name) and value is sampling:
        return space.id  # the dictionary itself: its keys are what HyperDrive tunes
    if isinstance(sampling, ast.Name):
        text = ctx.segment(ctx.enclosing_statement(sampling))
        quote = "'" if "'" in text and '"' not in text else '"'
        return f"{sampling.id}.to_json()[{quote}parameter_space{quote}]"
    return None


def pairs_shifted(ctx: FileContext, node: ast.expr) -> bool:
    pairs = Pairs(ctx, node)
    return pairs.literal_list and not pairs.clean


def _strip_at_run_time(ctx, ref, sampling, estimator, call, group, lines, arguments):
    """HyperDrive's removal of tuned arguments done at run time by ``without_tuned_arguments``, on
    the arguments the ScriptRunConfig holds (built at run time, or read two by two as HyperDrive
    did): in its ``arguments`` when HyperDrive is its only use, else in a copy for HyperDrive."""
    held = ctx.segment(estimator)
    names = _space_code(ctx, sampling)
    if names is None:
        ctx.report("EM310", call, f"the parameter space is neither a literal dictionary nor a variable, so the tool "
                   f"cannot name what HyperDrive tuned; with `estimator=` HyperDrive removed those from `{held}`'s "
                   "fixed arguments, with `run_config=` it does not",
                   "Assign the parameter sampling to a variable, then run the tool again.", lines=lines)
        return None
    helper = runtime_helpers.helper_name(ctx, runtime_helpers.WITHOUT_TUNED)
    note = f"HyperDrive's removal of the tuned arguments from `{held}`'s is done at run time by `{helper}`"
    if pairs_shifted(ctx, arguments.value):
        note += (" (a bare flag shifts its reading of the arguments two by two, as it shifted HyperDrive's: check "
                 "what the child runs get)")
    pairs = Pairs(ctx, arguments.value)
    if not (pairs.literal_list and all(isinstance(k, str) for k in pairs.keys)):
        # Only run time tells whether HyperDrive could read the pairs at all.
        note += ("; where that reading puts something other than a string in a flag's place (a bare flag or a "
                 "list value shifts it), HyperDrive raised at submit and the run never started: the helper then "
                 "keeps the arguments as they are, and the run starts")
    if len(_uses(ctx, ref)) > 1 or not names.startswith("["):
        name, insert = _tuning_copy(ctx, held, call, group, f"{helper}({held}.arguments, {names})")
        return [insert], [f"{note}, in `{name}`, a copy for HyperDrive"], name
    value = arguments.value
    code = f"{helper}({ctx.segment(value)}, {names})"
    column = ctx.char_col(value.lineno, value.col_offset)
    if "\n" not in code and column + len(code) + 2 > 99:  # the names on a line of their own
        code = f"{helper}({ctx.segment(value)},{ctx.newline}{' ' * (column + len(helper) + 1)}{names})"
    edit = replace_ranges(ctx, ref.stmt, [(value.lineno, value.col_offset, value.end_lineno, value.end_col_offset,
                                           code)], group)
    return [edit], [note], held


def _harmless(ctx: FileContext, use: ast.Name) -> bool:
    """A use that does not read the arguments: ``x.run_config.<...>`` and the like."""
    parent = ctx.parent(use)
    return isinstance(parent, ast.Attribute) and parent.attr in ("run_config", "source_directory")
