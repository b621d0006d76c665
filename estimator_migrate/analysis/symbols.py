"""The SDK names the engine recognises, keyed by every import path people use (spec §1)."""

from __future__ import annotations


def _aliases(canonical: str, *paths: str) -> dict[str, str]:
    return {p: canonical for p in paths}


CANONICAL: dict[str, str] = {}
# Estimators (rewritten).
CANONICAL.update(_aliases("Estimator", "azureml.train.estimator.Estimator",
                          "azureml.train.estimator._estimator.Estimator"))
CANONICAL.update(_aliases("PyTorch", "azureml.train.dnn.PyTorch", "azureml.train.dnn._pytorch.PyTorch"))
CANONICAL.update(_aliases("TensorFlow", "azureml.train.dnn.TensorFlow", "azureml.train.dnn._tensorflow.TensorFlow"))
CANONICAL.update(_aliases("Chainer", "azureml.train.dnn.Chainer", "azureml.train.dnn._chainer.Chainer"))
CANONICAL.update(_aliases("SKLearn", "azureml.train.sklearn.SKLearn", "azureml.train.sklearn._sklearn.SKLearn"))
# Estimator-like classes that are only reported.
CANONICAL.update(_aliases("MMLBaseEstimator", "azureml.train.estimator.MMLBaseEstimator",
                          "azureml.train.estimator._mml_base_estimator.MMLBaseEstimator"))
CANONICAL.update(_aliases("MMLBaseEstimatorRunConfig", "azureml.train.estimator.MMLBaseEstimatorRunConfig",
                          "azureml.train.estimator._mml_base_estimator.MMLBaseEstimatorRunConfig"))
CANONICAL.update(_aliases("LightGBM", "azureml.contrib.gbdt.LightGBM", "azureml.contrib.gbdt._lightgbm.LightGBM"))
CANONICAL.update(_aliases("ReinforcementLearningEstimator",
                          "azureml.contrib.train.rl.ReinforcementLearningEstimator"))
CANONICAL.update(_aliases("MpiStep", "azureml.pipeline.steps.MpiStep", "azureml.pipeline.steps.mpi_step.MpiStep"))
# Distributed training values.
for _cls in ("Mpi", "Gloo", "Nccl", "ParameterServer"):
    CANONICAL.update(_aliases(_cls, f"azureml.train.estimator.{_cls}", f"azureml.train.dnn.{_cls}",
                              f"azureml.train._distributed_training.{_cls}"))
for _cls in ("MpiConfiguration", "PyTorchConfiguration", "TensorflowConfiguration", "ParallelTaskConfiguration"):
    CANONICAL.update(_aliases(_cls, f"azureml.core.runconfig.{_cls}", f"azureml.core.{_cls}"))
# Downstream users of estimators.
CANONICAL.update(_aliases("HyperDriveConfig", "azureml.train.hyperdrive.HyperDriveConfig",
                          "azureml.train.hyperdrive.runconfig.HyperDriveConfig"))
CANONICAL.update(_aliases("HyperDriveRunConfig", "azureml.train.hyperdrive.HyperDriveRunConfig",
                          "azureml.train.hyperdrive.runconfig.HyperDriveRunConfig"))
CANONICAL.update(_aliases("EstimatorStep", "azureml.pipeline.steps.EstimatorStep",
                          "azureml.pipeline.steps.estimator_step.EstimatorStep"))
CANONICAL.update(_aliases("HyperDriveStep", "azureml.pipeline.steps.HyperDriveStep",
                          "azureml.pipeline.steps.hyper_drive_step.HyperDriveStep"))
CANONICAL.update(_aliases("ScriptRunConfig", "azureml.core.ScriptRunConfig",
                          "azureml.core.script_run_config.ScriptRunConfig"))
CANONICAL.update(_aliases("Pipeline", "azureml.pipeline.core.Pipeline", "azureml.pipeline.core.pipeline.Pipeline"))
CANONICAL.update(_aliases("DataReference", "azureml.data.data_reference.DataReference"))
CANONICAL.update(_aliases("DEFAULT_GPU_IMAGE", "azureml.core.runconfig.DEFAULT_GPU_IMAGE",
                          "azureml.core.environment.DEFAULT_GPU_IMAGE"))

ESTIMATORS = ("Estimator", "PyTorch", "TensorFlow", "Chainer", "SKLearn")
FRAMEWORKS = ("PyTorch", "TensorFlow", "Chainer", "SKLearn")

# Where the names that migrated code uses are imported from.
IMPORT_FROM = {
    "ScriptRunConfig": "azureml.core",
    "Environment": "azureml.core",
    "DockerConfiguration": "azureml.core.runconfig",
    "MpiConfiguration": "azureml.core.runconfig",
    "PyTorchConfiguration": "azureml.core.runconfig",
    "TensorflowConfiguration": "azureml.core.runconfig",
    "DEFAULT_GPU_IMAGE": "azureml.core.runconfig",
    "DEFAULT_CPU_IMAGE": "azureml.core.runconfig",
    "CondaDependencies": "azureml.core.conda_dependencies",
    "PythonScriptStep": "azureml.pipeline.steps",
    "HyperDriveConfig": "azureml.train.hyperdrive",
}


# What ``from <module> import *`` binds, for the SDK modules notebooks star-import (the module's
# ``__all__``, or its public names where it has none), so that a name after several star imports
# can be traced to one of them. Checked against the installed SDK by tests/test_star_imports.py.
STAR_EXPORTS: dict[str, frozenset[str]] = {
    "azureml.core": frozenset([
        "ComputeTarget", "ContainerRegistry", "Dataset", "Datastore", "Environment", "Experiment", "Image",
        "Keyvault", "LinkedService", "Model", "PrivateEndPoint", "PrivateEndPointConfig", "Run",
        "RunConfiguration", "ScriptRun", "ScriptRunConfig", "SynapseWorkspaceLinkedServiceConfiguration",
        "Webservice", "Workspace", "attach_legacy_compute_target", "diagnostic_log", "get_run",
        "is_compute_target_prepared", "prepare_compute_target", "remove_legacy_compute_target"]),
    "azureml.train.estimator": frozenset([
        "Estimator", "Gloo", "MMLBaseEstimator", "MMLBaseEstimatorRunConfig", "Mpi", "Nccl", "ParameterServer",
        "_FrameworkBaseEstimator"]),
    "azureml.train.dnn": frozenset(["Chainer", "Gloo", "Mpi", "Nccl", "ParameterServer", "PyTorch", "TensorFlow"]),
    "azureml.train.sklearn": frozenset(["SKLearn", "experiment_method", "logging", "module_logger"]),
    "azureml.train.hyperdrive": frozenset([
        "BanditPolicy", "BayesianParameterSampling", "EarlyTerminationPolicy", "GridParameterSampling",
        "HyperDriveConfig", "HyperDriveRun", "HyperDriveRunConfig", "HyperParameterSampling",
        "MedianStoppingPolicy", "NoTerminationPolicy", "PrimaryMetricGoal", "RandomParameterSampling",
        "TruncationSelectionPolicy", "choice", "lognormal", "loguniform", "normal", "qlognormal", "qloguniform",
        "qnormal", "quniform", "randint", "uniform"]),
    "azureml.core.compute": frozenset([
        "AdlaCompute", "AksCompute", "AmlCompute", "BatchCompute", "ComputeInstance", "ComputeTarget",
        "DataFactoryCompute", "DatabricksCompute", "DsvmCompute", "HDInsightCompute", "KubernetesCompute",
        "KustoCompute", "RemoteCompute", "SynapseCompute"]),
    "azureml.data": frozenset([
        "DataType", "DatacacheStore", "FileDataset", "HDFSOutputDatasetConfig", "LinkFileOutputDatasetConfig",
        "LinkTabularOutputDatasetConfig", "OutputFileDatasetConfig", "TabularDataset"]),
    "azureml.pipeline.steps": frozenset([
        "AdlaStep", "AutoMLStep", "AutoMLStepRun", "AzureBatchStep", "CommandStep", "DataTransferStep",
        "DatabricksStep", "EstimatorStep", "HyperDriveStep", "HyperDriveStepRun", "KustoStep", "ModuleStep",
        "MpiStep", "ParallelRunConfig", "ParallelRunStep", "PythonScriptStep", "RScriptStep", "SynapseSparkStep",
        "_HDInsightStep"]),
}


def canonical(qualname: str | None) -> str | None:
    return CANONICAL.get(qualname) if qualname else None
