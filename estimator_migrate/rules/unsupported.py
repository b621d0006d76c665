"""EM307: estimator-like classes with no mechanical replacement are reported, never rewritten."""

import ast

from estimator_migrate.analysis.context import FileContext
from estimator_migrate.rules import on_call

_ADVICE = {
    "ReinforcementLearningEstimator": ("the reinforcement-learning estimator ran on a separate RL service that "
                                       "is retired", "Rebuild the job as a ScriptRunConfig (Ray on a compute "
                                       "cluster) by hand."),
    "LightGBM": ("azureml.contrib.gbdt.LightGBM copied its own run_lgbm.py into the source folder and passed "
                 "settings as keyword arguments", "Write a training script that calls lightgbm and submit it "
                 "with ScriptRunConfig."),
    "MpiStep": ("MpiStep built an Estimator internally and is deprecated",
                "Use CommandStep (or PythonScriptStep with a RunConfiguration whose mpi section is set)."),
    "MMLBaseEstimator": ("MMLBaseEstimator is the abstract estimator base",
                         "Build a ScriptRunConfig with the run configuration you pass here."),
    "MMLBaseEstimatorRunConfig": ("MMLBaseEstimatorRunConfig is a deprecated RunConfiguration subclass",
                                  "Build a plain RunConfiguration and set its fields explicitly."),
}


@on_call(*_ADVICE)
def report_unsupported(ctx: FileContext, call: ast.Call) -> None:
    kind = ctx.canonical_name(call.func)
    assert kind is not None  # the engine dispatched the call by this name
    why, hint = _ADVICE[kind]
    ctx.report("EM307", call, f"`{kind}` has no automatic migration: {why}", hint)
