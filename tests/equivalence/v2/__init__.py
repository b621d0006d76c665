"""Offline equivalence harness for the v2 target (azure-ai-ml command jobs), as section 11 of
the v2 command-jobs spec proposes; how to use it: README, "Target: Azure ML SDK v2"."""
