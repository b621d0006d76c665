#!/usr/bin/env bash
# The static checks CI runs: ruff (lint, configured in pyproject.toml) and mypy (types), at the
# versions pinned in the `lint` extra. They live in their own .venv-lint: the SDK in the test
# extra pins pathspec below what mypy needs, and the two must not fight over one environment.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-lint/bin/python ]; then
    python3 -m venv .venv-lint
fi
.venv-lint/bin/python -m pip install --quiet --disable-pip-version-check -e ".[lint]"
.venv-lint/bin/ruff check .
.venv-lint/bin/mypy
