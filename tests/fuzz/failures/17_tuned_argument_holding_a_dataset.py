# HyperDrive tunes `--data`, whose fixed value is a dataset. With `estimator=` HyperDrive removed the
# argument but the estimator had registered the dataset as the run's input `mnist` at construction,
# so the child runs still mounted it (scripts read it as `run.input_datasets["mnist"]`). The
# rewrite drops the dataset from `arguments` with the tuned flag, and with it the input.
# cause: diff:data
from azureml.core import Workspace, Experiment, Dataset
from azureml.train.dnn import TensorFlow
from azureml.train.hyperdrive import HyperDriveConfig, GridParameterSampling, PrimaryMetricGoal, choice

ws = Workspace.from_config()
mnist = Dataset.get_by_name(ws, "mnist")
est = TensorFlow(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                 script_params={"--data": mnist.as_named_input("mnist").as_mount(), "--epochs": 5},
                 pip_packages=["pandas"])
hd = HyperDriveConfig(estimator=est, hyperparameter_sampling=GridParameterSampling({"data": choice("a", "b")}),
                      primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                      max_total_runs=2)
run = Experiment(ws, "tuned-data").submit(hd)
