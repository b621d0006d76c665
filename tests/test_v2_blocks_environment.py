"""estimator_migrate.v2.conda / environment: the image and conda document an estimator built,
computed without the SDK, equal what the real v1 SDK built, on generated estimator arguments
(generic and framework estimators, pip and conda packages with every quirk v1 had, requirements
files, custom images, registries, user_managed); and the v2 Environment written from them submits
the same environment (harness canonical form). The data the tool ships (default images, the
default conda document) is checked against the installed SDK."""

import json
import pathlib

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from v2blocks_support import examples, inside, make_workdir, need, record, v2_namespace

from estimator_migrate.v2 import conda, environment

ROOT = pathlib.Path(__file__).resolve().parent.parent

PIP = ["pandas", "pandas==1.0", "pandas>=1.0", "pandas<2", "torch", "torch==1.8", "torchvision", "horovod==0.20",
       "azureml-defaults", "azureml-defaults==1.20", "tensorflow", "tensorflow-gpu==2.2", "scikit-learn", "future",
       "--extra-index-url https://example.invalid/simple", "-f https://example.invalid/wheels", "pkg[extra]==1",
       "https://example.invalid/wheelname-1.0-py3-none-any.whl", "numpy", "chainer", "mpi4py", "joblib", "cmake",
       "tensorboard"]
CONDA = ["numpy", "numpy=1.19", "python=3.7", "python>=3.9", "python==3.8.13", "python=3.8.13", "pip=20", "mkl",
         "python-dateutil", "pytorch", "cudatoolkit=10.1", "horovod", "scipy"]
LINES = ["pandas>=1.0", "pandas<2", "# comment", "", "-r other.txt", "--extra-index-url https://example.invalid/z",
         "numpy==1.19", "scikit-learn", "torch", "azureml-defaults"]


def _table():
    return json.loads((ROOT / "estimator_migrate" / "data" / "scenarios.json").read_text())["frameworks"]


FRAMEWORKS = [(None, None, False), (None, None, True)] + [
    (fw, version, gpu) for fw, info in _table().items() for version in [None, *info["versions"]]
    for gpu in (False, True) if not (fw == "SKLearn" and gpu)]

arguments = st.fixed_dictionaries({
    "framework": st.sampled_from(FRAMEWORKS),
    "pip_packages": st.none() | st.lists(st.sampled_from(PIP), max_size=5),
    "conda_packages": st.none() | st.lists(st.sampled_from(CONDA), max_size=4),
    "pip_requirements": st.none() | st.lists(st.sampled_from(LINES), max_size=5),
    "custom_docker_image": st.sampled_from([None, None, "myimage:1"]),
    "custom_docker_base_image": st.sampled_from([None, None, None, "basealias:2"]),
    "registry": st.sampled_from([None, None, "myregistry.azurecr.io"]),
    "user_managed": st.sampled_from([False, False, False, True]),
})


def _sdk():
    need("azureml.core")
    need("azureml.train.dnn")
    from azureml.core.container_registry import ContainerRegistry
    from azureml.train.dnn import Chainer, PyTorch, TensorFlow
    from azureml.train.estimator import Estimator
    from azureml.train.sklearn import SKLearn
    return ContainerRegistry, {"PyTorch": PyTorch, "TensorFlow": TensorFlow, "Chainer": Chainer, "SKLearn": SKLearn,
                               None: Estimator}


def build_v1(workdir, args, compute_target="cpu-cluster"):
    """The real estimator for ``args``, or the exception v1 raised."""
    registry_class, classes = _sdk()
    framework, version, gpu = args["framework"]
    kwargs = dict(source_directory="src", entry_script="train.py", compute_target=compute_target)
    if framework is not None and version is not None:
        kwargs["framework_version"] = version
    if framework != "SKLearn":
        kwargs["use_gpu"] = gpu
    for key in ("conda_packages", "custom_docker_image", "user_managed"):
        if args[key] is not None:
            kwargs[key] = list(args[key]) if isinstance(args[key], list) else args[key]
    if args["pip_packages"] is not None:
        kwargs["pip_packages"] = list(args["pip_packages"])
    if args["custom_docker_base_image"] is not None and framework != "SKLearn":
        kwargs["custom_docker_base_image"] = args["custom_docker_base_image"]
    if args["pip_requirements"] is not None:
        (workdir / "src" / "requirements.txt").write_text("\n".join(args["pip_requirements"]) + "\n")
        kwargs["pip_requirements_file"] = "requirements.txt"
    if args["registry"]:
        registry = registry_class()
        registry.address = args["registry"]
        kwargs["image_registry_details"] = registry
    with inside(workdir):
        try:
            return classes[framework](**kwargs)
        except Exception as exc:  # what v1 refused
            return exc


def v1_environment(est):
    env = est.run_config.environment
    image = env.docker.base_image
    if env.docker.base_image_registry is not None and env.docker.base_image_registry.address:
        image = f"{env.docker.base_image_registry.address}/{image}"
    document = None if env.python.user_managed_dependencies else \
        yaml.safe_load(env.python.conda_dependencies.serialize_to_string())
    variables = {k: v for k, v in env.environment_variables.items() if k != "EXAMPLE_ENV_VAR"}
    return image, document, variables


def mine(args, lines_as_written=True):
    framework, version, gpu = args["framework"]
    requirements = args["pip_requirements"]
    if requirements is not None and lines_as_written:
        requirements = ("\n".join(requirements) + "\n").splitlines()
    return environment.estimator_environment(
        framework=framework, framework_version=version, use_gpu=gpu, custom_docker_image=args["custom_docker_image"],
        custom_docker_base_image=args["custom_docker_base_image"] if framework != "SKLearn" else None,
        registry_address=args["registry"], user_managed=args["user_managed"],
        pip_packages=list(args["pip_packages"]) if args["pip_packages"] is not None else None,
        conda_packages=args["conda_packages"], pip_requirements=requirements)


# -- the data the tool ships ---------------------------------------------------------------------------
@pytest.mark.sdk
def test_shipped_defaults_match_the_installed_sdk():
    need("azureml.train.hyperdrive")
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_scenarios", ROOT / "scripts" / "generate_scenarios.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert conda.v1_defaults() == module.build_v1_defaults(), \
        "data/v1_defaults.json differs from the installed SDK: run scripts/generate_scenarios.py"
    from azureml.core.conda_dependencies import CondaDependencies
    from azureml.core.runconfig import DEFAULT_CPU_IMAGE, DEFAULT_GPU_IMAGE
    assert conda.CondaDocument.default().data() == yaml.safe_load(CondaDependencies().serialize_to_string())
    assert (conda.v1_defaults()["default_cpu_image"], conda.v1_defaults()["default_gpu_image"]) == \
        (DEFAULT_CPU_IMAGE, DEFAULT_GPU_IMAGE)


def test_the_blocks_import_no_sdk():
    """The tool must not import an SDK at run time: importing every block loads neither."""
    import subprocess
    import sys

    modules = [f"estimator_migrate.v2.{p.stem}" for p in (ROOT / "estimator_migrate" / "v2").glob("*.py")]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            "print(sorted(m for m in sys.modules if m.startswith(('azureml', 'azure'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# -- the document and image ------------------------------------------------------------------------------
def test_the_rules_that_make_a_naive_rebuild_wrong():
    doc = environment.estimator_conda(conda_packages=["numpy=1.0", "numpy=1.1", "python>=3.9", "numpy=1.0"])
    assert doc.data()["dependencies"] == ["python=3.9", {"pip": ["azureml-defaults"]}, "numpy=1.0", "numpy=1.1"]
    doc = environment.estimator_conda(pip_packages=["pandas"],
                                      framework_scenario=environment.scenario("PyTorch", "1.6", True))
    assert doc.data()["dependencies"][1]["pip"][:3] == ["pandas", "azureml-defaults", "torch==1.6.0"]
    assert doc.data()["dependencies"][0] == "python=3.6.2"
    doc = environment.estimator_conda(pip_packages=["pandas"], pip_requirements=["pandas>=1.0", "# c", "", "pandas<2"])
    assert doc.data()["dependencies"][1]["pip"] == ["azureml-defaults", "pandas>=1.0,<2", "# c", ""]
    with pytest.raises(conda.NeverRan):
        environment.estimator_conda(pip_packages=("pandas",))
    with pytest.raises(conda.NeverRan):
        environment.estimator_environment(framework="PyTorch", framework_version="9.9")


@pytest.mark.sdk
@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arguments)
@example({"framework": ("PyTorch", "1.6", True), "pip_packages": ["pandas", "torch", "azureml-defaults==1.20"],
          "conda_packages": ["python=3.7", "horovod"], "pip_requirements": None, "custom_docker_image": None,
          "custom_docker_base_image": "basealias:2", "registry": "myregistry.azurecr.io", "user_managed": False})
def test_the_document_and_image_are_what_the_estimator_built(tmp_path_factory, args):
    workdir = make_workdir(tmp_path_factory.mktemp("env"))
    est = build_v1(workdir, args)
    try:
        got = mine(args)
    except conda.NeverRan:
        assert isinstance(est, Exception), "v1 built this estimator, the tool said it never ran"
        return
    assert not isinstance(est, Exception), f"v1 refused ({est!r}); the tool built {got}"
    image, document, variables = v1_environment(est)
    assert got.image == image
    assert got.conda == document
    assert got.environment_variables == variables


@pytest.mark.sdk
def test_a_shared_pip_list_is_the_environments_pip_list(tmp_path):
    """v1 inserted azureml-defaults into the caller's own list and kept that list object as the
    pip list: a list shared by two estimators ends with two azureml-defaults, in *both*
    environments. From literals the block is right only for a list used once (what the renderer
    must check); the run-time helper keeps v1's aliasing (test_v2_blocks_helpers.py)."""
    _, classes = _sdk()
    workdir = make_workdir(tmp_path)
    shared = ["pandas"]
    with inside(workdir):
        first = classes[None](source_directory="src", entry_script="train.py", compute_target="c", pip_packages=shared)
        assert v1_environment(first)[1] == environment.estimator_environment(pip_packages=["pandas"]).conda
        second = classes[None](source_directory="src", entry_script="train.py", compute_target="c", pip_packages=shared)
    assert shared == ["azureml-defaults", "azureml-defaults", "pandas"]
    assert v1_environment(first)[1]["dependencies"][1]["pip"] is not None
    assert v1_environment(first)[1] == v1_environment(second)[1] == \
        environment.estimator_environment(pip_packages=["azureml-defaults", "pandas"]).conda


@pytest.mark.sdk
@pytest.mark.parametrize("region, compute, user_deps", [("westeurope", "aml", False), ("chinaeast2", "aml", False),
                                                         ("westeurope", "aml", True), (None, "other", False),
                                                         (None, "none", False)])
def test_when_the_prebuilt_framework_image_was_used(tmp_path, region, compute, user_deps):
    harness = need("equivalence.harness")
    _, classes = _sdk()
    workdir = make_workdir(tmp_path)
    target = {"aml": lambda: harness.stand_in_compute("gpu", region), "other": lambda: "gpu-cluster",
              "none": lambda: None}[compute]()
    kwargs = {"pip_packages": ["pandas"]} if user_deps else {}
    if compute == "none":
        kwargs["vm_size"] = "STANDARD_NC6"
    with inside(workdir):
        est = classes["PyTorch"](source_directory="src", entry_script="train.py", compute_target=target,
                                 framework_version="1.6", use_gpu=True, **kwargs)
    prebuilt = est.run_config.environment.docker.base_image_registry.address == \
        conda.v1_defaults()["framework_image_registry"]
    doc = environment.estimator_conda(pip_packages=kwargs.get("pip_packages"))
    assert environment.uses_prebuilt_framework_image(user_dependencies=environment.user_dependencies_provided(doc),
                                                     compute=compute, region=region) == prebuilt


@pytest.mark.sdk
@pytest.mark.parametrize("text", [
    "name: my-env\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.9\n  - pip:\n    - pandas  # c\n"
    "    - --extra-index-url https://example.invalid/s\n",
    "dependencies:\n  - python=3.10\n  - numpy\n",
    "# only a comment line first\nname: e\ndependencies:\n  - python=3.8\n  - pip:\n    - 'x'\n    - '1.0'\n",
])
def test_a_conda_file_is_read_the_same_by_v2(tmp_path, text):
    """``conda_dependencies_file``: v2's conda_file path (joined as v1 joined it) gives v1's document."""
    _, classes = _sdk()
    namespace = v2_namespace()
    import os as os_module

    workdir = make_workdir(tmp_path)
    (workdir / "src" / "env.yml").write_text(text)
    with inside(workdir):
        est = classes[None](source_directory="src", entry_script="train.py", compute_target="c",
                            conda_dependencies_file="env.yml")
        got = environment.estimator_environment(conda_dependencies_file=True)
        path = eval(environment.conda_file_path_code('"src"', '"env.yml"').code, {"os": os_module})
        v2_env = namespace["Environment"](image=got.image, conda_file=path)
        body = record(namespace["command"](code="src", command="python train.py", compute="c", environment=v2_env))
    image, document, _ = v1_environment(est)
    assert got.image == image and got.conda is None and got.conda_file_path
    assert yaml.safe_load(body.environments[0]["rest"]["properties"]["condaFile"]) == document


@pytest.mark.sdk
def test_yaml_1_1_words_are_a_reading_artifact(tmp_path):
    """A quoted 'yes' in a conda file: v1 (ruamel, YAML 1.2) writes it back unquoted, so PyYAML
    (YAML 1.1, the harness's reader) reads True; v2 writes 'yes' quoted. conda reads both as the
    string: the difference is the harness's reading, not the job's (reported, not fixed)."""
    _, classes = _sdk()
    workdir = make_workdir(tmp_path)
    (workdir / "src" / "env.yml").write_text("dependencies:\n  - python=3.8\n  - pip:\n    - 'yes'\n")
    with inside(workdir):
        est = classes[None](source_directory="src", entry_script="train.py", compute_target="c",
                            conda_dependencies_file="env.yml")
    assert "- yes" in est.run_config.environment.python.conda_dependencies.serialize_to_string()
    assert v1_environment(est)[1]["dependencies"][1]["pip"] == [True]


@pytest.mark.sdk
@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arguments)
def test_the_v2_environment_submits_the_v1_environment(tmp_path_factory, args):
    """The code text, run with azure-ai-ml and recorded, is the v1 environment in the harness's
    canonical form (image, conda document as sent, environment variables)."""
    canonical = need("equivalence.v2.canonical")
    namespace = v2_namespace()
    workdir = make_workdir(tmp_path_factory.mktemp("env2"))
    est = build_v1(workdir, args)
    try:
        got = mine(args)
    except conda.NeverRan:
        return
    code = environment.environment_code(got.image, got.conda).code
    with inside(workdir):
        job = namespace["command"](code="src", command="python train.py", compute="cpu-cluster",
                                   environment=eval(code, namespace),
                                   environment_variables=got.environment_variables or None)
        v2 = canonical.v2_canonical(record(job), base=str(workdir))
        v1 = canonical.v1_canonical(est, base=str(workdir))
    assert v2["environment"] == v1["environment"]
    assert v2["environment_variables"] == v1["environment_variables"]
