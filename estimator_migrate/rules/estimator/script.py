"""What runs: source directory, entry script, run limit and resume. The client-side lint flags
had no effect on the run (the parameter table drops them)."""

from estimator_migrate.rules.estimator.plan import Plan
from estimator_migrate.rules.estimator.run import Arg


def script(plan: Plan) -> None:
    run = plan.run
    if not plan.has("source_directory"):
        plan.block("EM305", "`source_directory` is missing: the SDK raised TypeError here")
        return
    # The estimator used "." for a falsy source directory.
    falsy = plan.literal("source_directory") in ("", None)
    run.source_directory = Arg(plan.q(".") if falsy else plan.code("source_directory"), "source_directory")
    if plan.has("entry_script"):
        entry = plan.literal("entry_script")
        if isinstance(entry, str) and entry.lower().endswith(".ipynb"):
            plan.block("EM306", f"entry script {entry!r} is a notebook, which ran as a NotebookRunConfig",
                       "Convert the notebook to a script, or submit it with azureml-contrib-notebook's "
                       "NotebookRunConfig by hand.")
            return
        run.script = Arg(plan.code("entry_script"), "entry_script")
    # Without one the estimator sent no limit; ScriptRunConfig's default is 2592000 s (T14).
    if plan.has("max_run_duration_seconds"):
        run.timeout = Arg(plan.code("max_run_duration_seconds"), "max_run_duration_seconds")
    if plan.given("resume_from"):
        run.resume_from = Arg(plan.code("resume_from"), "resume_from")
