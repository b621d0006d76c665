# Spec T8, second half: the estimator keeps the caller's list object as its pip requirements, so
# a package appended after the construction (before the submit) was installed too. The rewrite
# copies the list into the environment, and the later append no longer reaches the run.
# cause: diff:environment.python.condaDependencies
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
packages = ["pandas"]
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                pip_packages=packages)
packages.append("scikit-learn")
run = Experiment(ws, "late").submit(est)
