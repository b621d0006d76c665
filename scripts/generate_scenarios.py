"""Rebuild ``estimator_migrate/data/scenarios.json`` from an installed Azure ML SDK.

The framework estimators (PyTorch, TensorFlow, Chainer, SKLearn) picked their environment
from ``azureml/train/estimator/scenarios/<framework>-<version>-<cpu|gpu>.yml`` (spec §5).
estimator-migrate ships that knowledge as data so the tool itself never imports azureml;
this script is the only way the table is written, and ``tests/test_framework_scenarios.py``
runs the same extraction against the installed SDK so the shipped table cannot drift.

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
    if args.check:
        shipped = json.loads(TABLE.read_text(encoding="utf-8"))["frameworks"]
        if shipped != frameworks:
            print(f"{TABLE} differs from the installed SDK ({sdk_version()}); run this script", file=sys.stderr)
            return 1
        return 0
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(render(frameworks), encoding="utf-8")
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
