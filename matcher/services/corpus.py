"""The population corpus: one set of trials per data version, shared by every profile.

Every profile is evaluated against the whole corpus (the engine decides fit; the search only
gathers), so the number of ClinicalTrials.gov requests no longer depends on how many profiles or
diagnoses there are. The corpus of a data version is built once — by a full search when there is no
earlier corpus, else by the daily sweep (matcher/services/sweep.py) — and `ensure` is its only
writer: the match path and the nightly sync both call it, under one Redis lock, and the record
itself is written with SET NX, so two writers can never publish two different lists for one version.

The data version is the API's `dataTimestamp` (refreshed daily) or the snapshot's fingerprint,
cached briefly so that a burst of profiles costs one `/version` call, not one each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.ctgov.source import TrialSource
from matcher.adapters.store import Store
from matcher.domain.models import ProfileIn, Trial
from matcher.errors import UpstreamUnavailable
from matcher.services.sweep import Built, CorpusRecord, full_build, sweep

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorpusSlice:
    trials: list[Trial]
    data_version: str
    confirmed: dict[str, str]  # nct_id -> data version that last confirmed its status


class TrialCorpus:
    def __init__(
        self,
        store: Store,
        source: TrialSource,
        query: CorpusQuery,
        *,
        ttl_s: int,
        data_version_ttl_s: int = 600,
        lock_timeout_s: int = 120,
        matched_on: Callable[[], set[str]] | None = None,
    ) -> None:
        self.store = store
        self.source = source
        self.query = query
        self.ttl_s = ttl_s
        self.data_version_ttl_s = data_version_ttl_s
        self.lock_timeout_s = lock_timeout_s
        # The trials stored profiles were matched on; a build without an earlier corpus fetches
        # the ones that left the query, so their closure is reported (issue 11, finding 10).
        self.matched_on = matched_on or (lambda: all_matched_trials(store))
        # The last corpus read, per process: a burst of profiles on one data version reads and
        # parses the trial bodies once, not once per profile (a corpus is immutable per version).
        self._memo: CorpusSlice | None = None

    def data_version(self) -> str:
        cached = self.store.cached_data_version()
        if cached is not None:
            return cached
        version = self.source.data_version() or _unversioned()
        self.store.cache_data_version(version, self.data_version_ttl_s)
        return version

    def trials_for(self, profile: ProfileIn) -> CorpusSlice:
        """The trials a profile is evaluated against: the whole corpus of the current version."""
        del profile  # every profile sees the same corpus; kept for the pipeline's call shape
        return self.current()

    def current(self) -> CorpusSlice:
        version = self.data_version()
        if self._memo is not None and self._memo.data_version == version:
            return self._memo
        record = self.ensure(version)
        trials = self._bodies(record)
        if trials is None:
            trials = self._restore_bodies(record)
        confirmed = {n: e.confirmed for n, e in record.entries.items()}
        self._memo = CorpusSlice(trials, version, confirmed)
        return self._memo

    def ensure(self, version: str) -> CorpusRecord:
        """The corpus record of `version`, building it if nobody has (single writer)."""
        record = self._usable(version)
        if record is not None:
            return record
        with self.store.corpus_lock(self.lock_timeout_s) as acquired:
            if not acquired:
                # Another worker has held the build for the whole timeout: let Celery retry.
                raise UpstreamUnavailable("corpus build still running elsewhere")
            record = self._usable(version)  # another worker may have built it meanwhile
            if record is not None:
                return record
            built = self._build(version)
            if not self.store.publish_corpus(
                version, built.record.to_json(), built.fetched, self.ttl_s
            ):
                log.info("corpus %s was published by another writer; using theirs", version)
            stored = self._usable(version)
            if stored is None:
                raise UpstreamUnavailable(f"corpus {version} not readable after publishing")
            return stored

    def _usable(self, version: str) -> CorpusRecord | None:
        raw = self.store.corpus_record(version)
        if raw is None:
            return None
        record = CorpusRecord.from_json(raw)
        return record if record.query == self.query.key() else None

    def _restore_bodies(self, record: CorpusRecord) -> list[Trial]:
        """Bodies evicted or expired under a live record: fetch those trials again by id. If the
        registry's copy is no longer the recorded one, the record cannot be served (retry later:
        the next data version builds afresh)."""
        missing = self.store.missing_trial_bodies(
            [(n, e.version) for n, e in record.entries.items()]
        )
        log.warning(
            "re-fetching %d evicted trial bodies of corpus %s", len(missing), record.data_version
        )
        fetched = self.source.fetch(missing)
        usable = [
            t
            for t in fetched
            if getattr(record.entries.get(t.nct_id), "version", None) == t.version
        ]
        self.store.publish_corpus(record.data_version, record.to_json(), usable, self.ttl_s)
        trials = self._bodies(record)
        if trials is None:
            raise UpstreamUnavailable("trials of the corpus changed since it was built")
        return trials

    def _bodies(self, record: CorpusRecord) -> list[Trial] | None:
        pairs = [(n, e.version) for n, e in sorted(record.entries.items())]
        return self.store.trial_bodies(pairs, self.ttl_s)

    def _build(self, version: str) -> Built:
        today = datetime.now(UTC).date()
        previous = None
        latest = self.store.latest_corpus_version()
        if latest is not None and latest != version:
            previous = self._usable(latest)
            if previous is not None and self._bodies(previous) is None:
                previous = None  # unchanged trials would have no body: start afresh
        if previous is None:
            log.info("building the trial corpus in full for data version %s", version)
            return full_build(self.source, self.query, version, today, self.matched_on())
        log.info("sweeping the trial corpus %s -> %s", previous.data_version, version)
        return sweep(self.source, self.query, previous, version, today)


def all_matched_trials(store: Store) -> set[str]:
    """Every NCT id in any stored profile's live match set."""
    return store.matched_trials(store.profiles_expiring_by(float("inf")))


def _unversioned() -> str:
    # Without a data timestamp, a day is the longest a corpus may be reused.
    return f"unversioned:{datetime.now(UTC).date().isoformat()}"
