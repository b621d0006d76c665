# cause: migrated-crashes:AttributeError:'SweepJob' object has no attribute 'environment_variables'
# A HyperDriveConfig over an estimator on compute_target="local" becomes a sweep with
# compute="local"; azure-ai-ml 1.35.2's create_or_update adds AZUREML_COMPUTE_USE_COMMON_RUNTIME
# to job.environment_variables for local jobs, which a SweepJob does not have, so the migrated
# program raises at the submit. (Owner: rules/estimator/sweep_v2.py; the v2 target should leave
# a local sweep as it is and report it.)
from azureml.core import Experiment, Workspace
from azureml.train.estimator import Estimator
from azureml.train.hyperdrive import HyperDriveConfig, PrimaryMetricGoal, RandomParameterSampling, uniform

ws = Workspace.from_config()
exp = Experiment(ws, "fuzz")
est = Estimator(source_directory="src", entry_script="train.py", compute_target="local")
hd = HyperDriveConfig(estimator=est, hyperparameter_sampling=RandomParameterSampling({"--lr": uniform(0.01, 0.1)}),
                      primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                      max_total_runs=4)
run = exp.submit(hd)
