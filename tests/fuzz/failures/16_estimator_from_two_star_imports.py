# `TensorFlow` comes from the second of two star imports: the tool cannot tell which module bound
# it and says nothing at all. Not a wrong rewrite, but a lint miss: the estimator stays deprecated
# without a finding (expected: migrated, since both modules are SDK modules, or reported).
# cause: unreported-estimator
from azureml.core import Workspace, Experiment
from azureml.train.dnn import *
from azureml.train.hyperdrive import *

ws = Workspace.from_config()
est = TensorFlow(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                 pip_packages=["pandas"])
run = Experiment(ws, "stars").submit(est)
