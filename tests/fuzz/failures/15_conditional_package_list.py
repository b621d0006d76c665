# A package list written as a conditional expression. On main 85b8383 the rewrite did not parse
# (EM902). Since branch `sound` the list is passed through as the very object, but spliced
# without parentheses: `[...] if flag else [].insert(0, "azureml-defaults")` inserts into the
# `[]` only, and the set_pip_requirements call evaluates the expression again: azureml-defaults
# is missing when the flag is true. Silent.
# cause: diff:environment.python.condaDependencies
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
use_gpu = True
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                pip_packages=["torch"] if use_gpu else [])
run = Experiment(ws, "conditional").submit(est)
