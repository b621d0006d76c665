# Spec T8: an estimator inserts `azureml-defaults` and its framework's packages into the caller's
# `pip_packages` list. A second estimator given the same list got those too (here PyTorch also
# installed TensorFlow); each rewrite lists only the literal, so the second environment differs.
# cause: diff:environment.python.condaDependencies
from azureml.core import Workspace, Experiment
from azureml.train.dnn import TensorFlow, PyTorch

ws = Workspace.from_config()
cluster = ws.compute_targets["gpu-cluster"]
packages = ["pandas"]
tf_est = TensorFlow(source_directory="src", entry_script="train.py", compute_target=cluster,
                    pip_packages=packages)
pt_est = PyTorch(source_directory="src", entry_script="train.py", compute_target=cluster,
                 pip_packages=packages)
