# Issue 13's first example: the configuration object is changed by attribute stores before the
# estimator reads it; the rewrite writes a fresh `TensorflowConfiguration()` / `MpiConfiguration()`
# and the worker count and process count are lost.
# cause: diff:tensorflow.workerCount
from azureml.core import Workspace, Experiment
from azureml.core.runconfig import MpiConfiguration, TensorflowConfiguration
from azureml.train.dnn import TensorFlow, PyTorch

ws = Workspace.from_config()
cluster = ws.compute_targets["gpu-cluster"]
dist = TensorflowConfiguration()
dist.worker_count = 2
tf_est = TensorFlow(source_directory="src", entry_script="train.py", compute_target=cluster,
                    distributed_training=dist, node_count=2, pip_packages=["pandas"])
mpi = MpiConfiguration()
mpi.process_count_per_node = 4
pt_est = PyTorch(source_directory="src", entry_script="train.py", compute_target=cluster,
                 distributed_training=mpi, node_count=2, pip_packages=["pandas"])
