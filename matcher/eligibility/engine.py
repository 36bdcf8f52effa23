"""The eligibility engine: one profile against trials, criterion by criterion (pure, no I/O).

Trial text is parsed once per (nct_id, version) into classified criteria (parsed.CACHE); the
profile is digested once per run into Facts; identical criteria shared by many trials are judged
once per run. Output objects are built without re-validation (their values come from the engine).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel

from matcher.eligibility import parsed as parsed_module
from matcher.eligibility import trial_checks as tc
from matcher.eligibility import trialwide
from matcher.eligibility.base import Criterion, Facts, Judgement
from matcher.eligibility.facts import build_facts
from matcher.eligibility.judges import Judged, judge_criterion
from matcher.eligibility.parsed import CACHE, ParsedTrial
from matcher.eligibility.verdict import decide, met_share, order, score, to_verify
from matcher.models.match import CriterionResult, MatchRun, TrialMatch
from matcher.models.profile import ProfileIn
from matcher.models.trial import Trial

ENGINE_VERSION = "2026.11.2"
_CONSTANT = "constant"  # Criterion.results key of a profile-independent criterion's one result
DEFAULT_STATUSES = frozenset({"RECRUITING", "NOT_YET_RECRUITING"})
_NO_CRITERIA = Judgement(
    "unknown",
    "no eligibility criteria in the record",
    "full eligibility criteria (not in the record)",
)


@dataclass(frozen=True)
class EngineOptions:
    statuses: frozenset[str] = field(default_factory=lambda: DEFAULT_STATUSES)
    any_status: bool = False


def _fast(cls: type[BaseModel], values: dict[str, Any]) -> Any:
    """A pydantic model instance from already-valid values (what model_construct does, minus
    defaults handling): per-criterion validation would dominate the 1,000-trial budget."""
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def _result(kind: str, text: str, j: Judgement, section: str) -> CriterionResult:
    values = {
        "kind": kind,
        "text": text,
        "verdict": j.verdict,
        "reason": j.reason,
        "section": section,
    }
    result: CriterionResult = _fast(CriterionResult, values)
    return result


_Checks = tuple[tuple[CriterionResult, str | None], ...]


class _Run:
    """One profile at one date: its facts and the criteria already judged in this run."""

    def __init__(self, profile: ProfileIn, as_of: date, options: EngineOptions) -> None:
        self.profile = profile
        self.facts: Facts = build_facts(profile, as_of)
        self.options = options
        # id(criterion) -> (criterion kept alive so the id stays unique, judged, result)
        self.memo: dict[int, tuple[Criterion, Judged, CriterionResult, str | None]] = {}
        # trial-level checks depend on a few fields only; many trials share them
        self.checks: dict[tuple[Any, ...], tuple[CriterionResult, str | None]] = {}
        self.statics: dict[tuple[Any, ...], _Checks] = {}
        self.km: dict[tuple[float, float], float] = {}
        self.composed: dict[tuple[int, int | None, int], tuple[Any, ...]] = {}
        self.blocks: dict[
            tuple[int, tuple[str, ...]],
            tuple[tuple[Criterion, ...], list[CriterionResult], list[str | None]],
        ] = {}

    def judge(self, crit: Criterion) -> tuple[Judged, CriterionResult, str | None]:
        if crit.constant:
            # a profile-independent criterion: judged and built once, reused by every run
            found: tuple[Judged, CriterionResult, str | None] | None = crit.results.get(_CONSTANT)
            if found is not None:
                return found
        hit = self.memo.get(id(crit)) if parsed_module.SHARE else None
        if hit is not None:
            return hit[1], hit[2], hit[3]
        judged = judge_criterion(crit, self.facts)
        j = judged.judgement
        key = _CONSTANT if crit.constant else (judged.kind, j)
        made = crit.results.get(key)
        if made is None:
            if len(crit.results) > 32:
                crit.results.clear()
            verify = j.verify
            if verify is None and judged.kind == "other":
                # an unread rule: the board confirms an inclusion, rules out an exclusion
                verb = "rule out" if crit.section == "exclusion" else "confirm"
                verify = f"{verb}: {crit.text[:140]}"
            made = crit.results[key] = (
                judged,
                _result(judged.kind, crit.text, j, crit.section),
                verify,
            )
        if parsed_module.SHARE:
            self.memo[id(crit)] = (crit, made[0], made[1], made[2])
        return made[0], made[1], made[2]

    def judge_block(
        self, criteria: tuple[Criterion, ...], concepts: tuple[str, ...]
    ) -> tuple[list[CriterionResult], list[str | None]]:
        """Every criterion of one trial, with the trial-wide rules applied; memoised per run
        because re-versioned trials keep the same criteria object (parsed.split_and_classify)."""
        key = (id(criteria), concepts)
        hit = self.blocks.get(key)
        if hit is not None:
            return hit[1], hit[2]
        judged: list[Judged] = []
        results: list[CriterionResult] = []
        verify: list[str | None] = []
        for crit in criteria:
            one, result, fact = self.judge(crit)
            judged.append(one)
            results.append(result)
            verify.append(fact)
        adjusted = trialwide.apply(criteria, judged, concepts, self.facts)
        if adjusted is not judged:
            for i, (crit, before, after) in enumerate(zip(criteria, judged, adjusted, strict=True)):
                if after is not before:
                    results[i] = _result(after.kind, crit.text, after.judgement, crit.section)
                    verify[i] = after.judgement.verify
        if parsed_module.SHARE:
            self.blocks[key] = (criteria, results, verify)
        return results, verify

    def static_checks(self, trial: Trial, parsed: ParsedTrial) -> _Checks:
        """Status, age, sex, diagnosis and setting checks: their inputs are few fields, so equal
        trials share one tuple of results per run."""
        found = self.statics.get(parsed.static_key)
        if found is not None:
            return found
        facts, options = self.facts, self.options
        made: list[tc.Check] = [
            tc.status_check(trial, options.statuses, options.any_status),
            tc.age_check(trial, facts),
            tc.sex_check(trial, facts),
            tc.diagnosis_check(trial, parsed, facts),
        ]
        setting = tc.setting_check(trial, parsed, facts)
        if setting is not None:
            made.append(setting)
        if not parsed.criteria:
            made.append(("other", "Eligibility criteria", _NO_CRITERIA))
        results = tuple(self.check((kind, text, j), kind, text, j) for kind, text, j in made)
        self.statics[parsed.static_key] = results
        return results

    def check(
        self, key: tuple[Any, ...], kind: str, text: str, j: Judgement
    ) -> tuple[CriterionResult, str | None]:
        found = self.checks.get(key)
        if found is None:
            found = self.checks[key] = (_result(kind, text, j, "trial"), j.verify)
        return found

    def evaluate(self, trial: Trial) -> TrialMatch:
        parsed = CACHE.get(trial)
        checks = self.static_checks(trial, parsed)
        distance, nearest = tc.distance_check(
            trial, self.profile, self.options.statuses, self.options.any_status, self.km
        )
        dist = None if distance is None else self.check(distance, *distance)
        block_results, block_verify = self.judge_block(parsed.criteria, parsed.concepts)
        key = (id(checks), None if dist is None else id(dist[0]), id(block_results))
        composed = self.composed.get(key)
        if composed is None:
            parts = [*checks, dist] if dist is not None else list(checks)
            results = [r for r, _v in parts] + block_results
            verify = [v for _r, v in parts] + block_verify
            verdict = decide(results)
            composed = (
                (checks, dist, block_results),  # kept alive so the ids in the key stay unique
                verdict,
                order(results),
                [r.reason for r in results if r.verdict == "not_met"],
                to_verify(results, verify) if verdict == "possibly_eligible" else [],
                met_share(results),
            )
            self.composed[key] = composed
        _kept, verdict, ordered, decisive, facts_to_verify, share = composed
        values = {
            "nct_id": trial.nct_id,
            "title": trial.title,
            "verdict": verdict,
            "score": score(
                verdict,
                share,
                nearest,
                parsed.phase_rank,
                is_open=trial.overall_status in self.options.statuses,
            ),
            "overall_status": trial.overall_status,
            "phases": list(trial.phases),
            "criteria": list(ordered),
            "decisive": list(decisive),
            "to_verify": list(facts_to_verify),
            "nearest_site": nearest,
            "trial_version": trial.version,
            "engine_version": ENGINE_VERSION,
        }
        match: TrialMatch = _fast(TrialMatch, values)
        return match


def evaluate_trial(
    profile: ProfileIn, trial: Trial, *, as_of: date, options: EngineOptions
) -> TrialMatch:
    """One trial, judged for one profile at `as_of` (the profile's age is advanced to it)."""
    return _Run(profile, as_of, options).evaluate(trial)


def match_trials(
    profile: ProfileIn,
    trials: Iterable[Trial],
    *,
    as_of: date,
    options: EngineOptions,
    data_version: str | None = None,
) -> MatchRun:
    """Every trial judged (ineligible ones included), ranked by score desc, ties by nct_id."""
    run = _Run(profile, as_of, options)
    matches = [run.evaluate(t) for t in trials]
    matches.sort(key=lambda m: (-m.score, m.nct_id))
    return MatchRun(
        profile_id=profile.profile_id,
        evaluated_on=as_of,
        engine_version=ENGINE_VERSION,
        data_version=data_version,
        results=matches,
    )
