# A script_params dict literal names a key twice (a later entry meant to override an earlier one).
# Python keeps one entry, at the first key's position, with the last value; the estimator
# flattened that. The rewrite flattens the literal as written: the flag twice, both values.
# cause: diff:arguments
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                script_params={"--lr": 0.1, "--epochs": 5, "--lr": 0.01})
run = Experiment(ws, "duplicate").submit(est)
