# cause: migrated-crashes
# A HyperDriveConfig over an estimator whose script_params are only known at run time, where a
# list value shifts HyperDrive's two-by-two reading so that a number lands in a flag's place.
# v1 raised AttributeError only when the sweep was submitted; this program never submits it, so
# the original runs to the end. The v2 helper script_params_command does HyperDrive's reading
# where the command is built, and raises there. Owner: estimator_migrate/v2/helpers.py (the v1
# target's without_tuned_arguments keeps the arguments instead and reports it, EM103).
from azureml.core import Experiment, Workspace
from azureml.train.estimator import Estimator
from azureml.train.hyperdrive import HyperDriveConfig, PrimaryMetricGoal, RandomParameterSampling, choice

ws = Workspace.from_config()
exp = Experiment(ws, "fuzz")
common = {"--layers": ["a", "b"], "--momentum": 0.5, "--name": "run"}
params = {**common, "--seed": 1}
est = Estimator(source_directory="src", entry_script="train.py", script_params=params,
                compute_target=ws.compute_targets["cpu-cluster"])
sampling = RandomParameterSampling({"--epochs": choice(4, 8)})
hd = HyperDriveConfig(estimator=est, hyperparameter_sampling=sampling, primary_metric_name="accuracy",
                      primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=4)
