# HyperDrive read the estimator's arguments two by two; the bare flag `--fast` shifted the pairing
# so that the number 10 stood where a flag was expected, and `str.lstrip` on it failed: the
# original HyperDrive run failed at submit. On main 85b8383 the rewrite made it run, silently;
# since branch `runtime` HyperDrive's reading is done at run time by `without_tuned_arguments`,
# which raises the same error, but when the ScriptRunConfig is built, not at the submit.
# cause: migrated-crashes:AttributeError
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator
from azureml.train.hyperdrive import HyperDriveConfig, RandomParameterSampling, PrimaryMetricGoal, uniform

ws = Workspace.from_config()
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                script_params={"--fast": "", "--epochs": 10, "--lr": 0.01})
hd = HyperDriveConfig(estimator=est, hyperparameter_sampling=RandomParameterSampling({"--lr": uniform(0.001, 0.1)}),
                      primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                      max_total_runs=4)
run = Experiment(ws, "pairing").submit(hd)
