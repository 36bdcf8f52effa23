"""What the `trialmatch` CLI says besides its option help: the main epilog, the worker and beat
help (their options go to Celery), and the hint printed after a configuration or Redis error."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

MAIN_EPILOG = """\
Every command except `match` needs Redis: set TRIALMATCH_REDIS_URL (e.g.
redis://127.0.0.1:6379/0) and run `trialmatch worker` for submitted profiles to be matched.
Offline, TRIALMATCH_CTGOV_SNAPSHOT=snapshot/sarcoma makes the worker read the bundled snapshot
instead of the live ClinicalTrials.gov API. `trialmatch COMMAND --help` shows each command's
options and examples.

examples:
  trialmatch match examples/synovial-pulmonary.json --trials snapshot/sarcoma --any-status
  trialmatch submit examples/synovial-pulmonary.json --wait
  trialmatch matches p_3f9c0e6a51d24b7e8a01c2d4 --verdict eligible --verdict possibly_eligible
"""


WORKER_HELP = """\
Run a Celery worker that takes match jobs from the queue in Redis (TRIALMATCH_REDIS_URL). It
reads trials from ClinicalTrials.gov, or from TRIALMATCH_CTGOV_SNAPSHOT when set. Run as many
as needed, on any hosts that reach the same Redis.

Every option other than -h is passed on to `celery worker` unchanged. Useful ones:
  --concurrency=N     prefork processes (default: TRIALMATCH_WORKER_CONCURRENCY, 2)
  --loglevel=LEVEL    DEBUG, INFO, WARNING, ... (default: TRIALMATCH_LOG_LEVEL)
  --hostname=NAME@%h  a distinct node name when several workers share a host
  --without-gossip --without-mingle   quicker start, less chatter (as the demo)
  --max-tasks-per-child=N             recycle a process after N tasks
All of Celery's worker options: celery -A workers.celery_app worker --help
"""
WORKER_EXAMPLES = """\
  TRIALMATCH_REDIS_URL=redis://127.0.0.1:6379/0 trialmatch worker
  trialmatch worker --concurrency=4 --hostname=w1@%h
"""
BEAT_HELP = """\
Run the Celery beat scheduler: hourly sync_and_rematch, purge_expired and requeue_lost_jobs
(README: Scheduled re-matching). Run exactly one beat per deployment.

Every option other than -h is passed on to `celery beat` unchanged. Useful ones:
  --schedule=FILE     where beat keeps its schedule state (default: celerybeat-schedule here)
  --loglevel=LEVEL    DEBUG, INFO, WARNING, ... (default: TRIALMATCH_LOG_LEVEL)
  --pidfile=FILE      write a PID file (refuses to start if it names a live process)
All of Celery's beat options: celery -A workers.celery_app beat --help
"""
BEAT_EXAMPLES = """\
  trialmatch beat --schedule=/var/lib/trialmatch/celerybeat-schedule
"""
CELERY_HELP = {"worker": (WORKER_HELP, WORKER_EXAMPLES), "beat": (BEAT_HELP, BEAT_EXAMPLES)}


def config_hint(message: str) -> str:
    """What to do about a configuration error (the message already names the variable)."""
    if "TRIALMATCH_REDIS_URL" in message and "required" in message:
        return (
            "  set it to a running Redis, e.g. export TRIALMATCH_REDIS_URL=redis://127.0.0.1:6379/0"
            " (README: Quick start); only `trialmatch match` works without Redis"
        )
    return "  fix that environment variable (README: Configuration lists every setting)"


def redis_hint() -> str:
    """What to do when Redis does not answer: where we looked (never the password), how to fix."""
    url = os.environ.get("TRIALMATCH_REDIS_URL", "")
    try:
        where = f"{urlsplit(url).hostname}:{urlsplit(url).port or 6379}"
    except ValueError:
        where = "the address in TRIALMATCH_REDIS_URL"
    return (
        f"  is a redis-server running at {where} (TRIALMATCH_REDIS_URL)? Start one "
        "(redis-server --port 6379) or point TRIALMATCH_REDIS_URL at yours"
    )
