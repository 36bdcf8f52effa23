#!/usr/bin/env bash
# The test command (README; .ci/run calls it): set-up, lint, types, then every test — the slow
# fault tests and the compose deployment included. Tests start their own redis-server and
# Celery workers on free ports. Set-up installs Chromium and Docker as root (CI); without root
# it prints how, and only the browser and compose tests skip (with that reason).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/bootstrap.sh dev
bash scripts/ensure_chromium.sh
bash scripts/ensure_docker.sh
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy (strict)"
.venv/bin/mypy
echo "==> pytest"
exec .venv/bin/pytest -p no:cacheprovider "$@"
