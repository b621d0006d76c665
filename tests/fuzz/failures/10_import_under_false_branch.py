# The names the rewrite needs are imported only under a branch that does not run (and in a
# function that is never called); the tool counts them as imported and adds no import.
# cause: migrated-crashes:NameError
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator

if False:
    from azureml.core import ScriptRunConfig


def show_api():
    from azureml.core.runconfig import DockerConfiguration
    return DockerConfiguration


ws = Workspace.from_config()
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster")
run = Experiment(ws, "branch").submit(est)
