# `HyperDriveRunConfig` comes from a star import, after another star import: the tool cannot tell
# which module bound the name, so it leaves the call alone, but still rewrites the estimator it
# receives. The HyperDriveRunConfig then holds a ScriptRunConfig in its estimator slot, which
# fails at submit; nothing is reported.
# cause: diff:error
from azureml.core import Workspace, Experiment
from azureml.train.dnn import TensorFlow
from azureml.train.dnn import *
from azureml.train.hyperdrive import *

ws = Workspace.from_config()
est = TensorFlow(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                 script_params={"--lr": 0.1, "--epochs": 3}, pip_packages=["pandas"])
sampling = RandomParameterSampling({"--lr": uniform(0.001, 0.1)})
hd = HyperDriveRunConfig(est, sampling, "accuracy", PrimaryMetricGoal.MAXIMIZE, 8)
run = Experiment(ws, "star").submit(hd)
