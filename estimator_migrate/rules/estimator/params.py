"""The estimator constructor parameters as data: one row per parameter (spec §1.1, §2).

Each row says which classes accept the parameter (anything else raised TypeError, so that code
never ran), its default (passing it is the same call as leaving it out), the concern that owns
it (``driver.SEQUENCE``), what becomes of it on the ScriptRunConfig target and the spec row it
comes from. Everything else is derived from the table: the accepted-parameter sets, the
ownership, the defaults, the package parameters, what ``environment_definition`` excluded.

The ``src`` column is the ScriptRunConfig target. Its simple actions are applied generically by
the renderer (``render_src``), so no concern has code for them:

* ``KEEP``: the same keyword with the same meaning stays in the call as written (unless the
  concern changed its value: a falsy ``source_directory`` is ``"."``);
* ``RENAME``: the same value under another keyword (``keyword``);
* ``DROP``: removed from the call; whatever it did to the run, its concern put into the run
  description (``run.py``), and the renderer writes that where the target wants it;
* ``CUSTOM``: the renderer writes what it became in its place (``script_params`` becomes
  ``arguments``, ``environment_definition`` becomes ``environment``).

A concern may still read a DROP or KEEP parameter (``framework_version`` picks the scenario) or
block the call because of it (``vm_size``). The v2 target adds a column next to ``src``.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


class Action(enum.Enum):
    KEEP = "keep"
    RENAME = "rename"
    DROP = "drop"
    CUSTOM = "custom"


@dataclasses.dataclass(frozen=True)
class To:
    """What becomes of a parameter on one target."""

    action: Action
    keyword: str = ""  # the target's keyword for KEEP and RENAME


KEEP, DROP, CUSTOM = To(Action.KEEP), To(Action.DROP), To(Action.CUSTOM)


def rename(keyword: str) -> To:
    return To(Action.RENAME, keyword)


REQUIRED = object()  # the default of a parameter that has none

ESTIMATOR = frozenset({"Estimator", "PyTorch", "TensorFlow", "Chainer", "SKLearn"})
FRAMEWORKS = ESTIMATOR - {"Estimator"}
NOT_SKLEARN = ESTIMATOR - {"SKLearn"}  # SKLearn dropped these (single-node CPU only)


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    classes: frozenset[str]
    default: Any
    concern: str
    src: To  # the ScriptRunConfig target
    spec: str
    package: bool = False  # it installs packages (spec §2: a package or dependency file parameter)
    excluded_by_definition: bool = False  # with environment_definition the SDK raised (spec §2.1)


def _p(name: str, classes: frozenset[str], default: Any, concern: str, src: To, spec: str, **flags: bool) -> Param:
    return Param(name, classes, default, concern, src, spec, **flags)


# Grouped by concern, in the order the concerns run (driver.SEQUENCE).
TABLE: tuple[Param, ...] = (
    # compute
    _p("compute_target", ESTIMATOR, None, "compute", KEEP, "§2 compute_target"),
    _p("vm_size", ESTIMATOR, None, "compute", DROP, "§2 vm_size (blocks: run-based compute)"),
    _p("vm_priority", ESTIMATOR, None, "compute", DROP, "§2 vm_priority (blocks: run-based compute)"),
    # script
    _p("source_directory", ESTIMATOR, REQUIRED, "script", KEEP, "§2 source_directory (a falsy one is \".\")"),
    _p("entry_script", ESTIMATOR, None, "script", rename("script"), "§2 entry_script"),
    _p("resume_from", ESTIMATOR, None, "script", KEEP, "§2 resume_from"),
    _p("max_run_duration_seconds", ESTIMATOR, None, "script", KEEP, "§2 max_run_duration_seconds (T14)"),
    _p("_disable_validation", ESTIMATOR, True, "script", DROP, "§2 _disable_validation (client-side lint)"),
    _p("_show_lint_warnings", ESTIMATOR, False, "script", DROP, "§2 _show_lint_warnings (client-side lint)"),
    _p("_show_package_warnings", ESTIMATOR, False, "script", DROP, "§2 _show_package_warnings (client-side lint)"),
    # arguments
    _p("script_params", ESTIMATOR, None, "arguments", CUSTOM, "§2 script_params, §3"),
    # data
    _p("inputs", ESTIMATOR, None, "data", DROP, "§2 inputs, §7"),
    _p("source_directory_data_store", NOT_SKLEARN, None, "data", DROP, "§2 source_directory_data_store, §7"),
    # framework
    _p("framework_version", FRAMEWORKS, None, "framework", DROP, "§2 framework_version, §5.1"),
    _p("_enable_optimized_mode", FRAMEWORKS, False, "framework", DROP, "§2 _enable_optimized_mode, §5.2 (T23)"),
    # environment (and docker's shm_size): the settings environment_definition excluded first, in
    # the order a finding names them
    _p("pip_packages", ESTIMATOR, None, "environment", DROP, "§2 pip_packages", package=True,
       excluded_by_definition=True),
    _p("conda_packages", ESTIMATOR, None, "environment", DROP, "§2 conda_packages", package=True,
       excluded_by_definition=True),
    _p("conda_dependencies_file", ESTIMATOR, None, "environment", DROP, "§2 conda_dependencies_file", package=True,
       excluded_by_definition=True),
    _p("conda_dependencies_file_path", ESTIMATOR, None, "environment", DROP, "§2 conda_dependencies_file_path",
       package=True, excluded_by_definition=True),
    _p("pip_requirements_file", ESTIMATOR, None, "environment", DROP, "§2 pip_requirements_file", package=True,
       excluded_by_definition=True),
    _p("pip_requirements_file_path", ESTIMATOR, None, "environment", DROP, "§2 pip_requirements_file_path",
       package=True, excluded_by_definition=True),
    _p("custom_docker_image", ESTIMATOR, None, "environment", DROP, "§2 custom_docker_image",
       excluded_by_definition=True),
    _p("image_registry_details", ESTIMATOR, None, "environment", DROP, "§2 image_registry_details",
       excluded_by_definition=True),
    _p("use_gpu", NOT_SKLEARN, False, "environment", DROP, "§2 use_gpu, §5", excluded_by_definition=True),
    _p("user_managed", ESTIMATOR, False, "environment", DROP, "§2 user_managed", excluded_by_definition=True),
    _p("shm_size", ESTIMATOR, None, "docker", DROP, "§2 shm_size", excluded_by_definition=True),
    _p("environment_variables", ESTIMATOR, None, "environment", DROP, "§2 environment_variables (T16)",
       excluded_by_definition=True),
    _p("custom_docker_base_image", NOT_SKLEARN, None, "environment", DROP, "§2 custom_docker_base_image"),
    _p("environment_definition", ESTIMATOR, None, "environment", CUSTOM, "§2 environment_definition (T7)"),
    # docker
    _p("use_docker", ESTIMATOR, True, "docker", DROP, "§2 use_docker, §4"),
    # distributed
    _p("node_count", NOT_SKLEARN, 1, "distributed", DROP, "§2 node_count, §6"),
    _p("process_count_per_node", NOT_SKLEARN, 1, "distributed", DROP, "§2 process_count_per_node, §6"),
    _p("distributed_backend", NOT_SKLEARN, None, "distributed", DROP, "§2 distributed_backend, §6"),
    _p("distributed_training", NOT_SKLEARN, None, "distributed", DROP, "§2 distributed_training, §6"),
    _p("worker_count", frozenset({"TensorFlow"}), 1, "distributed", DROP, "§2 worker_count, §6"),
    _p("parameter_server_count", frozenset({"TensorFlow"}), 1, "distributed", DROP,
       "§2 parameter_server_count, §6"),
)

PARAMS: dict[str, Param] = {p.name: p for p in TABLE}

# -- derived ---------------------------------------------------------------------------------
# Parameters each class accepts (spec §1.1).
ACCEPTED: dict[str, frozenset[str]] = {cls: frozenset(p.name for p in TABLE if cls in p.classes)
                                       for cls in sorted(ESTIMATOR)}
# Default values (spec §2): an argument equal to its default is removed before any concern looks.
DEFAULTS: dict[str, Any] = {p.name: p.default for p in TABLE if p.default is not REQUIRED}
# Parameters that install packages, in table order.
PACKAGE_PARAMS: tuple[str, ...] = tuple(p.name for p in TABLE if p.package)
# What environment_definition excluded (spec §2.1): the SDK raised when one was given too.
EXCLUDED_BY_DEFINITION: tuple[str, ...] = tuple(p.name for p in TABLE if p.excluded_by_definition)


def owned_by(concern: str) -> tuple[str, ...]:
    """The parameters a concern owns, in table order."""
    return tuple(p.name for p in TABLE if p.concern == concern)

