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
    "The SDK raised at construction for this combination (or, for an estimator in a HyperDrive "
    "configuration, HyperDrive raised at submit), so there is no behaviour to preserve.",
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


# -- The SDK v2 target (``--target v2``, issue 14) --------------------------------------------------
# Its own family: EM4xx rewrites into azure-ai-ml code (EM45x: rewritten, a person should review),
# EM5xx manual work (left unchanged). Catalogued ahead of the v2 renderer: until a rule emits a
# code it stays in PLANNED, and its example is proven by the v2 equivalence harness
# (tests/test_v2_blocks_codes.py) instead of by the engine (tests/test_rule_examples.py).


def _env_v2(pip: str, name: str = "est_env") -> str:
    """The v2 environment of the examples (v1's default image and conda document), indented as
    the examples are."""
    return f'''\
    {name} = Environment(
        image="mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1",
        conda_file={{
            "name": "project_environment",
            "channels": ["anaconda", "conda-forge"],
            "dependencies": ["python=3.8.13", {{"pip": [{pip}]}}],
        }},
    )
'''


_DEFAULT_ENV_V2 = _env_v2('"azureml-defaults", "pandas"')
_V2_SAFETY = ("`--target v2`. The v1 code and the v2 code submit the same job in the offline v2 equivalence harness "
              "(tests/test_v2_equivalence.py); what the service does with it is not verified offline.")
_PLANNED_SAFETY = ("Planned for `--target v2`: the v2 renderer will apply it. The example is checked now: "
                   "the v1 code and the v2 code submit the same job in the offline v2 equivalence harness.")

_rule(
    "EM401", "estimator-to-command",
    "An estimator becomes an azure-ai-ml `command()` job with the environment it built (`--target v2`).",
    Severity.WARNING, True,
    """
    SDK v1 is out of support. An estimator (`Estimator`, `PyTorch`, `TensorFlow`, `Chainer`,
    `SKLearn`) becomes a `command()` node: `code` is the source directory, `command` is
    `python <script>` followed by the script parameters, each quoted for the shell that runs a v2
    command (numbers as v1 sent them, data as `${{inputs.x}}`). v2 has no default image and no
    default packages, so the environment the estimator built (its base image and the whole conda
    document, `azureml-defaults` and the python pin included) is written out; node count,
    distribution, shared memory and the run time limit are written even where v1 used its
    defaults, because v2's differ.
    """,
    """
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--lr": 0.1, "--run-name": "first try"}, pip_packages=["pandas"])
    """,
    _DEFAULT_ENV_V2 + """\
    est = command(
        code="src",
        command="python train.py --lr 0.1 --run-name 'first try'",
        environment=est_env,
        compute="cpu-cluster",
    )
    """,
    _V2_SAFETY,
)
_rule(
    "EM402", "script-run-config-to-command",
    "A `ScriptRunConfig` becomes an azure-ai-ml `command()` job (`--target v2`).",
    Severity.WARNING, True,
    """
    `arguments` become the command text, `distributed_job_config` becomes `distribution=` plus
    `instance_count=` (v2 distributions carry no node count), a registered environment becomes
    `name:version`, and ScriptRunConfig's own defaults (shared memory `2g`, 30 days) are written
    because v2 sends nothing when they are omitted. An `Environment` built in the file from
    literals (base image, packages added to its conda dependencies, variables) is written out as a
    v2 `Environment`, its variables moved to the job; none given is v1's default image and conda
    document. Registered datasets and `OutputFileDatasetConfig`s in `arguments` become inputs and
    outputs. What is not a literal, `run_config=`, `command=` and `resume_from=` stay, reported.
    """,
    """
    from azureml.core import Environment, ScriptRunConfig
    from azureml.core.runconfig import MpiConfiguration

    env = Environment.get(ws, "train-env", version="3")
    src = ScriptRunConfig(source_directory="src", script="train.py", arguments=["--epochs", 5],
                          compute_target="gpu-cluster", environment=env,
                          distributed_job_config=MpiConfiguration(process_count_per_node=2, node_count=2))
    """,
    """
    src = command(
        code="src",
        command="python train.py --epochs 5",
        environment="train-env:3",
        compute="gpu-cluster",
        instance_count=2,
        distribution=MpiDistribution(process_count_per_instance=2),
        shm_size="2g",
        timeout=2592000,
    )
    """,
    _V2_SAFETY,
)
_rule(
    "EM403", "hyperdrive-to-sweep",
    "A `HyperDriveConfig` becomes a v2 sweep with v1's defaults written out (`--target v2`).",
    Severity.WARNING, True,
    """
    The search space moves into the trial command (`--lr ${{inputs.lr}}`: v2 passes a sampled
    value only where the command names it, and keys must be identifiers); the fixed value
    HyperDrive replaced goes. v1's defaults that v2 does not share are written: Bandit and
    Truncation policies evaluate every interval, at most `max_total_runs` trials at once, the
    7-day limit, and the trial's own time limit as `trial_timeout`.
    """,
    """
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--epochs": 5, "--lr": 0.01}, pip_packages=["pandas"])
    hd = HyperDriveConfig(estimator=est,
                          hyperparameter_sampling=RandomParameterSampling({"--lr": uniform(0.001, 0.1)}),
                          policy=BanditPolicy(slack_factor=0.1),
                          primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                          max_total_runs=20)
    """,
    _DEFAULT_ENV_V2 + """\
    est = command(
        code="src",
        command="python train.py --epochs 5 --lr ${{inputs.lr}}",
        inputs={"lr": 0.01},
        environment=est_env,
        compute="cpu-cluster",
    )
    hd = est(lr=Uniform(min_value=0.001, max_value=0.1)).sweep(
        sampling_algorithm="random",
        primary_metric="accuracy",
        goal="maximize",
        early_termination_policy=BanditPolicy(slack_factor=0.1, evaluation_interval=1, delay_evaluation=0),
        max_total_trials=20,
        max_concurrent_trials=20,
        timeout=10080 * 60,
    )
    """,
    _V2_SAFETY,
)
_rule(
    "EM404", "pipeline-to-dsl",
    "A `Pipeline` of `PythonScriptStep`/`EstimatorStep` becomes a `@dsl.pipeline` of command nodes (`--target v2`).",
    Severity.WARNING, True,
    """
    Each step becomes a `command(name=<step name>, ...)` in the step's place, called inside a
    `@dsl.pipeline(default_compute=<first step's compute>)` function and assigned to a variable
    named after the step (the variable names the node, V35); a step on another compute gets
    `node.compute = ...`. `PipelineData` becomes an output of the producer passed to each consumer
    as `producer.outputs.<name>`; a `PipelineParameter` becomes a parameter of the function with its
    default; a DataReference or a registered dataset becomes an input of the pipeline, given as
    `Input(type=..., path=..., mode=...)` where the function is called. A PythonScriptStep's
    environment is its `RunConfiguration()` (v1's default, or one built in the file from literals)
    with v1's `2g` of shared memory written; an EstimatorStep's is its estimator's, translated as
    EM401 does. `allow_reuse=False` becomes `is_deterministic=False`. All or nothing: a pipeline
    with anything the tool cannot prove the same (another step type, a published pipeline, run
    APIs on the pipeline run, submit overrides, step lists built at run time, ...) stays v1,
    reported with the reason (EM508).
    """,
    """
    ws = Workspace.from_config()
    prepared = PipelineData("prepared", datastore=ws.get_default_datastore())
    prep_step = PythonScriptStep(name="prep", script_name="prep.py", source_directory="src",
                                 arguments=["--out", prepared], outputs=[prepared], compute_target="cpu-cluster")
    train_step = PythonScriptStep(name="train", script_name="train.py", source_directory="src",
                                  arguments=["--data", prepared], inputs=[prepared], compute_target="cpu-cluster",
                                  allow_reuse=False)
    pipeline = Pipeline(workspace=ws, steps=[prep_step, train_step])
    run = Experiment(ws, "prep-train").submit(pipeline)
    """,
    """
    ml_client = MLClient.from_config(credential=DefaultAzureCredential())
    step_env = Environment(
        image="mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20251130.v1",
        conda_file={
            "name": "project_environment",
            "channels": ["anaconda", "conda-forge"],
            "dependencies": ["python=3.8.13", {"pip": ["azureml-defaults"]}],
        },
    )
    prep_command = command(
        name="prep",
        code="src",
        command="python prep.py --out ${{outputs.prepared}}",
        outputs={"prepared": Output(type="uri_folder")},
        environment=step_env,
        shm_size="2g",
    )
    train_command = command(
        name="train",
        code="src",
        command="python train.py --data ${{inputs.data}}",
        inputs={"data": Input(type="uri_folder")},
        environment=step_env,
        shm_size="2g",
        is_deterministic=False,
    )


    @dsl.pipeline(default_compute="cpu-cluster")
    def prep_train():
        prep = prep_command()
        train = train_command(data=prep.outputs.prepared)


    pipeline = prep_train()
    run = ml_client.jobs.create_or_update(pipeline, experiment_name="prep-train")
    """,
    _V2_SAFETY,
)
_rule(
    "EM405", "workspace-to-mlclient",
    "`Workspace.from_config()` / `Workspace(...)` becomes an `MLClient` (`--target v2`).",
    Severity.WARNING, True,
    """
    `MLClient.from_config` reads the same `config.json` the same way (the folder, `.azureml/`,
    parent folders) and makes no call when it is built. The credential comes from
    `azure-identity`, which azure-ai-ml does not install: add it to the project's requirements.
    """,
    """
    ws = Workspace.from_config()
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    pip_packages=["pandas"])
    run = Experiment(ws, "train").submit(est)
    """,
    """
    ml_client = MLClient.from_config(credential=DefaultAzureCredential())
""" + _DEFAULT_ENV_V2 + """\
    est = command(code="src", command="python train.py", environment=est_env, compute="cpu-cluster")
    run = ml_client.jobs.create_or_update(est, experiment_name="train")
    """,
    _V2_SAFETY,
)
_rule(
    "EM406", "submit-to-create-or-update",
    "`Experiment(ws, name).submit(job)` becomes `ml_client.jobs.create_or_update(job, experiment_name=name)` "
    "(`--target v2`).",
    Severity.WARNING, True,
    """
    Without `experiment_name` v2 files the job under the name of the current folder. The job
    object passed in is changed by the call (its code, environment and compute become ids).
    `run.wait_for_completion()` becomes `ml_client.jobs.stream(run.name)`, which also raises
    when the job fails.
    """,
    """
    ws = Workspace.from_config()
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    pip_packages=["pandas"])
    run = Experiment(ws, "train").submit(est, tags={"stage": "dev"})
    run.wait_for_completion(show_output=True)
    """,
    """
    ml_client = MLClient.from_config(credential=DefaultAzureCredential())
""" + _DEFAULT_ENV_V2 + """\
    est = command(code="src", command="python train.py", environment=est_env, compute="cpu-cluster")
    run = ml_client.jobs.create_or_update(est, experiment_name="train", tags={"stage": "dev"})
    ml_client.jobs.stream(run.name)
    """,
    _V2_SAFETY,
)
_rule(
    "EM407", "data-to-input",
    "A DataReference, dataset or output becomes a v2 `Input`/`Output` with an identifier name (`--target v2`).",
    Severity.WARNING, True,
    """
    v2 input and output names must be identifiers, and only the submit says so; v1 names were
    free text (a `ds.path()` reference is a random hexadecimal name). The input is named after
    its flag (`--data-folder` -> `data_folder`) or the name the user gave, every reference is
    rewritten, and the mode is always written (v2 sends none otherwise).
    """,
    """
    store = Datastore.get(ws, "trainingdata")
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--data-folder": store.path("mnist").as_mount()}, pip_packages=["pandas"])
    """,
    _DEFAULT_ENV_V2 + """\
    est = command(
        code="src",
        command="python train.py --data-folder ${{inputs.data_folder}}",
        inputs={
            "data_folder": Input(type="uri_folder",
                                 path="azureml://datastores/trainingdata/paths/mnist", mode="ro_mount"),
        },
        environment=est_env,
        compute="cpu-cluster",
    )
    """,
    _V2_SAFETY,
)
_rule(
    "EM451", "boolean-argument",
    "A boolean script argument is written `True`/`False` in the v2 command; check what the script expects.",
    Severity.WARNING, True,
    """
    v1 sent booleans as JSON `true`/`false` and how they reached the command line is not known;
    v2 has one command string, and the rewrite writes what Python's `str()` gives. A script that
    parses `--flag true` may read `True` differently.
    """,
    """
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--augment": True}, pip_packages=["pandas"])
    """,
    _DEFAULT_ENV_V2 + """\
    est = command(
        code="src",
        command="python train.py --augment True",
        environment=est_env,
        compute="cpu-cluster",
    )
    """,
    "Equivalent as far as the job's settings go; the spelling on the command line is not verified.",
)
_rule(
    "EM452", "framework-environment-v2",
    "A framework estimator's environment is rebuilt field by field; its old image and python may no longer build.",
    Severity.WARNING, True,
    """
    The framework estimators installed a fixed scenario (an Ubuntu 16.04/20.04 image, python
    3.6, framework pins). The v2 environment reproduces it exactly; where the estimator used Azure
    ML's private prebuilt image, which cannot be reached, the same scenario is built from its
    base image instead. Whether those images still pull and python 3.6 still solves is not
    verified. PyTorch's `NCCL_TREE_THRESHOLD=0` moves to the job's environment variables.
    """,
    """
    est = PyTorch(source_directory="src", entry_script="train.py", compute_target="gpu-cluster",
                  framework_version="1.6", use_gpu=True)
    """,
    """
    est_env = Environment(
        image="mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.1-cudnn8-ubuntu20.04",
        conda_file={
            "name": "project_environment",
            "channels": ["anaconda", "conda-forge"],
            "dependencies": [
                "python=3.6.2",
                {"pip": ["azureml-defaults", "torch==1.6.0", "torchvision==0.5.0",
                         "horovod==0.19.5", "tensorboard==1.14.0", "future==0.17.1"]},
            ],
        },
    )
    est = command(
        code="src",
        command="python train.py",
        environment=est_env,
        environment_variables={"NCCL_TREE_THRESHOLD": "0"},
        compute="gpu-cluster",
    )
    """,
    "Equivalent settings; move to a current environment (a curated one or your own image) and test the job.",
)
_rule(
    "EM453", "unverified-v2-behaviour",
    "Migrated, but what the v2 service does with one setting is not verified; the message names it.",
    Severity.WARNING, True,
    """
    Examples: a script argument only known at run time, quoted when the program runs (which
    assumes a string or a number); a run-time `script_params` dictionary, flattened and quoted by
    `script_params_command` (written into the file) when the program runs; a `None` or
    non-finite argument; v1's truncation policy sent `exclude_finished_jobs=False`, which v2
    cannot send; Bayesian sampling with a policy; a HyperDrive run longer than 7 days was
    cut by v1's service; a v1 `command=[...]` list joined into one string.
    """,
    """
    lr = round(0.123, 2)
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--lr": lr}, pip_packages=["pandas"])
    """,
    """
    import shlex

    lr = round(0.123, 2)
""" + _DEFAULT_ENV_V2 + """\
    est = command(
        code="src",
        command="python train.py --lr " + shlex.quote(str(lr)),
        environment=est_env,
        compute="cpu-cluster",
    )
    """,
    "Equivalent settings as far as the client can tell; check the named setting.",
)
_rule(
    "EM454", "pytorch-backend-v2",
    "A PyTorch communication backend (`Nccl`, `Gloo`) has no v2 field; the script's `init_process_group` decides.",
    Severity.WARNING, True,
    """
    `PyTorchDistribution` has only a process count, per instance (v1's `process_count` was the
    total over all nodes). The estimators ran one process per node with `Nccl`/`Gloo`; the backend
    is dropped.
    """,
    """
    est = PyTorch(source_directory="src", entry_script="train.py", compute_target="gpu-cluster",
                  framework_version="1.6", use_gpu=True, distributed_backend="nccl")
    """,
    """
    est_env = Environment(
        image="mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.1-cudnn8-ubuntu20.04",
        conda_file={
            "name": "project_environment",
            "channels": ["anaconda", "conda-forge"],
            "dependencies": [
                "python=3.6.2",
                {"pip": ["azureml-defaults", "torch==1.6.0", "torchvision==0.5.0",
                         "horovod==0.19.5", "tensorboard==1.14.0", "future==0.17.1"]},
            ],
        },
    )
    est = command(
        code="src",
        command="python train.py",
        environment=est_env,
        environment_variables={"NCCL_TREE_THRESHOLD": "0"},
        compute="gpu-cluster",
        instance_count=1,
        distribution=PyTorchDistribution(process_count_per_instance=1),
    )
    """,
    "Equivalent settings; check that the script picks the backend it used.",
)


def _manual(code, name, summary, why, example, fix_safety, advice=""):
    _rule(code, name, summary, Severity.ERROR, False, why, example, advice, fix_safety)


_manual(
    "EM501", "run-based-compute-v2",
    "`vm_size`, `vm_priority` or no `compute_target`: run-based compute has no v2 counterpart.",
    "v1 created a cluster for the run. The closest v2 form, serverless compute (`instance_type=`, "
    "`job_tier=\"Spot\"`), is a different resource model.",
    """
    est = Estimator(source_directory="src", entry_script="train.py", vm_size="STANDARD_NC6",
                    vm_priority="lowpriority")
    """,
    "Create an AmlCompute cluster of that size and pass its name as `compute=`, or choose serverless compute.",
)
_manual(
    "EM502", "local-without-docker",
    "A `'local'` run without Docker: v2 local jobs always run in Docker.",
    "v1 ran `use_docker=False` local runs in the caller's Python; v2 local runs go through a Docker-based "
    "runner.",
    """
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="local", use_docker=False)
    """,
    "Run the script directly with python, or install Docker and submit with `compute=\"local\"`.",
)
_manual(
    "EM503", "registry-credentials",
    "An image registry's username/password has no v2 counterpart.",
    "A v2 `Environment` names an image but carries no registry credentials.",
    """
    registry = ContainerRegistry()
    registry.address, registry.username, registry.password = "myregistry.azurecr.io", "user", secret
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    custom_docker_image="train:1", image_registry_details=registry)
    """,
    "Push the image to the workspace's container registry, or give the workspace's identity pull access "
    "to the registry.",
)
_manual(
    "EM504", "source-directory-data-store-v2",
    "`source_directory_data_store` has no v2 counterpart.",
    "v1 could keep the snapshot of the source directory in a datastore; v2 always uploads `code` as a code "
    "asset.",
    """
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    source_directory_data_store=ws.get_default_datastore())
    """,
    "Remove the setting; v2 uploads the code folder itself.",
)
_manual(
    "EM505", "no-v2-counterpart",
    "A v1 setting has no v2 counterpart; the message names it.",
    "`ParallelTaskConfiguration`, `runconfig_pipeline_params`, HyperDrive warm start "
    "(`resume_from`/`resume_child_runs`), published pipelines and schedules, `DockerConfiguration.shared_volumes`, "
    "`run_config.history`, Spark/Databricks/R sections, `inferencing_stack_version`, sampling `properties` "
    "other than `rule`/`seed`.",
    """
    hd = HyperDriveConfig(run_config=src, hyperparameter_sampling=sampling, primary_metric_name="accuracy",
                          primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=20,
                          resume_from=previous_run)
    """,
    "Remove the setting or rebuild it with the v2 feature that comes closest (a `parallel` job, a v2 schedule, "
    "...).",
)
_manual(
    "EM506", "data-v2-manual",
    "A data input or output cannot be expressed in v2; the message names why.",
    "`path_on_compute` (v2 drops it, and the submit then fails), `OutputFileDatasetConfig` `source_globs`, "
    "`overwrite` and `partition_format`, datasets over several paths or URL lists, a `TabularDataset` read "
    "through `run.input_datasets`, data used as a `script_params` key.",
    """
    est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                    script_params={"--data": store.path("mnist").as_download(path_on_compute="/tmp/mnist")})
    """,
    "Drop `path_on_compute` and read the path from the argument; load tabular data with `mltable` in the script.",
)
_manual(
    "EM507", "run-context-in-script",
    "The training script uses the v1 run context (`Run.get_context()`, `AZUREML_DATAREFERENCE_*`), which a v2 job "
    "does not provide.",
    "Scripts are not rewritten. In a v2 job there is no v1 run context: `run.log`, `run.input_datasets`, "
    "`run.parent` and the `AZUREML_DATAREFERENCE_<name>` environment variables are gone (v2 sets "
    "`AZURE_ML_INPUT_<name>`). Whether azureml-core logging still reaches a v2 job is not verified. The file layer "
    "reads the script of each migrated job whose code folder and script are literals (a path relative to the "
    "migrated file's folder) and names each use with its line, on the estimator's (or ScriptRunConfig's) line.",
    """
    # train.py
    run = Run.get_context()
    run.log("accuracy", accuracy)
    """,
    "Log with MLflow (`mlflow.log_metric`) and read inputs from the command line.",
    """
    # train.py
    mlflow.log_metric("accuracy", accuracy)
    """,
)
_manual(
    "EM508", "unsupported-v2",
    "Not migrated by `--target v2` (yet): a use of the estimator v2 cannot follow, HyperDrive, pipeline steps, "
    "ScriptRunConfig, notebook entry scripts.",
    "A v2 node is only submitted through an MLClient: an estimator used by a HyperDriveConfig, a pipeline step, "
    "an attribute or a function call is left as it is, as are the v1 objects the v2 target does not rewrite yet "
    "(HyperDriveConfig -> sweep, pipelines -> `@dsl.pipeline`, ScriptRunConfig -> `command()`). `.ipynb` entry "
    "scripts ran through papermill in v1; the LightGBM and RL estimators were separate products.",
    """
    est = Estimator(source_directory="src", entry_script="train.ipynb", compute_target="cpu-cluster")
    """,
    "Convert the notebook to a script (`jupyter nbconvert --to script`), or write the v2 job by hand.",
)
_manual(
    "EM509", "submit-overrides-v2",
    "`Experiment.submit(est, script_params=...)` overrides cannot be carried into a v2 job as they are.",
    "v1 merged the overrides into the estimator's arguments at submit, reading them two by two; with a bare "
    "flag in the list that reading shifts.",
    """
    run = exp.submit(est, script_params={"--lr": 0.01})
    """,
    "Put the final arguments into the estimator's `script_params`, then run the tool again.",
)
_manual(
    "EM510", "never-ran-v2",
    "The v1 code is a combination the SDK rejected; it never ran, so there is nothing to migrate.",
    "The SDK raised at construction or submit (an invalid distribution, a `choice()` without options, a "
    "bare flag that made HyperDrive read a number as a flag, ...).",
    """
    sampling = RandomParameterSampling({"--lr": uniform(0.5, 0.1)})
    """,
    "Fix the v1 code (or write the v2 code directly).",
)
_manual(
    "EM511", "run-api-without-v2",
    "A v1 run API (`get_metrics`, `log`, `register_model`, ...) has no v2 counterpart; the message says what to use.",
    "v2 has no run-history API in the SDK: metrics and artifacts go through MLflow, outputs are downloaded "
    "with `ml_client.jobs.download`, models are registered from a job's output path.",
    """
    run = exp.submit(src)
    metrics = run.get_metrics()
    """,
    "Read metrics with MLflow (`mlflow.search_runs`), or the named replacement.",
)
_manual(
    "EM512", "dynamic-v2",
    "A value the v2 rewrite needs is only known at run time (a goal, an authentication object, `choice()` "
    "options, ...).",
    "Some translations depend on the kind of the value (an enum member, a list or a range); the rewrite "
    "keeps v1's reading where it can and says so.",
    """
    hd = HyperDriveConfig(run_config=src, hyperparameter_sampling=sampling, primary_metric_name="accuracy",
                          primary_metric_goal=goal_from_settings(), max_total_runs=20)
    """,
    "Write the value (`goal=\"maximize\"`), then run the tool again.",
)

TARGET_V2 = frozenset(code for code in RULES if code[:3] in ("EM4", "EM5"))
# Emitted by the v2 renderer (rules/estimator/render_v2.py, rules/v2_client.py, rules/src_v2.py) and the
# training-script scan the file layer runs (v2/script_scan.py, EM507); their examples are
# checked against the engine by tests/test_rule_examples.py.
EMITTED_V2 = frozenset({"EM401", "EM402", "EM403", "EM404", "EM405", "EM406", "EM407", "EM451", "EM452", "EM453",
                        "EM454", "EM501", "EM502", "EM503", "EM504", "EM505", "EM506", "EM507", "EM508", "EM509",
                        "EM510", "EM511", "EM512"})
# No rule emits these yet; see tests/test_rule_examples.py.
PLANNED = TARGET_V2 - EMITTED_V2


def kind_of(code: str) -> str:
    """``fixed`` (EM1xx, EM40x-EM44x), ``review`` (EM2xx, EM45x-EM49x) or ``manual`` (EM3xx, EM5xx,
    EM9xx): what the reports need to know of a code, for both targets."""
    if code.startswith(("EM3", "EM5", "EM9")):
        return "manual"
    if code.startswith("EM2") or (code.startswith("EM4") and code[3:4] >= "5"):
        return "review"
    return "fixed"
