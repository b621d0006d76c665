"""Offline equivalence harness for the v2 target (azure-ai-ml command jobs); see
/work/notes/v2-design.md and shared/spec/azureml-v2-command-jobs.md §11."""
