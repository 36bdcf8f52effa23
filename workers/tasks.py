"""Thin Celery tasks: take ids, call `matcher`, record the job's fate, let Celery decide retries.

Arguments are ids only: a profile never travels through the broker, its logs or its events.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

from celery import Task
from celery.exceptions import Reject, Retry
from celery.signals import worker_process_init
from celery.utils.time import get_exponential_backoff_interval

from matcher.adapters.store import TRANSPORT_ERRORS
from matcher.errors import (
    ProfileGone,
    RateLimited,
    RetryableUpstreamError,
    StoreError,
    TrialmatchError,
    payload_free,
    reason_for,
)
from matcher.metrics import MATCHES, TASK_DURATION
from matcher.services import heap
from matcher.services.pipeline import run_match
from matcher.settings import get_settings
from workers import runtime
from workers.celery_app import app

log = logging.getLogger(__name__)
_settings = get_settings()
# A delivery cannot hold a job `running` longer than the hard time limit (the child is killed);
# past this lease, a `running` job with no message in the broker was lost (workers/recovery.py).
LEASE_S = _settings.task_time_limit_s + _settings.job_lease_margin_s
# How long a task waits for Redis to answer again before handing its message back. Usually the
# worker's main process notices the lost broker first and cancels the task (the message then
# stays unacked and comes back), which is the safest path: see `patiently`.
REDIS_PATIENCE_S = _settings.task_soft_time_limit_s / 2


@worker_process_init.connect
def _fresh_clients(**_: Any) -> None:
    runtime.reset()


def _job_id(args: Any, kwargs: Any) -> str | None:
    job_id = args[1] if len(args) > 1 else kwargs.get("job_id")
    return job_id if isinstance(job_id, str) else None


class JobTask(Task):  # type: ignore[misc]  # celery ships no type information
    """Keeps the job record in step with Celery's view of the task, and stops poison loops."""

    abstract = True

    def delivered_too_often(self, job_id: str) -> bool:
        """True (job failed) past max deliveries; ProfileGone if the job was erased."""
        store = runtime.runtime().store
        count = store.count_delivery(
            self.request.id, self.request.retries, guard_key=store.keys.job(job_id)
        )
        if count is None:  # erased before this delivery: count nothing, write nothing
            raise ProfileGone(f"job {job_id} was erased")
        if count <= _settings.max_deliveries:
            return False
        # reject_on_worker_lost requeues a task whose child died; one that kills its child every
        # time would loop forever. Acking it here (by returning) ends the loop.
        store.set_job(job_id, "failed", f"poison task: delivered {count - 1} times, never finished")
        log.error("poison task stopped task_id=%s job_id=%s", self.request.id, job_id)
        return True

    def on_retry(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        if einfo is None:
            # Celery's cancel-on-connection-loss step calls this in the main process while the
            # broker (our Redis) is gone: the message stays unacked and comes back by itself.
            # A status write here could only block and raise, and an exception would make
            # Celery acknowledge the task as revoked instead of letting it be redelivered.
            return
        job_id = _job_id(args, kwargs)
        if job_id:
            try:
                runtime.runtime().store.set_job(job_id, "queued", f"retrying: {reason_for(exc)}")
            except Exception:  # a status write must never abort a retry
                log.warning("could not record the retry of job_id=%s", job_id)

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        job_id = _job_id(args, kwargs)
        log.warning("task failed task_id=%s error=%s", task_id, type(exc).__name__)
        if job_id:
            try:
                runtime.runtime().store.set_job(job_id, "failed", reason_for(exc))
            except StoreError:
                log.error("could not record failure of job_id=%s", job_id)


@contextmanager
def task_errors(task: Any) -> Iterator[None]:
    """How a task body's exceptions leave it, so that Celery does the right thing with them.

    - transient upstream faults are retried with jittered exponential backoff (a 429 that named
      its wait, after that wait). A retry is a new message published through Redis; if that
      publish fails, Celery would turn the retry into Reject(requeue=False) and drop the job, so
      the message is handed back with requeue instead (see `_publish_retry`);
    - Redis unreachable: the message is rejected *with requeue* — no publish needed; if even the
      reject cannot reach Redis, the message simply stays unacked and is restored from there;
    - anything not from our error tree is replaced by an error naming only its class: its text
      may quote stored values, and Celery's trace log prints the exception it receives.
    """
    try:
        yield
    except (Retry, Reject, ProfileGone):
        raise
    except RetryableUpstreamError as exc:
        _publish_retry(task, exc)
    except _REDIS_FAULTS as exc:
        log.warning("Redis unavailable, task requeued task_id=%s", task.request.id)
        raise Reject(reason_for(exc), requeue=True) from None
    except TrialmatchError:
        raise
    except Exception as exc:
        # Keep the frames (code locations help whoever debugs it), drop the message.
        raise payload_free(exc).with_traceback(exc.__traceback__) from None


def _publish_retry(task: Any, exc: RetryableUpstreamError) -> NoReturn:
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        countdown = min(exc.retry_after, _settings.task_retry_backoff_max_s)
    else:
        countdown = get_exponential_backoff_interval(
            factor=1,
            retries=task.request.retries,
            maximum=_settings.task_retry_backoff_max_s,
            full_jitter=True,
        )
    try:
        # Raises Retry once published; re-raises `exc` once max_retries is used up.
        raise task.retry(exc=exc, countdown=countdown, max_retries=_settings.task_max_retries)
    except Reject as rejected:
        if rejected.requeue:
            raise
    log.warning("retry could not be published, task requeued task_id=%s", task.request.id)
    _redis_back(time.monotonic() + REDIS_PATIENCE_S)  # a reject needs a live connection too
    raise Reject(reason_for(exc), requeue=True) from None


T = TypeVar("T")
_REDIS_FAULTS: tuple[type[Exception], ...] = (StoreError, *TRANSPORT_ERRORS)


def patiently(run: Callable[[bool], T]) -> T:
    """`run(first_attempt)`, run again in-process when Redis answers again after a fault.

    Handing the message back at once (Reject with requeue) while the broker connection is down
    can crash the worker inside kombu; waiting here instead lets Celery cancel the task on the
    lost connection (the message stays unacked and is restored), or Redis comes back and the
    run simply continues. Runs are idempotent and fenced, so a re-run is safe.
    """
    until = time.monotonic() + REDIS_PATIENCE_S
    first = True
    while True:
        try:
            return run(first)
        except _REDIS_FAULTS:
            if not _redis_back(until):
                raise
        first = False


def _redis_back(until: float) -> bool:
    store = runtime.runtime().store
    while time.monotonic() < until:
        if store.answers():
            return True
        time.sleep(0.5)
    return False


# Retries are published by `task_errors` itself (not `autoretry_for`), so that one that cannot
# be published is requeued rather than dropped. Shared by every task that runs a match.
RETRY_POLICY: dict[str, Any] = {"max_retries": _settings.task_max_retries}


def cancelled(kind: str, task_id: str, profile_id: str) -> dict[str, Any]:
    """The profile was erased before or while this task ran: it ends having written nothing."""
    log.info("%s cancelled: profile erased task_id=%s", kind, task_id)
    return {"profile_id": profile_id, "status": "cancelled"}


@app.task(bind=True, base=JobTask, name="trialmatch.match_profile", **RETRY_POLICY)
def match_profile(self: JobTask, profile_id: str, job_id: str) -> dict[str, Any]:
    """Match one stored profile; the job goes running -> done, or failed with the reason."""
    try:
        with task_errors(self):
            return patiently(lambda first: _match(self, profile_id, job_id, count=first))
    except ProfileGone:
        return cancelled("match job", self.request.id, profile_id)


def _match(task: JobTask, profile_id: str, job_id: str, *, count: bool) -> dict[str, Any]:
    if count and task.delivered_too_often(job_id):
        return {"profile_id": profile_id, "status": "failed"}
    rt = runtime.runtime()
    if not rt.store.set_job(job_id, "running", lease_s=LEASE_S):
        raise ProfileGone(f"job {job_id} was erased")
    started = time.perf_counter()
    outcome = run_match(rt.store, rt.corpus, profile_id, options=rt.options)
    TASK_DURATION.labels("match_profile", "done").observe(time.perf_counter() - started)
    for verdict, n in outcome.verdicts.items():
        MATCHES.labels(verdict).inc(n)
    rt.store.set_job(job_id, "done", "" if outcome.written else "superseded by a newer run")
    heap.settle()  # a newly parsed corpus version: keep the collector off it (services/heap.py)
    return {"profile_id": profile_id, "trials": outcome.trials, "written": outcome.written}
