"""Scheduled re-matching: incremental trial sync and the choice of which profiles to re-match.

`sync_trials` asks the source for its data version first; when it has not moved the run costs
one request and writes nothing. When it moved, each *search in use* (one per distinct diagnosis
query, not one per profile) is refreshed — incrementally with `LastUpdatePostDate >= watermark`
when the previous result is cached, in full otherwise. For each profile of a search whose trials
changed, only the changed trials are evaluated here (the engine is pure and fast) and compared with
the stored verdicts; the profile is re-matched only if something a board would see moved. Profiles
whose age or washout dates came due get the same in-process check. Nothing else is re-matched.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import cast

from matcher.answers import overlay_matches
from matcher.changes import diff_matches
from matcher.ctgov.query import SearchQuery
from matcher.ctgov.source import TrialSource
from matcher.eligibility import EngineOptions, evaluate_trial
from matcher.errors import NotFound
from matcher.models import Trial, TrialMatch
from matcher.recheck import next_recheck
from matcher.store import Store, redis_errors

log = logging.getLogger(__name__)

FULL_REFRESH_DAYS = (
    7  # an incremental pull cannot see a trial edited *out* of a search; redo weekly
)


@dataclass
class SyncResult:
    data_version: str
    moved: bool
    requests_hint: int = 0  # searches issued (each may be one or more pages)
    changed_trials: dict[str, set[str]] = field(default_factory=dict)  # query_key -> nct ids
    affected_profiles: set[str] = field(default_factory=set)
    due_profiles: set[str] = field(default_factory=set)

    @property
    def to_rematch(self) -> set[str]:
        return self.affected_profiles | self.due_profiles


def register_profile_query(
    store: Store, profile_id: str, query: SearchQuery, recheck_on: date | None
) -> None:
    """Remember which search a profile uses and when time alone may change its verdicts."""
    k = store.keys
    qkey = query.cache_key()
    body = json.dumps({"cond_terms": list(query.cond_terms), "statuses": list(query.statuses)})
    with redis_errors("registering the profile's search"):
        old = store.get_str(k.profile_query(profile_id))
        pipe = store.r.pipeline(transaction=True)
        if old and old != qkey:
            pipe.srem(k.query_profiles(old), profile_id)
        pipe.hset(k.queries(), qkey, body)
        pipe.sadd(k.query_profiles(qkey), profile_id)
        pipe.set(k.profile_query(profile_id), qkey, keepttl=False)
        expires = store.r.ttl(k.profile(profile_id))
        if expires > 0:
            pipe.expire(k.profile_query(profile_id), expires)
        if recheck_on is None:
            pipe.zrem(k.recheck(), profile_id)
        else:
            when = datetime(recheck_on.year, recheck_on.month, recheck_on.day, tzinfo=UTC)
            pipe.zadd(k.recheck(), {profile_id: when.timestamp()})
        pipe.execute()
        if old and old != qkey:
            store.r.eval(_FORGET_QUERY, 2, k.query_profiles(old), k.queries(), old)


# The search's phrases come from board-typed diagnosis text: forget them with its last profile.
_FORGET_QUERY = """
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1
"""


def sync_trials(
    store: Store,
    source: TrialSource,
    *,
    now: datetime,
    search_ttl_s: int,
    data_version_ttl_s: int,
    options: EngineOptions,
) -> SyncResult:
    k = store.keys
    version = source.data_version() or f"unversioned:{now.date().isoformat()}"
    with redis_errors("reading sync state"):
        state = store.hgetall_str(k.sync_state())
        queries = store.hgetall_str(k.queries())
    result = SyncResult(data_version=version, moved=version != state.get("data_version"))
    if result.moved:
        previous_version = state.get("data_version")
        watermark = _parse_day(state.get("watermark"))
        full_due = _parse_day(state.get("last_full"))
        full = (
            watermark is None
            or full_due is None
            or (now.date() - full_due).days >= FULL_REFRESH_DAYS
        )
        for qkey, body in queries.items():
            spec = json.loads(body)
            query = SearchQuery(tuple(spec["cond_terms"]), tuple(spec["statuses"]))
            old = store.get_search(qkey, previous_version) if previous_version else None
            new_list, changed = _refresh(source, query, old, None if full else watermark)
            result.requests_hint += 1
            store.put_search(qkey, version, new_list, search_ttl_s)
            if changed:
                result.changed_trials[qkey] = changed
                fresh = {t.nct_id: t for t in new_list if t.nct_id in changed}
                with redis_errors("reading a search's profiles"):
                    candidates = store.members_str(k.query_profiles(qkey))
                for pid in sorted(candidates - result.affected_profiles):
                    if _visible_change(store, pid, fresh, changed - fresh.keys(), options, now):
                        result.affected_profiles.add(pid)
        store.cache_data_version(version, data_version_ttl_s)
        new_state = {"data_version": version, "watermark": now.date().isoformat()}
        if full:
            new_state["last_full"] = now.date().isoformat()
        with redis_errors("saving sync state"):
            store.hset_str(k.sync_state(), new_state)
    with redis_errors("reading due rechecks"):
        due = set(store.zrange_upto(k.recheck(), now.timestamp()))
    for pid in sorted(due - result.affected_profiles):
        trials = _profile_trials(store, pid, version)
        if trials is None or _visible_change(store, pid, trials, set(), options, now):
            result.due_profiles.add(pid)
        else:
            _postpone(store, pid, now)
    log.info(
        "sync version_moved=%s searches=%d changed=%d affected=%d due=%d",
        result.moved,
        result.requests_hint,
        sum(map(len, result.changed_trials.values())),
        len(result.affected_profiles),
        len(result.due_profiles),
    )
    return result


def _refresh(
    source: TrialSource, query: SearchQuery, old: list[Trial] | None, since: date | None
) -> tuple[list[Trial], set[str]]:
    """The search's new trial list and the NCT ids that changed (added, updated or dropped)."""
    before = {t.nct_id: t for t in old or []}
    if old is None or since is None:
        fresh = source.search(query)
        after = {t.nct_id: t for t in fresh}
    else:
        # Without the status filter, so that trials which closed are seen and dropped.
        pulled = source.search(replace(query, statuses=(), updated_since=since - timedelta(days=1)))
        after = dict(before)
        for trial in pulled:
            # A listed trial that closed stays listed (with its new status) until the next full
            # refresh, so that boards are told it closed instead of seeing it silently vanish.
            if (
                not query.statuses
                or trial.overall_status in query.statuses
                or trial.nct_id in before
            ):
                after[trial.nct_id] = trial
    changed = {
        n
        for n in before.keys() | after.keys()
        if n not in before or n not in after or before[n].version != after[n].version
    }
    if old is None:
        changed = set(after)  # nothing to compare with: every profile of it must be re-checked
    return sorted(after.values(), key=lambda t: t.nct_id), changed


def _visible_change(
    store: Store,
    profile_id: str,
    fresh: dict[str, Trial],
    removed: set[str],
    options: EngineOptions,
    now: datetime,
) -> bool:
    """Would re-matching this profile change anything its board sees, given these trials?"""
    try:
        profile = store.load_profile(profile_id).profile
    except NotFound:
        return False
    ids = sorted(fresh.keys() | removed)
    with redis_errors("reading stored matches"):
        raw = cast("list[str | None]", store.r.hmget(store.keys.matches(profile_id), ids))
    stored = {n: TrialMatch.model_validate_json(r) for n, r in zip(ids, raw, strict=True) if r}
    if any(n in stored for n in removed):
        return True
    new = [evaluate_trial(profile, t, as_of=now.date(), options=options) for t in fresh.values()]
    new = overlay_matches(new, store.read_answers(profile_id))  # as stored: answers applied
    return bool(diff_matches([stored[n] for n in fresh if n in stored], new, now))


def _profile_trials(store: Store, profile_id: str, version: str) -> dict[str, Trial] | None:
    """The cached trials of the search this profile uses, or None when not cached."""
    qkey = store.get_str(store.keys.profile_query(profile_id))
    trials = store.get_search(qkey, version) if qkey else None
    return None if trials is None else {t.nct_id: t for t in trials}


def _postpone(store: Store, profile_id: str, now: datetime) -> None:
    """Nothing moved on the due date: schedule the next one instead of re-checking hourly."""
    try:
        profile = store.load_profile(profile_id).profile
    except NotFound:
        with redis_errors("dropping a re-check"):
            store.r.zrem(store.keys.recheck(), profile_id)
        return
    when = next_recheck(profile, now.date())
    stamp = datetime(when.year, when.month, when.day, tzinfo=UTC).timestamp()
    with redis_errors("postponing a re-check"):
        store.r.zadd(store.keys.recheck(), {profile_id: stamp})


def claim_rematch(store: Store, profile_id: str, period: str, *, ttl_s: int) -> bool:
    """Enqueue-side de-duplication: True for the first claim of (profile, period) only."""
    with redis_errors("claiming a re-match"):
        return bool(
            store.r.set(store.keys.rematch_enqueued(profile_id, period), 1, nx=True, ex=ttl_s)
        )


def start_rematch(store: Store, profile_id: str, period: str, task_id: str, *, ttl_s: int) -> bool:
    """Consumer-side de-duplication: only one task per (profile, period) may run.

    The marker holds the task id, so the same task's retries and redeliveries still proceed,
    while a second task for the same period (a duplicate enqueue) stops here.
    """
    key = store.keys.rematch_started(profile_id, period)
    with redis_errors("starting a re-match"):
        if store.r.set(key, task_id, nx=True, ex=ttl_s):
            return True
        return bool(store.r.get(key) == task_id)


def _parse_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
