"""Functions the v2 rewrite writes into a migrated file, for what is only known at run time.

Like ``estimator_migrate/runtime_helpers.py`` for the v1 target: each is a template whose name is
chosen by the renderer (``template(base, name)``); it imports only the standard library and
azure-ai-ml, never azureml (V48).

* ``script_params_command(command, script_params, tuned=None, taken=())`` -> ``(command,
  inputs, outputs)``: a ``script_params`` dictionary flattened as the estimator flattened it
  (spec v1 §3), each token quoted for the shell (``command.py``); azure-ai-ml ``Input``/``Output``
  values (what the renderer writes for v1 data) become ``${{inputs.x}}``/``${{outputs.x}}``
  named after their flag. With ``tuned`` (HyperDrive's search keys -> v2 input names) the fixed
  values HyperDrive removed are removed and ``key '${{inputs.name}}'`` is appended (``sweep.py``).
  What it cannot do, and the renderer must report instead: a v1 data object (DataReference,
  Datastore, DatasetConsumptionConfig, OutputFileDatasetConfig) still in the dictionary raises
  TypeError when the program runs (it would need the v1 SDK); data used as a *key* has no
  counterpart (an ``Input`` cannot be a dictionary key); booleans are written ``True``/``False``
  (V6); names of data inputs are only known at run time.
* ``arguments_command(command, arguments, taken=())``: the same for a ScriptRunConfig
  ``arguments`` list (no flattening: each item one token).
* ``v1_conda_document(pip_packages=None, conda_packages=None, requirements_file=None,
  scenario=None)`` -> the conda document an estimator built (``environment.py``), including v1's
  use of the caller's ``pip_packages`` list as the document's pip list.
"""

from __future__ import annotations

from estimator_migrate.v2.conda import package_name, v1_defaults
from estimator_migrate.v2.environment import literal

SCRIPT_PARAMS = "script_params_command"
ARGUMENTS = "arguments_command"
CONDA = "v1_conda_document"

_SHARED = '''\
    import json
    import keyword
    import re
    import shlex
    from collections.abc import Iterable

    from azure.ai.ml import Input, Output

    class Binding(str):
        """A ${{...}} placeholder: written as it is."""

    names = {{str(n).lower() for n in taken}} | {{str(n).lower() for n in (tuned or {{}}).values()}}
    inputs, outputs = {{}}, {{}}

    def bind(item, flag):
        if isinstance(item, (Input, Output)):
            kind = "inputs" if isinstance(item, Input) else "outputs"
            base = re.sub(r"\\W", "_", str(flag or "").lstrip("-"), flags=re.ASCII) or \\
                ("data" if kind == "inputs" else "output")
            base = "_" + base if base[0].isdigit() else base
            base = base + "_" if keyword.iskeyword(base) else base
            name, n = base, 1
            while name.lower() in names:
                n += 1
                name = "%s_%d" % (base, n)
            names.add(name.lower())
            (inputs if kind == "inputs" else outputs)[name] = item
            return Binding("${{{{%s.%s}}}}" % (kind, name))
        if type(item).__module__.split(".")[0] == "azureml":
            raise TypeError("%s is an Azure ML SDK v1 object; give the v2 job an azure.ai.ml Input or Output"
                            % type(item).__name__)
        return item

    def token(item):
        if isinstance(item, Binding):
            return item
        if isinstance(item, bool):
            return str(item)
        if isinstance(item, (int, float)):
            return json.dumps(item)
        text = shlex.quote(str(item))
        for marker in ("{{inputs.", "{{outputs.", "{{search_space."):
            text = text.replace(marker, "{{''" + marker[1:])
        return text.replace("$[[", "$[''[")
'''

_TEMPLATES: dict[str, str] = {
    SCRIPT_PARAMS: '''\
def {name}(command, script_params, tuned=None, taken=()):
    """`command` followed by `script_params` as the Azure ML v1 estimator flattened it (each key,
    then its value; '' or None makes a bare flag; a list is expanded), every item quoted for the
    shell that runs a v2 command. azure.ai.ml Input/Output values become ${{{{inputs.x}}}} /
    ${{{{outputs.x}}}} named after their flag. `tuned` (HyperDrive key -> v2 input name): the fixed
    values HyperDrive removed go, and each key gets '${{{{inputs.name}}}}' at the end.
    Returns (command, inputs, outputs)."""
''' + _SHARED + '''
    converted = {{bind(key, None): bind(value, key) for key, value in (script_params or {{}}).items()}}
    arguments = []
    for key, value in converted.items():
        arguments.append(key)
        if isinstance(value, Iterable) and not isinstance(value, str):
            arguments.extend(str(item) if isinstance(item, Iterable) and not isinstance(item, str)
                             else bind(item, key) for item in value)
        else:
            arguments.append(value)
    arguments = [item for item in arguments if item is not None and item != ""]
    if tuned:
        pairs = dict(zip(arguments[::2], arguments[1::2]))
        keys = {{key.lstrip("-") for key in tuned}}
        if any(key.lstrip("-") in keys for key in list(pairs)):
            arguments = [item for key, value in pairs.items() if key.lstrip("-") not in keys
                         for item in (key, value) if item is not None and item != ""]
        for key, name in tuned.items():
            arguments += [key, Binding("'${{{{inputs.%s}}}}'" % name)]
    return " ".join([command] + [token(item) for item in arguments]), inputs, outputs
''',
    ARGUMENTS: '''\
def {name}(command, arguments, taken=()):
    """`command` followed by a v1 ScriptRunConfig's `arguments`, one shell token each.
    azure.ai.ml Input/Output items become ${{{{inputs.x}}}} / ${{{{outputs.x}}}} named after the
    flag before them. Returns (command, inputs, outputs)."""
    tuned = None
''' + _SHARED + '''
    tokens, flag = [command], None
    for item in arguments or []:
        tokens.append(token(bind(item, flag)))
        flag = item if isinstance(item, str) and item.startswith("-") else None
    return " ".join(tokens), inputs, outputs
''',
    CONDA: '''\
def {name}(pip_packages=None, conda_packages=None, requirements_file=None, scenario=None):
    """The conda document an Azure ML v1 estimator built, for azure.ai.ml's
    Environment(conda_file=...). v1's steps on the same values: azureml-defaults first in the pip
    list (inserted into `pip_packages` itself, which then is the document's pip list, as in v1),
    a requirements file merged with pip_packages, a python conda package replacing the python pin,
    then a framework scenario's packages, minus those the user named."""
    import os
    import re

    def name_of(spec):
        if spec.endswith(".whl"):
            return re.split("-", re.split("/", spec)[-1])[0]
        return re.split(r"[\\[=|<|>|~|!]", spec)[0]

    def version_of(spec):
        found = re.search(r"(\\d+)\\.(\\d+)(\\.(\\d+))?([ab](\\d+))?$", spec)
        return found.group() if found else None

    document = {default}
    dependencies = document["dependencies"]
    python_version = [version_of(d) for d in dependencies if isinstance(d, str) and name_of(d) == "python"][0]
    combined = pip_packages
    if requirements_file:
        if not os.path.isfile(requirements_file):
            raise FileNotFoundError("%s path doesn't exist" % requirements_file)
        with open(requirements_file) as handle:
            lines = handle.read().splitlines()
        merged = list(lines or []) + [p for p in (pip_packages or []) if not lines or p not in lines]
        groups = {{}}
        for requirement in merged:
            package = name_of(requirement)
            groups.setdefault(package, []).append(requirement[len(package):].strip())
        combined = [package + ",".join(x for x in specs if x) for package, specs in groups.items()]
    pip_entry = [d for d in dependencies if isinstance(d, dict) and "pip" in d][0]
    if combined:
        combined.insert(0, "azureml-defaults")
        pip_entry["pip"] = combined

    def add_conda(package):
        nonlocal python_version
        if package in dependencies:
            return
        if package.startswith("python") and name_of(package) == "python":
            version = version_of(package)
            if python_version != version:
                index = [i for i, d in enumerate(dependencies) if isinstance(d, str) and name_of(d) == "python"][0]
                dependencies[index] = "python=" + version
            python_version = version
        else:
            dependencies.append(package)

    for package in conda_packages or []:
        add_conda(package)
    if scenario:
        framework_pip = list(scenario["pip_packages"])
        framework_conda = list(scenario["conda_packages"])
        pips = pip_entry["pip"]
        theirs = [name_of(p) for p in framework_pip + framework_conda]
        mine = [name_of(p) for p in pips if not p.startswith("-")] + \\
            [name_of(d) for d in dependencies if isinstance(d, str)]
        for package in [p for p in mine if p in theirs and p not in {defaults}]:
            same = [p for p in framework_pip if name_of(p) == package]
            if any(p.startswith(package) for p in framework_pip) and same and same[-1]:
                framework_pip.remove(same[-1])
            if any(p.startswith(package) for p in framework_conda) and package in framework_conda:
                framework_conda.remove(package)
        for channel in scenario["channels"]:
            if channel not in document["channels"]:
                document["channels"].append(channel)
        for package in framework_conda:
            add_conda(package)
        for package in framework_pip:
            same = [p for p in pips if name_of(p) == name_of(package)]
            if (package in pips or same) and same[-1]:
                pips.remove(same[-1])
            if package not in [p for p in pips if not p.startswith("-")]:
                pips.append(package)
    return document
''',
}
_USES: dict[str, list] = {}


def template(base: str, name: str | None = None, newline: str = "\n") -> str:
    """The definition of helper ``base`` under the name ``name``."""
    defaults = v1_defaults()
    default_doc = literal(defaults["default_conda"], "    ")
    default_names = sorted({package_name(p) for p in _pips(defaults["default_conda"])} | {"python"})
    text = _TEMPLATES[base].format(name=name or base, default=default_doc, defaults=repr(default_names))
    return text.replace("\n", newline)


def _pips(document) -> list:
    return [p for d in document["dependencies"] if isinstance(d, dict) for p in d.get("pip", [])]


HELPERS = tuple(_TEMPLATES)
