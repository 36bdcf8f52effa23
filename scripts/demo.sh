#!/usr/bin/env bash
# The demo (README quick start): set-up, a private redis-server (unless TRIALMATCH_REDIS_URL is
# set), one Celery worker on the bundled ClinicalTrials.gov snapshot, then every profile in
# examples/ submitted through the queue and its ranked matches printed with reasons.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/bootstrap.sh
RUN="$REPO/.demo"
mkdir -p "$RUN"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [ -z "${TRIALMATCH_REDIS_URL:-}" ]; then
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  echo "==> starting a private redis-server on 127.0.0.1:$port (AOF, config/redis.conf; data in .demo/)"
  redis-server "$REPO/config/redis.conf" --port "$port" --bind 127.0.0.1 --dir "$RUN" \
    --logfile "$RUN/redis.log" --daemonize no &
  pids+=($!)
  export TRIALMATCH_REDIS_URL="redis://127.0.0.1:$port/0"
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
export TRIALMATCH_CTGOV_SNAPSHOT="${TRIALMATCH_CTGOV_SNAPSHOT:-$REPO/snapshot/sarcoma}"
# The bundled snapshot is dated (see snapshot/sarcoma/PROVENANCE.md; most of its trials have
# closed since): judge eligibility of every trial, still showing each trial's recorded status.
export TRIALMATCH_ANY_STATUS="${TRIALMATCH_ANY_STATUS:-true}"

echo "==> starting a Celery worker (log: .demo/worker.log)"
.venv/bin/trialmatch worker --concurrency=2 --without-gossip --without-mingle >"$RUN/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do grep -q "ready." "$RUN/worker.log" 2>/dev/null && break; sleep 0.2; done
grep -q "ready." "$RUN/worker.log" || { echo "worker did not start:"; tail -30 "$RUN/worker.log"; exit 1; }

# References are unique per board, and .demo/ keeps its Redis data between runs: each run
# submits as its own board, so a second run creates new profiles instead of being refused.
board="demo-$(date +%Y%m%d-%H%M%S)"
for profile in examples/*.json; do
  echo
  echo "==================================================================================="
  echo "==> trialmatch submit $profile --board $board --wait"
  .venv/bin/trialmatch submit "$profile" --board "$board" --wait --limit "${DEMO_LIMIT:-8}"
done
echo
echo "Done. Full JSON for a profile: .venv/bin/trialmatch matches <profile_id> --json"
echo "(the server-assigned id printed as \"submitted profile p_...\")"
