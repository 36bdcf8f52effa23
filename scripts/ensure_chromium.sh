#!/usr/bin/env bash
# Make sure Debian's chromium is present for the headless web-page test (tests/api/test_browser.py).
# Installs it with apt-get only when it is missing and we run as root. Not root: says what to do
# and exits 0, so the rest of the suite runs; the browser tests then skip with that reason
# (tests/support/tooling.py). CI runs as root, so it always installs and runs them.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "note: chromium is missing, so the browser tests will be skipped; to run them, as root:" >&2
    echo "      apt-get install -y chromium fonts-dejavu-core   (or: sudo scripts/ensure_chromium.sh)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null
