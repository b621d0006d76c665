"""estimator_migrate.v2.resources: distributed and docker settings of a ScriptRunConfig, written as
command() keywords, submit the same node count, distribution and shared memory (harness canonical
form), for literal and run-time values; what v2 cannot express is reported as the harness does."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from v2blocks_support import examples, inside, make_workdir, need, record, v2_namespace

from estimator_migrate.v2 import environment, resources

counts = st.integers(1, 6)


@st.composite
def configs(draw):
    name = draw(st.sampled_from(["MpiConfiguration", "PyTorchConfiguration", "TensorflowConfiguration"]))
    params = resources.V1_SIGNATURES[name]
    values = {"process_count_per_node": draw(counts), "node_count": draw(counts),
              "communication_backend": draw(st.sampled_from(["Nccl", "Gloo"])),
              "process_count": draw(st.none() | st.integers(1, 12)), "worker_count": draw(counts),
              "parameter_server_count": draw(st.integers(0, 3))}
    given_ = [p for p in params if draw(st.integers(0, 3))]  # mostly given
    positional = draw(st.booleans())
    variables = frozenset(p for p in given_ if draw(st.booleans()))  # known only at run time
    return name, {p: values[p] for p in given_}, positional, variables


@pytest.mark.sdk
@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(), st.sampled_from([None, "8g"]), st.sampled_from([None, ["--ipc=host"]]))
@example(("PyTorchConfiguration", {"process_count": 8, "node_count": 2}, False, frozenset()), None, None)
@example(("PyTorchConfiguration", {"process_count": 5, "node_count": 2}, False, frozenset()), "8g", None)
@example(("PyTorchConfiguration", {"process_count": 6, "node_count": 3}, False, frozenset({"node_count"})), None, None)
@example(("TensorflowConfiguration", {"worker_count": 4, "parameter_server_count": 2}, True, frozenset()), None, None)
@example(("MpiConfiguration", {"process_count_per_node": 2, "node_count": 3}, False,
          frozenset({"process_count_per_node", "node_count"})), None, ["--ipc=host"])
def test_distribution_and_docker(tmp_path_factory, config, shm, docker_args):
    need("azureml.core")
    canonical = need("equivalence.v2.canonical")
    compare = need("equivalence.v2.compare")
    from azureml.core import ScriptRunConfig, runconfig

    name, values, positional, variables = config
    params = resources.V1_SIGNATURES[name]
    namespace = v2_namespace()
    import azure.ai.ml
    namespace.update(PyTorchDistribution=azure.ai.ml.PyTorchDistribution,
                     TensorFlowDistribution=azure.ai.ml.TensorFlowDistribution)
    codes = {}
    for p, v in values.items():
        if p in variables:
            namespace[p] = v
            codes[p] = p
        else:
            codes[p] = repr(v)
    if positional and values and list(values) == list(params[:len(values)]):
        args, kwargs = [codes[p] for p in values], {}
    else:
        args, kwargs = [], codes
    keywords, imports, reports = resources.distributed_job_config(name, args, kwargs)
    docker = {k: v for k, v in (("shm_size", shm), ("arguments", docker_args)) if v is not None}
    docker_keywords, _ = resources.docker_runtime_config([], {k: repr(v) for k, v in docker.items()})
    workdir = make_workdir(tmp_path_factory.mktemp("dist"))
    env = environment.estimator_environment()
    with inside(workdir):
        src = ScriptRunConfig(source_directory="src", script="train.py", compute_target="gpu-cluster",
                              distributed_job_config=getattr(runconfig, name)(**values),
                              docker_runtime_config=runconfig.DockerConfiguration(use_docker=True, **docker))
        v1 = canonical.v1_canonical(src, base=str(workdir))
        job_kwargs = {k: eval(v, namespace) for k, v in {**keywords, **docker_keywords}.items()}
        job = namespace["command"](code="src", command="python train.py", compute="gpu-cluster", timeout=2592000,
                                   environment=eval(environment.environment_code(env.image, env.conda).code, namespace),
                                   **job_kwargs)
        v2 = canonical.v2_canonical(record(job), base=str(workdir))
    assert compare.compare(v1, v2) == []
    assert ("EM454" in [r.code for r in reports]) == (name == "PyTorchConfiguration")
    v10 = any("V10" in u for u in v1["unmappable"])
    assert v10 == any(r.code == "EM453" for r in reports) or bool(variables)


def test_keywords():
    assert resources.distributed_job_config("MpiConfiguration")[0] == \
        {"instance_count": "1", "distribution": "MpiDistribution(process_count_per_instance=1)"}
    assert resources.distributed_job_config("PyTorchConfiguration", [], {"process_count": "8", "node_count": "2"})[0][
        "distribution"] == "PyTorchDistribution(process_count_per_instance=4)"
    assert resources.distributed_job_config("PyTorchConfiguration", [], {"process_count": "n", "node_count": "k"})[0][
        "distribution"] == "PyTorchDistribution(process_count_per_instance=n // k if n else 1)"
    assert resources.distributed_job_config("TensorflowConfiguration", ["4", "2"])[0] == \
        {"instance_count": "4", "distribution": "TensorFlowDistribution(worker_count=4, parameter_server_count=2)"}
    assert resources.docker_runtime_config()[0] == {"shm_size": '"2g"'}
    assert [r.code for r in resources.docker_runtime_config([], {"shared_volumes": "False"}, local=True)[1]] == \
        ["EM502", "EM505"]
