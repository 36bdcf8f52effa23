#!/usr/bin/env bash
# Make Docker usable for the compose test (tests/deploy/test_compose.py), the way
# ensure_chromium.sh does for the browser test: as root, install Debian's docker.io,
# docker-compose and debootstrap when missing and start dockerd when none answers.
# Not root and not usable: say what to do and exit 0 -- the compose test then skips with
# that reason (CI runs as root, so it always runs there).
set -euo pipefail

compose_ok() { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; }
daemon_ok() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && compose_ok && command -v debootstrap >/dev/null 2>&1 \
    && daemon_ok; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "note: the compose test will be skipped: it needs a running Docker daemon you may use," >&2
    echo "      Compose (docker compose or docker-compose) and debootstrap. As root:" >&2
    echo "      apt-get install -y docker.io docker-compose debootstrap, then start dockerd" >&2
    echo "      (or run scripts/ensure_docker.sh as root) and add yourself to the docker group." >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v dockerd >/dev/null 2>&1 || ! compose_ok || ! command -v debootstrap >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends docker.io docker-compose debootstrap >/dev/null
fi
if ! daemon_ok; then
    # No systemd on CI machines: start the daemon ourselves. No bridge and no iptables rules:
    # the test runs every container on host networking bound to 127.0.0.1, so nothing needs
    # NAT and no container talks to an address off this machine's loopback.
    log=/var/log/trialmatch-dockerd.log
    # A daemon ended with SIGKILL (as a finished session's processes are) leaves its pid file,
    # and dockerd then refuses to start. Remove it only when no dockerd runs under that pid.
    pidfile=/var/run/docker.pid
    if [ -f "$pidfile" ] && ! grep -qs dockerd "/proc/$(cat "$pidfile")/cmdline"; then
        rm -f "$pidfile"
    fi
    echo "==> starting dockerd (log: $log)"
    nohup dockerd --bridge=none --iptables=false --ip6tables=false >"$log" 2>&1 </dev/null &
    daemon=$!
    for _ in $(seq 60); do
        daemon_ok && break
        kill -0 "$daemon" 2>/dev/null || break   # it exited: no point in waiting
        sleep 1
    done
    if ! daemon_ok; then
        echo "error: dockerd did not answer within 60 s; last lines of $log:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
fi
