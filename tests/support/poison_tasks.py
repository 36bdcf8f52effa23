"""Test-only Celery tasks, loaded into a worker with `--include tests.support.poison_tasks`.

Nothing here is imported by production code. The poison task uses the production `JobTask` base
and its `delivered_too_often` guard exactly as `trialmatch.match_profile` does, then SIGKILLs its
own prefork child, the way an OOM kill or a segfaulting extension would on every delivery.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from workers import runtime
from workers.celery_app import app
from workers.tasks import JobTask


def runs_key(prefix: str, job_id: str) -> str:
    """Counts how often the body of the poison task started (the test reads it)."""
    return f"{prefix}test:poison:{job_id}:runs"


@app.task(bind=True, base=JobTask, name="tests.poison.kill_own_child", max_retries=0)  # type: ignore[untyped-decorator]
def kill_own_child(self: JobTask, profile_id: str, job_id: str) -> dict[str, Any]:
    """Always dies mid-task; only the delivery guard can end its redelivery loop."""
    if self.delivered_too_often(job_id):
        return {"profile_id": profile_id, "status": "failed"}
    store = runtime.runtime().store
    store.r.incr(runs_key(store.keys.prefix, job_id))
    store.set_job(job_id, "running")
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable: the child was killed")
