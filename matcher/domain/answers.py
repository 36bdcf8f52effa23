"""Board answers over a match run: the board's reading replaces the engine's (pure; no I/O).

Applied after the engine, before the run is stored and diffed, so an answer that moves a
verdict shows in the change log like any other change, and every reader (API, CLI, report, web
page, facts to collect) sees the same overlaid run. An answer is found by its criterion's key (a
digest of section + text): when the registry rewords the criterion the key no longer appears in
that trial, and the answer is set aside rather than applied to text the board never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from matcher.domain.eligibility.outputs import rank_out
from matcher.domain.eligibility.rank import RankParts
from matcher.domain.eligibility.verdict import decide, decisive, open_questions, order
from matcher.domain.models import CriterionResult, MatchRun, TrialMatch
from matcher.domain.models.answer import BoardAnswer, answer_field
from matcher.domain.models.change import ChangeEntry

# The tier part of a score (rank.py's tiers), for results stored without their rank parts.
_TIER = {"eligible": 2.0, "possibly_eligible": 1.0, "ineligible": 0.0}
# The `rule_id` of a criterion the board answered (its verdict is the board's, not a judge's).
BOARD_RULE = "board/answer"


@dataclass(frozen=True)
class Overlay:
    run: MatchRun
    applied: list[BoardAnswer]
    set_aside: list[BoardAnswer]  # live answers whose criterion text is no longer in the trial


def apply_answers(run: MatchRun, answers: Mapping[str, BoardAnswer]) -> Overlay:
    """The run with every live answer applied to its criterion, and the answers set aside."""
    live = {f: a for f, a in answers.items() if a.set_aside_at is None}
    by_trial: dict[str, list[BoardAnswer]] = {}
    for answer in live.values():
        by_trial.setdefault(answer.nct_id, []).append(answer)
    results: list[TrialMatch] = []
    applied: list[BoardAnswer] = []
    aside: list[BoardAnswer] = []
    for match in run.results:
        mine = by_trial.get(match.nct_id)
        if not mine:
            results.append(match)
            continue
        keys = {c.key for c in match.criteria}
        aside += [a for a in mine if a.criterion_key not in keys]
        used = {a.criterion_key: a for a in mine if a.criterion_key in keys}
        applied += used.values()
        results.append(overlay_trial(match, used) if used else match)
    results.sort(key=lambda m: (-m.score, m.nct_id))
    return Overlay(run.model_copy(update={"results": results}), applied, aside)


def overlay_matches(
    matches: list[TrialMatch], answers: Mapping[str, BoardAnswer]
) -> list[TrialMatch]:
    """Trial results with the live answers applied (the scheduler's pre-check compares these
    with the stored, already overlaid, results)."""
    run = MatchRun(profile_id="", evaluated_on=date.min, engine_version="", results=matches)
    return list(apply_answers(run, answers).run.results)


def overlay_trial(match: TrialMatch, answers: Mapping[str, BoardAnswer]) -> TrialMatch:
    """One trial with its answered criteria replaced; verdict, decisive reasons, open questions
    and score recomputed by the engine's own rules (verdict.decide and decisive, which know the
    OR groups; rank.RankParts with the new tier and number of open questions)."""
    criteria: list[CriterionResult] = []
    answered_texts: set[str] = set()
    for crit in match.criteria:
        answer = answers.get(crit.key)
        if answer is None:
            criteria.append(crit)
            continue
        if crit.verdict == "unknown":
            answered_texts.add(crit.text[:140])
        # The board decided, not a judge or guard: provenance says so. The criterion stays an
        # alternative of its OR group: a board's not_met excludes only with every alternative.
        update = {"verdict": answer.answer, "reason": answer.label(), "rule_id": BOARD_RULE}
        criteria.append(crit.model_copy(update={**update, "guard": None}))
    verdict = decide(criteria)
    excluding = decisive(criteria)
    return match.model_copy(
        update={
            "criteria": order(criteria, excluding),
            "verdict": verdict,
            "decisive": [c.reason for c in excluding],
            "to_verify": _to_verify(match, criteria, verdict, answered_texts),
            **_rescored(match, verdict, open_questions(criteria)),
        }
    )


def _to_verify(
    match: TrialMatch, criteria: list[CriterionResult], verdict: str, answered: set[str]
) -> list[str]:
    """What is left to verify: only for a possibly eligible trial, as the engine does. Open
    questions the engine named by the criterion's own text go with that criterion; those it
    named by a fact may be shared with other criteria, so they stay while any is open."""
    if verdict != "possibly_eligible":
        return []
    if match.verdict != "possibly_eligible":  # the engine listed none: the open criteria's text
        return list(dict.fromkeys(c.text[:140] for c in criteria if c.verdict == "unknown"))
    return [t for t in match.to_verify if t not in answered]


def _rescored(match: TrialMatch, verdict: str, open_count: int) -> dict[str, object]:
    """The score (and its parts) with the new tier and open questions; a result stored by an
    engine before 2026.11.5 (no parts) moves to its new tier, keeping its order within it."""
    if match.rank is None:
        return {"score": round(match.score - _TIER[match.verdict] + _TIER[verdict], 4)}
    r = match.rank
    parts = RankParts(
        verdict, r.criteria_in_record, r.targeted_fit, open_count, r.is_open, r.distance_km,
        r.phase_rank,
    )  # fmt: skip
    return {"score": parts.score(), "rank": rank_out(parts)}


def set_aside_changes(overlay: Overlay, at: datetime) -> list[ChangeEntry]:
    """Change-log entries saying which answers no longer apply, and why: the registry's record
    changed (a new version), or the same record is now read into different criteria."""
    versions = {m.nct_id: m.trial_version for m in overlay.run.results}
    entries = []
    for a in overlay.set_aside:
        now = versions.get(a.nct_id)
        if a.trial_version is None or now != a.trial_version:
            why = "the criterion's text changed in the registry"
            if a.trial_version is not None:
                why += f" (record version {a.trial_version} -> {now})"
        else:
            why = "the criterion is no longer read with this text (engine update)"
        entries.append(
            ChangeEntry(
                at=at,
                kind="answer_set_aside",
                nct_id=a.nct_id,
                old=a.answer,
                detail=f"board answer set aside: {why}; answered criterion: {a.text[:100]}",
            )
        )
    return entries


__all__ = [
    "Overlay", "answer_field", "apply_answers", "overlay_matches", "overlay_trial",
    "set_aside_changes",
]  # fmt: skip
