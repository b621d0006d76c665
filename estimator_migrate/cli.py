"""The command line: ``estimator-migrate check|fix PATH...``. A thin layer over the core:
find files, run them through the file layer (io/runner.py; serially or in a process pool), apply
the baseline, render reports, choose the exit code.

Exit codes (as ruff, ESLint, Prettier):
  0  nothing to report (fix: nothing changed and nothing left for a person)
  1  check: any finding; fix: a file changed (unless --exit-zero-even-if-changed) or a
     finding that needs manual work (EM3xx) remains; --diff keeps the mode's meaning
  2  usage or configuration error, internal error, or a file that could not be processed
     (the other files are still processed and reported)
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from estimator_migrate import __version__, core
from estimator_migrate.codes import RULES, lookup
from estimator_migrate.config import OUTPUT_FORMATS, ConfigError, Options, convert, parse_codes, resolve
from estimator_migrate.core import FileResult
from estimator_migrate.io import parallel, runner
from estimator_migrate.report import render
from estimator_migrate.report.common import MANUAL, findings_of, kind

# Show a progress bar once this many files need the engine (and only on a terminal).
PROGRESS_FROM = 50


# -- colour and output ---------------------------------------------------------------------
def use_color(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _write(text: str, err: bool = False) -> None:
    if text:
        click.echo(text, nl=False, err=err, color=True)


def print_diff(diff: str, stream) -> None:
    if not use_color(stream):
        stream.write(diff)
        stream.flush()
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True, emoji=False)
    styles = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))
    for line in diff.splitlines():
        style = next((s for prefix, s in styles if line.startswith(prefix)), "")
        console.print(Text(line, style=style))


# -- running files ---------------------------------------------------------------------------
def run_files(paths: Sequence[str], job: runner.Job, jobs: int | None, progress: bool) -> list[FileResult]:
    """Results in the order of ``paths``: each file is read once here and prefiltered; the few
    that may hold estimators are migrated serially, or in a process pool when there are enough
    of them (io/parallel.py)."""
    process = functools.partial(runner.process, job)
    if not progress:
        return parallel.run(paths, runner.scan, process, jobs, warm_up=core.warm_up)
    candidates = 0
    bar = None
    done = 0

    def scan(path: str):
        nonlocal candidates
        scanned = runner.scan(path)
        candidates += isinstance(scanned, parallel.Work)
        return scanned

    def advance() -> None:
        nonlocal bar, done
        done += 1
        if bar is None and candidates >= PROGRESS_FROM:
            bar = _progress(len(paths), done)
        elif bar is not None:
            bar.advance(bar.task_ids[0])

    try:
        return parallel.run(paths, scan, process, jobs, warm_up=core.warm_up, advance=advance)
    finally:
        if bar is not None:
            bar.stop()


def _progress(total: int, done: int):
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(file=sys.stderr), transient=True)
    bar.add_task("estimator-migrate", total=total, completed=done)
    bar.start()
    return bar


# -- exit code -------------------------------------------------------------------------------
def exit_code(results: Sequence, mode: str, exit_zero_even_if_changed: bool) -> int:
    if any(r.error for r in results):
        return 2
    findings = [f for r in results for f in findings_of(r)]
    if mode == "check":
        return 1 if findings else 0
    changed = any(r.changed for r in results)
    manual = any(kind(f) == MANUAL for f in findings)
    return 1 if manual or (changed and not exit_zero_even_if_changed) else 0


# -- options -----------------------------------------------------------------------------------
def _output_file(value: str) -> tuple[str, str]:
    fmt, sep, path = value.partition(":")
    if not sep or fmt not in OUTPUT_FORMATS or not path:
        raise click.BadParameter(f"expected FORMAT:PATH with FORMAT one of {', '.join(OUTPUT_FORMATS)}, got {value!r}",
                                 param_hint="--output-file")
    return fmt, path


def _common_options(func):
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--diff", is_flag=True, help="Print a unified diff of the rewrites; write nothing."),
        click.option("--select", multiple=True, metavar="CODES",
                     help="Report only these codes or prefixes (EM1, EM301,EM302). Repeatable."),
        click.option("--ignore", multiple=True, metavar="CODES",
                     help="Never report (nor rewrite) these codes or prefixes. Repeatable."),
        click.option("--environment", type=click.Choice(["faithful", "curated"]), default=None,
                     help="Framework estimators: reproduce their environment (faithful, default) "
                          "or name the retired curated environment (curated)."),
        click.option("--target", type=click.Choice(["scriptrunconfig", "v2"]), default=None,
                     help="What estimators become: a v1 ScriptRunConfig (scriptrunconfig, default) "
                          "or an Azure ML SDK v2 command job (v2)."),
        click.option("--add-todo-comments/--no-add-todo-comments", default=None,
                     help="Write '# TODO(estimator-migrate): ...' above code that needs manual work."),
        click.option("--exclude", multiple=True, metavar="GLOB",
                     help="Exclude globs (gitignore syntax); replaces the defaults. Repeatable."),
        click.option("--extend-exclude", multiple=True, metavar="GLOB",
                     help="Exclude globs added to the defaults. Repeatable."),
        click.option("--force-exclude/--no-force-exclude", default=None,
                     help="Apply the excludes to files named explicitly too (use in pre-commit)."),
        click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
                     help="Worker processes (default: all cores; 1 = serial)."),
        click.option("--baseline", type=click.Path(dir_okay=False), default=None,
                     help="Findings recorded in FILE are not reported; a missing FILE is created."),
        click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
                     help="Write the manual-work report (markdown, or json for *.json)."),
        click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default=None,
                     help="Format of the report on standard output (default: text)."),
        click.option("--output-file", "output_files", multiple=True, metavar="FORMAT:PATH",
                     help="Also write the report in FORMAT to PATH. Repeatable."),
        click.option("-q", "--quiet", is_flag=True, help="Print the findings only: no hints, no summary."),
        click.option("--stdin-filename", default=None, metavar="PATH",
                     help="The file name to use for '-' (standard input)."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
                     help="Read [tool.estimator-migrate] from this pyproject.toml."),
        click.option("--isolated", is_flag=True, help="Ignore configuration files."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="estimator-migrate", message="%(prog)s %(version)s")
@click.option("--list-rules", is_flag=True, help="List the finding codes and exit.")
@click.option("--explain", metavar="CODE", help="Explain a finding code (or rule name) and exit.")
@click.pass_context
def main(ctx: click.Context, list_rules: bool, explain: str | None) -> None:
    """Rewrite Azure ML SDK v1 estimators into ScriptRunConfig, or report what needs a person."""
    if list_rules:
        for rule in RULES.values():
            fix = "fix" if rule.fixable else "manual"
            click.echo(f"{rule.code}  {rule.name:<42} {fix:<6} {rule.summary}")
        ctx.exit(0)
    if explain:
        try:
            rule = lookup(explain)
        except KeyError:
            raise click.BadParameter(f"unknown code {explain!r} (see --list-rules)", param_hint="--explain") from None
        click.echo(rule.explain(), nl=False)
        ctx.exit(0)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(2)


@main.command()
@_common_options
@click.pass_context
def check(ctx: click.Context, **kwargs) -> None:
    """Report estimators and what the rewrite would do; write nothing. Exit 1 on any finding."""
    ctx.exit(_guarded("check", kwargs, ctx.obj))


@main.command()
@_common_options
@click.option("--exit-zero-even-if-changed", is_flag=True,
              help="Exit 0 when files were rewritten (still 1 when manual work remains).")
@click.pass_context
def fix(ctx: click.Context, **kwargs) -> None:
    """Rewrite estimators in place. Exit 1 when a file changed or manual work remains."""
    ctx.exit(_guarded("fix", kwargs, ctx.obj))


def _guarded(mode: str, kwargs: dict[str, Any], migrate: Callable[..., FileResult] | None) -> int:
    """``migrate``: the core to run, from click's context object (``main(obj=...)``); None
    means core.migrate_bytes. Tests of the command line pass a stand-in this way."""
    try:
        return run(mode, **kwargs, migrate=migrate or core.migrate_bytes)
    except ConfigError as exc:
        click.echo(f"estimator-migrate: error: {exc}", err=True)
        return 2
    except click.ClickException:
        raise
    except KeyboardInterrupt:
        click.echo("estimator-migrate: interrupted", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - an internal error must still exit 2, with a trace
        import traceback

        traceback.print_exc(file=sys.stderr)
        click.echo(f"estimator-migrate: internal error: {type(exc).__name__}: {exc}", err=True)
        return 2


def run(mode: str, *, paths: tuple[str, ...], diff: bool, select, ignore, environment, add_todo_comments,
        target=None,
        exclude, extend_exclude, force_exclude, jobs, baseline, report_path, output_format, output_files,
        quiet, stdin_filename, config_file, isolated, exit_zero_even_if_changed=None,
        migrate: Callable[..., FileResult] = core.migrate_bytes) -> int:
    paths = paths or (".",)
    flags = {
        "select": parse_codes(select, "--select") if select else None,
        "ignore": parse_codes(ignore, "--ignore") if ignore else None,
        "environment": environment,
        "target": target,
        "add_todo_comments": add_todo_comments,
        "exclude": tuple(exclude) if exclude else None,
        "extend_exclude": tuple(extend_exclude) if extend_exclude else None,
        "force_exclude": force_exclude,
        "jobs": convert("jobs", jobs, "--jobs") if jobs is not None else None,
        "baseline": baseline,
        "output_format": output_format,
        "exit_zero_even_if_changed": True if exit_zero_even_if_changed else None,
    }
    config_paths = [stdin_filename] if paths == ("-",) and stdin_filename else list(paths)
    options = resolve(flags, config_paths, config_file=config_file, isolated=isolated)
    outputs = [_output_file(value) for value in output_files]
    if "-" in paths:
        if len(paths) > 1:
            raise click.UsageError("'-' (standard input) cannot be combined with other paths")
        return _run_stdin(mode, options, diff, quiet, stdin_filename, outputs, report_path, migrate)

    from estimator_migrate.io import discover

    missing = [p for p in paths if not os.path.lexists(p)]
    files = discover.discover([p for p in paths if p not in missing], root=options.root,
                              exclude=options.exclude, extend_exclude=options.extend_exclude,
                              force_exclude=options.force_exclude)
    job = runner.Job(options.settings(), write=(mode == "fix" and not diff), diff=diff, migrate=migrate)
    progress = not quiet and sys.stderr.isatty()
    results = run_files(files, job, options.jobs, progress)
    results += [FileResult(p, error=f"{p}: no such file or directory") for p in missing]
    return _finish(mode, options, results, diff, quiet, outputs, report_path)


def _run_stdin(mode: str, options: Options, diff: bool, quiet: bool, stdin_filename: str | None,
               outputs, report_path, migrate: Callable[..., FileResult]) -> int:
    name = stdin_filename or "-"
    data = sys.stdin.buffer.read()
    if stdin_filename and options.force_exclude:
        from estimator_migrate.io import discover

        excludes = discover.ExcludeSpec(list(discover.DEFAULT_EXCLUDE if options.exclude is None else options.exclude)
                                        + list(options.extend_exclude), options.root)
        if discover._explicit_file_excluded(stdin_filename, excludes):
            if mode == "fix" and not diff:
                sys.stdout.buffer.write(data)  # an editor integration expects the text back
            return 0
    result = migrate(data, name, options.settings(), diff=diff)
    if mode == "fix" and not diff:
        sys.stdout.buffer.write(result.new_data if result.new_data is not None else data)
        sys.stdout.flush()
    # stdout carries the code (fix) or the diff: the report goes to stderr then.
    report_to_stderr = mode == "fix" or diff
    return _finish(mode, options, [result], diff, quiet, outputs, report_path, report_to_stderr=report_to_stderr)


def _finish(mode: str, options: Options, results: list[FileResult], diff: bool, quiet: bool, outputs, report_path,
            report_to_stderr: bool | None = None) -> int:
    baselined = 0
    if options.baseline:
        from estimator_migrate.report import baseline as baseline_file

        if not os.path.exists(options.baseline):
            count = baseline_file.write(options.baseline, results)
            click.echo(f"estimator-migrate: wrote {count} finding(s) to the baseline {options.baseline}", err=True)
            return 2 if any(r.error for r in results) else 0
        results, baselined = baseline_file.apply(options.baseline, results)

    if diff:
        for result in results:
            if result.diff:
                print_diff(result.diff, sys.stdout)
    to_stderr = diff if report_to_stderr is None else report_to_stderr
    stream = sys.stderr if to_stderr else sys.stdout
    suppressed = _suppressed(results)
    from estimator_migrate.io.discover import git_root

    # GitHub and SARIF want repository-relative paths, whatever folder the tool runs in.
    root = git_root(os.getcwd()) or os.getcwd()
    context: dict[str, Any] = dict(mode="diff" if diff else mode, root=root, baselined=baselined,
                                   suppressed=suppressed, quiet=quiet)
    _write(render(options.output_format, results, color=use_color(stream), **context), err=to_stderr)
    for fmt, path in outputs:
        _save(path, render(fmt, results, color=False, **context))
    if report_path:
        from estimator_migrate.report import manual

        fmt = "json" if report_path.lower().endswith(".json") else "markdown"
        _save(report_path, manual.render(results, fmt=fmt, **context))
    return exit_code(results, mode, options.exit_zero_even_if_changed)


def _suppressed(results: Sequence[FileResult]) -> int | None:
    return sum(r.suppressed for r in results) if results else None


def _save(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


if __name__ == "__main__":  # pragma: no cover
    main()
