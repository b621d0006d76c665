"""The ScriptRunConfig renderer: writes a ``Run`` (what the estimator meant, ``run.py``) as
today's migrated code, in the estimator statement's place.

``translate`` turns the run into edit instructions (``Src``): what happens to each argument of
the call (the parameter table's ``src`` column for the simple rows: keep, rename, drop), the
keywords appended, the statements before the construction (values evaluated once, the
Environment's statements) and after it (``src.run_config...``). ``render`` then splices them
into the statement with libcst, keeping the call's comments and layout.

ScriptRunConfig's own needs live here: ``docker_runtime_config`` and
``max_run_duration_seconds=None`` written out (its defaults differ from the estimator's),
``str(ref)`` plus a ``run_config.data_references`` entry for a DataReference, the node count
restored on ``run_config`` where ScriptRunConfig would take another one.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from estimator_migrate.analysis.context import Edit
from estimator_migrate.rewrite import runtime_helpers
from estimator_migrate.rules.estimator import params
from estimator_migrate.rules.estimator import run as r
from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.text import end_of, indentation, shift_continuations

REMOVE = None  # Src.arg_changes value: the argument disappears from the call
# New keywords are appended in ScriptRunConfig's own parameter order.
_KEYWORD_ORDER = ["source_directory", "script", "arguments", "compute_target", "environment",
                  "distributed_job_config", "docker_runtime_config", "resume_from", "max_run_duration_seconds"]
MAX_LINE = 99  # a rewritten one-line call longer than this is laid out one argument per line
_CD = "{env}.python.conda_dependencies"
_DATA_ORDER = ("inputs", "script_params", "source_directory_data_store")


@dataclasses.dataclass
class Src:
    """Edit instructions for one estimator statement."""

    # param -> (new keyword, new value code) or REMOVE; params not listed are kept as they are
    arg_changes: dict[str, tuple[str, str | None] | None] = dataclasses.field(default_factory=dict)
    new_args: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # appended (keyword, code)
    pre_lines: list[str] = dataclasses.field(default_factory=list)  # statements before the environment
    env_lines: list[tuple[str, str | None]] = dataclasses.field(default_factory=list)  # (on {env}, param)
    post_lines: list[str] = dataclasses.field(default_factory=list)  # statements after, on {src}
    comments: dict[str, list[tuple[str, bool]]] = dataclasses.field(default_factory=dict)  # param -> comments
    env: str | None = None  # the Environment's variable, once one is needed

    def rename(self, param: str, keyword: str, value: str | None = None) -> None:
        self.arg_changes[param] = (keyword, value)

    def env_line(self, line: str, param: str | None = None) -> None:
        self.env_lines.append((line, param))


def translate(plan: Plan) -> Src:
    """The edit instructions for ``plan.run``, and the Environment's variable name (reserved
    here, before the rewrite may still be suppressed, as names are)."""
    run, out = plan.run, Src()
    for param in plan.defaulted:
        out.arg_changes[param] = REMOVE  # passed its default: the same call as leaving it out
    for param in plan.kwargs:
        to = params.PARAMS[param].src
        if to.action is params.Action.DROP:
            out.arg_changes[param] = REMOVE
        elif to.action is params.Action.RENAME:
            out.rename(param, to.keyword)
    if run.source_directory is not None and run.source_directory.code != plan.code("source_directory"):
        out.rename("source_directory", "source_directory", run.source_directory.code)
    out.pre_lines += [f"{h.name} = {h.code}" for h in run.hoisted]
    _arguments(plan, out)
    _environment(plan, out)
    if run.distribution is not None:
        out.new_args.append(("distributed_job_config", _distribution(plan, run.distribution)))
    if run.docker is not None:
        docker = run.docker
        config = f"{plan.use('DockerConfiguration')}(use_docker={docker.use_docker}, shm_size={docker.shm_size})"
        out.new_args.append(("docker_runtime_config", config))
    if run.timeout is None:
        out.new_args.append(("max_run_duration_seconds", "None"))  # the estimator sent no limit (T14)
    _data(plan, out)
    if run.environment_variables is not None:
        # Run-level variables (T16): not env.environment_variables, which lands elsewhere.
        out.post_lines.append(f"{{src}}.run_config.environment_variables = {run.environment_variables.code}")
    if run.distribution is not None:
        out.post_lines += _node_count_restored(plan, run.distribution)
    elif run.node_count is not None:  # not distributed, yet not on one node
        out.post_lines.append(f"{{src}}.run_config.node_count = {run.node_count}")
    if out.env_lines:
        out.env = plan.ctx.unique_name(f"{plan.env_label}_env")
        out.new_args.append(("environment", out.env))
    return out


# -- arguments ----------------------------------------------------------------------------------
def _arguments(plan: Plan, out: Src) -> None:
    args = plan.run.arguments
    if "script_params" not in plan.kwargs:
        return
    if args is None:
        out.arg_changes["script_params"] = REMOVE
        return
    if args.groups is not None:
        out.rename("script_params", "arguments", _render_list(plan, args.groups))
        return
    assert args.run_time is not None
    flatten = runtime_helpers.helper_name(plan.ctx, runtime_helpers.FLATTEN)
    code = shift_continuations(args.run_time, _keyword_column(plan) + len(f"arguments={flatten}(") - args.column)
    out.rename("script_params", "arguments", f"{flatten}({code})")


def _item(plan: Plan, item: r.Code | r.DataArg) -> str:
    if isinstance(item, r.DataArg):
        return f"str({item.code}.as_mount())" if item.datastore else f"str({item.code})"
    return item


def _render_list(plan: Plan, groups: list[r.ArgGroup]) -> str:
    items = [_item(plan, i) for g in groups for i in g.items]
    has_comments = any(g.before or g.after for g in groups)
    flat = "[" + ", ".join(items) + "]"
    if len(flat) <= 72 and "\n" not in flat and not has_comments:
        return flat
    # One entry per line, like a person would lay out a long argument list.
    ctx = plan.ctx
    indent = " " * _keyword_column(plan)
    inner = indent + "    "
    nl = ctx.newline
    body = ""
    for g in groups:
        body += "".join(f"{inner}{c}{nl}" for c in g.before)
        if g.items:
            body += f"{inner}{', '.join(_item(plan, i) for i in g.items)},{'  ' + g.after if g.after else ''}{nl}"
        elif g.after:
            body += f"{inner}{g.after}{nl}"
    return f"[{nl}{body}{indent}]"


def _keyword_column(plan: Plan) -> int:
    """Where the ``arguments=`` keyword will stand once the call is renamed: a keyword on the
    call's first line, or aligned with its parenthesis, moves with the new name."""
    ctx, call = plan.ctx, plan.call
    keyword = next(k for k in call.keywords if k.arg == "script_params" or
                   k.arg is None and "script_params" in plan.unpacked)
    col = ctx.char_col(keyword.lineno, keyword.col_offset)
    call_col = ctx.char_col(call.lineno, call.col_offset)
    func = ctx.segment(call.func)
    old_align = call_col + len(func) + 1
    if keyword.lineno == call.lineno or col == old_align:
        col += len("ScriptRunConfig") - len(func)
    line = ctx.lines[keyword.lineno - 1]
    if keyword.lineno != call.lineno and col != old_align + len("ScriptRunConfig") - len(func):
        # Not first on its line: the line's own indentation, which moves too when it is aligned
        # with the parenthesis.
        col = len(line) - len(line.lstrip(" \t"))
        if col == old_align:
            col += len("ScriptRunConfig") - len(func)
    return col


# -- environment --------------------------------------------------------------------------------
def _environment(plan: Plan, out: Src) -> None:
    env = plan.run.environment
    if isinstance(env, r.Recipe):
        for step in env.steps:
            _step(plan, out, step)
    elif isinstance(env, r.EnvObject):
        if env.holder is not None:
            out.pre_lines.append(f"{env.holder} = {env.code}")
        target = env.holder or env.code
        out.pre_lines += [f"{target}.environment_variables[{k}] = {v}" for k, v in env.variables]
        out.rename("environment_definition", "environment", env.holder)
    elif isinstance(env, r.Curated):
        get = f"{plan.use('Environment')}.get(workspace={env.workspace}, name={plan.q(env.name)})"
        if env.clone is None:
            out.new_args.append(("environment", get))
            return
        out.pre_lines.append(f"{env.clone} = {get}.clone({plan.q(env.clone.replace('_', '-'))})")
        lines = Src()
        for step in env.steps:
            _step(plan, lines, step)
        out.pre_lines += [line.replace("{env}", env.clone) for line, _ in lines.env_lines]
        out.new_args.append(("environment", env.clone))


def _step(plan: Plan, out: Src, step: r.Step) -> None:
    q, cd = plan.q, _CD
    if isinstance(step, r.CondaFile):
        path = f"{plan.use('os')}.path.join({step.source_directory}, {step.file})"
        out.env_line(f"{cd} = {plan.use('CondaDependencies')}({path})", step.param)
    elif isinstance(step, r.PipRequirementsFile):
        # The estimator read the file at construction and merged pip_packages into it (T9).
        reqs = step.reqs
        path = f"{plan.use('os')}.path.join({step.source_directory}, {step.file})"
        out.env_line(f"with open({path}) as {step.handle}:", step.param)
        out.env_line(f"    {reqs} = {step.handle}.read().splitlines()")
        if step.extra:
            extra = step.loop
            out.env_line(f"{reqs} += [{extra} for {extra} in [{', '.join(step.extra)}] if {extra} not in {reqs}]",
                         "pip_packages")
        out.env_line(f"{cd}.set_pip_requirements([{q('azureml-defaults')}, "
                     f"*{plan.use('CondaDependencies')}.merge_requirements({reqs})])")
    elif isinstance(step, r.SetPipRequirements):
        if step.shared is not None:
            # The estimator inserted azureml-defaults into the caller's list and kept that very
            # list as the pip section; other code sees both, so do exactly the same.
            indent = ""
            if step.only_if_items:
                out.env_line(f"if {step.shared}:", "pip_packages")
                indent = "    "
            out.env_line(f"{indent}{step.shared}.insert(0, {q('azureml-defaults')})", "pip_packages")
            out.env_line(f"{indent}{cd}.set_pip_requirements({step.shared})")
        else:
            out.env_line(f"{cd}.set_pip_requirements([{q('azureml-defaults')}, {', '.join(step.items)}])",
                         "pip_packages")
    elif isinstance(step, r.AddCondaPackage):
        out.env_line(f"{cd}.add_conda_package({step.code})" + (f"  {step.comment}" if step.comment else ""),
                     step.param)
    elif isinstance(step, r.AddCondaPackages):  # only known at run time: the same loop the estimator ran
        out.env_line(f"for {step.loop} in {step.code}:", "conda_packages")
        out.env_line(f"    {cd}.add_conda_package({step.loop})")
    elif isinstance(step, r.Comment):
        out.env_line(f"# {step.text}")
    elif isinstance(step, r.AddChannel):
        out.env_line(f"{cd}.add_channel({step.code})")
    elif isinstance(step, r.AddPipPackage):
        out.env_line(f"{cd}.add_pip_package({step.code})")
    elif isinstance(step, r.SetPipOption):
        out.env_line(f"{cd}.set_pip_option({step.code})")
    elif isinstance(step, r.AddPipPackagesUnlessNamed):
        conda_dependencies, named, package = plan.use("CondaDependencies"), step.named, step.loop
        out.env_line(f"{named} = {{{conda_dependencies}._get_package_name({package})")
        out.env_line(f"{' ' * len(named)}    for {package} in {cd}.pip_packages}}")
        out.env_line(f"for {package} in [{', '.join(step.codes)}]:")
        out.env_line(f"    if {conda_dependencies}._get_package_name({package}) not in {named}:")
        out.env_line(f"        {cd}.add_pip_package({package})")
    elif isinstance(step, r.BaseImage):
        if step.image is not None:
            image = step.image
        elif step.gpu_when is not None:
            image = f"{plan.use('DEFAULT_GPU_IMAGE')} if {step.gpu_when} else {plan.use('DEFAULT_CPU_IMAGE')}"
        else:
            image = plan.use("DEFAULT_GPU_IMAGE")
        out.env_line(f"{{env}}.docker.base_image = {image}", step.param)
    elif isinstance(step, r.BaseImageRegistry):
        if step.only_if_truthy:
            out.env_line(f"if {step.code}:", "image_registry_details")
            out.env_line(f"    {{env}}.docker.base_image_registry = {step.code}")
        else:
            out.env_line(f"{{env}}.docker.base_image_registry = {step.code}", "image_registry_details")
    elif isinstance(step, r.UserManaged):
        out.env_line(f"{{env}}.python.user_managed_dependencies = {step.code}", "user_managed")
    elif isinstance(step, r.EnvVariable):
        out.env_line(f"{{env}}.environment_variables[{step.name}] = {step.value}")
    else:  # pragma: no cover - a step type without a rendering
        raise TypeError(f"no ScriptRunConfig rendering for {type(step).__name__}")


# -- distribution -------------------------------------------------------------------------------
def _distribution(plan: Plan, dist: r.Distribution) -> str:
    nodes = plan.run.node_count
    if dist.kind == "object":
        assert dist.config is not None
        return dist.config
    if dist.kind == "mpi":
        parts = []
        if dist.process_count_per_node and dist.process_count_per_node != "1":
            parts.append(f"process_count_per_node={dist.process_count_per_node}")
        if nodes and nodes != "1":
            parts.append(f"node_count={nodes}")  # T17: otherwise it silently runs on one node
        return f"{plan.use('MpiConfiguration')}({', '.join(parts)})"
    if dist.kind == "pytorch":
        parts = [f"communication_backend={plan.q(dist.backend)}"]
        if nodes and nodes != "1":
            parts.append(f"node_count={nodes}")
        return f"{plan.use('PyTorchConfiguration')}({', '.join(parts)})"
    assert dist.kind == "tensorflow"
    parts = []
    if dist.worker_count:
        parts.append(f"worker_count={dist.worker_count}")
    if dist.parameter_server_count:
        parts.append(f"parameter_server_count={dist.parameter_server_count}")
    return f"{plan.use('TensorflowConfiguration')}({', '.join(parts)})"


def _node_count_restored(plan: Plan, dist: r.Distribution) -> list[str]:
    """ScriptRunConfig takes the node count from the configuration object, and for TensorFlow
    sets it to worker_count (T18); the estimator's own node_count is what ran, so it is set on
    ``run_config`` afterwards where those differ (or may)."""
    nodes = plan.run.node_count or "1"
    if dist.kind == "object" or dist.read_from is not None:
        return [f"{{src}}.run_config.node_count = {nodes}"]
    if dist.kind == "tensorflow" and nodes != (dist.worker_count or "1"):
        plan.note("EM203", f"ScriptRunConfig sets node_count to worker_count ({dist.worker_count or '1'}); the "
                  f"estimator's node_count ({nodes}) is restored on `run_config` afterwards",
                  "Check that the node count is what you want.")
        return [f"{{src}}.run_config.node_count = {nodes}"]
    return []


# -- data ---------------------------------------------------------------------------------------
def _data(plan: Plan, out: Src) -> None:
    run = plan.run
    if run.datasets:
        _assign_dict(out, "data", [(d.name, d.code) for d in run.datasets])
    if run.source_directory_data_store is not None:
        store = run.source_directory_data_store
        out.post_lines.append(f"{{src}}.run_config.source_directory_data_store = {store}.name")
    for ref in run.data_references:
        _review(plan, ref)
    refs = sorted(run.data_references, key=lambda ref: _DATA_ORDER.index(ref.source))
    if refs:
        # ScriptRunConfig registers resume_from's MODEL_LOCATION reference itself: keep it.
        _assign_dict(out, "data_references", [_reference_entry(plan, ref) for ref in refs],
                     update=run.resume_from is not None)


def _review(plan: Plan, ref: r.DataReference) -> None:
    """EM201: how a DataReference was carried over, for a person to review."""
    ctx, dataset_hint = plan.ctx, "Consider a FileDataset with `.as_named_input(...).as_mount()` instead."
    if ref.source == "source_directory_data_store":
        plan.note("EM201", "`source_directory_data_store` moved to `run_config.source_directory_data_store` "
                  "plus a mount of the datastore root; review it",
                  "Datastore-backed project folders are legacy; consider removing it.")
    elif ref.node is None:
        return  # a dictionary that may hold references, none certainly: nothing to point at
    elif ref.source == "inputs":
        plan.note("EM201", f"DataReference input `{ctx.segment(ref.node)}` moved to `run_config.data_references`; "
                  "review it", dataset_hint, ref.node)
    elif ref.run_time:
        plan.note("EM201", f"`{ctx.segment(ref.node)}` is a DataReference or datastore in `script_params`; migrated "
                  "as `str(ref)` plus a `run_config.data_references` entry, at run time; review it",
                  dataset_hint, ref.node)
    else:
        plan.note("EM201", f"`{ctx.segment(ref.node)}` is a {'datastore' if ref.datastore else 'DataReference'}; "
                  "migrated as `str(ref)` plus a `run_config.data_references` entry; review it", dataset_hint,
                  ref.node)


def _reference_entry(plan: Plan, ref: r.DataReference) -> tuple[str, str]:
    """(key code, value code) of a ``run_config.data_references`` entry; key ``"**"`` unpacks the
    references of a dictionary found at run time."""
    if ref.run_time:
        return "**", f"{runtime_helpers.helper_name(plan.ctx, runtime_helpers.DATA_REFERENCES)}({ref.code})"
    if ref.datastore:
        return f"{ref.code}.name", f"{ref.code}.as_mount().to_config()"
    return f"{ref.code}.data_reference_name", f"{ref.code}.to_config()"


def _assign_dict(out: Src, field: str, items: list[tuple[str, str]], update: bool = False) -> None:
    """``src.run_config.<field> = {...}`` (``.update({...})`` to keep what is there): on one line
    when it fits, else one entry a line. A ``"**"`` key unpacks a dictionary built at run time."""
    entries = [f"**{v}" if k == "**" else f"{k}: {v}" for k, v in items]
    head, tail = (f"{{src}}.run_config.{field}.update(", ")") if update else (f"{{src}}.run_config.{field} = ", "")
    if len(items) == 1 and items[0][0] == "**":
        out.post_lines.append(f"{head}{items[0][1]}{tail}")
        return
    one_line = f"{head}{{{', '.join(entries)}}}{tail}"
    if len(items) == 1 or len(one_line) <= 88:
        out.post_lines.append(one_line)
        return
    out.post_lines.append(f"{head}{{")
    for entry in entries:
        out.post_lines.append(f"    {entry},")
    out.post_lines.append(f"}}{tail}")


# -- splicing -----------------------------------------------------------------------------------
def render(plan: Plan, out: Src) -> Edit:
    """The edit that replaces the estimator statement (call and the statements around it)."""
    ctx, call, stmt = plan.ctx, plan.call, plan.stmt
    nl = ctx.newline
    indent = indentation(ctx.lines[stmt.lineno - 1])
    src_name = plan.use("ScriptRunConfig")
    new_call = _rewrite_call(plan, out, src_name)

    env = out.env or ""
    lines: list[str] = list(out.pre_lines)
    if out.env:
        lines.append(f"{env} = {plan.use('Environment')}({plan.q(env.replace('_', '-'))})")
        for line, param in out.env_lines:
            line = line.replace("{env}", env)
            if param in out.comments:
                # Comments of a removed argument follow what the argument became: comment lines
                # above it, a trailing comment after it.
                found = out.comments.pop(param)
                lines += [text for text, own_line in found if own_line]
                trailing = [text for text, own_line in found if not own_line]
                if trailing:
                    line += "  " + "  ".join(trailing)
            lines.append(line)
    # Comments of removed arguments that no new line took: keep them as comment lines.
    lines += [text for found in out.comments.values() for text, _ in found]

    holder, call_text = plan.holder, new_call
    post_lines = out.post_lines
    if post_lines and holder is None:
        # Later statements need a name for it: build it on a line of its own first, and finish it
        # before the statement that uses it (which may be a ``return``).
        holder = call_text = ctx.unique_name("src")
        call_col = ctx.char_col(call.lineno, call.col_offset)
        lines.append(f"{holder} = {shift_continuations(new_call, len(indent) + len(holder) + 3 - call_col)}")
        lines += [ln.replace("{src}", holder) for ln in post_lines]
        post_lines = []

    # The statement keeps every character outside the call; it owns its lines, so it starts
    # with exactly ``indent``.
    (call_end, call_end_col), stmt_end = end_of(call), end_of(stmt)[0]
    c1 = ctx.char_col(call.lineno, call.col_offset)
    c2 = ctx.char_col(call_end, call_end_col)
    prefix = "".join(ctx.lines[stmt.lineno - 1:call.lineno - 1]) + ctx.lines[call.lineno - 1][:c1]
    suffix = ctx.lines[call_end - 1][c2:] + "".join(ctx.lines[call_end:stmt_end])
    stmt_text = (prefix + call_text + suffix)[len(indent):]
    post = [ln.replace("{src}", holder or "") for ln in post_lines]

    # A file without a final newline keeps ending without one.
    final_newline = stmt_text.endswith(("\n", "\r"))
    if post and not final_newline:
        stmt_text += nl
    text = "".join(indent + ln + nl for ln in lines) + indent + stmt_text + "".join(indent + ln + nl for ln in post)
    if post and not final_newline:
        text = text[: -len(nl)]
    return Edit(stmt.lineno, stmt_end, text)


def _rewrite_call(plan: Plan, out: Src, func_name: str) -> str:
    ctx, call = plan.ctx, plan.call
    node = cst.parse_expression(ctx.segment(call))
    assert isinstance(node, cst.Call)
    old_func = cst.Module([]).code_for_node(node.func)
    col = ctx.char_col(call.lineno, call.col_offset)
    old_align, new_align = col + len(old_func) + 1, col + len(func_name) + 1

    kept: list[cst.Arg] = []
    orig_args = list(node.args)
    for arg in orig_args:
        if arg.star == "**":
            # ``**settings``: the parameters it gave, spelled out in its place (renamed or dropped as planned).
            spelled = _spelled_out(plan, out, arg)
            if not spelled:
                found = comments_in(arg)
                if found:
                    out.comments.setdefault("**", []).extend(found)
                continue
            kept.extend(spelled)
            continue
        name = arg.keyword.value if arg.keyword else "source_directory"
        change = out.arg_changes.get(name, ...)
        if change is REMOVE:
            found = comments_in(arg)
            if found:
                out.comments.setdefault(name, []).extend(found)
            if kept and isinstance(arg.comma, cst.Comma) and not _breaks_line(kept[-1].comma):
                # What separated the removed argument from the next one now follows the previous
                # (a line break is kept rather than lost).
                kept[-1] = kept[-1].with_changes(comma=arg.comma.with_changes(
                    whitespace_after=_no_comment(arg.comma.whitespace_after)))
            continue
        if change is not ...:
            keyword, value = change
            arg = arg.with_changes(keyword=cst.Name(keyword))
            if value is not None:
                arg = arg.with_changes(value=cst.parse_expression(value))
        kept.append(arg)
    equal = next((a.equal for a in orig_args if a.keyword is not None), cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
    # New keywords follow the call's layout: on their own lines when the call breaks lines.
    commas = [a.comma for a in orig_args[:-1] if isinstance(a.comma, cst.Comma)]
    broken = [c for c in commas if isinstance(c.whitespace_after, cst.ParenthesizedWhitespace)]
    sep = (broken[-1] if broken else commas[0] if commas else cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    sep = sep.with_changes(whitespace_after=_no_comment(sep.whitespace_after))
    first_new = len(kept)
    for keyword, code in sorted(out.new_args, key=lambda a: _KEYWORD_ORDER.index(a[0])):
        kept.append(cst.Arg(keyword=cst.Name(keyword), value=cst.parse_expression(code), equal=equal))

    last_orig = orig_args[-1] if orig_args else None
    final: list[cst.Arg] = []
    for i, arg in enumerate(kept):
        if i == len(kept) - 1:
            if last_orig is not None:  # the closing layout (trailing comma, newline before ")")
                comma = _carry_comment(arg.comma, last_orig.comma, new_align) if arg.comma is not last_orig.comma \
                    else last_orig.comma
                arg = arg.with_changes(comma=comma, whitespace_after_arg=last_orig.whitespace_after_arg)
        elif not isinstance(arg.comma, cst.Comma) or (last_orig is not None and arg.comma is last_orig.comma) \
                or (i + 1 >= first_new and not _breaks_line(arg.comma)):
            # Before a new keyword: the call's own separator, so new keywords follow its layout.
            arg = arg.with_changes(comma=_carry_comment(arg.comma, sep, new_align),
                                   whitespace_after_arg=cst.SimpleWhitespace(""))
        final.append(_realign(arg, old_align, new_align))
    new = node.with_changes(func=cst.Name(func_name), args=final,
                            whitespace_before_args=_realign_ws(node.whitespace_before_args, old_align, new_align))
    module = cst.Module([], default_newline=ctx.newline)
    code = module.code_for_node(new)
    call_end, call_end_col = end_of(call)
    rest = len(ctx.lines[call_end - 1].rstrip("\r\n")) - ctx.char_col(call_end, call_end_col)
    if "\n" not in code and col + len(code) + rest > MAX_LINE and len(final) > 1:
        # The call no longer fits on its line: one argument per line, aligned with the parenthesis.
        aligned = cst.Comma(whitespace_after=cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), empty_lines=[], indent=False,
            last_line=cst.SimpleWhitespace(" " * new_align)))
        relaid = [a.with_changes(comma=aligned, whitespace_after_arg=cst.SimpleWhitespace(""))
                  for a in final[:-1]] + [final[-1]]
        code = module.code_for_node(new.with_changes(args=relaid))
    return code


def _spelled_out(plan: Plan, src: Src, arg: cst.Arg) -> list[cst.Arg]:
    equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    spelled: list[cst.Arg] = []
    for param, code in plan.unpacked.items():
        change = src.arg_changes.get(param, ...)
        if change is REMOVE:
            continue
        keyword, value = (param, None) if change is ... else change
        spelled.append(cst.Arg(keyword=cst.Name(keyword), value=cst.parse_expression(value or code), equal=equal,
                           comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
    if spelled:
        spelled[-1] = spelled[-1].with_changes(comma=arg.comma)
    return spelled


def _carry_comment(old, new, align: int):
    """``new`` as the separator, keeping the comments that sat on the separator it replaces."""
    if not _breaks_line(old) or not comments_in(old):
        return new
    kept = dict(first_line=old.whitespace_after.first_line, empty_lines=old.whitespace_after.empty_lines)
    if _breaks_line(new):
        ws = new.whitespace_after.with_changes(**kept)
    else:
        ws = cst.ParenthesizedWhitespace(indent=False, last_line=cst.SimpleWhitespace(" " * align), **kept)
    base = new if isinstance(new, cst.Comma) else cst.Comma()
    return base.with_changes(whitespace_after=ws)


def _breaks_line(comma) -> bool:
    return isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


def _no_comment(ws):
    """The same layout without comments (they moved to the line that took the argument's place)."""
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(first_line=cst.TrailingWhitespace(newline=ws.first_line.newline), empty_lines=[])
    return ws


def _realign_ws(ws, old: int, new: int):
    """Continuation lines aligned with the old opening parenthesis move with the new name."""
    if isinstance(ws, cst.ParenthesizedWhitespace) and ws.last_line.value == " " * old:
        return ws.with_changes(last_line=cst.SimpleWhitespace(" " * new))
    return ws


def _realign(arg: cst.Arg, old: int, new: int) -> cst.Arg:
    if isinstance(arg.comma, cst.Comma):
        comma = arg.comma.with_changes(whitespace_after=_realign_ws(arg.comma.whitespace_after, old, new))
        arg = arg.with_changes(comma=comma)
    return arg


def comments_in(node: cst.CSTNode) -> list[tuple[str, bool]]:
    """Every comment in ``node`` as (text, stood on a line of its own)."""
    found: list[tuple[str, bool]] = []

    class _Collect(cst.CSTVisitor):
        def visit_EmptyLine(self, line: cst.EmptyLine) -> None:
            if line.comment is not None:
                found.append((line.comment.value, True))

        def visit_TrailingWhitespace(self, ws: cst.TrailingWhitespace) -> None:
            if ws.comment is not None:
                found.append((ws.comment.value, False))

    node.visit(_Collect())
    return found
