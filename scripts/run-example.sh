#!/usr/bin/env bash
# The main job on the bundled example: show what estimator-migrate would change in fixtures/
# and what it would leave for a person. Writes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
status=0
# invalid.ipynb is deliberately broken JSON for the bad-input tests (it would make this exit 2).
.venv/bin/estimator-migrate fix --diff --extend-exclude "fixtures/notebooks/invalid.ipynb" fixtures/ "$@" || status=$?
# 1 means "there are findings" (what CI would fail on); only 2 is an error.
if [ "$status" -eq 1 ]; then
    echo "(exit code 1: the example contains estimator code to migrate, as intended)" >&2
    status=0
fi
exit "$status"
