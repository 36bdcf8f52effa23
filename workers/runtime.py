"""Per-process singletons of a worker: one Redis client, one httpx client, one corpus.

Created lazily on first use, i.e. inside each prefork child after the fork (an httpx or Redis
connection inherited across fork would be shared by two processes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.ctgov.source import make_source
from matcher.adapters.store import Store
from matcher.domain.eligibility import EngineOptions
from matcher.services.corpus import TrialCorpus
from matcher.settings import Settings, get_settings


@dataclass(frozen=True)
class Runtime:
    store: Store
    corpus: TrialCorpus
    options: EngineOptions


@lru_cache(maxsize=1)
def runtime() -> Runtime:
    settings = get_settings()
    store = Store.from_settings(settings)
    source = make_source(settings, store)
    corpus = TrialCorpus(
        store,
        source,
        corpus_query(settings),
        ttl_s=settings.search_cache_ttl_s,
        # A child killed mid-search leaves its lock until this expires: it must be well under
        # the soft time limit, or the re-run waits on it and times out. A search outliving it
        # only costs a duplicate build (the record is written once, SET NX).
        lock_timeout_s=max(1, settings.task_soft_time_limit_s // 2),
    )
    options = EngineOptions(
        statuses=frozenset(settings.recruiting_statuses),
        any_status=settings.any_status,
        assessment_max_age_days=settings.assessment_max_age_days,
    )
    return Runtime(store=store, corpus=corpus, options=options)


def corpus_query(settings: Settings) -> CorpusQuery:
    """The deployment's corpus search: its open statuses, or every status with any_status."""
    return CorpusQuery.for_deployment(settings.recruiting_statuses, settings.any_status)


def reset() -> None:
    """Forget this process's clients (called in each child right after fork)."""
    runtime.cache_clear()
