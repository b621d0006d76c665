"""Placeholder until the engine lands."""
from estimator_migrate.core import Result


def run_engine(source, *, path, settings):
    return Result(source=source, new_source=source, findings=())
