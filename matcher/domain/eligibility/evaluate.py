"""The engine without caches, top to bottom: one profile, one trial, one evaluation date.

This is the reference reading of a trial. `engine.match_trials`/`evaluate_trial` give the same
result (tests/unit/test_eligibility_evaluate.py pins that) with caches wrapped around the same
steps: trials parsed once per version, profile-independent results reused, judgements shared by
profiles whose read facts are equal (projection.py), trial outcomes remembered by their parts.
"""

from __future__ import annotations

from datetime import date

from matcher.domain.eligibility import trial_checks as tc
from matcher.domain.eligibility import trialwide
from matcher.domain.eligibility.facts import build_facts
from matcher.domain.eligibility.judges import judge_criterion, verify_of
from matcher.domain.eligibility.outputs import Part, compose, result
from matcher.domain.eligibility.parsed import parse_trial
from matcher.domain.eligibility.rank import RankParts, fit_of, patient_alterations
from matcher.domain.models.match import RankInfo, TrialMatch
from matcher.domain.models.profile import ProfileIn
from matcher.domain.models.trial import Trial


def evaluate(
    profile: ProfileIn,
    trial: Trial,
    as_of: date,
    *,
    statuses: frozenset[str] = frozenset({"RECRUITING", "NOT_YET_RECRUITING"}),
    any_status: bool = False,
) -> TrialMatch:
    """One trial judged for one profile at `as_of`, with no cache anywhere."""
    # 1. what the profile says, and what the trial's text asks (split, classified, prepared)
    facts = build_facts(profile, as_of)
    parsed = parse_trial(trial)
    # 2. trial-level checks from structured fields: status, age, sex, diagnosis, setting
    checks = tc.structured_checks(trial, parsed, facts, statuses, any_status)
    distance, nearest = tc.distance_check(trial, profile, statuses, any_status)
    if distance is not None:
        checks.append(distance)
    parts: list[Part] = [(result(k, text, j, "trial"), j.verify, 0) for k, text, j in checks]
    # 3. every criterion on its own, then the rules that need the whole trial
    judged = [judge_criterion(crit, facts) for crit in parsed.criteria]
    judged = trialwide.apply(
        parsed.criteria, judged, parsed.concepts, facts, parsed.structured_concepts
    )
    results = [
        result(j.kind, crit.text, j.judgement, crit.section, j.guard, crit.alt_group or None)
        for crit, j in zip(parsed.criteria, judged, strict=True)
    ]
    verify = [verify_of(crit, j) for crit, j in zip(parsed.criteria, judged, strict=True)]
    # 4. the trial's verdict, its decisive reasons, what to verify, its open questions
    verdict, ordered, decisive, to_verify, open_count = compose(parts, results, verify)
    # 5. its rank: criteria in the record > targeted fit > fewer open questions > open > near >
    # phase (rank.py)
    fit = None
    if parsed.targets is not None:
        alterations = patient_alterations(profile.biomarkers)
        fit = fit_of(facts.concept, alterations, parsed.concepts, parsed.targets)
    rank = RankParts(
        verdict,
        bool(parsed.criteria),
        fit,
        open_count,
        trial.overall_status in statuses,
        None if nearest is None else nearest.distance_km,
        parsed.phase_rank,
    )
    return TrialMatch(
        nct_id=trial.nct_id,
        title=trial.title,
        verdict=verdict,
        score=rank.score(),
        overall_status=trial.overall_status,
        phases=list(trial.phases),
        criteria=ordered,
        decisive=decisive,
        to_verify=to_verify,
        nearest_site=nearest,
        trial_version=trial.version,
        engine_version=_engine_version(),
        rank=RankInfo(
            criteria_in_record=rank.criteria_in_record,
            targeted_fit=rank.targeted_fit,
            open_questions=rank.open_questions,
            is_open=rank.is_open,
            distance_km=rank.distance_km,
            phase_rank=rank.phase_rank,
            why=rank.explain(),
        ),
    )


def _engine_version() -> str:
    from matcher.domain.eligibility.engine import (
        ENGINE_VERSION,  # engine imports this module's peers
    )

    return ENGINE_VERSION
