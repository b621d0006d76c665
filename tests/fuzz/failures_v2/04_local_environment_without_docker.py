# cause: unreported-unmappable:local-run-without-docker
# An estimator on compute_target="local" whose `environment_definition` is an Environment built
# in the file: a new Environment has Docker off, so v1 ran the script in the caller's Python.
# The v2 target writes compute="local" (v2 local jobs always run in Docker) without EM502; the
# check looks at the estimator's `use_docker` only. (Owner: rules/estimator/render_v2.py.)
from azureml.core import Environment, Experiment, Workspace
from azureml.train.estimator import Estimator

ws = Workspace.from_config()
exp = Experiment(ws, "fuzz")
training_env = Environment("training_env")
est = Estimator(source_directory="src", entry_script="train.py", compute_target="local",
                environment_definition=training_env)
run = exp.submit(est)
