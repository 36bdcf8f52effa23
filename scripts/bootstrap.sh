#!/usr/bin/env bash
# Create .venv and install trialmatch (with dev tools when called with "dev"), every package at
# the version locked in constraints.txt. Idempotent: a stamp of pyproject.toml + constraints.txt
# skips the install when nothing changed. Called by demo.sh and test.sh (and so by CI).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${1:-}"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "trialmatch needs Python >= 3.11 (found: $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x "$REPO/.venv/bin/python" ]; then
  echo "==> creating virtual environment in .venv"
  "$PY" -m venv "$REPO/.venv"
fi
lock="$REPO/constraints.txt"
stamp="$REPO/.venv/.installed-$(cat "$REPO/pyproject.toml" "$lock" | sha256sum | cut -c1-16)${extras:+-$extras}"
if [ ! -f "$stamp" ]; then
  echo "==> installing trialmatch${extras:+ [$extras]} into .venv"
  "$REPO/.venv/bin/python" -m pip install --quiet --upgrade pip
  spec="$REPO"
  [ -n "$extras" ] && spec="$REPO[$extras]"
  "$REPO/.venv/bin/python" -m pip install --quiet -c "$lock" -e "$spec"
  touch "$stamp"
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "error: redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server;" >&2
  echo "       macOS: brew install redis) or point TRIALMATCH_REDIS_URL at a Redis you run." >&2
  [ -n "${TRIALMATCH_REDIS_URL:-}" ] || exit 1
fi
