"""Benchmark estimator-migrate against its floors, side by side, in one run.

    python benchmarks/run.py                    # the full benchmark (a few minutes)
    python benchmarks/run.py --quick            # small trees, 1 repeat: a smoke run

Three synthetic trees are generated (see generate_tree.py):

- ``clean``: N ordinary Python files (default 10,000) without any azureml usage. The floor is
  ``grep -rl azureml`` over the tree: the cost of reading every byte once.
- ``candidates``: M files (default 500) that all use estimators, 30% of them notebooks. The
  floor is a bare libcst parse + codegen of those files in one process (libcst_floor.py).
- ``mixed``: N files of which a small fraction (default 5%) use estimators, like a real
  repository. Both floors are shown: grep over the tree, libcst over its candidate files.
- ``stdlib``: copies of the running Python's standard library (stdlib_tree.py; 6 copies, about
  10,700 files with CPython 3.11): real code with non-ASCII text and files in other encodings
  with coding cookies, none using azureml. The floor is grep, as for ``clean``.

Every command runs as its own process (interpreter start-up included, output to /dev/null);
each measurement is repeated and the median is reported, with ratios to the floor and the
peak RSS of the largest single process (the tool, or one of its pool workers).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from generate_tree import generate  # noqa: E402
from stdlib_tree import generate as generate_stdlib  # noqa: E402

TOOL = [sys.executable, "-m", "estimator_migrate"]


def measure(argv: Sequence[str], cwd: str, stdin: bytes | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of the largest process, exit code) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    # wait4 gives this child's own rusage; on Linux ru_maxrss (KB) is the largest of the child
    # and the descendants it waited for (the pool workers).
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss_kb = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
    return elapsed, rss_kb / 1024, proc.returncode


def candidate_files(tree: str) -> list[str]:
    out = subprocess.run(["grep", "-rl", "--include=*.py", "--include=*.ipynb", "azureml", "."], cwd=tree,
                         capture_output=True, text=True).stdout
    return sorted(out.split())


def scenario(name: str, tree: str, repeat: int, jobs: Sequence[int]) -> dict[str, tuple[float, float]]:
    """Median time and max peak RSS of every command on ``tree``."""
    cands = candidate_files(tree)
    commands: dict[str, tuple[list[str], bytes | None]] = {
        "grep -rl azureml": (["grep", "-rl", "azureml", "."], None),
    }
    if cands:
        commands["libcst parse+codegen"] = ([sys.executable, os.path.join(HERE, "libcst_floor.py")],
                                            "\n".join(cands).encode())
    for mode in ("check", "fix --diff"):
        for j in jobs:
            commands[f"{mode} -j {j}"] = (TOOL + mode.split() + ["-q", "-j", str(j), "."], None)
    times: dict[str, list[float]] = {k: [] for k in commands}
    rss: dict[str, float] = {k: 0.0 for k in commands}
    for label, (argv, stdin) in commands.items():  # warm the page cache and the .pyc files
        _, _, code = measure(argv, tree, stdin)
        if label.startswith(("check", "fix")) and code not in (0, 1):
            raise SystemExit(f"{label} exited {code} on {tree}")
    for _ in range(repeat):
        for label, (argv, stdin) in commands.items():  # interleaved, so drift hits all alike
            elapsed, peak, _ = measure(argv, tree, stdin)
            times[label].append(elapsed)
            rss[label] = max(rss[label], peak)
    return {k: (statistics.median(v), rss[k]) for k, v in times.items()}


def report(name: str, description: str, results: dict[str, tuple[float, float]]) -> list[str]:
    floors = [key for key in ("grep -rl azureml", "libcst parse+codegen") if key in results]
    if name == "candidates":  # grep over 500 files is no floor for parsing them
        floors = ["libcst parse+codegen"]
    lines = [f"### {name}: {description}", "",
             "| command | median s | " + " | ".join(f"x {key}" for key in floors) + " | peak RSS MB |",
             "|---|---:|" + "---:|" * len(floors) + "---:|"]
    for label, (seconds, peak) in results.items():
        ratios = " | ".join(f"{seconds / results[key][0]:.2f}" for key in floors)
        lines.append(f"| `{label}` | {seconds:.3f} | {ratios} | {peak:.0f} |")
    lines.append("")
    for mode in ("check", "fix --diff"):
        one = results.get(f"{mode} -j 1")
        many = [(k, v) for k, v in results.items() if k.startswith(mode + " -j ") and k != f"{mode} -j 1"]
        for label, value in many:
            if one:
                lines.append(f"- `{mode}`: `-j 1` / `{label.split()[-2]} {label.split()[-1]}` = "
                             f"{one[0] / value[0]:.2f}x speed-up")
    lines.append("")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10_000, help="files in the clean tree")
    parser.add_argument("--candidate-files", type=int, default=500, help="files in the candidates tree")
    parser.add_argument("--mixed-fraction", type=float, default=0.05,
                        help="share of files with estimators in the mixed tree (of --files files)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="where to build the trees (default: a temporary folder, removed)")
    parser.add_argument("--quick", action="store_true", help="20-file trees, one repeat")
    parser.add_argument("--stdlib-copies", type=int, default=6,
                        help="copies of the standard library in the stdlib tree")
    parser.add_argument("--only", choices=["clean", "candidates", "mixed", "stdlib"], help="run one scenario")
    args = parser.parse_args(argv)
    if args.quick:
        args.files, args.candidate_files, args.repeat, args.stdlib_copies = 20, 20, 1, 1
    jobs = sorted({1, os.cpu_count() or 1})
    workdir = args.workdir or tempfile.mkdtemp(prefix="estimator-migrate-bench-")
    out: list[str] = [f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
                      f"median of {args.repeat} runs.", ""]
    try:
        if args.only in (None, "clean"):
            tree = os.path.join(workdir, "clean")
            stats = generate(tree, args.files, candidates=0.0, seed=args.seed)
            out += report("clean", f"{stats['files']} files without azureml, {stats['notebooks']} notebooks, "
                          f"{stats['bytes'] / 1e6:.0f} MB", scenario("clean", tree, args.repeat, jobs))
        if args.only in (None, "candidates"):
            tree = os.path.join(workdir, "candidates")
            stats = generate(tree, args.candidate_files, candidates=1.0, seed=args.seed)
            out += report("candidates", f"{stats['files']} files with estimators, {stats['notebooks']} notebooks, "
                          f"{stats['bytes'] / 1e6:.1f} MB", scenario("candidates", tree, args.repeat, jobs))
        if args.only in (None, "mixed"):
            tree = os.path.join(workdir, "mixed")
            stats = generate(tree, args.files, candidates=args.mixed_fraction, seed=args.seed)
            out += report("mixed", f"{stats['files']} files, {stats['candidates']} with estimators, "
                          f"{stats['notebooks']} notebooks, {stats['bytes'] / 1e6:.0f} MB",
                          scenario("mixed", tree, args.repeat, jobs))
        if args.only in (None, "stdlib"):
            tree = os.path.join(workdir, "stdlib")
            stats = generate_stdlib(tree, args.stdlib_copies)
            out += report("stdlib", f"{stats['files']} files of the standard library ({args.stdlib_copies} copies), "
                          f"{stats['non_ascii']} with non-ASCII bytes, {stats['bytes'] / 1e6:.0f} MB",
                          scenario("stdlib", tree, args.repeat, jobs))
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
