# A second name for the script_params dict adds a flag before the estimator reads it: the estimator
# flattened the dict with `--epochs 5`; the rewrite flattens the literal it followed and drops it.
# cause: diff:arguments
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
params = {"--lr": 0.1}
same = params
same["--epochs"] = 5
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                script_params=params)
run = Experiment(ws, "alias").submit(est)
