"""From judged criteria to a TrialMatch verdict, the facts to verify, and the open questions
(ranking: rank.py)."""

from __future__ import annotations

from matcher.domain.eligibility.base import MET, NOT_APPLICABLE, NOT_MET
from matcher.domain.models.match import CriterionResult, TrialVerdict

MAX_TO_VERIFY = 40
# group ids of this prefix never exclude on their own: the cohorts a record lists (which may not
# be all of the trial's), or an OR list the record may have cut short; every alternative
# failing leaves the trial open (unknown)
OPEN_GROUP = "open-"
COHORT_GROUP = f"{OPEN_GROUP}cohorts-"  # per-cohort tumor rules ("Part B1: patients with ...")
# an OR list with nested items: a met item may be one requirement of a conjunctive alternative,
# so it settles nothing (the group still excludes only when every item is not_met)
NESTED_GROUP = "or-nested-"


def decisive(results: list[CriterionResult]) -> list[CriterionResult]:
    """The not_met criteria that exclude: each one outside OR groups, and the alternatives of an
    OR group none of whose applicable alternatives holds or may hold (all not_met)."""
    groups: dict[str, list[CriterionResult]] = {}
    out: list[CriterionResult] = []
    for r in results:
        group = r.group
        if group is not None:
            groups.setdefault(group, []).append(r)
        elif r.verdict == NOT_MET:
            out.append(r)
    for gid, members in groups.items():
        if gid.startswith(OPEN_GROUP):
            continue
        applicable = [r for r in members if r.verdict != NOT_APPLICABLE]
        if applicable and all(r.verdict == NOT_MET for r in applicable):
            out += applicable
    return out


def decide(results: list[CriterionResult]) -> TrialVerdict:
    """Ineligible when a criterion excludes (an OR group only when every alternative fails);
    eligible when everything that applies is met (an OR group: when one alternative is met)."""
    if any(r.group is not None for r in results):
        return _decide_grouped(results)
    if any(r.verdict == NOT_MET for r in results):
        return "ineligible"
    # a rule that does not apply to the patient is no obstacle
    if all(r.verdict == MET or r.verdict == NOT_APPLICABLE for r in results):
        return "eligible"
    return "possibly_eligible"


def _decide_grouped(results: list[CriterionResult]) -> TrialVerdict:
    if decisive(results):
        return "ineligible"
    settled = {
        r.group
        for r in results
        if r.group is not None and r.verdict == MET and NESTED_GROUP not in r.group
    }
    for r in results:
        if r.verdict == MET or r.verdict == NOT_APPLICABLE:
            continue
        if r.group is None or r.group not in settled:
            return "possibly_eligible"
    return "eligible"


def order(
    results: list[CriterionResult], excluding: list[CriterionResult] | None = None
) -> list[CriterionResult]:
    """Decisive (excluding) criteria first, the rest in reading order: trial, inclusion,
    exclusion."""
    first = excluding if excluding is not None else [r for r in results if r.verdict == NOT_MET]
    ids = {id(r) for r in first}
    return first + [r for r in results if id(r) not in ids]


def to_verify(results: list[CriterionResult], verify: list[str | None]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for result, fact in zip(results, verify, strict=True):
        if result.verdict != "unknown":
            continue
        item = fact or result.text[:140]
        if item not in seen:
            seen.add(item)
            out.append(item)
    if len(out) > MAX_TO_VERIFY:
        rest = len(out) - MAX_TO_VERIFY
        out = [*out[:MAX_TO_VERIFY], f"... and {rest} more criteria to review in the record"]
    return out


def open_questions(results: list[CriterionResult]) -> int:
    """Criteria left unknown: the open questions that rank a trial below one better read."""
    return sum(1 for r in results if r.verdict == "unknown")
