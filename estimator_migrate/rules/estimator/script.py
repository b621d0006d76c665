"""What runs: source directory, entry script, run limits, resume and the client-side lint flags."""

from estimator_migrate.rules.estimator.plan import Plan, concern

# Client-side script lint switches that only affected submission; ScriptRunConfig has none.
LINT_FLAGS = ("_disable_validation", "_show_lint_warnings", "_show_package_warnings", "_enable_optimized_mode")


@concern("script", 20, "source_directory", "entry_script", "max_run_duration_seconds", "resume_from",
         *LINT_FLAGS, always=True)
def script(plan: Plan) -> None:
    if not plan.has("source_directory"):
        plan.block("EM305", "`source_directory` is missing: the SDK raised TypeError here")
        return
    if plan.literal("source_directory") in ("", None):
        # The estimator used "." for a falsy source directory.
        plan.rename("source_directory", "source_directory", plan.q("."))
    if plan.has("entry_script"):
        entry = plan.literal("entry_script")
        if isinstance(entry, str) and entry.lower().endswith(".ipynb"):
            plan.block("EM306", f"entry script {entry!r} is a notebook, which ran as a NotebookRunConfig",
                       "Convert the notebook to a script, or submit it with azureml-contrib-notebook's "
                       "NotebookRunConfig by hand.")
            return
        plan.rename("entry_script", "script")
    if not plan.has("max_run_duration_seconds"):
        # The estimator sent no limit; ScriptRunConfig's default is 2592000 s (T14).
        plan.add_arg("max_run_duration_seconds", "None")
    for flag in LINT_FLAGS:
        plan.drop(flag)
