#!/usr/bin/env bash
# The demo (README quick start): set-up, a private redis-server (unless TRIALMATCH_REDIS_URL is
# set), one Celery worker on the bundled ClinicalTrials.gov snapshot, then every profile in
# examples/ submitted through the queue and its ranked matches printed with reasons.
#
#   ./scripts/demo.sh          run the demo; Redis and the worker stop when it ends
#   ./scripts/demo.sh --keep   leave Redis and the worker running (settings in .demo/env)
#   ./scripts/demo.sh stop     stop what --keep left running
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
RUN="$REPO/.demo"
mode="${1:-run}"
case "$mode" in
  run | --keep) ;;
  stop)
    if [ ! -f "$RUN/pids" ]; then echo "nothing to stop (no .demo/pids)"; exit 0; fi
    # Only the processes this demo started and recorded, each checked to be alive and still that
    # program (a recycled pid is left alone), then waited for (a zombie counts as gone).
    alive() { ps -o stat= -p "$1" 2>/dev/null | grep -qv Z; }
    ours() { ps -o args= -p "$1" 2>/dev/null | grep -q -e redis-server -e 'trialmatch worker'; }
    while read -r pid what; do
      alive "$pid" && ours "$pid" || continue
      kill "$pid"
      for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
      if alive "$pid"; then echo "$what (pid $pid) is still stopping"; else echo "stopped $what (pid $pid)"; fi
    done <"$RUN/pids"
    rm -f "$RUN/pids" "$RUN/env"
    exit 0
    ;;
  *) echo "usage: $0 [--keep | stop]" >&2; exit 2 ;;
esac
if [ -f "$RUN/pids" ]; then
  echo "a kept demo is still running: stop it first with ./scripts/demo.sh stop" >&2
  exit 1
fi

bash scripts/bootstrap.sh
mkdir -p "$RUN"
pids=()
started=()
cleanup() {
  [ "$mode" = "--keep" ] && [ -f "$RUN/pids" ] && return 0  # kept on purpose
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [ -z "${TRIALMATCH_REDIS_URL:-}" ]; then
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  echo "==> starting a private redis-server on 127.0.0.1:$port (AOF, config/redis.conf; data in .demo/)"
  redis-server "$REPO/config/redis.conf" --port "$port" --bind 127.0.0.1 --dir "$RUN" \
    --logfile "$RUN/redis.log" --daemonize no >/dev/null 2>&1 &
  pids+=($!)
  started+=("$! redis-server")
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
started+=("$! worker")
for _ in $(seq 150); do grep -q "ready." "$RUN/worker.log" 2>/dev/null && break; sleep 0.2; done
grep -q "ready." "$RUN/worker.log" || { echo "worker did not start:"; tail -30 "$RUN/worker.log"; exit 1; }

# References are unique per board, and .demo/ keeps its Redis data between runs: each run
# submits as its own board, so a second run creates new profiles instead of being refused.
board="demo-$(date +%Y%m%d-%H%M%S)"
shown_id=""
for profile in examples/*.json; do
  echo
  echo "==================================================================================="
  echo "==> trialmatch submit $profile --board $board --wait"
  .venv/bin/trialmatch submit "$profile" --board "$board" --wait --limit "${DEMO_LIMIT:-8}" \
    | tee "$RUN/submit.out"
  # The server assigns the id ("submitted profile p_..."); later commands need it.
  id=$(sed -n 's/^submitted profile \(p_[0-9a-f]*\) .*/\1/p' "$RUN/submit.out")
  if [ "$profile" = examples/synovial-pulmonary.json ]; then shown_id="$id"; fi
done
rm -f "$RUN/submit.out"
if [ "$mode" = "--keep" ] && [ -z "$shown_id" ]; then
  echo "no profile id was printed for examples/synovial-pulmonary.json" >&2
  exit 1
fi
echo
if [ "$mode" = "--keep" ]; then
  # The URL may carry a password when it came from the caller: the file is readable by us only.
  (umask 077 && {
    echo "export TRIALMATCH_REDIS_URL=$(printf %q "$TRIALMATCH_REDIS_URL")"
    echo "export TRIALMATCH_CTGOV_SNAPSHOT=$(printf %q "$TRIALMATCH_CTGOV_SNAPSHOT")"
    echo "export TRIALMATCH_ANY_STATUS=$TRIALMATCH_ANY_STATUS"
  } >"$RUN/env")
  printf '%s\n' "${started[@]}" >"$RUN/pids"
  echo "Done. Redis and the worker keep running. In this shell, to look again:"
  echo "  source .demo/env"
  echo "(synovial-pulmonary.json was stored as $shown_id, the id its submit printed)"
  echo "  .venv/bin/trialmatch matches $shown_id --limit 5"
  echo "  .venv/bin/trialmatch matches $shown_id --json"
  echo "Stop them with: ./scripts/demo.sh stop"
else
  echo "Done; the demo's Redis and worker stop as it exits. To look again, the engine alone (no Redis):"
  echo "  .venv/bin/trialmatch match examples/synovial-pulmonary.json --trials snapshot/sarcoma --any-status --limit 5"
  echo "  .venv/bin/trialmatch match examples/synovial-pulmonary.json --trials snapshot/sarcoma --any-status --json"
  echo "To keep Redis and the worker running (for trialmatch matches, the API): ./scripts/demo.sh --keep"
fi
