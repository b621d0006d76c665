# The package list gets a package through a second name before the estimator reads it; the
# rewrite lists the packages of the literal it followed, without `numpy`.
# cause: diff:environment.python.condaDependencies
from azureml.core import Workspace, Experiment
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
pip_packages = ["pandas"]
packages = pip_packages
packages.append("numpy")
est = Estimator(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                pip_packages=pip_packages)
run = Experiment(ws, "alias").submit(est)
