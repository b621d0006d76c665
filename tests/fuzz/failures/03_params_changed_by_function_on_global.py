# A function called between the assignment and the estimator changes the module-level dict
# (and another rebinds it with `global`); neither change reaches the rewritten arguments.
# cause: diff:arguments
from azureml.core import Workspace, Experiment
from azureml.train.dnn import PyTorch


def debug_mode():
    params["--debug"] = ""


def fresh_params():
    global params
    params = dict(params, **{"--epochs": 1})


ws = Workspace.from_config()
params = {"--lr": 0.01}
debug_mode()
fresh_params()
est = PyTorch(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
              script_params=params, pip_packages=["pandas"])
run = Experiment(ws, "global").submit(est)
