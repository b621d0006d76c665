"""The catalogue of finding codes: one entry per code, the single source for --list-rules,
--explain, the README table and SARIF rule metadata.

EM1xx: an estimator construct that the tool rewrites.
EM2xx: rewritten, but a person should look at the result.
EM3xx: needs manual work; the code is left unchanged.
EM9xx: the file could not be processed.
"""

from __future__ import annotations

import dataclasses
import textwrap

from estimator_migrate.findings import Severity


@dataclasses.dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    severity: Severity
    fixable: bool
    why: str
    example: str = ""
    fixed_example: str = ""
    fix_safety: str = ""

    def explain(self) -> str:
        parts = [f"# {self.code} ({self.name})", "", self.summary, "", "## Why", textwrap.dedent(self.why).strip()]
        if self.example:
            parts += ["", "## Example", "```python", textwrap.dedent(self.example).strip(), "```"]
        if self.fixed_example:
            parts += ["", "## Use instead", "```python", textwrap.dedent(self.fixed_example).strip(), "```"]
        parts += ["", "## Fix safety", textwrap.dedent(self.fix_safety).strip() or
                  ("The rewrite is applied by `fix`." if self.fixable else "No automatic fix: a person has to do it.")]
        return "\n".join(parts) + "\n"


RULES: dict[str, Rule] = {}


def _rule(code, name, summary, severity, fixable, why, example="", fixed_example="", fix_safety=""):
    RULES[code] = Rule(code, name, summary, severity, fixable, why, example, fixed_example, fix_safety)


_rule(
    "EM101", "estimator-to-scriptrunconfig",
    "A generic `Estimator` is rewritten into `ScriptRunConfig` with an explicit `Environment`.",
    Severity.WARNING, True,
    """
    `azureml.train.estimator.Estimator` is deprecated since SDK 1.19. Each estimator is a
    factory for a `RunConfiguration`; the rewrite builds the same run configuration with
    `ScriptRunConfig`, an `Environment` (packages, docker image) and `DockerConfiguration`.
    """,
    """
    est = Estimator(source_directory="src", entry_script="train.py",
                    compute_target="cpu-cluster", script_params={"--lr": 0.1},
                    pip_packages=["pandas"])
    """,
    """
    est_env = Environment("est-env")
    est_env.python.conda_dependencies.set_pip_requirements(["azureml-defaults", "pandas"])
    est = ScriptRunConfig(source_directory="src", script="train.py",
                          compute_target="cpu-cluster", arguments=["--lr", 0.1],
                          environment=est_env,
                          docker_runtime_config=DockerConfiguration(use_docker=True, shm_size=None),
                          max_run_duration_seconds=None)
    """,
    """
    Safe: every rewrite is proven by an equivalence test that builds both objects with the
    real SDK and compares their run configurations. Values the tool cannot see (variables,
    function parameters) are passed through unchanged and assumed to be plain scalars. A
    `script_params` dictionary the tool cannot read (built in a branch or a loop, changed in
    place, returned by a function) becomes `arguments=flatten_script_params(<the same
    dictionary>)`: a helper written once into the file that flattens it at run time exactly as
    the estimator did (proven against the SDK's own code with generated dictionaries).
    """,
)
_rule(
    "EM102", "framework-estimator-to-scriptrunconfig",
    "A `PyTorch`, `TensorFlow`, `Chainer` or `SKLearn` estimator is rewritten into `ScriptRunConfig`.",
    Severity.WARNING, True,
    """
    The framework estimators are deprecated. Each picked a scenario by framework,
    `framework_version` (default: the class's `DEFAULT_VERSION`, e.g. PyTorch 1.4, not the
    newest) and `use_gpu`: a base image, a python pin and framework pip packages, merged
    after the user's packages (a user package of the same name replaced the framework's).
    PyTorch also set `NCCL_TREE_THRESHOLD=0`. With the default `faithful` strategy the
    rewrite makes the same `CondaDependencies` calls in the same order, so the environment
    is the one the estimator built; `--environment curated` names a legacy curated
    environment instead (see EM202). The scenarios are data shipped with the tool, checked
    against the SDK's own scenario files.
    """,
    """
    est = PyTorch(source_directory="src", entry_script="train.py",
                  compute_target="gpu-cluster", framework_version="1.6", use_gpu=True)
    """,
    """
    est_env = Environment("est-env")
    # What the PyTorch 1.6 GPU estimator added:
    est_env.python.conda_dependencies.add_conda_package("python=3.6.2")
    est_env.python.conda_dependencies.add_pip_package("torch==1.6.0")
    est_env.python.conda_dependencies.add_pip_package("torchvision==0.5.0")
    est_env.python.conda_dependencies.add_pip_package("horovod==0.19.5")
    est_env.python.conda_dependencies.add_pip_package("tensorboard==1.14.0")
    est_env.python.conda_dependencies.add_pip_package("future==0.17.1")
    est_env.docker.base_image = "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.1-cudnn8-ubuntu20.04"
    est_env.environment_variables["NCCL_TREE_THRESHOLD"] = "0"
    est = ScriptRunConfig(source_directory="src", script="train.py",
                          compute_target="gpu-cluster",
                          environment=est_env,
                          docker_runtime_config=DockerConfiguration(use_docker=True, shm_size=None),
                          max_run_duration_seconds=None)
    """,
    """
    Safe with `faithful`: every fixture is checked against the estimator's run configuration
    with the real SDK. Where the estimator ran Azure ML's private prebuilt image (a cluster
    object and nothing to install) the rewrite is the full build of the same scenario and
    says so (EM203). The scenario images are old (Ubuntu 16.04/20.04, python 3.6): moving to
    a current environment is the next step, not part of this fix.
    """,
)
_rule(
    "EM103", "hyperdrive-estimator",
    "`HyperDriveConfig(estimator=...)` becomes `HyperDriveConfig(run_config=...)`.",
    Severity.WARNING, True,
    """
    HyperDrive takes a `ScriptRunConfig` through `run_config=`. With `estimator=` HyperDrive
    removed tuned arguments from the fixed ones; with `run_config=` it does not, so the
    rewrite drops tuned arguments from `arguments`.
    """,
    example="""
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--lr": 0.1, "--epochs": 5})
    hd = HyperDriveConfig(estimator=est,
                          hyperparameter_sampling=RandomParameterSampling({"--lr": uniform(0.001, 0.1)}),
                          primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                          max_total_runs=20)
    """,
    fixed_example="""
    est = ScriptRunConfig(source_directory="src", script="train.py", compute_target="cpu-cluster",
                          arguments=["--epochs", 5],
                          docker_runtime_config=DockerConfiguration(use_docker=True, shm_size=None),
                          max_run_duration_seconds=None)
    hd = HyperDriveConfig(run_config=est,
                          hyperparameter_sampling=RandomParameterSampling({"--lr": uniform(0.001, 0.1)}),
                          primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                          max_total_runs=20)
    """,
)
_rule(
    "EM104", "estimator-step",
    "`EstimatorStep` becomes a `PythonScriptStep` with the estimator's run configuration.",
    Severity.WARNING, True,
    "`EstimatorStep` is deprecated; it was a `PythonScriptStep` in disguise.",
    example="""
    est = Estimator(source_directory="src", entry_script="train.py", compute_target=cluster)
    step = EstimatorStep(name="train", estimator=est, estimator_entry_script_arguments=["--out", out],
                         outputs=[out], compute_target=cluster)
    """,
    fixed_example="""
    est = ScriptRunConfig(source_directory="src",
                          script="train.py",
                          compute_target=cluster,
                          docker_runtime_config=DockerConfiguration(use_docker=True, shm_size=None),
                          max_run_duration_seconds=None)
    # EstimatorStep reset these on the estimator's run configuration before using it
    # (the target as it did, past the setter, which ignores None):
    est.run_config.script = est.script
    est.run_config._target = None
    step = PythonScriptStep(script_name=est.script,
                            name="train",
                            arguments=["--out", out],
                            compute_target=cluster,
                            runconfig=est.run_config,
                            outputs=[out],
                            source_directory=est.source_directory)
    """,
)
_rule(
    "EM105", "submit-script-params",
    "`Experiment.submit(est, script_params=...)` overrides are folded into `arguments`.",
    Severity.WARNING, True,
    "`ScriptRunConfig` has no submit-time overrides.",
    example="""
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--lr": 0.1, "--epochs": 5})
    run = exp.submit(est, script_params={"--lr": 0.01})
    """,
    fixed_example="""
    est = ScriptRunConfig(source_directory="src", script="train.py", compute_target="cpu-cluster",
                          arguments=["--lr", 0.01, "--epochs", 5],
                          docker_runtime_config=DockerConfiguration(use_docker=True, shm_size=None),
                          max_run_duration_seconds=None)
    run = exp.submit(est)
    """,
)
_rule(
    "EM106", "estimator-attribute",
    "A change made to the estimator after construction is carried over to the new objects.",
    Severity.WARNING, True,
    "`est.run_config` and `est.conda_dependencies` were live objects; their edits were submitted.",
    example="""
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster")
    est.conda_dependencies.add_pip_package("pandas")
    """,
    fixed_example="""
    est = ScriptRunConfig(source_directory="src",
                          script="train.py",
                          compute_target="cpu-cluster",
                          docker_runtime_config=DockerConfiguration(use_docker=True, shm_size=None),
                          max_run_duration_seconds=None)
    est.run_config.environment.python.conda_dependencies.add_pip_package("pandas")
    """,
)
_rule(
    "EM201", "data-reference-review",
    "A `DataReference` or datastore was migrated with `str(ref)` plus a `data_references` entry; review it.",
    Severity.WARNING, True,
    """
    `ScriptRunConfig` does not register `DataReference` objects by itself. The rewrite follows
    the migration guide (`str(ref)` in `arguments` and an entry in
    `src.run_config.data_references`), which reproduces the estimator's run configuration.
    Datasets (`as_named_input(...).as_mount()`) are the recommended replacement.
    """,
    fix_safety="Equivalent run configuration; consider moving to datasets.",
    example="""
    ds = ws.get_default_datastore()
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--data": ds.path("mnist").as_mount()})
    """,
    fixed_example="""
    ds = ws.get_default_datastore()
    data_ref = ds.path("mnist").as_mount()
    est = ScriptRunConfig(source_directory="src", script="train.py", compute_target="cpu-cluster",
                          arguments=["--data", str(data_ref)],
                          docker_runtime_config=DockerConfiguration(use_docker=True, shm_size=None),
                          max_run_duration_seconds=None)
    est.run_config.data_references = {data_ref.data_reference_name: data_ref.to_config()}
    """,
)
_rule(
    "EM202", "curated-environment",
    "A curated environment name was inferred (`--environment curated`); it may no longer exist in your workspace.",
    Severity.WARNING, True,
    """
    With `--environment curated` a framework estimator becomes
    `Environment.get(workspace=ws, name="AzureML-<Framework>-<version>-<CPU|GPU>")`
    (`AzureML-Scikit-learn-0.20.3` for SKLearn), cloned when the user added packages. The name
    is inferred from the framework, version and processor: the SDK never named these
    environments. They were removed from workspaces in 2021, and their contents never matched
    the estimator's scenario (other channels, extra azureml packages), so the job does not
    get the same software. Chainer 7.0.0 never had one.
    """,
    fix_safety="Not equivalent. Check that the environment exists in your workspace, or use the default "
    "`faithful` strategy, which rebuilds what the estimator installed.",
)
_rule(
    "EM203", "changed-by-migration",
    "The migrated code is equivalent except for a setting the estimator silently ignored or could not express.",
    Severity.WARNING, True,
    "Read the message: it names the setting and what the new code does instead.",
)
_rule(
    "EM301", "data-reference-manual",
    "A `DataReference` or datastore input cannot be migrated automatically.",
    Severity.ERROR, False,
    """
    Where the reference is built inside a shared dictionary, inside a list value, or its type
    cannot be told from the source, a faithful rewrite is not possible statically.
    """,
    fix_safety="Move the input to a dataset (`Dataset.File.from_files(...).as_named_input(...).as_mount()`) "
    "or pass `str(ref)` in `arguments` and add "
    "`src.run_config.data_references[ref.data_reference_name] = ref.to_config()`.",
)
_rule(
    "EM302", "run-based-compute",
    "`vm_size`, `vm_priority` or no `compute_target`: run-based compute has no ScriptRunConfig equivalent.",
    Severity.ERROR, False,
    "Create an `AmlCompute` cluster with that VM size and pass it as `compute_target`.",
)
_rule(
    "EM303", "dynamic-call",
    "The estimator call uses `*args`, or `**kwargs` that is not a dictionary literal; its parameters cannot be read.",
    Severity.ERROR, False,
    """
    Which parameters the estimator got decides what the rewrite must write (an environment, a
    distributed configuration, ...). `**settings` bound to a dictionary literal is read and
    spelled out in the rewrite; a dictionary built at run time (in a branch, a loop, by a
    function) or `*args` hides them.
    """,
    fix_safety="Spell the keyword arguments out (or build them in one dictionary literal), then run the tool again.",
)
_rule(
    "EM304", "dynamic-script-params",
    "With `resume_from`, the estimator wrote `--resume-from` into a `script_params` dictionary that is read again.",
    Severity.ERROR, False,
    """
    The estimator flattened `script_params` at construction time (bare flags for `''`/`None`,
    list expansion, data objects). A dictionary the tool cannot read (built in a branch or a
    loop, changed in place, filled from argparse, returned by a function) is migrated to
    `arguments=flatten_script_params(<the same dictionary>)`, evaluated where the estimator
    flattened it; its DataReferences are registered with `script_params_data_references`.
    What cannot be reproduced: with `resume_from` the estimator also added `--resume-from` to
    the caller's dictionary, so code that reads that dictionary later (another estimator, the
    next turn of a loop) saw the entry; a ScriptRunConfig leaves the dictionary as it is.
    """,
    fix_safety="Give the estimator with `resume_from` a dictionary of its own (`script_params=dict(params)`), "
    "then run the tool again.",
)
_rule(
    "EM305", "never-ran",
    "The estimator arguments are a combination the SDK rejected; this code never ran.",
    Severity.ERROR, False,
    "The SDK raised at construction for this combination, so there is no behaviour to preserve.",
)
_rule(
    "EM306", "notebook-entry-script",
    "An `.ipynb` entry script ran as a `NotebookRunConfig`; migrate it by hand.",
    Severity.ERROR, False,
    "Notebook entry scripts were submitted through azureml-contrib-notebook with papermill.",
)
_rule(
    "EM307", "unsupported-estimator",
    "An estimator-like class that has no mechanical replacement (RL estimator, LightGBM, MpiStep, MMLBaseEstimator).",
    Severity.ERROR, False,
    "Replace it by hand with `ScriptRunConfig` (or `CommandStep` in pipelines).",
)
_rule(
    "EM308", "unsupported-context",
    "The estimator is constructed where the rewrite cannot place the new statements.",
    Severity.ERROR, False,
    """
    The rewrite adds statements before the construction (the environment). Inside a lambda,
    a comprehension, a default argument, a conditional expression or a line shared with
    other statements there is no place for them.
    """,
    fix_safety="Move the construction into its own assignment statement, then run the tool again.",
)
_rule(
    "EM309", "unsupported-setting",
    "An estimator setting has no faithful ScriptRunConfig equivalent.",
    Severity.ERROR, False,
    "The message names the setting and what to do instead.",
)
_rule(
    "EM310", "estimator-use",
    "The estimator object is used in a way the tool cannot carry over.",
    Severity.ERROR, False,
    "The message names the use; adapt it to the `ScriptRunConfig` by hand.",
)
_rule(
    "EM901", "syntax-error",
    "The file does not parse as Python; it was left unchanged.",
    Severity.ERROR, False,
    "The tool only rewrites code that parses (Python 3).",
)
_rule(
    "EM902", "internal-error",
    "The rewrite failed its own safety checks; the file was left unchanged.",
    Severity.ERROR, False,
    "Please report this with the file that triggers it.",
)
_rule(
    "EM903", "file-error",
    "The file could not be read, decoded or written; it was left unchanged.",
    Severity.ERROR, False,
    """
    Unreadable or undecodable files, notebooks that are not valid JSON, files that changed on
    disk during the run and failed writes (read-only files, full disks) are reported with a
    one-line reason. Other files are still processed; the run exits with code 2.
    """,
    fix_safety="Fix the file or its permissions, then run the tool again.",
)


def lookup(code_or_name: str) -> Rule:
    """Find a rule by code (EM101) or name (estimator-to-scriptrunconfig)."""
    key = code_or_name.strip()
    if key.upper() in RULES:
        return RULES[key.upper()]
    for rule in RULES.values():
        if rule.name == key:
            return rule
    raise KeyError(code_or_name)
