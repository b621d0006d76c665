#!/usr/bin/env bash
# The main job on the bundled example: show what estimator-migrate would change in fixtures/
# and what it would leave for a person. Writes nothing. Exit code 1 means "findings", as in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/estimator-migrate fix --diff fixtures/ "$@"
