"""Scheduled re-matching: the nightly corpus sweep and the choice of profiles to re-match.

`sync_trials` asks the source for its data version first; when it has not moved the run costs one
request and writes nothing. When it moved, the corpus of the new version is built through the one
corpus writer (matcher/services/corpus.py: a sweep from the previous version — a minimal listing
plus `filter.ids` fetches of what moved). Each profile's changed trials — against the version its
match set was computed on — are evaluated here (the engine is pure and fast) and compared with the
stored verdicts; the profile is re-matched only if something a board would see moved. Profiles whose
age or washout dates came due get the same in-process check. Nothing else is re-matched. The request
count depends on how much of the registry moved, never on the number of profiles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from matcher.adapters.ctgov.query import SearchQuery
from matcher.adapters.store import Store
from matcher.domain.answers import overlay_matches
from matcher.domain.changes import diff_matches
from matcher.domain.eligibility import EngineOptions, evaluate_trial
from matcher.domain.models import Trial
from matcher.domain.recheck import next_recheck
from matcher.errors import NotFound
from matcher.services.corpus import TrialCorpus
from matcher.services.sweep import CorpusRecord

log = logging.getLogger(__name__)


@dataclass
class SyncResult:
    data_version: str
    moved: bool
    requests_hint: int = 0  # corpus builds started (each a sweep or a full search)
    changed_trials: dict[str, set[str]] = field(default_factory=dict)  # profile -> nct ids
    affected_profiles: set[str] = field(default_factory=set)
    due_profiles: set[str] = field(default_factory=set)

    @property
    def to_rematch(self) -> set[str]:
        return self.affected_profiles | self.due_profiles


def register_profile_query(
    store: Store, profile_id: str, query: SearchQuery, recheck_on: date | None
) -> None:
    """The per-diagnosis design's registry of which search a profile used (superseded by the
    shared corpus; the pipeline no longer calls it, erase still removes what it wrote)."""
    when = None
    if recheck_on is not None:
        when = datetime(recheck_on.year, recheck_on.month, recheck_on.day, tzinfo=UTC)
    body = {"cond_terms": list(query.cond_terms), "statuses": list(query.statuses)}
    store.register_profile_query(profile_id, query.cache_key(), body, when)


def schedule_recheck(store: Store, profile_id: str, recheck_on: date | None) -> None:
    """Remember when the passage of time alone may change this profile's verdicts (not for an
    erased profile: the store checks, atomically, that it still exists)."""
    when = None
    if recheck_on is not None:
        when = datetime(recheck_on.year, recheck_on.month, recheck_on.day, tzinfo=UTC).timestamp()
    store.set_recheck(profile_id, when)


def sync_trials(
    store: Store,
    corpus: TrialCorpus,
    *,
    now: datetime,
    data_version_ttl_s: int,
    options: EngineOptions,
) -> SyncResult:
    """Sweep the corpus to the registry's current data version; pick the profiles to re-match.

    Each profile is compared with what it was actually matched on: the corpus diff when its
    match set was computed on the version swept from, else its own stored trial versions (the
    first sync, a crashed sync, a profile matched long ago).
    """
    version = corpus.source.data_version() or f"unversioned:{now.date().isoformat()}"
    state = store.sync_state()
    result = SyncResult(data_version=version, moved=version != state.get("data_version"))
    if result.moved:
        record = corpus.ensure(version)  # the one corpus writer, shared with the match path
        store.cache_data_version(version, data_version_ttl_s)
        result.requests_hint = 1
        profile_ids = sorted(store.profiles_expiring_by(float("inf")))
        basis = store.match_basis(profile_ids)
        trials: dict[str, Trial] | None = None
        for pid in profile_ids:
            if basis[pid] in (None, version):
                continue  # never matched yet (its job will), or already on this version
            if record.previous is not None and basis[pid] == record.previous:
                candidates = set(record.changed)
            else:
                candidates = _differs(store.matched_trial_versions(pid), record)
            if not candidates:
                continue
            result.changed_trials[pid] = candidates
            if trials is None:
                trials = {t.nct_id: t for t in corpus.current().trials}
            fresh = {n: trials[n] for n in candidates if n in trials}
            if _visible_change(store, pid, fresh, candidates - fresh.keys(), options, now):
                result.affected_profiles.add(pid)
        store.record_sync({"data_version": version, "synced_at": now.isoformat()})
    due = set(store.rechecks_due(now.timestamp()))
    # Score 0 is not a date: the store quarantined part of the profile's stored set, which
    # only a re-match rebuilds, whether or not the lost entries would show a change.
    rebuild = set(store.rechecks_due(0))
    result.due_profiles |= rebuild - result.affected_profiles
    due_trials: dict[str, Trial] | None = None
    for pid in sorted(due - result.affected_profiles - rebuild):
        if due_trials is None:
            due_trials = {t.nct_id: t for t in corpus.current().trials}
        if _visible_change(store, pid, due_trials, set(), options, now):
            result.due_profiles.add(pid)
        else:
            _postpone(store, pid, now)
    log.info(
        "sync version_moved=%s changed=%d affected=%d due=%d",
        result.moved,
        len(set().union(*result.changed_trials.values())) if result.changed_trials else 0,
        len(result.affected_profiles),
        len(result.due_profiles),
    )
    return result


def _differs(matched: dict[str, str], record: CorpusRecord) -> set[str]:
    """Trials whose content differs from what the profile was matched on, or that are new."""
    entries = record.entries
    return {
        n
        for n in matched.keys() | entries.keys()
        if n not in matched or n not in entries or matched[n] != entries[n].version
    }


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
    # A corrupt entry is quarantined by the store and reads as absent: the profile is then
    # re-matched, which rebuilds it (instead of the sync failing for every profile).
    stored = store.read_match_entries(profile_id, sorted(fresh.keys() | removed))
    if any(n in stored for n in removed):
        return True
    new = [evaluate_trial(profile, t, as_of=now.date(), options=options) for t in fresh.values()]
    new = overlay_matches(new, store.read_answers(profile_id))  # as stored: answers applied
    return bool(diff_matches([stored[n] for n in fresh if n in stored], new, now))


def _postpone(store: Store, profile_id: str, now: datetime) -> None:
    """Nothing moved on the due date: schedule the next one instead of re-checking hourly."""
    try:
        profile = store.load_profile(profile_id).profile
    except NotFound:
        store.drop_recheck(profile_id)
        return
    schedule_recheck(store, profile_id, next_recheck(profile, now.date()))


def claim_rematch(store: Store, profile_id: str, period: str, *, ttl_s: int) -> bool:
    """Enqueue-side de-duplication: True for the first claim of (profile, period) only.
    An erased profile is never claimed (no marker naming it is created)."""
    key = store.keys.rematch_enqueued(profile_id, period)
    try:
        created, _ = store.set_marker_while_profile(key, profile_id, "1", ttl_s)
    except NotFound:
        return False
    return created


def start_rematch(store: Store, profile_id: str, period: str, task_id: str, *, ttl_s: int) -> bool:
    """Consumer-side de-duplication: only one task per (profile, period) may run.

    The marker holds the task id, so the same task's retries and redeliveries still proceed,
    while a second task for the same period (a duplicate enqueue) stops here. ProfileGone when
    the profile was erased (nothing is written then).
    """
    key = store.keys.rematch_started(profile_id, period)
    created, current = store.set_marker_while_profile(key, profile_id, task_id, ttl_s)
    return created or current == task_id
