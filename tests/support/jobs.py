"""Waiting for a job record to reach a final status (shared by the integration-style suites)."""

from __future__ import annotations

import time

from matcher.store import Store

FINAL = frozenset({"done", "failed"})


def wait_job(store: Store, job_id: str, timeout: float = 90) -> dict[str, str]:
    """The job record once it is done or failed, or as last seen when `timeout` runs out."""
    deadline = time.monotonic() + timeout
    job = store.get_job(job_id)
    while job["status"] not in FINAL and time.monotonic() < deadline:
        time.sleep(0.1)
        job = store.get_job(job_id)
    return job
