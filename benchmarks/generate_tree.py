"""Build a synthetic source tree for the benchmark: ordinary Python with sizes like a real
repository (a few KB to tens of KB), a configurable fraction of files that use Azure ML SDK v1
estimators in the shapes found in the wild (imports, workspace, a ``script_params`` dict
variable, an estimator, a HyperDriveConfig, a submit), and a share of those as notebooks.

Deterministic: the same arguments and seed give the same bytes.

    python benchmarks/generate_tree.py OUT --files 10000 --candidates 0.0 --seed 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil

WORDS = ("alpha beta gamma delta record batch loader model metric score value index table column "
         "config option cache buffer stream packet frame window layer weight bias grad step epoch "
         "train valid test split sample label token vocab embed hidden output input path name").split()

HEADER_IMPORTS = ["import os", "import sys", "import json", "import logging", "import re",
                  "import math", "import itertools", "import functools", "import collections",
                  "from typing import Any, Dict, List, Optional, Tuple", "from pathlib import Path",
                  "from dataclasses import dataclass, field", "import numpy as np", "import pandas as pd"]


def _ident(rng: random.Random, parts: int = 2) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(parts))


def _camel(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS).capitalize() for _ in range(2))


def _sentence(rng: random.Random, lo: int = 5, hi: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi))).capitalize() + "."


def _function(rng: random.Random, indent: str = "") -> str:
    name = _ident(rng)
    args = [_ident(rng, 1) + str(i) for i in range(rng.randint(0, 4))]
    body = [f'{indent}def {name}({", ".join(args)}):',
            f'{indent}    """{_sentence(rng)}"""']
    local = "result"
    body.append(f"{indent}    {local} = []")
    for _ in range(rng.randint(3, 14)):
        kind = rng.random()
        var = _ident(rng, 1)
        if kind < 0.25:
            body.append(f"{indent}    # {_sentence(rng)}")
            body.append(f"{indent}    {var} = {rng.randint(0, 999)} * len({local}) + {rng.random():.4f}")
        elif kind < 0.45:
            body.append(f"{indent}    for {var} in range({rng.randint(2, 50)}):")
            body.append(f"{indent}        if {var} % {rng.randint(2, 7)} == 0:")
            body.append(f"{indent}            {local}.append({{'{_ident(rng, 1)}': {var}, 'n': {rng.randint(0, 9)}}})")
            body.append(f"{indent}        else:")
            body.append(f"{indent}            {local}.append(str({var}).strip())")
        elif kind < 0.6:
            body.append(f"{indent}    try:")
            body.append(f"{indent}        {var} = json.loads('{{\"{_ident(rng, 1)}\": {rng.randint(0, 99)}}}')")
            body.append(f"{indent}    except (ValueError, KeyError) as exc:")
            body.append(f"{indent}        logging.getLogger(__name__).warning('{_sentence(rng, 3, 6)} %s', exc)")
            body.append(f"{indent}        {var} = None")
        elif kind < 0.8:
            body.append(f"{indent}    {var} = [x ** 2 for x in range({rng.randint(3, 30)}) if x % 3]")
            body.append(f"{indent}    {local}.extend(sorted({var}, reverse={rng.choice(['True', 'False'])}))")
        else:
            body.append(f"{indent}    with open(os.path.join('{_ident(rng, 1)}', '{_ident(rng, 1)}.txt')) as handle:")
            body.append(f"{indent}        {var} = [line.rstrip() for line in handle]")
    body.append(f"{indent}    return {local}")
    return "\n".join(body) + "\n"


def _class(rng: random.Random) -> str:
    lines = [f"class {_camel(rng)}:", f'    """{_sentence(rng, 8, 20)}', "", f"    {_sentence(rng)}", '    """', ""]
    lines.append(f"    {_ident(rng, 1).upper()} = {rng.randint(1, 100)}")
    lines.append("")
    lines.append("    def __init__(self, name, size=0):")
    lines.append("        self.name = name")
    lines.append("        self.size = size")
    lines.append("")
    out = "\n".join(lines) + "\n"
    for _ in range(rng.randint(1, 5)):
        out += _function(rng, "    ").replace("(", "(self, ", 1).replace("(self, )", "(self)", 1) + "\n"
    return out


def ordinary_python(rng: random.Random, target_size: int) -> str:
    parts = [f'"""{_sentence(rng, 6, 16)}"""', ""]
    parts += sorted(rng.sample(HEADER_IMPORTS, rng.randint(2, 8)))
    parts += ["", f"{_ident(rng, 1).upper()}_LIMIT = {rng.randint(1, 10000)}", "", ""]
    text = "\n".join(parts) + "\n"
    while len(text) < target_size:
        text += (_class(rng) if rng.random() < 0.3 else _function(rng)) + "\n\n"
    return text


def _target_size(rng: random.Random) -> int:
    # Log-normal around 6 KB, clipped to 1.5 KB .. 60 KB: most files small, a few large.
    return int(min(60_000, max(1_500, rng.lognormvariate(8.7, 0.8))))


# -- estimator code, in the shapes of the SDK v1 samples and of real projects ---------------------
def estimator_block(rng: random.Random) -> list[str]:
    """Lines of one estimator workflow; each candidate file gets one or two."""
    kind = rng.choice(["Estimator", "Estimator", "PyTorch", "TensorFlow", "SKLearn"])
    module = {"Estimator": "azureml.train.estimator", "PyTorch": "azureml.train.dnn",
              "TensorFlow": "azureml.train.dnn", "SKLearn": "azureml.train.sklearn"}[kind]
    est = rng.choice(["est", "estimator", "trainer", f"{kind.lower()}_est"])
    lines = [
        "from azureml.core import Workspace, Experiment",
        f"from {module} import {kind}",
    ]
    hyperdrive = rng.random() < 0.4
    if hyperdrive:
        lines.append("from azureml.train.hyperdrive import HyperDriveConfig, RandomParameterSampling, "
                     "BanditPolicy, PrimaryMetricGoal, choice, uniform")
    lines += [
        "",
        "ws = Workspace.from_config()",
        f"experiment = Experiment(workspace=ws, name='{_ident(rng)}')",
        "",
        "script_params = {",
        f"    '--data-folder': '{_ident(rng, 1)}',",
        f"    '--batch-size': {rng.choice([16, 32, 64, 128])},",
        f"    '--learning-rate': {rng.choice(['0.01', '0.001', '0.1'])},",
        "}",
        "",
    ]
    args = [f"source_directory='{rng.choice(['src', './train', 'scripts'])}'",
            "script_params=script_params",
            f"compute_target='{rng.choice(['cpu-cluster', 'gpu-cluster', 'local'])}'",
            f"entry_script='{rng.choice(['train.py', 'main.py', 'run_training.py'])}'"]
    if kind == "Estimator":
        args += rng.sample(["pip_packages=['scikit-learn', 'pandas']", "conda_packages=['numpy']",
                            "use_gpu=True", "node_count=1"], rng.randint(0, 3))
    elif kind in ("PyTorch", "TensorFlow"):
        version = "framework_version='1.13'" if kind == "PyTorch" else "framework_version='2.0'"
        args += rng.sample(["use_gpu=True", version,
                            "pip_packages=['pillow']"], rng.randint(1, 2))
    else:
        args += rng.sample(["pip_packages=['joblib']"], rng.randint(0, 1))
    indent = " " * (len(est) + len(kind) + 4)
    call = f"{est} = {kind}(" + f",\n{indent}".join(args) + ")"
    lines += call.split("\n") + [""]
    if hyperdrive:
        lines += [
            "param_sampling = RandomParameterSampling({",
            "    '--learning-rate': uniform(0.0005, 0.05),",
            "    '--batch-size': choice(16, 32, 64),",
            "})",
            f"hd_config = HyperDriveConfig(estimator={est},",
            "                             hyperparameter_sampling=param_sampling,",
            "                             policy=BanditPolicy(evaluation_interval=2, slack_factor=0.1),",
            "                             primary_metric_name='accuracy',",
            "                             primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,",
            f"                             max_total_runs={rng.randint(4, 40)},",
            "                             max_concurrent_runs=4)",
            "run = experiment.submit(hd_config)",
        ]
    else:
        lines.append(f"run = experiment.submit({est})")
    lines += ["run.wait_for_completion(show_output=True)", ""]
    return lines


def candidate_python(rng: random.Random, target_size: int) -> str:
    text = ordinary_python(rng, max(500, target_size - 1500))
    # Scripts that submit usually do it at the bottom, under a main guard or at module level.
    block = estimator_block(rng)
    if rng.random() < 0.5:
        imports = [line for line in block if line.startswith(("from ", "import "))]
        rest = [line for line in block if not line.startswith(("from ", "import "))]
        body = "\n".join("    " + line if line else "" for line in rest)
        return (text + "\n".join(imports) + "\n\n\ndef submit():\n" + body
                + "\n\n\nif __name__ == '__main__':\n    submit()\n")
    return text + "\n".join(block) + "\n"


def _cell(kind: str, source: str, rng: random.Random, count: int) -> dict:
    lines = source.splitlines(keepends=True)
    cell = {"cell_type": kind, "metadata": {}, "source": lines}
    if kind == "code":
        cell["execution_count"] = count
        cell["outputs"] = []
        if rng.random() < 0.3:
            cell["outputs"].append({"name": "stdout", "output_type": "stream",
                                    "text": [_sentence(rng) + "\n" for _ in range(rng.randint(1, 6))]})
    return cell


def notebook(rng: random.Random, target_size: int, with_estimator: bool) -> str:
    cells, count = [], 1
    cells.append(_cell("markdown", f"# {_sentence(rng, 3, 6)}\n\n{_sentence(rng)}\n", rng, 0))
    cells.append(_cell("code", "%matplotlib inline\nimport os\nimport numpy as np\n", rng, count))
    size = 0
    while size < target_size * 0.6:
        count += 1
        source = _function(rng).rstrip("\n") + "\n"
        size += len(source)
        if rng.random() < 0.3:
            cells.append(_cell("markdown", f"## {_sentence(rng, 2, 5)}\n\n{_sentence(rng)}", rng, 0))
        cells.append(_cell("code", source, rng, count))
    if with_estimator:
        block = estimator_block(rng)
        split = block.index("") if "" in block else len(block)
        cells.append(_cell("markdown", "## Submit the training run\n", rng, 0))
        cells.append(_cell("code", "\n".join(block[:split]).strip("\n"), rng, count + 1))
        cells.append(_cell("code", "\n".join(block[split:]).strip("\n"), rng, count + 2))
    # Azure ML compute instances name their kernel after azureml; other notebooks do not.
    kernel = ({"display_name": "Python 3.8 - AzureML", "language": "python", "name": "python38-azureml"}
              if with_estimator else {"display_name": "Python 3", "language": "python", "name": "python3"})
    nb = {"cells": cells,
          "metadata": {"kernelspec": kernel,
                       "language_info": {"name": "python", "version": "3.8.10"}},
          "nbformat": 4, "nbformat_minor": 2}
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def generate(out: str, files: int, candidates: float = 0.05, notebooks: float = 0.3, seed: int = 1,
             per_folder: int = 25) -> dict[str, int]:
    """Write the tree to ``out`` (replacing it). ``candidates`` is the fraction of files with
    estimator code; ``notebooks`` the fraction of those (and of 1/10 as many ordinary files)
    written as .ipynb. Returns counts."""
    rng = random.Random(seed)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    with open(os.path.join(out, ".gitignore"), "w") as handle:
        handle.write("build/\n*.egg-info/\n.ipynb_checkpoints/\n")
    n_candidates = round(files * candidates)
    chosen = set(rng.sample(range(files), n_candidates))
    stats = {"files": 0, "candidates": 0, "notebooks": 0, "bytes": 0}
    for i in range(files):
        folder = os.path.join(out, f"pkg{i // (per_folder * 8):03d}", f"mod{(i // per_folder) % 8}")
        os.makedirs(folder, exist_ok=True)
        is_candidate = i in chosen
        as_notebook = rng.random() < (notebooks if is_candidate else notebooks / 10)
        size = _target_size(rng)
        if as_notebook:
            text, name = notebook(rng, size, is_candidate), f"nb_{_ident(rng, 1)}_{i:05d}.ipynb"
        elif is_candidate:
            text, name = candidate_python(rng, size), f"train_{_ident(rng, 1)}_{i:05d}.py"
        else:
            text, name = ordinary_python(rng, size), f"{_ident(rng)}_{i:05d}.py"
        data = text.encode("utf-8")
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)
        stats["files"] += 1
        stats["candidates"] += is_candidate
        stats["notebooks"] += as_notebook
        stats["bytes"] += len(data)
    return stats


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--candidates", type=float, default=0.05, help="fraction of files with estimator code")
    parser.add_argument("--notebooks", type=float, default=0.3, help="fraction of candidates written as notebooks")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    stats = generate(args.out, args.files, args.candidates, args.notebooks, args.seed)
    print(f"{stats['files']} files ({stats['candidates']} with estimators, {stats['notebooks']} notebooks), "
          f"{stats['bytes'] / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
