#!/usr/bin/env bash
# The static checks CI runs: ruff (lint, configured in pyproject.toml) and mypy (types), at the
# versions pinned in the `lint` extra.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh lint
.venv/bin/ruff check .
.venv/bin/mypy
