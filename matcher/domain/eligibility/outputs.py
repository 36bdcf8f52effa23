"""Output objects built without re-validation, and a trial's composed outcome from its parts.

Trial-level check results are interned process-wide by content, each with a serial (never
reused, unlike id()), so that a trial's composed outcome can be memoised across runs keyed by
the serials of the parts it was composed from (engine._Run.evaluate).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from matcher.domain.eligibility import projection
from matcher.domain.eligibility.base import Judgement
from matcher.domain.eligibility.rank import RankParts
from matcher.domain.eligibility.verdict import decide, decisive, open_questions, order, to_verify
from matcher.domain.models.match import CriterionResult, RankInfo, TrialVerdict

# (result, the fact to verify if unknown, serial)
Part = tuple[CriterionResult, str | None, int]
# verdict, ordered criteria, decisive reasons, facts to verify, open questions (unknowns)
Composed = tuple[TrialVerdict, list[CriterionResult], list[str], list[str], int]
MAX_CHECKS = 50_000
MAX_COMPOSED = 50_000
# (trial-wide projection, concepts, part serials, entry serials) -> outcome; see engine
COMPOSED: dict[tuple[Any, ...], Composed] = {}


_NEW = object.__new__
_SETATTR = object.__setattr__
# BaseModel's own slots, set through their descriptors (half the cost of object.__setattr__)
_SET_FIELDS = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__


def fast(cls: type[BaseModel], values: dict[str, Any]) -> Any:
    """A pydantic model instance from already-valid values (what model_construct does, minus
    defaults handling): per-criterion validation would dominate the 1,000-trial budget."""
    obj = _NEW(cls)
    _SETATTR(obj, "__dict__", values)
    _SET_FIELDS(obj, set(values))
    _SET_EXTRA(obj, None)
    _SET_PRIVATE(obj, None)
    return obj


def rule_id(kind: str, j: Judgement) -> str:
    """The stable id of the rule that read a criterion: "<kind>/<rule>" ("labs/judge")."""
    return f"{kind}/{j.rule or 'judge'}"


def result(
    kind: str,
    text: str,
    j: Judgement,
    section: str,
    guard: str | None = None,
    group: str | None = None,
) -> CriterionResult:
    values = {
        "kind": kind,
        "text": text,
        "verdict": j.verdict,
        "reason": j.reason,
        "section": section,
        "rule_id": rule_id(kind, j)
        if section != "trial"
        else f"trial/{kind}" + (f".{j.rule}" if j.rule else ""),
        "guard": guard,
        "group": group,
    }
    made: CriterionResult = fast(CriterionResult, values)
    return made


_CHECKS: dict[tuple[str, str, Judgement], Part] = {}


def check(kind: str, text: str, j: Judgement, local: dict[Any, Part]) -> Part:
    """A trial-level check's result: shared process-wide when caching is on, else per run."""
    store = _CHECKS if projection.ENABLED else local
    key = (kind, text, j)
    found = store.get(key)
    if found is None:
        if len(store) >= MAX_CHECKS:
            store.clear()
        found = store[key] = (result(kind, text, j, "trial"), j.verify, projection.serial())
    return found


def compose(
    parts: list[Part], block_results: list[CriterionResult], block_verify: list[str | None]
) -> Composed:
    results = [r for r, _v, _s in parts] + block_results
    verify = [v for _r, v, _s in parts] + block_verify
    verdict = decide(results)
    excluding = decisive(results)
    return (
        verdict,
        order(results, excluding),
        [r.reason for r in excluding],
        to_verify(results, verify) if verdict == "possibly_eligible" else [],
        open_questions(results),
    )


_RANKS: dict[RankParts, RankInfo] = {}


def rank_out(parts: RankParts) -> RankInfo:
    """The TrialMatch `rank` field from the score's parts (built without re-validation; equal
    parts share one immutable object, as many trials of a run do)."""
    found = _RANKS.get(parts)
    if found is not None:
        return found
    if len(_RANKS) >= MAX_CHECKS:
        _RANKS.clear()
    values = {
        "criteria_in_record": parts.criteria_in_record,
        "targeted_fit": parts.targeted_fit,
        "open_questions": parts.open_questions,
        "is_open": parts.is_open,
        "distance_km": parts.distance_km,
        "phase_rank": parts.phase_rank,
        "why": parts.explain(),
    }
    made: RankInfo = fast(RankInfo, values)
    _RANKS[parts] = made
    return made


def clear() -> None:
    _RANKS.clear()
    _CHECKS.clear()
    COMPOSED.clear()
