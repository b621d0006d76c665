# Issue 13's third example: parameters given explicitly as None (their default) are passed on to
# ScriptRunConfig, which has no such parameters: TypeError. Seen for `environment_definition`,
# `inputs` and `source_directory_data_store`.
# cause: migrated-crashes:TypeError
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                environment_definition=None, inputs=None, source_directory_data_store=None)
run = Experiment(ws, "none").submit(est)
