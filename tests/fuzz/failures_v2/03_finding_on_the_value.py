# cause: never-ran-unreported
# The v2 target leaves the estimator unchanged and says so, but puts the finding on the line of
# the value that blocks it (the dictionary holding the raw Dataset, line 13), not on the
# estimator; the default target reports it on the estimator ("... (the value on line 13)").
# A reader of the estimator's line sees nothing. (Owner: rules/estimator/render_v2.py, which
# reports each blocker on `b.node or call`.)
from azureml.core import Dataset, Experiment, Workspace

ws = Workspace.from_config()
exp = Experiment(workspace=ws, name="fuzz")
dataset = Dataset.get_by_name(ws, "mnist")
params = {"--data-folder": dataset}


def make_estimator():
    from azureml.train.dnn import TensorFlow
    estimator = TensorFlow(source_directory="src", entry_script="train.py", script_params=params,
                           compute_target="cpu-cluster", framework_version=2.0)
    return estimator


run = exp.submit(make_estimator())
