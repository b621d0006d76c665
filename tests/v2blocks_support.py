"""Shared by tests/test_v2_blocks_*.py: the SDK imports (skipped outside CI when missing), a work
folder with a script, and the real-SDK round trips the blocks are proven with."""

from __future__ import annotations

import contextlib
import importlib
import os
import warnings

import pytest


def need(module: str):
    """Import an SDK module for an ``sdk`` test; skip when it is missing (never in CI)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the test environment
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{module} is not installed ({exc})")


def make_workdir(path):
    (path / "src").mkdir(exist_ok=True)
    (path / "src" / "train.py").write_text("print('train')\n")
    return path


IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1"
CONDA = {"name": "project_environment", "channels": ["anaconda", "conda-forge"],
         "dependencies": ["python=3.8.13", {"pip": ["azureml-defaults"]}]}


def v2_namespace():
    """What v2 code text is evaluated with: the names the blocks' imports bring in."""
    need("azure.ai.ml")
    import shlex

    from azure.ai.ml import Input, MpiDistribution, Output, command, sweep
    from azure.ai.ml.entities import Environment

    namespace = {"shlex": shlex, "Input": Input, "Output": Output, "command": command,
                 "Environment": Environment, "MpiDistribution": MpiDistribution}
    namespace.update({name: getattr(sweep, name) for name in dir(sweep) if not name.startswith("_")})
    return namespace


@contextlib.contextmanager
def inside(path):
    """The current directory is ``path`` for the block (v2 resolves ``code`` against it)."""
    old = os.getcwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(old)


def record(job, **kwargs):
    """What ``MLClient.jobs.create_or_update(job)`` would send (tests/equivalence/v2/recorder.py)."""
    recorder = need("equivalence.v2.recorder")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return recorder.record(job, **kwargs)


def examples(n: int) -> int:
    """Generated cases per property test: ``n`` times ``V2_BLOCKS_SCALE`` (default 1; the
    report's numbers come from a run with a larger scale)."""
    return max(1, int(n * float(os.environ.get("V2_BLOCKS_SCALE", "1"))))
