"""The environment an estimator built, as a v2 ``Environment(image=..., conda_file={...})``
(spec v2 §5, V5, V7, V15, V16, V17; v1 spec §2, §4, §5).

v2 has no default image and no default packages, and reads a ``conda_file`` path from the current
directory when the object is built; so the migration writes the v1 image and the v1 conda
document themselves, as literals. This module computes them the way the estimator did
(``_create_conda_dependencies``, ``_update_environment``, ``_FrameworkBaseEstimator._setup_environment``)
on the data shipped with the tool (``data/v1_defaults.json``, ``data/scenarios.json``), and writes
the v2 code:

* :func:`estimator_environment` -> :class:`V1Environment` (image, conda document, job-level
  environment variables, what to report) from literal estimator arguments;
* :func:`environment_code` -> ``Environment(...)`` code text for a known image and document;
* :func:`runtime_environment_code` -> the same when packages or a requirements file are only
  known at run time: the document is built when the program runs by the helper
  ``v1_conda_document`` (``helpers.py``), which repeats v1's steps on the same values.

``pip_packages`` is the list's content as the estimator saw it: v1 inserted ``azureml-defaults``
into the caller's own list (and a framework estimator appended its packages to it), so a list
shared by two estimators held more the second time. The run-time helper does the same to the
list it gets.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from collections.abc import Sequence
from typing import Any

from estimator_migrate.v2.conda import (
    CondaDocument,
    NeverRan,
    merge_list,
    merge_requirements,
    package_name,
    v1_defaults,
)
from estimator_migrate.v2.snippet import Import, Report, Snippet, py_string

_SCENARIOS = pathlib.Path(__file__).resolve().parent.parent / "data" / "scenarios.json"
ENVIRONMENT: Import = ("azure.ai.ml.entities", "Environment")
FRAMEWORK_ENVIRONMENT = "EM452"  # framework-environment-v2
NO_COUNTERPART = "EM503"  # registry-credentials


def scenario(framework: str, version: str | None, use_gpu: bool) -> dict[str, Any]:
    """What a framework estimator class loaded for (version, processor): ``base_image``,
    ``channels``, ``conda_packages``, ``pip_packages``. ``version=None`` is the class default."""
    table = json.loads(_SCENARIOS.read_text(encoding="utf-8"))["frameworks"]
    if framework not in table:
        raise KeyError(f"not a framework estimator: {framework}")
    version = version if version is not None else table[framework]["default_version"]
    processor = "gpu" if use_gpu else "cpu"
    try:
        return dict(table[framework]["versions"][version][processor], version=version)
    except KeyError:
        raise NeverRan(f"{framework} has no {version} {processor} scenario") from None


def scenario_document(found: dict[str, Any]) -> CondaDocument:
    """The scenario's ``inlineCondaDependencies`` as v1 read it (from YAML)."""
    data: dict[str, Any] = {"dependencies": [*found["conda_packages"], {"pip": list(found["pip_packages"])}]}
    if found["channels"]:
        data["channels"] = list(found["channels"])
    return CondaDocument.from_yaml_data(data)


def estimator_conda(*, pip_packages: list | None = None, conda_packages: Sequence[str] | None = None,
                    pip_requirements: Sequence[str] | None = None,
                    framework_scenario: dict[str, Any] | None = None) -> CondaDocument:
    """The conda document of an estimator without ``conda_dependencies_file``.

    ``pip_requirements``: the lines of ``pip_requirements_file`` (``None``: no file).
    ``framework_scenario``: :func:`scenario` for a framework estimator's full build.
    """
    for value in [*(pip_packages or []), *(conda_packages or []), *(pip_requirements or [])]:
        if not isinstance(value, str):
            raise NeverRan(f"a package that is not a string: {value!r}")
    combined = pip_packages
    if pip_requirements is not None:
        combined = merge_requirements(merge_list(list(pip_requirements), pip_packages, True))
    doc = CondaDocument.default()
    if combined:
        if not isinstance(combined, list):
            raise NeverRan("pip_packages must be a list (v1 inserted azureml-defaults into it)")
        combined = list(combined)
        combined.insert(0, "azureml-defaults")
        doc.set_pip_requirements(combined)
    for package in conda_packages or []:
        doc.add_conda_package(package)
    if framework_scenario is not None:
        merge_framework(doc, scenario_document(framework_scenario))
    return doc


def merge_framework(doc: CondaDocument, framework: CondaDocument) -> None:
    """``_check_package_conflicts`` + ``_remove_package_conflicts`` + ``_merge_dependencies``: a
    package the user named (other than python and azureml-defaults) is taken out of the
    framework's, then the framework's channels, conda and pip packages are added."""
    default = CondaDocument.default()
    names = [package_name(x) for x in framework.pip_packages] + [package_name(x) for x in framework.conda_packages]
    defaults = [package_name(x) for x in default.pip_packages] + [package_name(x) for x in default.conda_packages]
    mine = [package_name(x) for x in doc.pip_packages] + [package_name(x) for x in doc.conda_packages]
    for package in [p for p in mine if p in names and p not in defaults]:
        if framework.pip_with_prefix(package):
            framework.remove_pip_package(package)
        if framework.conda_with_prefix(package):
            framework.remove_conda_package(package)
    doc.merge_dependencies(framework)


def uses_prebuilt_framework_image(*, user_dependencies: bool, compute: str, region: str | None = None,
                                  custom_docker_image: bool = False, environment_definition: bool = False,
                                  notebook: bool = False, optimized: bool = False) -> bool:
    """Whether a framework estimator ran Azure ML's private prebuilt image (no full build).

    ``compute``: ``"aml"`` (an AmlCompute object, ``region`` its location), ``"none"``
    (``compute_target=None``, run-based) or ``"other"`` (a name string, ``'local'``, another
    object). ``user_dependencies``: :func:`user_dependencies_provided`.
    """
    prebuilt = optimized or not user_dependencies
    if compute == "other" or (compute == "aml" and region in v1_defaults()["framework_non_cached_regions"]):
        prebuilt = False
    if custom_docker_image or environment_definition or notebook:
        prebuilt = False
    return prebuilt


def user_dependencies_provided(doc: CondaDocument) -> bool:
    """v1 compared serialisations with ``CondaDependencies()``; the document data decides the same
    except for a document equal in data but not in YAML comments, which the estimator cannot make."""
    return doc.data() != CondaDocument.default().data()


@dataclasses.dataclass(frozen=True)
class V1Environment:
    """``conda`` is None for ``user_managed`` (the image is used as it is), or when the document is
    the ``conda_dependencies_file`` (``conda_file_path`` is then True: see :func:`conda_file_path_code`)."""

    image: str
    conda: dict[str, Any] | None
    environment_variables: dict[str, str] = dataclasses.field(default_factory=dict)
    conda_file_path: bool = False
    reports: tuple[Report, ...] = ()


def estimator_environment(*, framework: str | None = None, framework_version: str | None = None,
                          use_gpu: bool = False, custom_docker_image: str | None = None,
                          custom_docker_base_image: str | None = None, registry_address: str | None = None,
                          registry_credentials: bool = False, user_managed: bool = False,
                          pip_packages: list | None = None, conda_packages: Sequence[str] | None = None,
                          pip_requirements: Sequence[str] | None = None, conda_dependencies_file: bool = False,
                          prebuilt: bool = False) -> V1Environment:
    """The environment of an estimator given literal arguments (no ``environment_definition``:
    that one is translated field by field by the renderer).

    ``framework``: ``"PyTorch"``, ``"TensorFlow"``, ``"Chainer"``, ``"SKLearn"`` or None (generic).
    ``prebuilt``: :func:`uses_prebuilt_framework_image` was true; the result is then the full
    build of the same scenario, reported, since the private image cannot be reached.
    Raises :class:`NeverRan` for the combinations v1 refused.
    """
    if custom_docker_image and custom_docker_base_image:
        raise NeverRan("custom_docker_base_image and custom_docker_image together")
    if conda_dependencies_file and (pip_packages or conda_packages or pip_requirements is not None):
        raise NeverRan("conda_dependencies_file with pip_packages, conda_packages or pip_requirements_file")
    if user_managed and (conda_packages or pip_packages or conda_dependencies_file or pip_requirements is not None):
        raise NeverRan("user_managed with packages or dependency files")
    reports: list[Report] = []
    found = scenario(framework, framework_version, use_gpu) if framework else None
    conda = None
    if not conda_dependencies_file:
        doc = estimator_conda(pip_packages=pip_packages, conda_packages=conda_packages,
                              pip_requirements=pip_requirements, framework_scenario=found)
        conda = None if user_managed else doc.data()
    # _init_run_config: the custom image (or its deprecated alias), else the default; then a
    # framework full build replaces it unless custom_docker_image itself was given.
    defaults = v1_defaults()
    image = custom_docker_image or custom_docker_base_image or \
        (defaults["default_gpu_image"] if use_gpu else defaults["default_cpu_image"])
    if found is not None and not custom_docker_image:
        image = found["base_image"]
    if registry_address:
        if image.startswith(registry_address.rstrip("/") + "/"):
            reports.append(Report("EM453", f"the image {image!r} already names the registry {registry_address!r}; "
                                           "v2 uses it as written", "Check the image reference."))
        else:
            image = f"{registry_address.rstrip('/')}/{image}"
    if registry_credentials:
        reports.append(Report(NO_COUNTERPART, "the image registry's username/password have no v2 counterpart (V16)",
                              "Push the image to the workspace's container registry, or give the workspace "
                              "identity pull access to the registry."))
    variables = {"NCCL_TREE_THRESHOLD": "0"} if framework == "PyTorch" else {}
    if found is not None:
        message = (f"{framework} {found['version']} ran Azure ML's prebuilt image, which cannot be reached any more; "
                   "the migration builds the same scenario from its base image instead" if prebuilt else
                   f"the {framework} {found['version']} environment is rebuilt field by field")
        reports.append(Report(FRAMEWORK_ENVIRONMENT, message + f" ({image}, python pinned by the scenario); "
                              "whether that old image and python still build is not verified",
                              "Move to a current environment (an azureml curated one, or your own image and "
                              "packages) and test the job."))
    return V1Environment(image, conda, variables, conda_dependencies_file, tuple(reports))


# -- code ------------------------------------------------------------------------------------------
def literal(value: Any, indent: str = "", width: int = 100) -> str:
    """A Python literal for JSON-like data, one item per line where a line would be too long."""
    inline = _inline(value)
    if len(indent) + len(inline) <= width or not isinstance(value, (list, dict)) or not value:
        return inline
    inner = indent + "    "
    if isinstance(value, dict):
        items = [f"{inner}{py_string(k)}: {literal(v, inner, width)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{indent}}}"
    items = [f"{inner}{literal(v, inner, width)}," for v in value]
    return "[\n" + "\n".join(items) + f"\n{indent}]"


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_string(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, str):
        return py_string(value)
    return repr(value)


def readable_conda(conda: dict[str, Any]) -> dict[str, Any]:
    """The document with ``name`` and ``channels`` first (v2 sorts the keys anyway; lists keep
    their order, which matters)."""
    order = [k for k in ("name", "channels", "dependencies") if k in conda]
    return {**{k: conda[k] for k in order}, **{k: v for k, v in conda.items() if k not in order}}


def environment_code(image: str, conda: dict[str, Any] | None, *, indent: str = "") -> Snippet:
    """``Environment(image=..., conda_file={...})``, or ``Environment(image=...)`` when v1 used the
    image as it was (``user_managed``)."""
    inner = indent + "    "
    lines = [f"{inner}image={py_string(image)},"]
    if conda is not None:
        lines.append(f"{inner}conda_file={literal(readable_conda(conda), inner)},")
    return Snippet("Environment(\n" + "\n".join(lines) + f"\n{indent})", (ENVIRONMENT,))


def conda_file_path_code(source_directory: str, conda_file: str) -> Snippet:
    """``conda_file=`` for ``conda_dependencies_file``: v1 read ``join(source_directory, f)``
    from the current directory, as v2 reads a path (V15); both read the same file when the job is
    built. Arguments are code text."""
    return Snippet(f"os.path.join({source_directory}, {conda_file})", (("os", None),))


def runtime_environment_code(image: str, *, helper: str = "v1_conda_document", pip_packages: str | None = None,
                             conda_packages: str | None = None, requirements_file: str | None = None,
                             framework_scenario: dict[str, Any] | None = None, indent: str = "") -> Snippet:
    """``Environment(image=..., conda_file=v1_conda_document(...))``: the document built when the
    program runs. Arguments are code text (``requirements_file``: the path as v1 joined it, e.g.
    ``os.path.join("src", req_file)``); ``image`` is code text too."""
    args = [f"pip_packages={pip_packages}" if pip_packages else None,
            f"conda_packages={conda_packages}" if conda_packages else None,
            f"requirements_file={requirements_file}" if requirements_file else None]
    if framework_scenario is not None:
        parts = {k: framework_scenario[k] for k in ("channels", "conda_packages", "pip_packages")}
        args.append("scenario=" + literal(parts, indent + "    "))
    call = f"{helper}(" + ", ".join(a for a in args if a) + ")"
    inner = indent + "    "
    return Snippet(f"Environment(\n{inner}image={image},\n{inner}conda_file={call},\n{indent})", (ENVIRONMENT,))


def image_code(*, use_gpu: str = "False", custom_docker_image: str | None = None) -> str:
    """Code for the generic estimator's image when ``use_gpu`` or the custom image is only known
    at run time (arguments are code text)."""
    defaults = v1_defaults()
    gpu, cpu = py_string(defaults["default_gpu_image"]), py_string(defaults["default_cpu_image"])
    default = (f"{gpu} if {use_gpu} else {cpu}"
               if use_gpu not in ("False", "True") else
               py_string(defaults["default_gpu_image" if use_gpu == "True" else "default_cpu_image"]))
    return f"{custom_docker_image} or {default}" if custom_docker_image else default
