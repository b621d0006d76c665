"""The framework scenarios: what each framework estimator (PyTorch, TensorFlow, Chainer,
SKLearn) built for a version and processor (spec §5.1-§5.3, T22). The table is data
(``data/scenarios.json``, written from the SDK by ``scripts/generate_scenarios.py``); this
module reads it and does the package arithmetic the estimator did when it merged a scenario
into the user's packages.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import re

_TABLE_PATH = pathlib.Path(__file__).resolve().parents[2] / "data" / "scenarios.json"
SCENARIOS: dict[str, dict] = json.loads(_TABLE_PATH.read_text(encoding="utf-8"))["frameworks"]

# The estimator's own CondaDependencies() packages never count as user-specified (§5.3 step 3).
_DEFAULT_PACKAGE_NAMES = {"azureml-defaults", "python"}
# The private registry of the prebuilt framework images (§5.2 step 2, T23).
_PRIVATE_REGISTRY = "viennaprivate.azurecr.io"
# Compute targets the framework-image path was skipped for (the SDK's _NON_CACHED_REGIONS).
_NON_CACHED_REGIONS = "chinaeast2, usgovarizona, usgovvirginia, usnateast, usnatwest"


@dataclasses.dataclass(frozen=True)
class Scenario:
    framework: str
    version: str
    processor: str  # cpu | gpu
    base_image: str
    channels: tuple[str, ...]
    conda_packages: tuple[str, ...]
    pip_packages: tuple[str, ...]

    @property
    def private_image(self) -> str:
        return f"{_PRIVATE_REGISTRY}/{self.framework.lower()}:{self.version}-{self.processor}"


def scenario(framework: str, version: str, processor: str) -> Scenario | None:
    entry = SCENARIOS.get(framework, {}).get("versions", {}).get(version, {}).get(processor)
    if entry is None:
        return None
    return Scenario(framework, version, processor, entry["base_image"], tuple(entry["channels"]),
                    tuple(entry["conda_packages"]), tuple(entry["pip_packages"]))


def package_name(spec: str) -> str:
    """The SDK's ``CondaDependencies._get_package_name``: the name before any version or extras."""
    if spec.endswith(".whl"):
        return re.split("-", re.split("/", spec)[-1])[0]
    return re.split(r"[\[=|<|>|~|!]", spec)[0]


def merged_packages(found: Scenario, user_specs: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(channels, conda, pip) the estimator merged in after the user's packages: the scenario's,
    minus those the user named (``_check_package_conflicts`` / ``_remove_package_conflicts``)."""
    framework_names = {package_name(p) for p in found.pip_packages + found.conda_packages}
    common = [n for n in (package_name(s) for s in user_specs)
              if n in framework_names and n not in _DEFAULT_PACKAGE_NAMES]
    pip, conda = list(found.pip_packages), list(found.conda_packages)
    for name in common:
        if any(p.startswith(name) for p in pip):
            same = [p for p in pip if package_name(p) == name]
            if same:
                pip.remove(same[-1])
        if any(c.startswith(name) for c in conda) and name in conda:
            conda.remove(name)  # remove_conda_package matches the exact string only
    return list(found.channels), conda, pip


def default_version(framework: str) -> str:
    """The class's DEFAULT_VERSION: ``framework_version`` when omitted (T22: not the newest)."""
    return SCENARIOS[framework]["default_version"]
