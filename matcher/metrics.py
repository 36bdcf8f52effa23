"""Prometheus metrics, defined once so every process exports the same names.

Workers run several processes; `workers/` sets PROMETHEUS_MULTIPROC_DIR-free exposition by
serving each worker's own registry (see README, metrics). The API serves the default registry.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SUBMISSIONS = Counter("trialmatch_submissions_total", "Profiles submitted", ["outcome"])
TASK_DURATION = Histogram(
    "trialmatch_task_duration_seconds",
    "Duration of Celery tasks",
    ["task", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
CTGOV_REQUESTS = Counter(
    "trialmatch_ctgov_requests_total", "HTTP requests sent to ClinicalTrials.gov", ["outcome"]
)
# Retries are counted by stamina itself (stamina_retries_total{callable,retry_num,error_type},
# its default Prometheus hook): a counter of our own would count the same events twice.
MATCHES = Counter("trialmatch_matches_total", "Trial verdicts stored", ["verdict"])
