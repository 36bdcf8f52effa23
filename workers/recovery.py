"""The lost-job sweep: a job stored as `queued` whose task message never reached the broker.

That happens when Redis dies between the (atomic) store write and the publish: the caller got
`BrokerUnavailable`, but the rollback could not run either, and after an AOF restart the job
would wait for ever. The sweep finds jobs still `queued` after a grace period whose id (it is
also the task id) is neither in the queue nor held unacked by a worker, and publishes their task
again — safe, because match runs are idempotent and fenced.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, cast

from matcher.store import Store, redis_errors

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
    """Re-publish jobs `queued` for longer than `grace_s` with no message anywhere."""
    cutoff = (now or datetime.now(UTC)).timestamp() - grace_s
    k = store.keys
    with redis_errors("sweeping lost jobs"):
        stale = store.zrange_upto(k.jobs_pending(), cutoff)
        if not stale:
            return []
        queued = cast("list[str]", store.r.lrange(k.broker_prefix() + queue, 0, -1))
        unacked = cast("list[str]", store.r.hvals(k.broker_prefix() + "unacked"))
    in_broker = _ids(queued) | _ids(unacked)
    requeued = []
    for job_id in stale:
        job = store.hgetall_str(k.job(job_id))
        if job.get("status") != "queued":
            store.r.zrem(k.jobs_pending(), job_id)  # erased, or already picked up
            continue
        if job_id in in_broker:
            continue  # still waiting its turn in the queue
        publish(job["profile_id"], job_id)
        requeued.append(job_id)
        log.warning("re-published lost job job_id=%s", job_id)
    return requeued
