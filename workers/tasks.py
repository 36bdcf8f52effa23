"""Thin Celery tasks: take ids, call `matcher`, record the job's fate, let Celery decide retries.

Arguments are ids only: a profile never travels through the broker, its logs or its events.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Task
from celery.signals import worker_process_init

from matcher.errors import RateLimited, RetryableUpstreamError, StoreError
from matcher.metrics import MATCHES, TASK_DURATION
from matcher.pipeline import run_match
from matcher.settings import get_settings
from workers import runtime
from workers.celery_app import app

log = logging.getLogger(__name__)
_settings = get_settings()


@worker_process_init.connect
def _fresh_clients(**_: Any) -> None:
    runtime.reset()


class JobTask(Task):  # type: ignore[misc]  # celery ships no type information
    """Keeps the job record in step with Celery's view of the task, and stops poison loops."""

    abstract = True

    def delivered_too_often(self, job_id: str) -> bool:
        store = runtime.runtime().store
        count = store.count_delivery(self.request.id, self.request.retries)
        if count <= _settings.max_deliveries:
            return False
        # reject_on_worker_lost requeues a task whose child died; one that kills its child every
        # time would loop forever. Acking it here (by returning) ends the loop.
        store.set_job(job_id, "failed", f"poison task: delivered {count - 1} times, never finished")
        log.error("poison task stopped task_id=%s job_id=%s", self.request.id, job_id)
        return True

    def on_retry(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        job_id = args[1] if len(args) > 1 else kwargs.get("job_id")
        if job_id:
            runtime.runtime().store.set_job(job_id, "queued", f"retrying: {exc}")

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        job_id = args[1] if len(args) > 1 else kwargs.get("job_id")
        log.warning("task failed task_id=%s error=%s", task_id, type(exc).__name__)
        if job_id:
            try:
                runtime.runtime().store.set_job(job_id, "failed", f"{type(exc).__name__}: {exc}")
            except StoreError:
                log.error("could not record failure of job_id=%s", job_id)


@contextmanager
def honour_retry_after(task: Any) -> Iterator[None]:
    """A 429 that named its wait is retried after that wait, not after the generic backoff."""
    try:
        yield
    except RateLimited as exc:
        if exc.retry_after is None:
            raise  # autoretry_for applies the jittered exponential backoff
        countdown = min(exc.retry_after, _settings.task_retry_backoff_max_s)
        raise task.retry(exc=exc, countdown=countdown) from exc


# Transient faults only (the error class decides): jittered exponential backoff, bounded.
# Shared by every task that runs a match (workers/scheduled.py's rematch_profile too).
RETRY_POLICY: dict[str, Any] = {
    "autoretry_for": (RetryableUpstreamError, StoreError),
    "retry_backoff": True,
    "retry_backoff_max": _settings.task_retry_backoff_max_s,
    "retry_jitter": True,
    "max_retries": _settings.task_max_retries,
}


@app.task(bind=True, base=JobTask, name="trialmatch.match_profile", **RETRY_POLICY)
def match_profile(self: JobTask, profile_id: str, job_id: str) -> dict[str, Any]:
    """Match one stored profile; the job goes running -> done, or failed with the reason."""
    if self.delivered_too_often(job_id):
        return {"profile_id": profile_id, "status": "failed"}
    rt = runtime.runtime()
    rt.store.set_job(job_id, "running")
    started = time.perf_counter()
    with honour_retry_after(self):
        outcome = run_match(rt.store, rt.corpus, profile_id, options=rt.options)
    TASK_DURATION.labels("match_profile", "done").observe(time.perf_counter() - started)
    for verdict, n in outcome.verdicts.items():
        MATCHES.labels(verdict).inc(n)
    rt.store.set_job(job_id, "done", "" if outcome.written else "superseded by a newer run")
    return {"profile_id": profile_id, "trials": outcome.trials, "written": outcome.written}
