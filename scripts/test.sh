#!/usr/bin/env bash
# The test command (README; .ci/run calls it): set-up, lint, types, then every test — the slow
# fault tests included. Tests start their own redis-server and Celery workers on free ports.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/bootstrap.sh dev
bash scripts/ensure_chromium.sh
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy (strict)"
.venv/bin/mypy
echo "==> pytest"
exec .venv/bin/pytest -p no:cacheprovider "$@"
