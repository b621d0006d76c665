# cause: diff:search_space
# Two search keys that differ only by their dashes (`--learning-rate`, `learning-rate`) are one
# name in the v2 harness's canonical form (v2_search_name), so the v1 side loses one of them; the
# migration names the second `learning_rate_2`. A limitation of the comparison
# (tests/equivalence/v2/canonical.py), not a wrong rewrite as far as can be seen.
from azureml.core import Experiment, Workspace
from azureml.train.estimator import Estimator
from azureml.train.hyperdrive import HyperDriveConfig, PrimaryMetricGoal, RandomParameterSampling, uniform

ws = Workspace.from_config()
exp = Experiment(ws, "fuzz")
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster")
sampling = RandomParameterSampling({"--learning-rate": uniform(0.001, 0.1), "learning-rate": uniform(0.001, 0.1)})
hd = HyperDriveConfig(estimator=est, hyperparameter_sampling=sampling, primary_metric_name="accuracy",
                      primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=4)
run = exp.submit(hd)
