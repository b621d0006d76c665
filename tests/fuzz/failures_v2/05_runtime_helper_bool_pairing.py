# cause: migrated-crashes:AttributeError:'bool' object has no attribute 'lstrip'
# Run-time script_params (changed by `.pop`) with a bare flag first and a boolean value, swept by
# HyperDrive: the run-time helper script_params_command pairs the flattened arguments two by two
# and calls `.lstrip` on each key; the bare flag shifts the pairing so a value (False) is a key,
# and the migrated program raises where the original submitted. (Owner: estimator_migrate/v2/
# helpers.py, the `tuned` branch of script_params_command; found after merging main.)
import argparse

from azureml.core import Experiment, Workspace
from azureml.train.estimator import Estimator
from azureml.train.hyperdrive import HyperDriveConfig, PrimaryMetricGoal, RandomParameterSampling, uniform

ws = Workspace.from_config()
exp = Experiment(ws, "fuzz")
args = argparse.Namespace(epochs=3)
script_params = {"mode": "", "--data-folder": False, "--batch-size": "6", "--fast": args.epochs}
script_params.pop("--batch-size", None)
est = Estimator(source_directory="src", entry_script="train.py", script_params=script_params,
                compute_target="cpu-cluster")
hd = HyperDriveConfig(estimator=est, hyperparameter_sampling=RandomParameterSampling({"--lr": uniform(0.01, 0.1)}),
                      primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                      max_total_runs=4)
run = exp.submit(hd)
