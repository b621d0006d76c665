# The `ParameterServer` object is changed by a helper it is passed to, and `Mpi` by a function
# that works on the global: the estimator used the changed counts, the rewrite the constructor's.
# cause: diff:tensorflow.workerCount
from azureml.core import Workspace, Experiment
from azureml.train.dnn import TensorFlow, ParameterServer, Mpi


def scale_out(config, workers):
    config.worker_count = workers


def more_processes():
    mpi.process_count_per_node = 3


ws = Workspace.from_config()
cluster = ws.compute_targets["gpu-cluster"]
ps = ParameterServer()
scale_out(ps, 4)
tf_est = TensorFlow(source_directory="src", entry_script="train.py", compute_target=cluster,
                    distributed_training=ps, pip_packages=["pandas"])
mpi = Mpi()
more_processes()
tf_est2 = TensorFlow(source_directory="src", entry_script="train.py", compute_target=cluster,
                     distributed_training=mpi, pip_packages=["pandas"])
