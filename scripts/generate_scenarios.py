"""Rebuild ``estimator_migrate/data/scenarios.json`` and ``v1_defaults.json`` from an installed Azure ML SDK.

The framework estimators (PyTorch, TensorFlow, Chainer, SKLearn) picked their environment
from ``azureml/train/estimator/scenarios/<framework>-<version>-<cpu|gpu>.yml`` (spec §5).
estimator-migrate ships that knowledge as data so the tool itself never imports azureml;
this script is the only way the table is written, and ``tests/test_framework_scenarios.py``
runs the same extraction against the installed SDK so the shipped table cannot drift.

``v1_defaults.json`` holds the v1 constants the SDK v2 target writes as literals (spec v2 V5, V7,
V48: migrated code must not import azureml): the default CPU/GPU images, the conda document
``CondaDependencies()`` starts from, and the ScriptRunConfig / HyperDrive defaults v2 does not
share. ``tests/test_v2_blocks_environment.py`` checks it against the installed SDK.

Usage (in an environment with azureml-train-core installed)::

    python scripts/generate_scenarios.py            # rewrite the table
    python scripts/generate_scenarios.py --check    # exit 1 if the table is out of date
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Any

TABLE = pathlib.Path(__file__).resolve().parent.parent / "estimator_migrate" / "data" / "scenarios.json"
DEFAULTS = TABLE.parent / "v1_defaults.json"
FRAMEWORKS = ("PyTorch", "TensorFlow", "Chainer", "SKLearn")


def build_table() -> dict[str, Any]:
    """What each framework estimator class would load, read the way the SDK reads it
    (``_FrameworkBaseEstimator._load_from_scenario_file``)."""
    import azureml._vendor.ruamel.yaml as ruamelyaml
    import azureml.core  # noqa: F401  (first, see spec T39)
    import azureml.train.estimator as estimator_package
    from azureml.core.conda_dependencies import CondaDependencies
    from azureml.train.dnn import Chainer, PyTorch, TensorFlow
    from azureml.train.sklearn import SKLearn

    scenario_dir = pathlib.Path(estimator_package.__file__).parent / "scenarios"
    classes = {"PyTorch": PyTorch, "TensorFlow": TensorFlow, "Chainer": Chainer, "SKLearn": SKLearn}
    frameworks: dict[str, Any] = {}
    for name in FRAMEWORKS:
        cls = classes[name]
        versions: dict[str, Any] = {}
        for version in cls.get_supported_versions():
            per_processor = {}
            for processor in ("cpu", "gpu"):
                path = scenario_dir / f"{cls.FRAMEWORK_NAME}-{version}-{processor}.yml".lower()
                if not path.is_file():
                    continue
                with open(path) as handle:
                    scenario = ruamelyaml.round_trip_load(handle)
                deps = CondaDependencies(_underlying_structure=scenario.get("inlineCondaDependencies"))
                per_processor[processor] = {
                    "base_image": scenario.get("baseImage"),
                    # The order _merge_dependencies adds them in: channels, conda, then pip.
                    "channels": list(deps.conda_channels),
                    "conda_packages": list(deps.conda_packages),
                    "pip_packages": list(deps.pip_packages),
                }
            versions[version] = per_processor
        frameworks[name] = {"default_version": cls.DEFAULT_VERSION, "versions": versions}
    return frameworks


def build_v1_defaults() -> dict[str, Any]:
    """The v1 defaults the v2 target needs as data, read from the installed SDK."""
    import azureml.core  # noqa: F401  (first, see spec T39)
    from azureml.core.conda_dependencies import CondaDependencies
    from azureml.core.environment import _DEFAULT_SHM_SIZE, DEFAULT_CPU_IMAGE, DEFAULT_GPU_IMAGE
    from azureml.core.script_run_config import ScriptRunConfig
    from azureml.train.estimator import _framework_base_estimator as framework
    from azureml.train.hyperdrive.runconfig import MAX_DURATION_MINUTES

    return {
        "default_cpu_image": DEFAULT_CPU_IMAGE,
        "default_gpu_image": DEFAULT_GPU_IMAGE,
        # As CondaDependencies() holds it (key and list order kept); its lists came from YAML.
        "default_conda": CondaDependencies().as_dict(),
        "script_run_config_shm_size": _DEFAULT_SHM_SIZE,
        "script_run_config_max_run_duration_seconds": ScriptRunConfig.MAX_DURATION_SECONDS_DEFAULT,
        "hyperdrive_max_duration_minutes": MAX_DURATION_MINUTES,
        # Where a framework estimator ran Azure ML's private prebuilt image instead of a full build.
        "framework_image_registry": framework._FrameworkBaseEstimator._ACR_ADDRESS,
        "framework_non_cached_regions": list(framework._NON_CACHED_REGIONS),
    }


def render_defaults(defaults: dict[str, Any]) -> str:
    from importlib.metadata import version

    document = {
        "_generated_by": "scripts/generate_scenarios.py; do not edit by hand",
        "azureml_core": version("azureml-core"),
        "defaults": defaults,
    }
    return json.dumps(document, indent=2) + "\n"


def sdk_version() -> str:
    from importlib.metadata import version

    return version("azureml-train-core")


def render(frameworks: dict[str, Any]) -> str:
    document = {
        "_generated_by": "scripts/generate_scenarios.py; do not edit by hand",
        "azureml_train_core": sdk_version(),
        "frameworks": frameworks,
    }
    return json.dumps(document, indent=2) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report drift instead of writing")
    args = parser.parse_args(argv)
    frameworks = build_table()
    defaults = build_v1_defaults()
    if args.check:
        drift = 0
        if json.loads(TABLE.read_text(encoding="utf-8"))["frameworks"] != frameworks:
            print(f"{TABLE} differs from the installed SDK ({sdk_version()}); run this script", file=sys.stderr)
            drift = 1
        if json.loads(DEFAULTS.read_text(encoding="utf-8"))["defaults"] != defaults:
            print(f"{DEFAULTS} differs from the installed SDK; run this script", file=sys.stderr)
            drift = 1
        return drift
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(render(frameworks), encoding="utf-8")
    DEFAULTS.write_text(render_defaults(defaults), encoding="utf-8")
    print(f"wrote {TABLE} and {DEFAULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
