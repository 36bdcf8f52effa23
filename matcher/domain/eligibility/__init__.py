"""Eligibility engine: criterion-by-criterion verdicts over plain pydantic models (no I/O).

Public interface (stable; `workers/` and the CLI depend on exactly this):

    ENGINE_VERSION: str
    EngineOptions(statuses=frozenset({...}), any_status=False)
    evaluate_trial(profile, trial, *, as_of, options) -> TrialMatch
    evaluate(profile, trial, as_of, *, statuses, any_status) -> TrialMatch  # same, no caches
    match_trials(profile, trials, *, as_of, options, data_version=None) -> MatchRun   # ranked
    search_terms(diagnosis) -> list[str]   # diagnosis + broader vocabulary terms for query.cond
    profile_warnings(profile) -> list[str]  # e.g. a diagnosis the vocabulary does not know
"""

from matcher.domain.eligibility.engine import (
    ENGINE_VERSION,
    EngineOptions,
    evaluate_trial,
    match_trials,
    profile_warnings,
)
from matcher.domain.eligibility.evaluate import evaluate
from matcher.domain.eligibility.vocabulary import search_terms

__all__ = [
    "ENGINE_VERSION",
    "EngineOptions",
    "evaluate",
    "evaluate_trial",
    "match_trials",
    "profile_warnings",
    "search_terms",
]
