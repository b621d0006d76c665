# `node_count=2` needs a cluster object (spec §2.1): with a compute target given by name the SDK
# raised, so this code never ran. The tool rewrites it into a ScriptRunConfig that runs.
# cause: never-ran-now-runs
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator, Mpi

ws = Workspace.from_config()
est = Estimator(source_directory="src", entry_script="train.py", compute_target="gpu-cluster",
                node_count=2, distributed_training=Mpi())
run = Experiment(ws, "never").submit(est)
