# The dict is handed to a helper that adds to it; the rewrite uses the literal as first written.
# cause: diff:arguments
from azureml.core import Workspace, Experiment
from azureml.train.dnn import TensorFlow


def with_seed(options):
    options["--seed"] = 42


ws = Workspace.from_config()
script_params = {"--batch-size": 64}
with_seed(script_params)
est = TensorFlow(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                 script_params=script_params, pip_packages=["pandas"])
run = Experiment(ws, "helper").submit(est)
