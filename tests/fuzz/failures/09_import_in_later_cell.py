# Issue 13's second example, as a notebook: `Environment` and `ScriptRunConfig` are imported only
# in a cell after the estimator cell; the rewritten estimator cell uses them without an import of
# its own and raises NameError.
# cause: migrated-crashes:NameError
from azureml.core import Workspace, Experiment
from azureml.train.dnn import TensorFlow

ws = Workspace.from_config()
# %%
est = TensorFlow(source_directory="src", entry_script="train.py", compute_target="cpu-cluster",
                 pip_packages=["pandas"])
run = Experiment(ws, "cells").submit(est)
# %% [markdown]
# Later: the new API
# %%
from azureml.core import Environment, ScriptRunConfig
