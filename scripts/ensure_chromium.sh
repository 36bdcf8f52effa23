#!/usr/bin/env bash
# Make sure Debian's chromium is present for the headless web-page test (tests/api/test_browser.py).
# Installs it with apt-get only when it is missing and we run as root; otherwise says what to do.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing; install it as root: apt-get install -y chromium" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null
