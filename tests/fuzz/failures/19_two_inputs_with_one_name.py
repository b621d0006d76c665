# Two arguments consume the same dataset under one input name, once mounted and once downloaded.
# The estimator registered both in `run_config.data`, the later replacing the earlier (download);
# ScriptRunConfig registers them at submit and keeps the first (mount). The run's input changes
# mode. Rare, but silent.
# cause: diff:data
from azureml.core import Workspace, Experiment, Dataset
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
mnist = Dataset.get_by_name(ws, "mnist")
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                script_params={"--train": mnist.as_named_input("mnist").as_mount(),
                               "--test": mnist.as_named_input("mnist").as_download()})
run = Experiment(ws, "same-name").submit(est)
