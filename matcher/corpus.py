"""The shared trial corpus: one ClinicalTrials.gov search serves every profile that needs it.

A search is keyed by (query hash, data version). The data version is the API's `dataTimestamp`
(refreshed daily) or the snapshot's fingerprint, itself cached briefly so that a burst of
profiles costs one `/version` call, not one each. Concurrent workers that miss the cache at the
same time are single-flighted by a Redis lock: one searches, the rest wait and read its result.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from redis.exceptions import LockError, RedisError

from matcher.ctgov.query import SearchQuery
from matcher.ctgov.source import TrialSource
from matcher.eligibility import search_terms
from matcher.errors import UpstreamUnavailable
from matcher.models import ProfileIn, Trial
from matcher.store import Store, redis_errors

log = logging.getLogger(__name__)

# ENROLLING_BY_INVITATION is searched too so that the board sees such trials (marked as such).
_EXTRA_STATUSES = ("ENROLLING_BY_INVITATION",)


@dataclass(frozen=True)
class CorpusSlice:
    trials: list[Trial]
    data_version: str
    query: SearchQuery


class TrialCorpus:
    def __init__(
        self,
        store: Store,
        source: TrialSource,
        *,
        statuses: Sequence[str],
        search_ttl_s: int,
        data_version_ttl_s: int = 600,
        lock_timeout_s: int = 120,
    ) -> None:
        self.store = store
        self.source = source
        self.statuses = tuple(dict.fromkeys([*statuses, *_EXTRA_STATUSES]))
        self.search_ttl_s = search_ttl_s
        self.data_version_ttl_s = data_version_ttl_s
        self.lock_timeout_s = lock_timeout_s

    def query_for(self, profile: ProfileIn) -> SearchQuery:
        return SearchQuery(
            cond_terms=tuple(search_terms(profile.diagnosis)), statuses=self.statuses
        )

    def data_version(self) -> str:
        cached = self.store.cached_data_version()
        if cached is not None:
            return cached
        # Without a data timestamp, a day is the longest a cached search may be reused.
        version = self.source.data_version() or f"unversioned:{date.today().isoformat()}"
        self.store.cache_data_version(version, self.data_version_ttl_s)
        return version

    def trials_for(self, profile: ProfileIn) -> CorpusSlice:
        """The trials a profile is evaluated against, the data version and the search used."""
        query = self.query_for(profile)
        version = self.data_version()
        qkey = query.cache_key()
        cached = self.store.get_search(qkey, version)
        if cached is not None:
            return CorpusSlice(cached, version, query)
        lock = self.store.r.lock(
            self.store.keys.search_lock(qkey, version),
            timeout=self.lock_timeout_s,
            blocking_timeout=self.lock_timeout_s,
        )
        with redis_errors("waiting for the search lock"):
            acquired = lock.acquire()
        if not acquired:
            # Another worker has held the search for the whole timeout: let Celery retry later.
            raise UpstreamUnavailable(f"search {qkey} still running elsewhere")
        try:
            cached = self.store.get_search(qkey, version)  # another worker may have searched
            if cached is not None:
                return CorpusSlice(cached, version, query)
            log.info("searching ClinicalTrials.gov query_key=%s", qkey)
            trials = self.source.search(query)
            self.store.put_search(qkey, version, trials, self.search_ttl_s)
        finally:
            with contextlib.suppress(LockError, RedisError):
                lock.release()  # it may have expired; its timeout then already freed it
        return CorpusSlice(trials, version, query)
