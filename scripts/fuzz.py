#!/usr/bin/env python3
"""A large differential fuzzing run (issue 13): generate programs that use SDK v1 estimators,
run the tool on each (the CLI's own code path, notebooks included), and check with the real SDK
that the migrated program submits the same runs (tests/fuzz/oracle.py says exactly what passes).

Every failure is written to a folder OUTSIDE the repository: the original program (and the
notebook it came from), the migrated program, the differences, the findings and the program's
features. A summary (summary.md / summary.json) is rewritten as the run goes.

    nice -n 10 .venv/bin/python scripts/fuzz.py --examples 10000 --out /tmp/em-fuzz

``--target v2`` migrates with the SDK v2 target instead and judges with tests/fuzz/oracle_v2.py
(the migrated program runs with the real azure-ai-ml, offline; known causes: tests/fuzz/known_v2.py).

Needs the test extra (the SDK and hypothesis): ``bash scripts/setup.sh test``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import json
import os
import re
import signal
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _deadline(seconds: int):
    def fire(signum, frame):
        raise _Timeout(f"no verdict after {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80].strip("_") or "other"


class Run:
    def __init__(self, out: str, target: str = "default"):
        self.out = out
        self.target = target
        self.jobs = collections.Counter()
        self.started = time.time()
        self.n = 0
        self.unique = set()
        self.outcomes = collections.Counter()
        self.estimators = collections.Counter()
        self.findings = collections.Counter()
        self.causes = collections.Counter()
        self.groups = collections.Counter()
        self.smallest = {}
        self.feature_total = collections.Counter()
        self.feature_wrong = collections.Counter()
        self.notebooks = 0
        self.known_causes = collections.Counter()
        if target == "v2":
            from fuzz.known_v2 import classify
        else:
            from fuzz.known import classify

        self.known = classify
        os.makedirs(os.path.join(out, "failures"), exist_ok=True)
        self.log = open(os.path.join(out, "failures.jsonl"), "a", encoding="utf-8")

    def add(self, program, verdict) -> None:
        self.n += 1
        self.unique.add(hashlib.sha1(program.file_bytes()).hexdigest())
        self.notebooks += program.notebook
        self.outcomes[verdict.outcome] += 1
        self.estimators.update(verdict.estimators)
        if self.target == "v2":
            jobs = getattr(verdict, "jobs", {}) or {}
            self.jobs["programs with a v2 job"] += bool(jobs.get("v2"))
            self.jobs["programs with a v1 submit left"] += bool(jobs.get("v1"))
            self.jobs.update({f"{k} submits": n for k, n in jobs.items()})
        self.findings.update({f.split(" ")[1] for f in verdict.findings})
        for feature in program.features:
            self.feature_total[feature] += 1
            if verdict.wrong:
                self.feature_wrong[feature] += 1
        if verdict.ok:
            return
        self.causes.update(verdict.causes)
        cause = self.known(program, verdict) or "NEW"
        self.known_causes[cause] += 1
        group = " + ".join(verdict.causes) or verdict.outcome
        self.groups[group] += 1
        folder = os.path.join(self.out, "failures", _slug(f"{verdict.outcome}__{group}"), f"{self.n:06d}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "original.py"), "w", encoding="utf-8") as f:
            f.write(verdict.original)
        if program.notebook:
            with open(os.path.join(folder, "original.ipynb"), "wb") as f:
                f.write(program.file_bytes())
        with open(os.path.join(folder, "migrated.py"), "w", encoding="utf-8") as f:
            f.write(verdict.migrated)
        with open(os.path.join(folder, "report.txt"), "w", encoding="utf-8") as f:
            f.write(verdict.report() + (f"\njobs in the migrated program: {verdict.jobs}" if hasattr(verdict, "jobs") else "") + "\n\nfeatures: " + ", ".join(sorted(program.features)) + "\n")
        size = len(verdict.original)
        if group not in self.smallest or size < self.smallest[group][0]:
            self.smallest[group] = (size, folder)
        self.log.write(json.dumps({"n": self.n, "outcome": verdict.outcome, "causes": verdict.causes,
                                   "known": cause, "detail": verdict.detail,
                                   "problems": verdict.problems, "findings": verdict.findings, "folder": folder,
                                   "features": sorted(program.features)}) + "\n")
        self.log.flush()

    def summary(self, final: bool = False) -> None:
        elapsed = time.time() - self.started
        n = max(self.n, 1)
        est_total = max(sum(self.estimators.values()), 1)
        data = {
            "target": self.target, "jobs": dict(self.jobs),
            "examples": self.n, "unique_programs": len(self.unique), "notebooks": self.notebooks,
            "seconds": round(elapsed), "final": final,
            "outcomes": dict(self.outcomes),
            "outcome_shares": {k: round(v / n, 4) for k, v in self.outcomes.items()},
            "estimator_statements": dict(self.estimators),
            "estimator_shares": {k: round(v / est_total, 4) for k, v in self.estimators.items()},
            "causes": dict(self.causes.most_common()),
            "known_causes": dict(self.known_causes.most_common()),
            "groups": dict(self.groups.most_common()),
            "smallest_example_per_group": {g: folder for g, (_, folder) in self.smallest.items()},
            "findings_per_program": dict(self.findings.most_common()),
            "wrong_rate_by_feature": {f: [self.feature_wrong[f], t] for f, t in
                                      sorted(self.feature_total.items(), key=lambda kv: -self.feature_wrong[kv[0]] / kv[1])},
        }
        with open(os.path.join(self.out, "summary.json"), "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        lines = [f"# Differential fuzzing run, target {self.target}{' (in progress)' if not final else ''}", "",
                 f"- examples: {self.n} ({len(self.unique)} distinct programs, {self.notebooks} notebooks), "
                 f"{elapsed / 60:.1f} min", ""]
        lines += ["| outcome | programs | share |", "|---|---|---|"]
        lines += [f"| {k} | {v} | {v / n:.1%} |" for k, v in self.outcomes.most_common()]
        if self.jobs:
            lines += ["", "| migrated programs' submits | count |", "|---|---|"]
            lines += [f"| {k} | {v} |" for k, v in sorted(self.jobs.items())]
        lines += ["", "| estimator statements | count | share |", "|---|---|---|"]
        lines += [f"| {k} | {v} | {v / est_total:.1%} |" for k, v in self.estimators.most_common()]
        known = "tests/fuzz/known_v2.py" if self.target == "v2" else "tests/fuzz/known.py"
        lines += ["", f"## Failures by known cause ({known}; NEW: explained by none)", ""]
        lines += [f"- {v} x {k}" for k, v in self.known_causes.most_common()]
        lines += ["", "## Failures by what went wrong (programs)", ""]
        lines += [f"- {v} x {g}  (smallest: {self.smallest[g][1]})" for g, v in self.groups.most_common()]
        with open(os.path.join(self.out, "summary.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=10000, help="programs to generate (default 10000)")
    parser.add_argument("--seed", type=int, default=13, help="hypothesis seed (default 13)")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "em-fuzz"),
                        help="folder for failures and the summary (outside the repository)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds allowed per program")
    parser.add_argument("--kind", choices=["mixed", "notebook", "script"], default="mixed",
                        help="generate notebooks, .py files, or both (default: both, 4 in 5 notebooks)")
    parser.add_argument("--target", choices=["default", "v2"], default="default",
                        help="the tool's target: ScriptRunConfig (default) or SDK v2 (tests/fuzz/oracle_v2.py)")
    args = parser.parse_args(argv)
    out = os.path.abspath(args.out)
    if os.path.commonpath([out, ROOT]) == ROOT:
        parser.error(f"--out must be outside the repository ({ROOT})")

    from fuzz import oracle
    from fuzz.programs import programs

    checker = oracle.check
    if args.target == "v2":
        from fuzz import oracle_v2

        checker = oracle_v2.check
    from hypothesis import HealthCheck, Phase, given, seed, settings

    run = Run(out, args.target)
    notebook = {"mixed": None, "notebook": True, "script": False}[args.kind]

    @seed(args.seed)
    @settings(max_examples=args.examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(programs(notebook=notebook, distinct_search_names=args.target == "v2"))
    def one(program):
        try:
            with _deadline(args.timeout):
                verdict = checker(program)
        except Exception as exc:  # noqa: BLE001 - a bug in the oracle is recorded, the run goes on
            verdict = oracle.Verdict("oracle-error", [f"{type(exc).__name__}: {exc}",
                                                      traceback.format_exc(limit=8)], [], [], program.source, "")
            verdict.causes = [f"oracle-error:{type(exc).__name__}"]
        run.add(program, verdict)
        if run.n % 250 == 0:
            run.summary()
            print(f"{run.n} programs, {dict(run.outcomes)}", flush=True)

    one()
    run.summary(final=True)
    print(open(os.path.join(out, "summary.md"), encoding="utf-8").read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
