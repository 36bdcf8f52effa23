"""The engine without caches, top to bottom: one profile, one trial, one evaluation date.

This is the reference reading of a trial, and its steps are the engine's steps: `engine.py`
calls the same functions below and only remembers their results (trials parsed once per
version, a criterion's judgement by the profile facts it reads, a trial's outcome by its parts).
tests/unit/test_eligibility_evaluate.py pins `evaluate` and the cached engine equal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from matcher.domain.eligibility import trial_checks as tc
from matcher.domain.eligibility import trialwide
from matcher.domain.eligibility.base import Criterion, Facts, Judgement
from matcher.domain.eligibility.facts import build_facts
from matcher.domain.eligibility.judges import Judged, judge_criterion, verify_of
from matcher.domain.eligibility.outputs import Part, compose, result
from matcher.domain.eligibility.parsed import ParsedTrial, parse_trial
from matcher.domain.eligibility.rank import RankParts, fit_of, patient_alterations
from matcher.domain.models.match import CriterionResult, NearestSite, RankInfo, TrialMatch
from matcher.domain.models.profile import ProfileIn
from matcher.domain.models.trial import Trial

DEFAULT_STATUSES = frozenset({"RECRUITING", "NOT_YET_RECRUITING"})


def evaluate(
    profile: ProfileIn,
    trial: Trial,
    as_of: date,
    *,
    statuses: frozenset[str] = DEFAULT_STATUSES,
    any_status: bool = False,
) -> TrialMatch:
    """One trial judged for one profile at `as_of`, with no cache anywhere."""
    # 1. what the profile says, and what the trial's text asks (split, classified, prepared)
    facts = build_facts(profile, as_of)
    parsed = parse_trial(trial)
    # 2. trial-level checks from structured fields: status, age, sex, diagnosis, setting, distance
    checks = tc.structured_checks(trial, parsed, facts, statuses, any_status)
    distance, nearest = tc.distance_check(trial, profile, statuses, any_status)
    if distance is not None:
        checks.append(distance)
    parts: list[Part] = [check_part(kind, text, j) for kind, text, j in checks]
    # 3. every criterion on its own, then the rules that need the whole trial
    judged = [judge_criterion(crit, facts) for crit in parsed.criteria]
    outputs = [criterion_output(crit, j) for crit, j in zip(parsed.criteria, judged, strict=True)]
    results = [r for r, _v in outputs]
    verify = [v for _r, v in outputs]
    with_trialwide(parsed, judged, results, verify, facts)
    # 4. the trial's verdict, its decisive reasons, what to verify, its open questions
    verdict, ordered, decisive, to_verify, open_count = compose(parts, results, verify)
    # 5. its rank: criteria in the record > targeted fit > fewer open questions > open > near >
    # phase (rank.py)
    fit = trial_fit(parsed, facts, patient_alterations(profile.biomarkers))
    ranked = rank_parts(trial, parsed, verdict, fit, open_count, nearest, statuses)
    composed = (verdict, ordered, decisive, to_verify, open_count)
    values = match_values(trial, composed, ranked, rank_info(ranked), nearest, _engine_version())
    return TrialMatch.model_validate(values)  # validated here; the engine builds it unvalidated


# --- the steps, shared with engine.py ------------------------------------------------------------

Output = tuple[CriterionResult, str | None]  # a criterion's output row and the fact to verify


def check_part(kind: str, text: str, j: Judgement) -> Part:
    """A trial-level check as a part of the outcome (serial 0: nothing is remembered here)."""
    return result(kind, text, j, "trial"), j.verify, 0


def criterion_output(crit: Criterion, judged: Judged) -> Output:
    """A judged criterion's output row and the fact the board must verify if it is unknown."""
    j = judged.judgement
    group = crit.alt_group or None
    return result(judged.kind, crit.text, j, crit.section, judged.guard, group), verify_of(
        crit, judged
    )


def with_trialwide(
    parsed: ParsedTrial,
    judged: list[Judged],
    results: list[CriterionResult],
    verify: list[str | None],
    facts: Facts,
) -> None:
    """The trial-wide rules (trialwide.py) applied to the trial's criterion rows, in place: only
    the criteria those rules change get a new row."""
    criteria = parsed.criteria
    adjusted = trialwide.apply(criteria, judged, parsed.concepts, facts, parsed.structured_concepts)
    if adjusted is not judged:
        for i, (before, after) in enumerate(zip(judged, adjusted, strict=True)):
            if after is not before:
                results[i], verify[i] = criterion_output(criteria[i], after)


def trial_fit(parsed: ParsedTrial, facts: Facts, alterations: frozenset[str]) -> str | None:
    """Why the trial is written for this patient (ranking), or None."""
    if parsed.targets is None:
        return None
    return fit_of(facts.concept, alterations, parsed.concepts, parsed.targets)


def rank_parts(
    trial: Trial,
    parsed: ParsedTrial,
    verdict: str,
    fit: str | None,
    open_count: int,
    nearest: NearestSite | None,
    statuses: frozenset[str],
) -> RankParts:
    return RankParts(
        verdict,
        bool(parsed.criteria),
        fit,
        open_count,
        trial.overall_status in statuses,
        None if nearest is None else nearest.distance_km,
        parsed.phase_rank,
    )


def rank_info(rank: RankParts) -> RankInfo:
    return RankInfo(
        criteria_in_record=rank.criteria_in_record,
        targeted_fit=rank.targeted_fit,
        open_questions=rank.open_questions,
        is_open=rank.is_open,
        distance_km=rank.distance_km,
        phase_rank=rank.phase_rank,
        why=rank.explain(),
    )


def match_values(
    trial: Trial,
    composed: tuple[Any, list[CriterionResult], list[str], list[str], int],
    ranked: RankParts,
    rank: RankInfo,
    nearest: NearestSite | None,
    engine_version: str,
) -> dict[str, Any]:
    """Every TrialMatch field (copies of the composed lists: those may be shared by runs)."""
    verdict, ordered, decisive, to_verify, _open = composed
    return {
        "nct_id": trial.nct_id,
        "title": trial.title,
        "verdict": verdict,
        "score": ranked.score(),
        "overall_status": trial.overall_status,
        "phases": list(trial.phases),
        "criteria": list(ordered),
        "decisive": list(decisive),
        "to_verify": list(to_verify),
        "nearest_site": nearest,
        "trial_version": trial.version,
        "engine_version": engine_version,
        "status_confirmed": None,  # set by the pipeline from the corpus (not engine work)
        "rank": rank,
    }


def _engine_version() -> str:
    from matcher.domain.eligibility.engine import ENGINE_VERSION  # engine imports this module

    return ENGINE_VERSION
