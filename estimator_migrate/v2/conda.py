"""v1's ``CondaDependencies``, transliterated to plain Python (no azureml import).

A v2 ``Environment`` takes the conda document itself (an inline dict, V15), so the migration
computes the document v1 would have built, with v1's exact rules (azureml-core 1.61
``azureml/core/conda_dependencies.py``; tests/test_v2_blocks_environment.py compares them with the
SDK on generated inputs). The rules that make a naive rebuild wrong:

* ``add_conda_package`` replaces nothing but the python pin: ``python>=3.9`` becomes
  ``python=3.9``, an exact duplicate is skipped, any other package is appended (``numpy=1.0`` and
  ``numpy=1.1`` both stay);
* ``add_pip_package`` removes the *last* entry of the same name from every pip list, then appends;
* ``set_pip_requirements`` replaces the whole pip list (options such as ``--extra-index-url``
  included, in place);
* removing from a list that came from YAML (ruamel's ``CommentedSeq``) pops every equal entry but
  skips one right after a removed one; from a plain list only the first equal entry goes.

A document is a dict ``{"name", "dependencies", "channels"}`` whose lists are :class:`Seq` where
v1 had a ``CommentedSeq``; :meth:`CondaDocument.data` gives plain data (what ``yaml.safe_load`` of
v1's ``serialize_to_string()`` gives).
"""

from __future__ import annotations

import copy
import json
import pathlib
import re
from collections.abc import Iterable
from typing import Any

PACKAGES, PIP, CHANNELS, PYTHON = "dependencies", "pip", "channels", "python"
_VERSION = re.compile(r"(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$")
_DEFAULTS = pathlib.Path(__file__).resolve().parent.parent / "data" / "v1_defaults.json"


NEVER_RAN = "EM510"  # never-ran-v2: what the renderer reports when a block raises NeverRan


class NeverRan(Exception):
    """v1 raised for this input (any block: an environment, a parameter expression, HyperDrive's
    reading of the arguments), so no run ever had it: report NEVER_RAN, do not migrate."""


class Seq(list):
    """A list v1 read from YAML (a ruamel ``CommentedSeq``): removal works differently on it."""


def v1_defaults() -> dict[str, Any]:
    """The v1 constants shipped as data (``scripts/generate_scenarios.py`` writes them)."""
    return json.loads(_DEFAULTS.read_text(encoding="utf-8"))["defaults"]


def _as_seq(value):
    if isinstance(value, dict):
        return {k: _as_seq(v) for k, v in value.items()}
    if isinstance(value, list):
        return Seq(_as_seq(v) for v in value)
    return value


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def package_name(value: str) -> str:
    """``CondaDependencies._get_package_name``: ``torch==1.6`` -> ``torch``; a wheel -> its name."""
    if value.endswith(".whl"):
        return re.split("-", re.split("/", value)[-1])[0]
    return re.split(r"[\[=|<|>|~|!]", value)[0]


def is_option(item: str) -> bool:
    return item.startswith("-")


def merge_requirements(requirements: Iterable[str]) -> list[str]:
    """``CondaDependencies.merge_requirements``: specs of one name joined (``pandas>=1.0`` and
    ``pandas<2`` -> ``pandas>=1.0,<2``), first-seen order; comment and blank lines stay entries."""
    packages: dict[str, list[str]] = {}
    for req in requirements:
        package = package_name(req)
        packages.setdefault(package, []).append(req[len(package):].strip())
    return ["{}{}".format(package, ",".join(x for x in specs if x)) for package, specs in packages.items()]


def merge_list(list1, list2, remove_duplicate=False) -> list:
    """``azureml._base_sdk_common.utils.merge_list``."""
    if not list1 and list2:
        return list(list2)
    if list1 and not list2:
        return list(list1)
    merged = []
    if list1 and list2:
        merged.extend(list1)
        merged.extend(item for item in list2 if not remove_duplicate or item not in list1)
    return merged


def _remove_from_list(element_list: list, element) -> None:
    if isinstance(element_list, Seq):
        # v1's loop, kept as it is: popping while iterating skips the entry after a popped one.
        count = 0
        for item in element_list:
            if item == element:
                element_list.pop(count)
            count += 1
    else:
        element_list.remove(element)


class CondaDocument:
    """The data of one ``CondaDependencies`` object and its operations."""

    def __init__(self, structure: dict[str, Any]):
        self.doc = structure
        self._python_version = self.get_python_version()

    @classmethod
    def default(cls) -> CondaDocument:
        """``CondaDependencies()``: the document v1 started every estimator environment from."""
        return cls(_as_seq(v1_defaults()["default_conda"]))

    @classmethod
    def from_yaml_data(cls, data: dict[str, Any]) -> CondaDocument:
        """A document v1 read from YAML (a scenario's ``inlineCondaDependencies``, a conda file)."""
        return cls(_as_seq(copy.deepcopy(data)))

    def data(self) -> dict[str, Any]:
        return _plain(self.doc)

    # -- reading -------------------------------------------------------------------------------
    def _pip_lists(self) -> list[list]:
        return [d[PIP] for d in self.doc.get(PACKAGES, []) if isinstance(d, dict) and PIP in d]

    @property
    def conda_channels(self) -> list[str]:
        return list(self.doc.get(CHANNELS, []))

    @property
    def conda_packages(self) -> list[str]:
        return [d for d in self.doc.get(PACKAGES, []) if not isinstance(d, dict)]

    @property
    def pip_packages(self) -> list[str]:
        lists = self._pip_lists()
        return [x for x in lists[-1] if not is_option(x)] if lists else []

    @property
    def pip_options(self) -> list[str]:
        lists = self._pip_lists()
        return [x for x in lists[-1] if is_option(x)] if lists else []

    def has_pip(self) -> bool:
        return bool(self._pip_lists())

    def _python_index(self) -> int:
        for i, d in enumerate(self.doc.get(PACKAGES, [])):
            if isinstance(d, str) and d.startswith(PYTHON) and package_name(d) == PYTHON:
                return i
        return -1

    def get_python_version(self) -> str | None:
        i = self._python_index()
        return _version(self.doc[PACKAGES][i]) if i >= 0 else None

    def pip_with_prefix(self, prefix: str) -> list[str]:
        return [p for pips in self._pip_lists() for p in pips if isinstance(p, str) and p.startswith(prefix)]

    def conda_with_prefix(self, prefix: str) -> list[str]:
        return [d for d in self.doc.get(PACKAGES, []) if isinstance(d, str) and d.startswith(prefix)]

    # -- operations (each as v1 does it) -------------------------------------------------------
    def set_python_version(self, version: str | None) -> None:
        if PACKAGES in self.doc:
            i = self._python_index()
            if i >= 0:
                if self._python_version != version:
                    self.doc[PACKAGES][i] = _python_pin(version)
            else:
                self.doc[PACKAGES].append(_python_pin(version))
        else:
            self.doc[PACKAGES] = [_python_pin(version)]
        self._python_version = version

    def add_channel(self, channel: str) -> None:
        if CHANNELS in self.doc:
            if channel not in self.doc[CHANNELS]:
                self.doc[CHANNELS].append(channel)
        else:
            self.doc[CHANNELS] = [channel]

    def remove_channel(self, channel: str) -> None:
        if CHANNELS in self.doc and channel in self.doc[CHANNELS]:
            _remove_from_list(self.doc[CHANNELS], channel)

    def add_conda_package(self, package: str) -> None:
        if PACKAGES in self.doc:
            if package not in self.doc[PACKAGES]:
                if package.startswith(PYTHON) and package_name(package) == PYTHON:
                    self.set_python_version(_version(package))
                else:
                    self.doc[PACKAGES].append(package)
        else:
            self.doc[PACKAGES] = [package]

    def remove_conda_package(self, package: str) -> None:
        if PACKAGES in self.doc and package in self.doc[PACKAGES]:
            if package.startswith(PYTHON) and package_name(package) == PYTHON:
                raise NeverRan("python must not be removed from conda dependencies")
            _remove_from_list(self.doc[PACKAGES], package)

    def add_pip_package(self, package: str) -> None:
        if is_option(package):
            raise NeverRan(f"Invalid package name {package}")
        self.remove_pip_package(package)
        if not self.has_pip():
            self._append_pip_list([package])
        elif package not in self.pip_packages:
            for pips in self._pip_lists():
                pips.append(package)

    def remove_pip_package(self, package: str) -> None:
        if is_option(package):
            raise NeverRan(f"Invalid package name {package}")
        name = package_name(package)
        if package in self.pip_packages or name in [package_name(x) for x in self.pip_packages]:
            for pips in self._pip_lists():
                last = None
                for item in pips:
                    if package_name(item) == name:
                        last = item
                if last:
                    _remove_from_list(pips, last)

    def set_pip_option(self, option: str) -> None:
        if not is_option(option):
            raise NeverRan(f"Invalid pip option {option}")
        if not self.has_pip():
            self._append_pip_list([option])
            return
        options = [x.split()[0] for x in self.pip_options]
        key = option.split()[0]
        for pips in self._pip_lists():
            if key not in options:
                pips.append(option)
            else:
                for i in range(len(pips)):
                    if pips[i].split()[0] == key:
                        pips[i] = option

    def remove_pip_option(self, option: str) -> None:
        if not is_option(option):
            raise NeverRan(f"Invalid pip option {option}")
        if self.has_pip() and option.split()[0] in [x.split()[0] for x in self.pip_options]:
            key = option.split()[0]
            for pips in self._pip_lists():
                last = None
                for item in pips:
                    if item.split()[0] == key:
                        last = item
                if last:
                    _remove_from_list(pips, last)

    def set_pip_requirements(self, requirements: list) -> None:
        """The given list object becomes the pip list (v1 keeps the caller's list)."""
        if not self.has_pip():
            self._append_pip_list(requirements)
        else:
            for entry in self.doc[PACKAGES]:
                if isinstance(entry, dict) and PIP in entry:
                    entry[PIP] = requirements

    def merge_dependencies(self, other: CondaDocument) -> None:
        """``_merge_dependencies``: the other's channels, conda packages, then pip packages."""
        for channel in other.conda_channels:
            self.add_channel(channel)
        for package in other.conda_packages:
            self.add_conda_package(package)
        for package in other.pip_packages:
            self.add_pip_package(package)

    def _append_pip_list(self, items: list) -> None:
        if PACKAGES in self.doc:
            self.doc[PACKAGES].append({PIP: items})
        else:
            self.doc[PACKAGES] = [{PIP: items}]


def _version(spec: str) -> str | None:
    match = _VERSION.search(spec)
    return match.group() if match else None


def _python_pin(version: str | None) -> str:
    if version is None:
        raise NeverRan("a python package without a version (v1 failed on 'python=' + None)")
    return PYTHON + "=" + version
