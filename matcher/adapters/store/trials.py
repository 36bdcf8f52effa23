"""The shared trial cache: trial bodies, cached searches, the corpus record, the data version
and the sync's state (matcher/services/corpus.py and matcher/services/trial_sync.py decide; this
reads and writes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import cast

from matcher.adapters.store.base import StoreBase
from matcher.adapters.store.client import redis_errors
from matcher.domain.models import Trial
from matcher.errors import NotFound


class TrialStore(StoreBase):
    def put_search(
        self, query_key: str, data_version: str, trials: Sequence[Trial], ttl_s: int
    ) -> None:
        """Cache the trials of one search, by NCT id + version, and the search's id list."""
        ids = [[t.nct_id, t.version] for t in trials]
        with redis_errors("caching trials"):
            pipe = self.r.pipeline(transaction=True)
            for trial in trials:
                # Trial bodies outlive any one search so that other searches can share them.
                pipe.set(
                    self.keys.trial(trial.nct_id, trial.version),
                    trial.model_dump_json(),
                    ex=ttl_s * 4,
                )
                pipe.set(self.keys.trial_latest(trial.nct_id), trial.version, ex=ttl_s * 4)
            pipe.set(self.keys.search(query_key, data_version), json.dumps(ids), ex=ttl_s)
            pipe.execute()

    def get_search(self, query_key: str, data_version: str) -> list[Trial] | None:
        """The cached trials of a search, or None if any piece is missing (then search again)."""
        with redis_errors("reading the trial cache"):
            raw = self.get_str(self.keys.search(query_key, data_version))
            if raw is None:
                return None
            ids = json.loads(raw)
            if not ids:
                return []
            bodies = cast("list[str | None]", self.r.mget([self.keys.trial(n, v) for n, v in ids]))
        if any(b is None for b in bodies):
            return None
        return [Trial.model_validate_json(b) for b in bodies if b is not None]

    # --- the population corpus ---------------------------------------------------------------
    def publish_corpus(
        self, data_version: str, record: str, trials: Sequence[Trial], ttl_s: int
    ) -> bool:
        """Store new trial bodies, then the corpus record of `data_version` if none exists yet.

        The record is written once (SET NX): whoever comes second for the same data version
        keeps the first one, so the match path and the sync can never publish two lists.
        """
        with redis_errors("caching trials"):
            pipe = self.r.pipeline(transaction=False)
            for trial in trials:
                # Bodies are keyed by content hash: writing one twice writes the same bytes.
                pipe.set(self.keys.trial(trial.nct_id, trial.version), trial.model_dump_json(),
                         ex=ttl_s * 4)  # fmt: skip
                pipe.set(self.keys.trial_latest(trial.nct_id), trial.version, ex=ttl_s * 4)
            pipe.execute()
            written = bool(self.r.set(self.keys.corpus(data_version), record, nx=True, ex=ttl_s))
            if written:
                self.r.set(self.keys.corpus_latest(), data_version)
        return written

    def corpus_record(self, data_version: str) -> str | None:
        with redis_errors("reading the corpus"):
            return self.get_str(self.keys.corpus(data_version))

    def latest_corpus_version(self) -> str | None:
        with redis_errors("reading the corpus"):
            return self.get_str(self.keys.corpus_latest())

    def trial_bodies(self, pairs: Sequence[tuple[str, str]], ttl_s: int) -> list[Trial] | None:
        """The trials of these (nct_id, version) pairs, TTL renewed; None if any is missing."""
        if not pairs:
            return []
        keys = [self.keys.trial(n, v) for n, v in pairs]
        with redis_errors("reading the trial cache"):
            bodies = cast("list[str | None]", self.r.mget(keys))
            if any(b is None for b in bodies):
                return None
            pipe = self.r.pipeline(transaction=False)
            for key in keys:
                pipe.expire(key, ttl_s * 4)
            pipe.execute()
        return [Trial.model_validate_json(b) for b in bodies if b is not None]

    def missing_trial_bodies(self, pairs: Sequence[tuple[str, str]]) -> list[str]:
        """The NCT ids of these (nct_id, version) pairs whose body is not cached."""
        with redis_errors("reading the trial cache"):
            pipe = self.r.pipeline(transaction=False)
            for nct_id, version in pairs:
                pipe.exists(self.keys.trial(nct_id, version))
            present = pipe.execute()
        return [n for (n, _), there in zip(pairs, present, strict=True) if not there]

    def get_trial(self, nct_id: str) -> Trial:
        with redis_errors("reading a trial"):
            version = self.get_str(self.keys.trial_latest(nct_id))
            body = self.get_str(self.keys.trial(nct_id, version)) if version else None
        if body is None:
            raise NotFound(f"trial {nct_id} not in the cache")
        return Trial.model_validate_json(body)

    def cached_data_version(self) -> str | None:
        with redis_errors("reading the data version"):
            return self.get_str(self.keys.data_version())

    def cache_data_version(self, version: str, ttl_s: int) -> None:
        with redis_errors("caching the data version"):
            self.r.set(self.keys.data_version(), version, ex=ttl_s)

    def sync_state(self) -> dict[str, str]:
        """What the last finished sync recorded (its data version, when it ran)."""
        with redis_errors("reading sync state"):
            return self.hgetall_str(self.keys.sync_state())

    def record_sync(self, state: dict[str, str]) -> None:
        with redis_errors("recording sync state"):
            self.hset_str(self.keys.sync_state(), state)
