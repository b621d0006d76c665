"""Record what ``MLClient.jobs.create_or_update`` would send, offline (spec v2 §11.2).

The real ``MLClient`` and the real ``create_or_update`` code path run: validation, defaults
(experiment name, ``AZUREML_COMPUTE_USE_COMMON_RUNTIME`` for local runs), asset resolution and
the REST conversion. Only the points that would talk to the service are replaced, and sockets
and DNS are blocked for the whole time, so a missed service call fails loudly instead of
reaching the network.

What one submission records (:class:`Submission`):

* ``body``: the exact wire JSON of the job PUT (``SdkJSONEncoder``, read-only fields dropped);
* ``environments``: every environment asset the submit would create (anonymous or named), with
  its REST body (image, conda YAML, build context);
* ``code``: every code folder it would upload, with a sha256 per file (honouring v2's own
  ``.amlignore``/``.gitignore`` handling);
* ``components``: the anonymous components a pipeline registers, with their REST bodies;
* ``uploads``: local data paths that inputs would upload.

The patch targets are private names of azure-ai-ml 1.35.2 (spec V47). :func:`check_patch_targets`
fails loudly when one disappears.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import azure.ai.ml
from azure.ai.ml import MLClient
from azure.ai.ml._artifacts import _artifact_utilities
from azure.ai.ml._restclient.arm_ml_service._utils.model_base import SdkJSONEncoder
from azure.ai.ml._utils._asset_utils import get_upload_files_from_folder
from azure.ai.ml.operations import _job_operations
from azure.ai.ml.operations._component_operations import ComponentOperations
from azure.ai.ml.operations._job_operations import JobOperations
from azure.ai.ml.operations._operation_orchestrator import OperationOrchestrator

PINNED_VERSION = "1.35.2"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RESOURCE_GROUP = "rg"
WORKSPACE = "stand-in-workspace"  # the v1 harness's StandInWorkspace name
_SCOPE = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}"
          f"/providers/Microsoft.MachineLearningServices/workspaces/{WORKSPACE}")


class NetworkBlocked(RuntimeError):
    """A code path tried to open a connection while recording: a service call the recorder does
    not stand in for."""


class OfflineCredential:
    """A credential that never has a token: anything that needs one is a missed service call."""

    def get_token(self, *scopes, **kwargs):
        raise NetworkBlocked(f"a token was requested for {scopes}: this code path talks to the service")

    def close(self):
        pass


@dataclasses.dataclass
class Submission:
    """One ``create_or_update`` call, as it would have gone to the service."""

    body: dict[str, Any]
    kwargs: dict[str, Any]
    environments: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    code: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    components: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    uploads: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def properties(self) -> dict[str, Any]:
        return self.body["properties"]

    @property
    def job_type(self) -> str:
        return self.properties["jobType"]

    def environment(self, arm_id: str | None) -> dict[str, Any] | None:
        """The recorded environment asset an ``environmentId`` points at (None: a reference)."""
        for env in self.environments:
            if env["id"] == arm_id:
                return env
        return None

    def code_asset(self, arm_id: str | None) -> dict[str, Any] | None:
        for code in self.code:
            if code["id"] == arm_id:
                return code
        return None

    def component(self, arm_id: str | None) -> dict[str, Any] | None:
        for component in self.components:
            if component["id"] == arm_id:
                return component
        return None


class Recorder:
    """Every submission made while :func:`offline_v2` is active, in order."""

    def __init__(self):
        self.submissions: list[Submission] = []
        self._assets: dict[str, list] | None = None
        # Code assets by ARM id across submissions: create_or_update writes the ARM id into the job
        # object it is given (V20), so a node built from it later (``job(lr=Choice(...))``) names
        # the asset an earlier submission uploaded (the service keeps it).
        self.code_assets: dict[str, dict[str, Any]] = {}

    def _asset_list(self, kind: str) -> list:
        if self._assets is None:  # an asset created outside create_or_update (not expected)
            raise AssertionError(f"a {kind} asset was created outside jobs.create_or_update")
        return self._assets[kind]


def _arm(kind: str, name: str, version: str | None = None) -> str:
    arm = f"{_SCOPE}/{kind}/{name}"
    return f"{arm}/versions/{version}" if version is not None else arm


def _digest_files(root: Path, ignore_file) -> dict[str, str]:
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    files = {}
    for absolute, relative in get_upload_files_from_folder(root, ignore_file=ignore_file):
        files[relative] = hashlib.sha256(Path(absolute).read_bytes()).hexdigest()
    return dict(sorted(files.items()))


def _wire(model) -> dict[str, Any]:
    return json.loads(json.dumps(model, cls=SdkJSONEncoder, exclude_readonly=True))


PATCH_TARGETS = [
    (OperationOrchestrator, "_get_code_asset_arm_id"),
    (OperationOrchestrator, "_get_environment_arm_id"),
    (OperationOrchestrator, "_get_data_arm_id"),
    (OperationOrchestrator, "_get_model_arm_id"),
    (OperationOrchestrator, "_resolve_name_version_from_name_label"),
    (ComponentOperations, "_create_or_update_component_version"),
    (ComponentOperations, "_get_client_key"),
    (JobOperations, "create_or_update"),
    (JobOperations, "_create_or_update_with_different_version_api"),
    (JobOperations, "_try_get_compute_arm_id"),
    (JobOperations, "_set_headers_with_user_aml_token"),
    (JobOperations, "stream"),
    (JobOperations, "get"),
    (JobOperations, "download"),
    (JobOperations, "begin_cancel"),
    (_job_operations, "get_git_properties"),
    (_job_operations, "_upload_and_generate_remote_uri"),
    (_artifact_utilities, "_upload_and_generate_remote_uri"),
]


def check_patch_targets() -> None:
    """Fail loudly when the installed azure-ai-ml is not the one the recorder was written for."""
    if azure.ai.ml.__version__ != PINNED_VERSION:
        raise AssertionError(f"the v2 recorder is written for azure-ai-ml {PINNED_VERSION}, "
                             f"found {azure.ai.ml.__version__}: re-check its patch targets (spec V47)")
    missing = [f"{getattr(owner, '__name__', owner)}.{name}" for owner, name in PATCH_TARGETS
               if not hasattr(owner, name)]
    if missing:
        raise AssertionError(f"azure-ai-ml patch targets are gone: {', '.join(missing)}")


@contextlib.contextmanager
def blocked_network() -> Iterator[None]:
    """No connection, no DNS: every socket entry point raises :class:`NetworkBlocked`."""
    def refuse(*args, **kwargs):
        raise NetworkBlocked(f"network access attempted while recording: {args[:2]!r}")

    saved = [(socket.socket, "connect"), (socket.socket, "connect_ex"), (socket, "create_connection"),
             (socket, "getaddrinfo"), (socket, "gethostbyname")]
    originals = [(owner, name, getattr(owner, name)) for owner, name in saved]
    for owner, name in saved:
        setattr(owner, name, refuse)
    try:
        yield
    finally:
        for owner, name, value in originals:
            setattr(owner, name, value)


@contextlib.contextmanager
def offline_v2(recorder: Recorder | None = None) -> Iterator[Recorder]:
    """Patch the service-bound points of azure-ai-ml; every ``create_or_update`` is recorded."""
    check_patch_targets()
    recorder = recorder if recorder is not None else Recorder()
    saved = []

    def patch(owner, name, value):
        saved.append((owner, name, owner.__dict__[name] if name in vars(owner) else getattr(owner, name)))
        setattr(owner, name, value)

    real_create_or_update = JobOperations.create_or_update

    def create_or_update(self, job, **kwargs):
        # One frame per submission: assets created during it belong to it.
        recorder._assets = {"environments": [], "code": [], "components": [], "uploads": [], "body": []}
        try:
            result = real_create_or_update(self, job, **kwargs)
            assets = recorder._assets
            for code in assets["code"]:
                recorder.code_assets.setdefault(code["id"], code)
            body_props = assets["body"][-1].get("properties") or {} if assets["body"] else {}
            for code_id in (body_props.get("codeId"), (body_props.get("trial") or {}).get("codeId")):
                if code_id in recorder.code_assets and all(c["id"] != code_id for c in assets["code"]):
                    assets["code"].append({**recorder.code_assets[code_id], "earlier": True})
            recorder.submissions.append(Submission(
                body=assets["body"][-1], kwargs={k: v for k, v in kwargs.items()},
                environments=assets["environments"], code=assets["code"],
                components=assets["components"], uploads=assets["uploads"]))
            return result
        finally:
            recorder._assets = None

    def send(self, rest_job_resource, strip_none_body=False, **kwargs):
        recorder._asset_list("body").append(_wire(rest_job_resource))
        return rest_job_resource  # what the service would echo back, enough to build the returned Job

    def code_arm_id(self, code_asset, register_asset=True):
        info = _artifact_utilities._get_snapshot_path_info(code_asset)
        if info is None:
            raise AssertionError(f"code is not a local path: {code_asset.path!r}")
        path, ignore_file, content_hash = info
        files = _digest_files(Path(path), ignore_file)
        arm_id = _arm("codes", f"code-{content_hash[:16]}", "1")
        codes = recorder._asset_list("code")
        if all(c["id"] != arm_id for c in codes):
            codes.append({"id": arm_id, "path": str(path), "files": files, "hash": content_hash})
        return arm_id

    def environment_arm_id(self, environment, register_asset=True):
        if environment.id:
            return environment.id
        environment.validate()  # what EnvironmentOperations.create_or_update checks first
        rest = _wire(environment._to_rest_object())
        version = environment.version or "<next>"  # a named env without version: the service numbers it
        arm_id = _arm("environments", environment.name, version)
        envs = recorder._asset_list("environments")
        if all(e["id"] != arm_id for e in envs):
            envs.append({"id": arm_id, "name": environment.name, "version": version,
                         "anonymous": bool(getattr(environment, "_is_anonymous", False)), "rest": rest})
        return arm_id

    def data_arm_id(self, data_asset, register_asset=True):
        return _arm("data", data_asset.name, data_asset.version or "<next>")

    def model_arm_id(self, model, register_asset=True):
        return _arm("models", model.name, model.version or "<next>")

    def name_label(self, aml_id, azureml_type):
        # name@label needs the service to resolve; keep the label visible as the version.
        name, _, label = str(aml_id).rpartition("@")
        if not name or not label:
            return aml_id, None
        return name.split(":", 1)[-1] if name.startswith("azureml:") else name, f"@{label}"

    def component_version(self, component, name, version, rest_component_resource):
        rest = _wire(rest_component_resource)
        arm_id = _arm("components", name, version)
        components = recorder._asset_list("components")
        if all(c["id"] != arm_id for c in components):
            components.append({"id": arm_id, "name": name, "version": version, "rest": rest})
        rest_component_resource.id = arm_id
        rest_component_resource.name = version
        return rest_component_resource

    def upload(*args, **kwargs):
        path = kwargs.get("path", args[2] if len(args) > 2 else None)
        path = Path(path)
        files = _digest_files(path, _artifact_utilities.get_ignore_file(path if path.is_dir() else path.parent))
        digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
        uri = f"azureml://datastores/workspaceblobstore/paths/LocalUpload/{digest}/{path.name}"
        recorder._asset_list("uploads").append({"path": str(path), "files": files, "uri": uri})
        return uri

    def compute_arm_id(self, compute):
        if compute is None or str(compute) in ("local", "serverless") or str(compute).startswith("${{"):
            return compute
        name = compute if isinstance(compute, str) else compute.name
        return _arm("computes", name.split("/")[-1])

    def no_service(what):
        def stub(self, *args, **kwargs):
            return None
        stub.__name__ = what
        return stub

    def get_job(self, name, *args, **kwargs):
        raise NetworkBlocked(f"jobs.get({name!r}) needs the service; the recorder does not fetch jobs")

    patch(JobOperations, "create_or_update", create_or_update)
    patch(JobOperations, "_create_or_update_with_different_version_api", send)
    patch(JobOperations, "_try_get_compute_arm_id", compute_arm_id)
    patch(JobOperations, "_set_headers_with_user_aml_token", no_service("headers"))
    patch(JobOperations, "stream", no_service("stream"))
    patch(JobOperations, "download", no_service("download"))
    patch(JobOperations, "begin_cancel", no_service("begin_cancel"))
    patch(JobOperations, "get", get_job)
    patch(OperationOrchestrator, "_get_code_asset_arm_id", code_arm_id)
    patch(OperationOrchestrator, "_get_environment_arm_id", environment_arm_id)
    patch(OperationOrchestrator, "_get_data_arm_id", data_arm_id)
    patch(OperationOrchestrator, "_get_model_arm_id", model_arm_id)
    patch(OperationOrchestrator, "_resolve_name_version_from_name_label", name_label)
    patch(ComponentOperations, "_create_or_update_component_version", component_version)
    patch(ComponentOperations, "_get_client_key", lambda self: f"workspace/{WORKSPACE}")
    # Git properties of the caller's checkout would make bodies machine-dependent.
    patch(_job_operations, "get_git_properties", lambda: {})
    patch(_job_operations, "_upload_and_generate_remote_uri", upload)
    patch(_artifact_utilities, "_upload_and_generate_remote_uri", upload)
    try:
        with blocked_network():
            yield recorder
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


def offline_client() -> MLClient:
    """A real MLClient bound to the stand-in workspace (construction makes no call)."""
    return MLClient(OfflineCredential(), SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE)


def record(job, **create_kwargs) -> Submission:
    """What ``MLClient.jobs.create_or_update(job, **create_kwargs)`` would send, plus its side assets.

    ``job`` may be a ``command()`` node, a sweep node, a ``PipelineJob`` or any Job. Note that,
    like the real call, this mutates ``job`` (spec V20).
    """
    with offline_v2() as recorder:
        offline_client().jobs.create_or_update(job, **create_kwargs)
    (submission,) = recorder.submissions
    return submission


def config_json(directory: str) -> str:
    """Write the ``config.json`` that ``MLClient.from_config`` reads; returns its path."""
    path = os.path.join(directory, "config.json")
    with open(path, "w") as f:
        json.dump({"subscription_id": SUBSCRIPTION, "resource_group": RESOURCE_GROUP,
                   "workspace_name": WORKSPACE}, f)
    return path
