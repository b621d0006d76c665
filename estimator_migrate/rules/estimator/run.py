"""What the estimator meant: a description of the run it configured, independent of how a
target writes it.

The concerns (``driver.SEQUENCE``) read the estimator's arguments and fill in one ``Run``; a
renderer writes it for one target. ``render_src`` writes today's ScriptRunConfig text; the v2
target (azure-ai-ml ``command(...)`` jobs, issue 14) reads the same ``Run``. What the
estimator did with a parameter is decided once, here; how it is spelled is the renderer's.

Values are Python source code (``Code``): the user's expression as written, valid at the
estimator call (names the tool followed are spelled so that they mean the same there), or a
Python literal the tool wrote (a scenario's package, ``"."``). Nothing is evaluated.

Shape (every field optional unless said)::

    Run
      kind                  Estimator | PyTorch | TensorFlow | Chainer | SKLearn
      source_directory      Arg    the code folder ("." for a falsy one, as the estimator did)
      script                Arg    the entry script
      arguments             Arguments
                              groups: [ArgGroup(items=[Code | DataArg], before, after)]
                                      script_params flattened as the estimator did (spec §3)
                              run_time: Code   or the dictionary, flattened at run time
      compute               Arg    the compute target
      environment           Recipe | EnvObject | Curated
        Recipe              the ordered SDK operations the estimator performed on its own
                            Environment (spec §4.1, §5.2): steps of CondaFile,
                            PipRequirementsFile, SetPipRequirements, AddCondaPackage(s),
                            Comment, AddChannel, AddPipPackage, SetPipOption, AddPipPackagesUnlessNamed,
                            BaseImage, BaseImageRegistry, UserManaged, EnvVariable
        EnvObject           the user's Environment (environment_definition), with the
                            variables the estimator wrote into it (PyTorch's NCCL_TREE_THRESHOLD)
        Curated             a curated environment by name (``--environment curated``)
      docker                Docker(use_docker, shm_size); None: the environment decides
      distribution          Distribution(kind mpi | pytorch | tensorflow | object, counts)
      node_count            Code   the estimator's node count (None: one node)
      data_references       [DataReference(source, code, datastore, run_time)] in the order
                            the estimator registered them (inputs, script_params, datastore)
      datasets              [Dataset(name, code)]  from ``inputs``
      source_directory_data_store  Code
      environment_variables Arg    run-level variables (not the Environment's, T16)
      timeout               Arg    max_run_duration_seconds; None: no limit
      resume_from           Arg
      hoisted               [Hoisted(name, code)]  values evaluated once into a variable before
                                   the construction (a DataReference built inline, a dictionary
                                   read twice), as the estimator evaluated them once

What stays text: the ``Comment`` step and the layout hints (``ArgGroup.before/after``
comments, ``Arguments.column``, the continuation lines of a multi-line ``Hoisted.code``).
"""

from __future__ import annotations

import ast
import dataclasses

Code = str


@dataclasses.dataclass(frozen=True)
class Arg:
    """A value taken from an estimator argument, and the parameter it came from."""

    code: Code
    param: str


# -- arguments --------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class DataArg:
    """An argument that is a DataReference (or a datastore's root, mounted): the estimator
    registered it for the run and passed its path; ``code`` holds the object, evaluated once."""

    code: Code
    datastore: bool = False


@dataclasses.dataclass
class ArgGroup:
    """The items one script_params entry became, with the comments that stood around it."""

    items: list[Code | DataArg]
    before: list[str] = dataclasses.field(default_factory=list)
    after: str = ""


@dataclasses.dataclass
class Arguments:
    groups: list[ArgGroup] | None = None  # flattened statically
    run_time: Code | None = None  # the dictionary, flattened at run time where the estimator did
    column: int = 0  # where ``run_time`` code stood in the file (its continuation lines follow it)


# -- environment -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class CondaFile:
    """``CondaDependencies(os.path.join(source_directory, file))`` replaces the defaults."""

    source_directory: Code
    file: Code
    param: str


@dataclasses.dataclass(frozen=True)
class PipRequirementsFile:
    """The requirements file read when the estimator was built, ``pip_packages`` merged into it
    (T9), ``azureml-defaults`` first. ``reqs``/``handle``/``loop`` are the names reserved for it."""

    source_directory: Code
    file: Code
    param: str
    extra: tuple[Code, ...]
    reqs: str
    handle: str
    loop: str = ""


@dataclasses.dataclass(frozen=True)
class SetPipRequirements:
    """``set_pip_requirements(['azureml-defaults', *items])``; with ``shared`` the caller's own
    list, into which the estimator inserted ``azureml-defaults``."""

    items: tuple[Code, ...] = ()
    shared: Code | None = None
    only_if_items: bool = False  # the shared list may be empty at run time: the estimator skipped it then


@dataclasses.dataclass(frozen=True)
class AddCondaPackage:
    code: Code
    param: str | None = None
    comment: str = ""  # why it is there (a pin that wins over the user's)


@dataclasses.dataclass(frozen=True)
class AddCondaPackages:
    """Each item of a list known only at run time, in the estimator's loop."""

    code: Code
    loop: str


@dataclasses.dataclass(frozen=True)
class Comment:
    text: str


@dataclasses.dataclass(frozen=True)
class AddChannel:
    code: Code


@dataclasses.dataclass(frozen=True)
class AddPipPackage:
    code: Code


@dataclasses.dataclass(frozen=True)
class AddPipPackagesUnlessNamed:
    """The framework packages whose names the (run-time) pip list does not hold yet."""

    codes: tuple[Code, ...]
    named: str
    loop: str


@dataclasses.dataclass(frozen=True)
class BaseImage:
    """``image`` (an expression), else the SDK's default image: GPU, or GPU when ``gpu_when``
    holds at run time and CPU otherwise."""

    image: Code | None = None
    gpu_when: Code | None = None
    param: str | None = None


@dataclasses.dataclass(frozen=True)
class SetPipOption:
    code: Code


@dataclasses.dataclass(frozen=True)
class BaseImageRegistry:
    code: Code
    only_if_truthy: bool = False  # may be None (or falsy) at run time: the SDK skipped it then


@dataclasses.dataclass(frozen=True)
class UserManaged:
    code: Code


@dataclasses.dataclass(frozen=True)
class EnvVariable:
    name: Code
    value: Code


Step = (CondaFile | PipRequirementsFile | SetPipRequirements | AddCondaPackage | AddCondaPackages | Comment
        | AddChannel | AddPipPackage | SetPipOption | AddPipPackagesUnlessNamed | BaseImage | BaseImageRegistry
        | UserManaged | EnvVariable)


@dataclasses.dataclass
class Recipe:
    """The environment the estimator built, as the SDK calls it made, in order. No steps: the
    target's default environment is the estimator's."""

    steps: list[Step] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class EnvObject:
    """The user's Environment object (``environment_definition``). ``holder`` is a variable it
    is first evaluated into (when its code is not a plain name); ``variables`` are written into
    it, as the estimator did."""

    code: Code
    holder: str | None = None
    variables: list[tuple[Code, Code]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Curated:
    """A curated environment by name, looked up in ``workspace``; cloned into ``clone`` when
    packages or variables are added."""

    name: str
    workspace: Code
    clone: str | None = None
    steps: list[Step] = dataclasses.field(default_factory=list)


# -- the rest ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Docker:
    use_docker: Code = "True"
    shm_size: Code = "None"


@dataclasses.dataclass(frozen=True)
class Distribution:
    """``kind``: mpi (``process_count_per_node``), pytorch (``backend`` Nccl/Gloo), tensorflow
    (``worker_count``, ``parameter_server_count``; ``read_from`` when they are read from a
    configuration object at run time), or object (``config``: the user's MpiConfiguration or
    TensorflowConfiguration, used as it is). The node count is ``Run.node_count``."""

    kind: str
    process_count_per_node: Code | None = None
    backend: str = ""
    worker_count: Code | None = None
    parameter_server_count: Code | None = None
    read_from: Code | None = None
    config: Code | None = None


@dataclasses.dataclass(frozen=True)
class DataReference:
    """A DataReference (or a datastore's root, mounted) the estimator registered for the run.
    ``source``: inputs, script_params or source_directory_data_store (it registered them in
    that order, a later one of the same name winning). ``run_time``: ``code`` is a script_params
    dictionary whose references are found at run time. ``node``: where the estimator got it (the
    script_params value, the input; for ``run_time``, a part certainly a reference, if any), for
    the finding that asks a person to review it."""

    source: str
    code: Code
    datastore: bool = False
    run_time: bool = False
    node: ast.expr | None = dataclasses.field(default=None, compare=False, repr=False)


@dataclasses.dataclass(frozen=True)
class Hoisted:
    """``name = code`` before the construction: a value the estimator evaluated once."""

    name: str
    code: Code


@dataclasses.dataclass(frozen=True)
class Dataset:
    name: Code
    code: Code


@dataclasses.dataclass
class Run:
    kind: str
    source_directory: Arg | None = None
    script: Arg | None = None
    arguments: Arguments | None = None
    compute: Arg | None = None
    environment: Recipe | EnvObject | Curated | None = None
    docker: Docker | None = None
    distribution: Distribution | None = None
    node_count: Code | None = None
    data_references: list[DataReference] = dataclasses.field(default_factory=list)
    datasets: list[Dataset] = dataclasses.field(default_factory=list)
    source_directory_data_store: Code | None = None
    environment_variables: Arg | None = None
    timeout: Arg | None = None
    resume_from: Arg | None = None
    hoisted: list[Hoisted] = dataclasses.field(default_factory=list)

    def recipe(self) -> Recipe:
        """The estimator-built environment, started on first use."""
        if not isinstance(self.environment, Recipe):
            self.environment = Recipe()
        return self.environment
