# Two estimators share a script_params dict holding a raw Dataset. Both are rightly left unchanged,
# but the EM301 finding stands on the dict's line rather than on either call, and the second
# estimator's identical finding is merged into the first: the second estimator gets no finding
# of its own (a lint miss, not a wrong rewrite).
# cause: unreported-estimator
from azureml.core import Workspace, Experiment, Dataset
from azureml.train.dnn import TensorFlow

ws = Workspace.from_config()
dataset = Dataset.get_by_name(ws, "mnist")
script_params = {"--data-folder": dataset, "--epochs": 10}
first = TensorFlow(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                   script_params=script_params, pip_packages=["pandas"])
second = TensorFlow(source_directory="src", entry_script="train.py", compute_target="gpu-cluster",
                    script_params=script_params, pip_packages=["pandas"], use_gpu=True)
