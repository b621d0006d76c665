# A package list written as a conditional expression: the rewrite the tool builds does not parse,
# so the whole file is refused with EM902 (safe: nothing is written, but no estimator in the file
# is migrated or reported properly). Expected: the list passed through, or EM309 for this call.
# cause: internal-error
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
use_gpu = True
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                pip_packages=["torch"] if use_gpu else [])
run = Experiment(ws, "conditional").submit(est)
