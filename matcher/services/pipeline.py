"""One matching run for one stored profile: load, fetch trials, evaluate, store. No Celery here.

The Celery task (workers/tasks.py) is a thin shell around `run_match`; the CLI and tests can call
it directly against a real Redis.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from matcher.adapters.store import Store
from matcher.domain.answers import apply_answers, set_aside_changes
from matcher.domain.changes import diff_runs
from matcher.domain.eligibility import EngineOptions, match_trials
from matcher.domain.models import MatchRun
from matcher.domain.recheck import next_recheck
from matcher.errors import NotFound, ProfileGone
from matcher.services.corpus import TrialCorpus
from matcher.services.trial_sync import schedule_recheck

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    profile_id: str
    written: bool  # False when a newer run had already stored its set (fencing)
    trials: int
    verdicts: dict[str, int]
    changes: int = 0


def run_match(
    store: Store,
    corpus: TrialCorpus,
    profile_id: str,
    *,
    options: EngineOptions,
    as_of: date | None = None,
) -> RunOutcome:
    """Evaluate one stored profile against the corpus and replace its live match set."""
    # Taken first: a later run always gets a higher seq. Raises ProfileGone (creating nothing)
    # if the profile was erased; the writes below check again, atomically, for an erasure
    # that lands while this run is under way.
    seq = store.next_run_seq(profile_id)
    try:
        stored = store.load_profile(profile_id)
    except NotFound:
        raise ProfileGone(f"profile {profile_id} was erased") from None
    corpus_slice = corpus.trials_for(stored.profile)
    now = datetime.now(UTC)
    evaluated_on = as_of or now.date()
    run: MatchRun = match_trials(
        stored.profile,
        corpus_slice.trials,
        as_of=evaluated_on,
        options=options,
        data_version=corpus_slice.data_version,
        profile_id=profile_id,
    )
    confirmed = corpus_slice.confirmed
    results = [
        m.model_copy(update={"status_confirmed": confirmed.get(m.nct_id)}) for m in run.results
    ]
    run = run.model_copy(update={"created_at": now, "results": results})
    # The board's own answers replace the engine's reading before anything is stored or diffed,
    # so an answer that moves a verdict is logged like any other change.
    overlay = apply_answers(run, store.read_answers(profile_id))
    run = overlay.run
    previous = store.read_matches(profile_id)
    # Diffed whatever caused the run (new trial data, time passing, or the board's own update of
    # the profile or its answers): the board wants to see every verdict that moved since it met.
    changes = diff_runs(previous, run, now) + set_aside_changes(overlay, now)
    written = store.write_matches(run, seq, stored.expires_at, changes)
    if written:
        aside = [a.model_copy(update={"set_aside_at": now}) for a in overlay.set_aside]
        store.set_answers_aside(profile_id, aside)
        recheck_on = next_recheck(stored.profile, evaluated_on)
        schedule_recheck(store, profile_id, recheck_on)
    verdicts = Counter[str](r.verdict for r in run.results)
    log.info(
        "match run profile_id=%s seq=%d trials=%d changes=%d written=%s",
        profile_id,
        seq,
        len(run.results),
        len(changes),
        written,
    )
    return RunOutcome(profile_id, written, len(run.results), dict(verdicts), len(changes))
