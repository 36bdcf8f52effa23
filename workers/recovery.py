"""The lost-job sweep: a job whose task message is gone from the broker while the job is not
finished.

Two ways to get there:
- `queued`: Redis died between the (atomic) store write and the publish: the caller got
  `BrokerUnavailable`, but the rollback could not run either, and after an AOF restart the job
  would wait for ever;
- `running`: the worker holding the message lost it in a Redis outage (or died in a way that
  acknowledged it), so nobody will ever finish the job. A running job carries a lease (its start
  plus the hard time limit and a margin, `jobs:running`); once the lease has ended, no delivery
  can still be working on it.

The sweep finds such jobs whose id (it is also the task id) is neither in the queue nor held
unacked by a worker (where a redelivery or a countdown retry waits), and publishes their task
again — safe, because match runs are idempotent and fenced. A job redelivered at the very moment
of the sweep may run twice; the fencing keeps one match set.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, cast

from matcher.adapters.store import JobStatus, Store

log = logging.getLogger(__name__)

Publish = Callable[[str, str], object]


def _task_id(message: Any) -> str | None:
    # kombu's Redis transport stores {"headers": {"id": task_id, ...}, ...} in the queue list
    # and [message, exchange, routing_key] in the unacked hash.
    if isinstance(message, list) and message:
        message = message[0]
    if isinstance(message, dict):
        headers = message.get("headers")
        if isinstance(headers, dict) and isinstance(headers.get("id"), str):
            return cast("str", headers["id"])
    return None


def _ids(raw: Iterable[str]) -> set[str]:
    found = set()
    for item in raw:
        try:
            task_id = _task_id(json.loads(item))
        except ValueError:
            continue
        if task_id:
            found.add(task_id)
    return found


def requeue_lost_jobs(
    store: Store, publish: Publish, *, queue: str, grace_s: float, now: datetime | None = None
) -> list[str]:
    """Re-publish jobs `queued` longer than `grace_s`, or `running` past their lease, that have
    no message anywhere in the broker."""
    at = (now or datetime.now(UTC)).timestamp()
    stale, expired = store.jobs_stale(at - grace_s, at)
    if not stale and not expired:
        return []
    in_broker = _ids(store.broker_messages(queue))
    requeued = []
    candidates: list[tuple[str, JobStatus]] = [(j, "queued") for j in stale]
    candidates += [(j, "running") for j in expired]
    for job_id, expected in candidates:
        job = store.job_if_status(job_id, expected)
        if job is None:
            continue  # erased, picked up, or finished meanwhile
        if job_id in in_broker:
            continue  # still waiting its turn in the queue, or held by a worker
        publish(job["profile_id"], job_id)
        requeued.append(job_id)
        log.warning("re-published lost %s job job_id=%s", expected, job_id)
    return requeued
