"""Workspace, Experiment, Run and compute calls -> MLClient calls (spec v2 §2), as code text.

v1 objects that talked to the service (``Workspace``, ``Experiment``, ``Run``, compute targets)
have one v2 counterpart, the ``MLClient``; a job is submitted with
``ml_client.jobs.create_or_update(job, experiment_name=...)`` and a compute target is just its
name. Each function takes the v1 call's argument code (``args``: positional code, ``kwargs``:
keyword -> code) and returns a :class:`Snippet`; ``client`` is the code naming the MLClient
(``ml_client``). The v1 run APIs that have no v2 counterpart are in :data:`NO_COUNTERPART`: the
renderer reports them (:func:`run_api_report`), it does not rewrite them.

Two facts a migration must not lose: without ``experiment_name`` v2 files the job under the
current folder's name (V19); ``azure-identity``, which provides the credentials, is not a
dependency of azure-ai-ml: the user installs it (design note §5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from estimator_migrate.v2.snippet import Import, Report, Snippet

ML_CLIENT: Import = ("azure.ai.ml", "MLClient")
DEFAULT_CREDENTIAL = "DefaultAzureCredential"
REWRITE_WORKSPACE = "EM405"
REWRITE_SUBMIT = "EM406"
MANUAL_RUN_API = "EM511"
DYNAMIC = "EM512"
UNVERIFIED = "EM453"

# v1 positional parameters (azureml-core 1.61).
V1_SIGNATURES: dict[str, tuple[str, ...]] = {
    "Workspace.from_config": ("path", "auth", "_logger", "_file_name"),
    "Workspace": ("subscription_id", "resource_group", "workspace_name", "auth", "_location",
                  "_disable_service_check", "_workspace_id", "sku", "tags", "_cloud"),
    "Workspace.get": ("name", "auth", "subscription_id", "resource_group", "location", "cloud", "id"),
    "Experiment": ("workspace", "name"),
    "Experiment.submit": ("config", "tags"),
    "Run.wait_for_completion": ("show_output", "wait_post_processing", "raise_on_error"),
    "InteractiveLoginAuthentication": ("force", "tenant_id", "cloud"),
    "ServicePrincipalAuthentication": ("tenant_id", "service_principal_id", "service_principal_password", "cloud",
                                       "_enable_caching"),
    "MsiAuthentication": ("cloud",),
    "AzureCliAuthentication": ("cloud",),
    "ComputeTarget": ("workspace", "name"),
    "AmlCompute.provisioning_configuration": (
        "vm_size", "vm_priority", "min_nodes", "max_nodes", "idle_seconds_before_scaledown", "admin_username",
        "admin_user_password", "admin_user_ssh_key", "vnet_resourcegroup_name", "vnet_name", "subnet_name", "tags",
        "description", "remote_login_port_public_access", "identity_type", "identity_id", "location",
        "enable_node_public_ip"),
    "ComputeTarget.create": ("workspace", "name", "provisioning_configuration"),
}


def bind(callable_name: str, args: Sequence[str], kwargs: Mapping[str, str]) -> dict[str, str]:
    params = V1_SIGNATURES[callable_name]
    if len(args) > len(params):
        raise ValueError(f"{callable_name}() takes {len(params)} positional arguments")
    bound = dict(zip(params, args, strict=False))
    for key, code in kwargs.items():
        if key in bound:
            raise ValueError(f"{callable_name}() got {key!r} twice")
        bound[key] = code
    return bound


# -- credentials and the client ---------------------------------------------------------------------
_CREDENTIALS = {  # v1 auth class -> (azure.identity class, v1 parameter -> v2 keyword)
    "InteractiveLoginAuthentication": ("InteractiveBrowserCredential", {"tenant_id": "tenant_id"}),
    "ServicePrincipalAuthentication": ("ClientSecretCredential", {"tenant_id": "tenant_id",
                                                                  "service_principal_id": "client_id",
                                                                  "service_principal_password": "client_secret"}),
    "MsiAuthentication": ("ManagedIdentityCredential", {}),
    "AzureCliAuthentication": ("AzureCliCredential", {}),
}


def credential(auth: tuple[str, Sequence[str], Mapping[str, str]] | None = None) -> Snippet:
    """The azure-identity credential for a v1 ``auth=`` (``(class name, args, kwargs)``, or None
    for the v1 default, which tried the CLI then an interactive login: ``DefaultAzureCredential``
    tries the same sources and more). The mapping of classes is the spec's [inf]: reported."""
    if auth is None:
        return Snippet(f"{DEFAULT_CREDENTIAL}()", (("azure.identity", DEFAULT_CREDENTIAL),))
    name, args, kwargs = auth
    if name not in _CREDENTIALS:
        return Snippet(f"{DEFAULT_CREDENTIAL}()", (("azure.identity", DEFAULT_CREDENTIAL),), (Report(
            DYNAMIC, f"the v1 authentication {name} has no known azure-identity counterpart; "
                     "DefaultAzureCredential is used", "Pick the azure-identity credential that fits."),))
    v2_name, keywords = _CREDENTIALS[name]
    bound = bind(name, args, kwargs)
    parts = [f"{keywords[p]}={bound[p]}" for p in V1_SIGNATURES[name] if p in keywords and p in bound]
    reports = []
    dropped = sorted(p for p in bound if p not in keywords and not p.startswith("_"))
    if dropped:
        reports.append(Report(UNVERIFIED, f"{name}({', '.join(dropped)}=...) has no {v2_name} counterpart",
                              "Set the cloud or identity options on the credential by hand."))
    return Snippet(f"{v2_name}({', '.join(parts)})", (("azure.identity", v2_name),), tuple(reports))


def _auth(bound: Mapping[str, str], auth_call) -> Snippet:
    if "auth" in bound and auth_call is None:
        return Snippet(f"{DEFAULT_CREDENTIAL}()", (("azure.identity", DEFAULT_CREDENTIAL),), (Report(
            DYNAMIC, f"the v1 auth object {bound['auth']!s} is only known at run time; DefaultAzureCredential is used",
            "Pass the azure-identity credential that matches it."),))
    return credential(auth_call)


def workspace_from_config(args: Sequence[str] = (), kwargs: Mapping[str, str] | None = None, *,
                          auth_call=None) -> Snippet:
    """``Workspace.from_config(path=...)`` -> ``MLClient.from_config(credential=..., path=...)``
    (same config.json, same search up the folders, no call to the service). ``auth_call``: the
    v1 auth construction when ``auth=`` names one (``(class, args, kwargs)``)."""
    bound = bind("Workspace.from_config", args, kwargs or {})
    cred = _auth(bound, auth_call)
    parts = [f"credential={cred.code}"]
    if "path" in bound:
        parts.append(f"path={bound['path']}")
    if "_file_name" in bound:
        parts.append(f"file_name={bound['_file_name']}")
    return Snippet(f"MLClient.from_config({', '.join(parts)})", (ML_CLIENT,) + cred.imports, cred.reports)


def workspace(args: Sequence[str] = (), kwargs: Mapping[str, str] | None = None, *, auth_call=None) -> Snippet:
    """``Workspace(subscription_id, resource_group, workspace_name)`` -> ``MLClient(credential,
    subscription_id=..., resource_group_name=..., workspace_name=...)``."""
    bound = bind("Workspace", args, kwargs or {})
    cred = _auth(bound, auth_call)
    return Snippet(f"MLClient(credential={cred.code}, subscription_id={bound['subscription_id']}, "
                   f"resource_group_name={bound['resource_group']}, workspace_name={bound['workspace_name']})",
                   (ML_CLIENT,) + cred.imports, cred.reports)


def workspace_get(args: Sequence[str] = (), kwargs: Mapping[str, str] | None = None, *, auth_call=None) -> Snippet:
    """``Workspace.get(name, subscription_id=..., resource_group=...)`` -> ``MLClient(...)``. v1
    searched every subscription and group when they were missing; v2 needs both: reported."""
    bound = bind("Workspace.get", args, kwargs or {})
    cred = _auth(bound, auth_call)
    reports = list(cred.reports)
    missing = [p for p in ("subscription_id", "resource_group") if p not in bound]
    if missing:
        reports.append(Report(DYNAMIC, f"Workspace.get without {' and '.join(missing)}: v1 searched for the "
                                       "workspace, MLClient needs them", "Write the subscription id and the resource "
                                       "group of the workspace."))
    sub = bound.get("subscription_id", "None")
    group = bound.get("resource_group", "None")
    return Snippet(f"MLClient(credential={cred.code}, subscription_id={sub}, resource_group_name={group}, "
                   f"workspace_name={bound['name']})", (ML_CLIENT,) + cred.imports, tuple(reports))


# -- experiments and runs -------------------------------------------------------------------------------
def experiment_name(args: Sequence[str], kwargs: Mapping[str, str] | None = None) -> str:
    """The name code of ``Experiment(workspace, name)``."""
    return bind("Experiment", args, {k: v for k, v in (kwargs or {}).items() if k in ("workspace", "name")})["name"]


def submit(client: str, experiment: str, args: Sequence[str], kwargs: Mapping[str, str] | None = None) -> Snippet:
    """``Experiment(ws, name).submit(job, tags=...)`` -> ``client.jobs.create_or_update(job,
    experiment_name=name, tags=...)``. ``experiment``: the name code (:func:`experiment_name`).
    Other keyword arguments (an estimator's ``script_params=`` overrides) are the renderer's
    (folded into the command, or reported)."""
    kwargs = dict(kwargs or {})
    bound = bind("Experiment.submit", args, {k: v for k, v in kwargs.items() if k in ("config", "tags")})
    parts = [bound["config"], f"experiment_name={experiment}"]
    if "tags" in bound:
        parts.append(f"tags={bound['tags']}")
    return Snippet(f"{client}.jobs.create_or_update({', '.join(parts)})")


def wait_for_completion(client: str, run: str, args: Sequence[str] = (),
                        kwargs: Mapping[str, str] | None = None) -> Snippet:
    """``run.wait_for_completion(...)`` -> ``client.jobs.stream(run.name)``: streams the logs and
    raises when the job fails, as v1 did by default (``raise_on_error=True``)."""
    bound = bind("Run.wait_for_completion", args, kwargs or {})
    reports: tuple[Report, ...] = ()
    if "raise_on_error" in bound and bound["raise_on_error"] != "True":
        reports = (Report(UNVERIFIED, "raise_on_error: jobs.stream always raises when the job fails",
                          "Catch the exception if the failure should not stop the program."),)
    return Snippet(f"{client}.jobs.stream({run}.name)", (), reports)


# A v1 run attribute or method -> v2 code (``{client}``, ``{run}`` filled in).
RUN_MAPPINGS: dict[str, str] = {
    "id": "{run}.name",
    "get_portal_url": "{run}.studio_url",
    "cancel": "{client}.jobs.begin_cancel({run}.name)",
    "get_status": "{client}.jobs.get({run}.name).status",
}


def run_call(client: str, run: str, method: str) -> Snippet | None:
    """``run.id`` / ``run.get_portal_url()`` / ``run.cancel()`` / ``run.get_status()`` (the whole
    call is replaced; statuses are the same words, v2 adds ``Unknown``)."""
    text = RUN_MAPPINGS.get(method)
    return Snippet(text.format(client=client, run=run)) if text else None


_METRICS = ("v2 jobs have no run-history API in the SDK: metrics are logged and read with MLflow; whether "
            "values logged with azureml-core still reach a v2 job is not verified (V34)")
NO_COUNTERPART: dict[str, tuple[str, str]] = {
    "get_metrics": (_METRICS, "Log with mlflow.log_metric in the script and read with mlflow.search_runs / "
                    "MlflowClient().get_run(job name)."),
    "get_context": ("a v2 job has no run context (Run.get_context) (V34)",
                    "Log with MLflow; read inputs from the command line (data arrive as paths in arguments)."),
    "input_datasets": ("run.input_datasets does not exist in v2: inputs arrive as paths on the command line (V26, V34)",
                       "Read the path from the argument the command passes (${{inputs.x}})."),
    "parent": ("a v2 job has no run context: run.parent is not available (V34)",
               "Pass what the child needs as inputs or read it with MLflow."),
    "get_details": ("v2 has no run details API; ml_client.jobs.get(name) returns the Job entity (other fields)",
                    "Read the fields you need from ml_client.jobs.get(run.name)."),
    "get_details_with_logs": ("v2 has no run details API; logs are streamed or downloaded",
                              "Use ml_client.jobs.stream(run.name) or ml_client.jobs.download(run.name, all=True)."),
    "get_file_names": ("v2 lists no run files", "Download outputs with ml_client.jobs.download(run.name, all=True)."),
    "download_file": ("v2 downloads a job's outputs, not single run files",
                      "Use ml_client.jobs.download(run.name, download_path=..., output_name=...)."),
    "download_files": ("v2 downloads a job's outputs, not run files by prefix",
                       "Use ml_client.jobs.download(run.name, download_path=..., all=True)."),
    "upload_file": ("v2 jobs have no run artifact upload API", "Use mlflow.log_artifact, or write to an output."),
    "upload_files": ("v2 jobs have no run artifact upload API", "Use mlflow.log_artifacts, or write to an output."),
    "upload_folder": ("v2 jobs have no run artifact upload API", "Use mlflow.log_artifacts, or write to an output."),
    "register_model": ("v2 registers models with ml_client.models.create_or_update(Model(path=..., ...)), from a "
                       "job output path", "Register from the job's output: Model(path=f\"azureml://jobs/{name}/"
                       "outputs/artifacts/paths/<path>\")."),
    "get_children": ("v2 lists child jobs with ml_client.jobs.list(parent_job_name=...), which returns jobs, not runs",
                     "Use ml_client.jobs.list(parent_job_name=run.name)."),
    "get_best_run_by_primary_metric": ("a v2 sweep has no best-run API in the SDK",
                                       "Find the best trial with mlflow.search_runs over the sweep's children."),
    "get_children_sorted_by_primary_metric": (
        "a v2 sweep has no sorted-children API",
        "Use mlflow.search_runs over the sweep's children, ordered by the metric."),
    "get_hyperparameters": (
        "a v2 sweep has no hyperparameters API",
        "Read each trial's parameters with MLflow or from ml_client.jobs.list(parent_job_name=...)."),
    "tag": ("v2 sets tags on the job entity", "Set job.tags and call ml_client.jobs.create_or_update(job)."),
    "set_tags": ("v2 sets tags on the job entity", "Set job.tags and call ml_client.jobs.create_or_update(job)."),
    "get_tags": ("v2 reads tags from the job entity", "Use ml_client.jobs.get(run.name).tags."),
    "add_properties": ("v2 has no run properties API", "Use job tags, or MLflow tags."),
    "get_properties": ("v2 reads properties from the job entity", "Use ml_client.jobs.get(run.name).properties."),
    "complete": ("a v2 job's status is set by the service", "Remove the call."),
    "fail": ("a v2 job's status is set by the service", "Raise an exception in the script instead."),
    "child_run": ("v2 has no child runs created from code", "Submit separate jobs, or use MLflow nested runs."),
    "get_environment": ("a v2 job names its environment", "Use ml_client.jobs.get(run.name).environment."),
}
for _log in ("log", "log_list", "log_row", "log_table", "log_image", "log_confusion_matrix", "log_accuracy_table",
             "log_predictions", "log_residuals"):
    NO_COUNTERPART[_log] = (f"run.{_log} has no v2 counterpart: " + _METRICS,
                            "Log with MLflow (mlflow.log_metric, mlflow.log_metrics, mlflow.log_artifact) "
                            "in the script.")


def run_api_report(method: str) -> Report | None:
    """The finding for a v1 run API the migrated file still uses (None: it maps or is unknown)."""
    found = NO_COUNTERPART.get(method)
    return Report(MANUAL_RUN_API, found[0], found[1]) if found else None


# -- compute ---------------------------------------------------------------------------------------------------
def compute_name(name: str) -> Snippet:
    """``ws.compute_targets["x"]``, ``ComputeTarget(ws, "x")``, ``AmlCompute(ws, "x")``,
    ``ComputeTarget(workspace=ws, name=x)`` -> the name itself (``compute=`` takes a name);
    ``name`` is the name's code."""
    return Snippet(name)


def compute_target_name(args: Sequence[str], kwargs: Mapping[str, str] | None = None) -> Snippet:
    """``ComputeTarget(ws, name)`` / ``AmlCompute(ws, name)`` -> the name's code."""
    return compute_name(bind("ComputeTarget", args, kwargs or {})["name"])


_TIERS = {"dedicated": "dedicated", "lowpriority": "low_priority"}


def provisioning(client: str, create_args: Sequence[str], create_kwargs: Mapping[str, str],
                 config_args: Sequence[str], config_kwargs: Mapping[str, str]) -> Snippet:
    """``ComputeTarget.create(ws, name, AmlCompute.provisioning_configuration(...))`` ->
    ``client.compute.begin_create_or_update(AmlCompute(...))``. v1's defaults differ from v2's
    (idle 1800 s vs 120 s; v2 max 4 nodes) and are written; ``vm_priority="lowpriority"`` is
    ``tier="low_priority"`` (v2 takes and mangles the v1 word, V41)."""
    create = bind("ComputeTarget.create", create_args, create_kwargs)
    config = bind("AmlCompute.provisioning_configuration", config_args, config_kwargs)
    reports = []
    parts = [f"name={create['name']}"]
    if "vm_size" in config:
        parts.append(f"size={config['vm_size']}")
    priority = config.get("vm_priority", '"dedicated"')
    word = priority.strip("'\"")
    if priority[:1] in "'\"" and word in _TIERS:
        parts.append(f'tier="{_TIERS[word]}"')
    else:
        parts.append(f"tier={{'lowpriority': 'low_priority'}}.get({priority}, {priority})")
    parts.append(f"min_instances={config.get('min_nodes', '0')}")
    if "max_nodes" in config and config["max_nodes"] != "None":
        parts.append(f"max_instances={config['max_nodes']}")
    else:
        reports.append(Report(UNVERIFIED, "provisioning without max_nodes: v1 left it to the service, v2's "
                                          "default is 4 nodes", "Write max_instances."))
    parts.append(f"idle_time_before_scale_down={config.get('idle_seconds_before_scaledown', '1800')}")
    rest = sorted(p for p in config if p not in ("vm_size", "vm_priority", "min_nodes", "max_nodes",
                                                  "idle_seconds_before_scaledown"))
    if rest:
        reports.append(Report("EM505", f"provisioning_configuration({', '.join(rest)}) is not translated",
                              "Set the matching AmlCompute fields (ssh_settings, network_settings, identity, ...) "
                              "by hand."))
    return Snippet(f"{client}.compute.begin_create_or_update(AmlCompute({', '.join(parts)}))",
                   (("azure.ai.ml.entities", "AmlCompute"),), tuple(reports))
