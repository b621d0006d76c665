#!/usr/bin/env bash
# Install with the test extra (pytest, the real Azure ML SDK for the equivalence tests,
# pre-commit, jsonschema, nbformat, hypothesis) and run every test, slow ones included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/python -m pytest "$@"
