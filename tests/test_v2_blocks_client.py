"""estimator_migrate.v2.client: the MLClient code written for Workspace / Experiment / Run /
compute calls runs with the real azure-ai-ml and azure-identity offline and means what the v1 call
meant; the v1 signatures the table binds against are the real ones; the run APIs reported as
having no counterpart exist in v1, and the v2 APIs the hints name exist in v2. One program made
only of blocks (client, command, environment) is compared end to end with its v1 original by the
harness."""

import inspect
import json

import pytest
from v2blocks_support import inside, make_workdir, need

from estimator_migrate.v2 import client, command, environment


def _v2():
    need("azure.ai.ml")
    need("azure.identity")
    import azure.identity
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import AmlCompute

    namespace = {name: getattr(azure.identity, name) for name in dir(azure.identity) if name.endswith("Credential")}
    namespace.update(MLClient=MLClient, AmlCompute=AmlCompute)
    return namespace


def test_code_text():
    assert client.workspace_from_config().code == "MLClient.from_config(credential=DefaultAzureCredential())"
    assert client.workspace_from_config(["'cfg/config.json'"]).code == \
        "MLClient.from_config(credential=DefaultAzureCredential(), path='cfg/config.json')"
    snippet = client.workspace_from_config([], {"auth": "sp"}, auth_call=(
        "ServicePrincipalAuthentication", ["tenant", "app"], {"service_principal_password": "secret"}))
    assert snippet.code == ("MLClient.from_config(credential=ClientSecretCredential(tenant_id=tenant, client_id=app, "
                            "client_secret=secret))")
    assert ("azure.identity", "ClientSecretCredential") in snippet.imports
    assert client.workspace_from_config([], {"auth": "auth"}).reports[0].code == "EM512"
    assert client.workspace(["sub", "rg", "'ws'"]).code == \
        ("MLClient(credential=DefaultAzureCredential(), subscription_id=sub, resource_group_name=rg, "
         "workspace_name='ws')")
    assert client.workspace_get(["'ws'"]).reports[0].code == "EM512"
    name = client.experiment_name(["ws", '"exp"'])
    assert client.submit("ml_client", name, ["est"], {"tags": "{'a': 1}"}).code == \
        "ml_client.jobs.create_or_update(est, experiment_name=\"exp\", tags={'a': 1})"
    assert client.wait_for_completion("ml_client", "run", [], {"show_output": "True"}).code == \
        "ml_client.jobs.stream(run.name)"
    assert client.wait_for_completion("ml_client", "run", [], {"raise_on_error": "False"}).reports
    assert client.run_call("ml_client", "run", "get_portal_url").code == "run.studio_url"
    assert client.run_call("ml_client", "run", "get_metrics") is None
    assert client.run_api_report("get_metrics").code == "EM511" and client.run_api_report("wait_for_completion") is None
    assert client.compute_target_name(["ws", '"gpu"']).code == '"gpu"'


@pytest.mark.sdk
def test_the_v1_signatures_are_the_sdks():
    need("azureml.core")
    from azureml.core import Experiment, Run, Workspace
    from azureml.core.authentication import (
        AzureCliAuthentication,
        InteractiveLoginAuthentication,
        MsiAuthentication,
        ServicePrincipalAuthentication,
    )
    from azureml.core.compute import AmlCompute, ComputeTarget

    real = {"Workspace.from_config": Workspace.from_config, "Workspace": Workspace.__init__,
            "Workspace.get": Workspace.get, "Experiment": Experiment.__init__, "Experiment.submit": Experiment.submit,
            "Run.wait_for_completion": Run.wait_for_completion,
            "InteractiveLoginAuthentication": InteractiveLoginAuthentication.__init__,
            "ServicePrincipalAuthentication": ServicePrincipalAuthentication.__init__,
            "MsiAuthentication": MsiAuthentication.__init__, "AzureCliAuthentication": AzureCliAuthentication.__init__,
            "ComputeTarget": ComputeTarget.__new__, "ComputeTarget.create": ComputeTarget.create,
            "AmlCompute.provisioning_configuration": AmlCompute.provisioning_configuration}
    for name, function in real.items():
        params = [p.name for p in inspect.signature(function).parameters.values()
                  if p.name not in ("self", "cls") and p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY)]
        assert tuple(params[:len(client.V1_SIGNATURES[name])]) == client.V1_SIGNATURES[name], name


@pytest.mark.sdk
def test_clients_and_credentials_are_built_offline(tmp_path):
    namespace = _v2()
    recorder = need("equivalence.v2.recorder")
    (tmp_path / "cfg").mkdir()
    recorder.config_json(str(tmp_path / "cfg"))
    with inside(tmp_path), recorder.blocked_network():
        for code in [client.workspace_from_config(["'cfg'"]).code,
                     client.workspace([f'"{recorder.SUBSCRIPTION}"', '"rg"', f'"{recorder.WORKSPACE}"']).code,
                     client.workspace_get([f'"{recorder.WORKSPACE}"'],
                                          {"subscription_id": f'"{recorder.SUBSCRIPTION}"',
                                           "resource_group": '"rg"'}).code]:
            ml_client = eval(code, namespace)
            assert (ml_client.subscription_id, ml_client.resource_group_name, ml_client.workspace_name) == \
                (recorder.SUBSCRIPTION, recorder.RESOURCE_GROUP, recorder.WORKSPACE)
        for auth in [("InteractiveLoginAuthentication", [], {"tenant_id": '"t"'}),
                     ("ServicePrincipalAuthentication", ['"t"', '"app"', '"secret"'], {}),
                     ("MsiAuthentication", [], {}), ("AzureCliAuthentication", [], {})]:
            eval(client.credential(auth).code, namespace)


@pytest.mark.sdk
def test_the_reported_run_apis_exist_in_v1_and_the_hints_in_v2():
    need("azureml.train.hyperdrive")
    _v2()
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import CommandJob
    from azure.ai.ml.operations import JobOperations
    from azureml.core import Run
    from azureml.train.hyperdrive import HyperDriveRun

    context_only = {"input_datasets"}  # set on the run object inside a v1 job
    for name in set(client.NO_COUNTERPART) - context_only:
        assert hasattr(Run, name) or hasattr(HyperDriveRun, name), name
    assert all(hasattr(JobOperations, m) for m in ("stream", "download", "list", "get", "begin_cancel"))
    assert "parent_job_name" in inspect.signature(JobOperations.list).parameters
    assert hasattr(MLClient, "models") or "models" in inspect.getsource(MLClient.__init__)
    job = CommandJob(command="python train.py")
    assert all(hasattr(job, a) for a in ("studio_url", "name", "status", "tags", "properties"))
    for method in client.RUN_MAPPINGS:
        assert hasattr(Run, method), method


@pytest.mark.sdk
def test_provisioning_writes_v1s_defaults():
    namespace = _v2()
    need("azureml.core")
    from azureml.core.compute import AmlCompute as V1Compute

    config_kwargs = {"vm_size": '"STANDARD_NC6"', "vm_priority": '"lowpriority"', "max_nodes": "4"}
    v1 = V1Compute.provisioning_configuration(**{k: eval(v) for k, v in config_kwargs.items()})
    created = []

    class Compute:
        def begin_create_or_update(self, compute):
            created.append(compute)

    namespace["ml_client"] = type("C", (), {"compute": Compute()})()
    snippet = client.provisioning("ml_client", ["ws", '"gpu"'], {}, [], config_kwargs)
    eval(snippet.code, namespace)
    (compute,) = created
    scale = v1.scale_settings
    assert (compute.name, compute.size, compute.min_instances, compute.max_instances,
            compute.idle_time_before_scale_down) == ("gpu", v1.vm_size, scale.minimum_node_count,
                                                     scale.maximum_node_count, scale.idle_seconds_before_scaledown)
    assert compute._to_rest_object().properties.properties.vm_priority == "LowPriority"
    assert client.provisioning("ml_client", ["ws", '"c"'], {}, [], {}).reports[0].code == "EM453"


V1_PROGRAM = """\
from azureml.core import Experiment, Workspace
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
cluster = ws.compute_targets["cpu-cluster"]
est = Estimator(source_directory="src", entry_script="train.py", compute_target=cluster,
                script_params={"--lr": 0.1, "--name": "first try", "--fast": ""}, pip_packages=["pandas"],
                max_run_duration_seconds=3600)
run = Experiment(ws, "blocks").submit(est, tags={"origin": "v1"})
run.wait_for_completion(show_output=True)
"""


@pytest.mark.sdk
def test_a_program_made_of_blocks_submits_what_v1_submitted(tmp_path):
    """The blocks compose: every line of the v2 program below is one block's output."""
    programs = need("equivalence.v2.programs")
    env = environment.estimator_environment(pip_packages=["pandas"])
    env_code = environment.environment_code(env.image, env.conda)
    built = command.build(["--lr", 0.1, "--name", "first try", "--fast"], script="train.py")
    imports = {f"from {m} import {n}" for m, n in client.workspace_from_config().imports + env_code.imports}
    submit = client.submit('ml_client', client.experiment_name(['ws', json.dumps('blocks')]), ['est'],
                           {'tags': repr({'origin': 'v1'})})
    v2 = "\n".join(sorted(imports) + [
        "from azure.ai.ml import command",
        f"ml_client = {client.workspace_from_config().code}",
        f"cluster = {client.compute_name(json.dumps('cpu-cluster')).code}",
        f"est_env = {env_code.code}",
        f"est = command(code='src', command={built.snippet.code}, environment=est_env, compute=cluster, timeout=3600)",
        f"run = {submit.code}",
        client.wait_for_completion("ml_client", "run", [], {"show_output": "True"}).code,
    ]) + "\n"
    problems, before, after = programs.compare_programs(V1_PROGRAM, v2, str(make_workdir(tmp_path)))
    assert not problems, problems + [v2]
    assert len(after.submissions) == 1 and after.submissions[0].kwargs["experiment_name"] == "blocks"
