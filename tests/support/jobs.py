"""Waiting for a job record to reach a final status (shared by the integration-style suites)."""

from __future__ import annotations

import time
from collections.abc import Collection

from matcher.adapters.store import Store

FINAL = frozenset({"done", "failed"})


def wait_job(
    store: Store, job_id: str, timeout: float = 90, until: Collection[str] = FINAL
) -> dict[str, str]:
    """The job record once its status is in `until` (default: done or failed), or as last seen
    when `timeout` runs out (callers that need a final status assert or raise on it)."""
    deadline = time.monotonic() + timeout
    job = store.get_job(job_id)
    while job["status"] not in until and time.monotonic() < deadline:
        time.sleep(0.1)
        job = store.get_job(job_id)
    return job
