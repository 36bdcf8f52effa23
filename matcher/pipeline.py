"""One matching run for one stored profile: load, fetch trials, evaluate, store. No Celery here.

The Celery task (workers/tasks.py) is a thin shell around `run_match`; the CLI and tests can call
it directly against a real Redis.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from matcher.corpus import TrialCorpus
from matcher.eligibility import EngineOptions, match_trials
from matcher.models import MatchRun
from matcher.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    profile_id: str
    written: bool  # False when a newer run had already stored its set (fencing)
    trials: int
    verdicts: dict[str, int]


def run_match(
    store: Store,
    corpus: TrialCorpus,
    profile_id: str,
    *,
    options: EngineOptions,
    as_of: date | None = None,
) -> RunOutcome:
    """Evaluate one stored profile against its trials and replace its live match set."""
    seq = store.next_run_seq(profile_id)  # taken first: a later run always gets a higher seq
    stored = store.load_profile(profile_id)
    trials, data_version = corpus.trials_for(stored.profile)
    evaluated_on = as_of or datetime.now(UTC).date()
    run: MatchRun = match_trials(
        stored.profile, trials, as_of=evaluated_on, options=options, data_version=data_version
    )
    run = run.model_copy(update={"created_at": datetime.now(UTC)})
    written = store.write_matches(run, seq, stored.expires_at)
    verdicts = Counter(r.verdict for r in run.results)
    log.info(
        "match run profile_id=%s seq=%d trials=%d written=%s", profile_id, seq, len(trials), written
    )
    return RunOutcome(profile_id, written, len(run.results), dict(verdicts))
