"""The eligibility engine: one profile against trials, criterion by criterion (pure, no I/O).

Trial text is parsed once per (nct_id, version) into classified criteria (parsed.CACHE); the
profile is digested once per run into Facts; identical criteria shared by many trials are judged
once per run. Across runs, a criterion's judgement is remembered by the projection of the facts
its judges read (projection.py), and a trial's outcome by the serials of its parts (outputs.py).
Output objects are built without re-validation (their values come from the engine).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from matcher.domain.eligibility import cues, outputs, projection, trialwide, vocabulary
from matcher.domain.eligibility import parsed as parsed_module
from matcher.domain.eligibility import trial_checks as tc
from matcher.domain.eligibility.base import Criterion, Facts
from matcher.domain.eligibility.facts import build_facts
from matcher.domain.eligibility.judges import Judged, judge_criterion, verify_of
from matcher.domain.eligibility.outputs import (
    Composed,
    Part,
    check,
    compose,
    fast,
    rank_out,
    result,
)
from matcher.domain.eligibility.parsed import CACHE, ParsedTrial
from matcher.domain.eligibility.rank import RankParts, fit_of, patient_alterations
from matcher.domain.models.match import CriterionResult, MatchRun, TrialMatch
from matcher.domain.models.profile import ProfileIn, assessment_warnings
from matcher.domain.models.trial import Trial

ENGINE_VERSION = "2026.11.7"
cues.load()  # every cue list compiled at import: a bad pattern in the data fails at start-up
_CONSTANT = "constant"  # Criterion.results key of a profile-independent criterion's one result
DEFAULT_STATUSES = frozenset({"RECRUITING", "NOT_YET_RECRUITING"})


@dataclass(frozen=True)
class EngineOptions:
    statuses: frozenset[str] = field(default_factory=lambda: DEFAULT_STATUSES)
    any_status: bool = False
    # Older assessments are still judged, with a warning in the run (Settings default, 90 days).
    assessment_max_age_days: int = 90


_Entry = tuple[Judged, CriterionResult, str | None, int]  # judged, result, to verify, serial
_Checks = tuple[Part, ...]
MEMO_SIZE = 16  # projections remembered per criterion and outcomes per trial (cleared when full)


class _Run:
    """One profile at one date: its facts and the criteria already judged in this run.

    With projection.ENABLED (the default) a criterion's judgement is also remembered across runs,
    keyed by the projection of the facts its judges read, and so is a trial's composed outcome,
    keyed by the serials of its parts; off, only the run-level sharing below applies.
    """

    def __init__(self, profile: ProfileIn, as_of: date, options: EngineOptions) -> None:
        self.profile = profile
        self.facts: Facts = build_facts(profile, as_of)
        self.options = options
        self.keys = projection.Keys(self.facts)
        self.tw = self.keys(projection.TRIALWIDE)
        self.entry_blocks: dict[int, tuple[tuple[Criterion, ...], list[_Entry], tuple[int, ...]]]
        self.entry_blocks = {}
        # id(criterion) -> (criterion kept alive so the id stays unique, entry)
        self.memo: dict[int, tuple[Criterion, _Entry]] = {}
        # trial-level checks depend on a few fields only; many trials share them
        self.checks: dict[Any, Part] = {}
        self.statics: dict[tuple[Any, ...], _Checks] = {}
        self.km: dict[tuple[float, float], float] = {}
        self.alterations = patient_alterations(profile.biomarkers)
        self.fits: dict[tuple[Any, ...], str | None] = {}
        self.composed: dict[tuple[int, int | None, int], tuple[Any, Composed]] = {}
        self.blocks: dict[
            tuple[int, tuple[str, ...], tuple[str, ...]],
            tuple[tuple[Criterion, ...], list[CriterionResult], list[str | None]],
        ] = {}

    def fit(self, parsed: ParsedTrial) -> str | None:
        """The trial's targeted fit for this patient (ranking), once per trial version."""
        targets = parsed.targets
        if targets is None:
            return None
        key = (targets, parsed.concepts)
        if key not in self.fits:
            self.fits[key] = fit_of(self.facts.concept, self.alterations, parsed.concepts, targets)
        return self.fits[key]

    def judge(self, crit: Criterion) -> _Entry:
        cached = projection.ENABLED
        if cached:
            key = self.keys(crit.reads)
            hit: _Entry | None = crit.memo.get(key)
            if hit is not None:
                return hit
        if crit.constant:
            # a profile-independent criterion: judged and built once, reused by every run
            found: _Entry | None = crit.results.get(_CONSTANT)
            if found is not None:
                if cached:
                    self.remember(crit, key, found)
                return found
        if not cached and parsed_module.SHARE:
            shared = self.memo.get(id(crit))
            if shared is not None:
                return shared[1]
        judged = judge_criterion(crit, self.facts)
        j = judged.judgement
        made_key = _CONSTANT if crit.constant else (judged.kind, j, judged.guard)
        made: _Entry | None = crit.results.get(made_key)
        if made is None:
            if len(crit.results) > 32:
                crit.results.clear()
            made = crit.results[made_key] = (
                judged,
                result(
                    judged.kind, crit.text, j, crit.section, judged.guard, crit.alt_group or None
                ),
                verify_of(crit, judged),
                projection.serial(),
            )
        if cached:
            self.remember(crit, key, made)
        elif parsed_module.SHARE:
            self.memo[id(crit)] = (crit, made)
        return made

    @staticmethod
    def remember(crit: Criterion, key: int, entry: _Entry) -> None:
        if len(crit.memo) >= MEMO_SIZE:
            crit.memo.clear()
        crit.memo[key] = entry

    def apply_trialwide(
        self,
        criteria: tuple[Criterion, ...],
        concepts: tuple[str, ...],
        entries: list[_Entry],
        named: tuple[str, ...] = (),
    ) -> tuple[list[CriterionResult], list[str | None]]:
        """The trial's criterion results with the trial-wide rules applied."""
        judged = [e[0] for e in entries]
        results = [e[1] for e in entries]
        verify = [e[2] for e in entries]
        adjusted = trialwide.apply(criteria, judged, concepts, self.facts, named)
        if adjusted is not judged:
            for i, (crit, before, after) in enumerate(zip(criteria, judged, adjusted, strict=True)):
                if after is not before:
                    results[i] = result(
                        after.kind,
                        crit.text,
                        after.judgement,
                        crit.section,
                        after.guard,
                        crit.alt_group or None,
                    )
                    verify[i] = after.judgement.verify
        return results, verify

    def judge_block(
        self, criteria: tuple[Criterion, ...], concepts: tuple[str, ...], named: tuple[str, ...]
    ) -> tuple[list[CriterionResult], list[str | None]]:
        """Every criterion of one trial, with the trial-wide rules applied; memoised per run
        because re-versioned trials keep the same criteria object (parsed.split_and_classify)."""
        key = (id(criteria), concepts, named)
        hit = self.blocks.get(key)
        if hit is not None:
            return hit[1], hit[2]
        entries = [self.judge(crit) for crit in criteria]
        results, verify = self.apply_trialwide(criteria, concepts, entries, named)
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
        made = tc.structured_checks(trial, parsed, facts, options.statuses, options.any_status)
        results = tuple(check(kind, text, j, self.checks) for kind, text, j in made)
        self.statics[parsed.static_key] = results
        return results

    def entries(self, criteria: tuple[Criterion, ...]) -> tuple[list[_Entry], tuple[int, ...]]:
        """Each criterion's judged entry and their serials; shared in the run by trials that
        share one criteria tuple (re-versioned trials, parsed.split_and_classify)."""
        hit = self.entry_blocks.get(id(criteria))
        if hit is not None:
            return hit[1], hit[2]
        known = self.keys.known  # judge() inlined for a hit (keys are serials, never 0)
        entries = [crit.memo.get(known.get(crit.reads, 0)) or self.judge(crit) for crit in criteria]
        serials = tuple([e[3] for e in entries])
        if parsed_module.SHARE:
            self.entry_blocks[id(criteria)] = (criteria, entries, serials)
        return entries, serials

    def composed_cached(self, parsed: ParsedTrial, parts: list[Part]) -> Composed:
        """The trial's outcome, remembered process-wide by what it is composed from: the
        serials of its parts (check results, each criterion's judged entry), the trial's
        concepts and the projection the trial-wide rules read."""
        entries, serials = self.entries(parsed.criteria)
        key = (
            self.tw,
            parsed.concepts,
            parsed.structured_concepts,
            tuple([p[2] for p in parts]),
            serials,
        )
        found = outputs.COMPOSED.get(key)
        if found is None:
            results, verify = self.apply_trialwide(
                parsed.criteria, parsed.concepts, entries, parsed.structured_concepts
            )
            found = compose(parts, results, verify)
            if len(outputs.COMPOSED) >= outputs.MAX_COMPOSED:
                outputs.COMPOSED.clear()
            outputs.COMPOSED[key] = found
        return found

    def composed_per_run(self, parsed: ParsedTrial, checks: _Checks, dist: Part | None) -> Composed:
        block_results, block_verify = self.judge_block(
            parsed.criteria, parsed.concepts, parsed.structured_concepts
        )
        key = (id(checks), None if dist is None else id(dist[0]), id(block_results))
        hit = self.composed.get(key)
        if hit is None:
            parts = [*checks, dist] if dist is not None else list(checks)
            # the parts are kept alive so that the ids in the key stay unique
            hit = self.composed[key] = (
                (checks, dist, block_results),
                compose(parts, block_results, block_verify),
            )
        return hit[1]

    def evaluate(self, trial: Trial) -> TrialMatch:
        parsed = CACHE.get(trial)
        checks = self.static_checks(trial, parsed)
        distance, nearest = tc.distance_check(
            trial, self.profile, self.options.statuses, self.options.any_status, self.km
        )
        dist = None if distance is None else check(*distance, self.checks)
        if projection.ENABLED:
            parts = [*checks, dist] if dist is not None else list(checks)
            composed = self.composed_cached(parsed, parts)
        else:
            composed = self.composed_per_run(parsed, checks, dist)
        verdict, ordered, decisive, facts_to_verify, open_count = composed
        ranked = RankParts(
            verdict,
            bool(parsed.criteria),
            self.fit(parsed),
            open_count,
            trial.overall_status in self.options.statuses,
            None if nearest is None else nearest.distance_km,
            parsed.phase_rank,
        )
        values = {
            "nct_id": trial.nct_id,
            "title": trial.title,
            "verdict": verdict,
            "score": ranked.score(),
            "overall_status": trial.overall_status,
            "phases": list(trial.phases),
            "criteria": list(ordered),
            "decisive": list(decisive),
            "to_verify": list(facts_to_verify),
            "nearest_site": nearest,
            "trial_version": trial.version,
            "engine_version": ENGINE_VERSION,
            "status_confirmed": None,  # set by the pipeline from the corpus (not engine work)
            "rank": rank_out(ranked),
        }
        match: TrialMatch = fast(TrialMatch, values)
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
    profile_id: str | None = None,
) -> MatchRun:
    """Every trial judged (ineligible ones included), ranked by score desc, ties by nct_id.

    `profile_id` names the run: the stored profile's server-assigned id in the worker; the
    engine-only CLI passes nothing and the run is named by the file's own reference.
    """
    run = _Run(profile, as_of, options)
    matches = [run.evaluate(t) for t in trials]
    matches.sort(key=lambda m: (-m.score, m.nct_id))
    return MatchRun(
        profile_id=profile_id or profile.reference or "-",
        evaluated_on=as_of,
        engine_version=ENGINE_VERSION,
        data_version=data_version,
        # one list: how the profile was read (an unrecognised diagnosis) and plausibility notes
        warnings=profile_warnings(profile)
        + assessment_warnings(profile, as_of, options.assessment_max_age_days),
        results=matches,
    )


def profile_warnings(profile: ProfileIn) -> list[str]:
    """What the board should know about how the profile was read (shown with every run)."""
    if vocabulary.resolve(profile.diagnosis) is None:
        return [
            f"diagnosis '{profile.diagnosis}' is not in the vocabulary: it is not assumed to be "
            "any particular tumor type, so criteria that depend on the histology are left to verify"
        ]
    return []
