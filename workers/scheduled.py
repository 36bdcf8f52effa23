"""Periodic tasks: incremental trial sync + targeted re-matching, and the retention sweep.

Exactly-once per period is layered: beat runs as a single service; each sync holds a Redis lock
(a second scheduler's tick is skipped); each (profile, period) is claimed once before enqueueing;
and the re-match task itself refuses a second task for the same (profile, period).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from matcher.adapters.ctgov.source import make_source
from matcher.adapters.store import Store
from matcher.errors import ProfileGone
from matcher.services import heap
from matcher.services.corpus import TrialCorpus
from matcher.services.pipeline import run_match
from matcher.services.trial_sync import claim_rematch, start_rematch, sync_trials
from matcher.settings import get_settings
from workers import runtime
from workers.celery_app import app
from workers.tasks import RETRY_POLICY, cancelled, patiently, task_errors

log = logging.getLogger(__name__)
_settings = get_settings()
_PERIOD_TTL_S = 2 * 86400
# A submission publishes within milliseconds of its store write; a minute is ample grace.
_LOST_JOB_GRACE_S = 60.0


@app.task(name="trialmatch.sync_and_rematch")
def sync_and_rematch() -> dict[str, Any]:
    """Refresh the trial cache if the registry's data moved; re-match only affected profiles."""
    store = runtime.runtime().store
    with store.sync_lock(_settings.sync_interval_s) as acquired:
        if not acquired:
            log.info("sync skipped: another sync holds the lock")
            return {"skipped": "locked"}
        return _sync(store)


def _sync(store: Store) -> dict[str, Any]:
    # A fresh source each run: a snapshot folder may have been replaced since the last one.
    source = make_source(_settings, store)
    corpus = TrialCorpus(
        store,
        source,
        runtime.corpus_query(_settings),
        ttl_s=_settings.search_cache_ttl_s,
        lock_timeout_s=max(1, _settings.task_soft_time_limit_s // 2),
    )
    try:
        now = datetime.now(UTC)
        result = sync_trials(
            store,
            corpus,
            now=now,
            data_version_ttl_s=_settings.sync_interval_s,
            options=runtime.runtime().options,
        )
        period = f"{now.date().isoformat()}:{result.data_version}"
        enqueued: list[str] = []
        for profile_id in sorted(result.to_rematch):
            if not store.profile_exists(profile_id):
                continue
            if claim_rematch(store, profile_id, period, ttl_s=_PERIOD_TTL_S):
                rematch_profile.apply_async(
                    args=[profile_id, period], expires=_settings.sync_interval_s * 2
                )
                enqueued.append(profile_id)
        return {
            "data_version": result.data_version,
            "moved": result.moved,
            "enqueued": len(enqueued),
            "profiles": enqueued,
        }
    finally:
        source.close()


@app.task(bind=True, name="trialmatch.rematch_profile", acks_late=True, **RETRY_POLICY)
def rematch_profile(self: Any, profile_id: str, period: str) -> dict[str, Any]:
    """Re-match one profile for one period; a duplicate for the same period does nothing."""
    try:
        with task_errors(self):
            return patiently(lambda first: _rematch(self, profile_id, period, count=first))
    except ProfileGone:
        return cancelled("re-match", self.request.id, profile_id)


def _rematch(task: Any, profile_id: str, period: str, *, count: bool) -> dict[str, Any]:
    rt = runtime.runtime()
    if not start_rematch(rt.store, profile_id, period, task.request.id, ttl_s=_PERIOD_TTL_S):
        return {"profile_id": profile_id, "skipped": "duplicate"}
    guard = rt.store.keys.profile(profile_id)
    n = (
        rt.store.count_delivery(task.request.id, task.request.retries, guard_key=guard)
        if count
        else 0
    )
    if n is None:
        raise ProfileGone(f"profile {profile_id} was erased")
    if n > _settings.max_deliveries:
        log.error("poison re-match stopped task_id=%s", task.request.id)
        return {"profile_id": profile_id, "skipped": "poison"}
    outcome = run_match(rt.store, rt.corpus, profile_id, options=rt.options)
    heap.settle()  # a newly parsed corpus version: keep the collector off it (services/heap.py)
    return {"profile_id": profile_id, "changes": outcome.changes, "written": outcome.written}


@app.task(name="trialmatch.requeue_lost_jobs")
def requeue_lost_jobs() -> dict[str, int]:
    """Publish again the tasks of jobs whose message never reached the broker."""
    from workers.publish import publish_with_default_app
    from workers.recovery import requeue_lost_jobs as sweep

    store = runtime.runtime().store
    found = sweep(store, publish_with_default_app, queue="trialmatch", grace_s=_LOST_JOB_GRACE_S)
    return {"requeued": len(found)}


@app.task(name="trialmatch.purge_expired")
def purge_expired() -> dict[str, int]:
    """Erase profiles past their retention (keys expire by TTL; this clears indexes too)."""
    from matcher.services.erase import erase_profile

    store = runtime.runtime().store
    now = datetime.now(UTC).timestamp()
    expired = store.profiles_expiring_by(now)
    erased = 0
    for profile_id in expired:
        erase_profile(store, profile_id)
        erased += 1
    return {"erased": erased}
