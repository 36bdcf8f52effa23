"""Waiting for a job record to reach a final status (shared by the integration-style suites)."""

from __future__ import annotations

import time
from collections.abc import Collection

from matcher.adapters.store import Store
from matcher.errors import StoreError

FINAL = frozenset({"done", "failed"})


def wait_job(
    store: Store, job_id: str, timeout: float = 90, until: Collection[str] = FINAL
) -> dict[str, str]:
    """The job record once its status is in `until` (default: done or failed), or as last seen
    when `timeout` runs out (callers that need a final status assert or raise on it).

    A Redis outage while waiting is waited out, not raised: fault tests pause Redis on purpose
    while a job runs, and the waiter's read timing out then says nothing about the job. If Redis
    is still unreachable at the deadline, the last StoreError is raised."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            job = store.get_job(job_id)
        except StoreError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
            continue
        if job["status"] in until or time.monotonic() >= deadline:
            return job
        time.sleep(0.1)
