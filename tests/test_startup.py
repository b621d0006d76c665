"""A run over files without estimators stays light: the prefilter rules them out, so neither
the engine, libcst, the notebook reader, rich nor the process pool is ever imported (issue 9:
on a clean tree those imports would cost more than the scan). The core (core.py) itself is
light: it imports the engine for the first file that needs it."""

import json
import subprocess
import sys

HEAVY = ["estimator_migrate.engine", "estimator_migrate.io.notebook", "libcst", "rich", "estimator_migrate.rules",
         "multiprocessing", "concurrent.futures"]

PROBE = """
import json, sys
from estimator_migrate.cli import main
try:
    main(["check", sys.argv[1]])
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_clean_tree_imports_nothing_heavy(tmp_path):
    for n in range(3):
        (tmp_path / f"m{n}.py").write_text("import os\nprint(os.sep)\n")
    (tmp_path / "n.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True, text=True, check=True)
    report = json.loads(out.stdout.splitlines()[-1])
    assert report["code"] == 0
    loaded = [name for name in HEAVY if name in report["modules"]]
    assert loaded == []
    assert "files checked                   4" in out.stdout
