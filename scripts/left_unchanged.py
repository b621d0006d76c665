#!/usr/bin/env python3
"""How many estimator constructions a run left unchanged, by finding code.

usage: estimator-migrate fix --diff -q --output-file json:REPORT.json ROOT > /dev/null
       python scripts/left_unchanged.py REPORT.json ROOT [-v]

Counted per unit (a notebook code cell, or a .py file): constructions found by a regex on the
code (`Estimator(`, `PyTorch(`, `TensorFlow(`, `Chainer(`, `SKLearn(`), migrated (EM101/EM102
fixed), left unchanged (findings '... left unchanged', by code), in cells or files that do not
parse (EM901) or could not be processed (EM902/EM903), and the rest ('unaccounted': usually
the names in strings, or files the discovery skips such as .ipynb_checkpoints)."""
import collections
import json
import os
import re
import sys

EST = re.compile(r"\b(Estimator|PyTorch|TensorFlow|Chainer|SKLearn)\s*\(")


def cells(path):
    if path.endswith(".ipynb"):
        try:
            nb = json.load(open(path, encoding="utf-8"))
        except Exception:
            return {}
        return {i: "".join(c.get("source", "")) if isinstance(c.get("source"), list) else c.get("source", "")
                for i, c in enumerate(nb.get("cells", []), 1) if c.get("cell_type") == "code"}
    return {None: open(path, encoding="utf-8", errors="replace").read()}


def count(text):
    n = 0
    for line in text.splitlines():
        if line.strip().startswith(("#", "import ", "from ")):
            continue
        n += len([m for m in EST.finditer(line) if not line[:m.start()].rstrip().endswith(("def", "class"))
                  and not line[:m.start()].endswith(".")])
    return n


def main(report_path, root, verbose=False):
    by_unit = collections.defaultdict(list)
    for f in json.load(open(report_path)):
        by_unit[(os.path.abspath(f["filename"]), f.get("cell"))].append(f)
    total = migrated = 0
    left = collections.Counter()
    examples = collections.defaultdict(list)
    unaccounted = []
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith((".py", ".ipynb")):
                continue
            path = os.path.abspath(os.path.join(folder, name))
            short = os.path.relpath(path, root)
            whole = [f for f in by_unit.get((path, None), []) if f["code"] in ("EM902", "EM903")
                     or (f["code"] == "EM901" and not path.endswith(".ipynb"))]
            for cell, text in cells(path).items():
                n = count(text)
                if not n:
                    continue
                total += n
                fs = by_unit.get((path, cell if path.endswith(".ipynb") else None), [])
                broken = whole or [f for f in fs if f["code"] == "EM901"]
                if broken:
                    left[broken[0]["code"]] += n
                    examples[broken[0]["code"]].append(f"{short}:{cell} {broken[0]['message'][:200]}")
                    continue
                m = len([f for f in fs if f["code"] in ("EM101", "EM102") and f["fixed"]])
                unchanged = [f for f in fs if "left unchanged" in f["message"]][: max(n - m, 0)]
                migrated += m
                for f in unchanged:
                    left[f["code"]] += 1
                    examples[f["code"]].append(f'{short}:{cell}:{f["location"]["row"]} {f["message"][:170]}')
                if n > m + len(unchanged):
                    unaccounted.append(f"{short}:{cell} found {n}, migrated {m}, left unchanged {len(unchanged)}")
    unch = sum(left.values())
    print(f"estimator constructions {total}, migrated {migrated} ({100 * migrated / max(total, 1):.1f}%), "
          f"left unchanged {unch} ({100 * unch / max(total, 1):.1f}%), unaccounted {total - migrated - unch}")
    for code, k in left.most_common():
        print(f"  {code}: {k} ({100 * k / max(total, 1):.1f}%)")
    if verbose:
        for code, found in examples.items():
            print("==", code)
            for line in found:
                print("   ", line)
        print("== unaccounted")
        for line in unaccounted:
            print("   ", line)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "-v"]
    if len(args) != 2:
        sys.exit(__doc__)
    main(args[0], args[1], "-v" in sys.argv)
