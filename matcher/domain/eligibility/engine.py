"""The eligibility engine: `evaluate.py`'s steps with caches around them (pure, no I/O).

Each step is the plain function evaluate() calls; this module only decides when its result can
be reused, keyed on what the step reads:
- a trial's text is parsed once per (nct_id, version) (parsed.CACHE);
- the profile is digested into Facts once per run, and so are its projections (projection.Keys);
- a criterion's judgement (judges.judge_criterion + evaluate.criterion_output) is remembered on
  the criterion, keyed by the projection of the facts its judges read, across runs;
- a trial's outcome (trial-wide rules + outputs.compose) is remembered by the serials of its
  parts and the projection the trial-wide rules read; trial-level checks by their few inputs.
With projection.ENABLED off, the same memos live for one run only (the equivalence tests'
reference). Output objects are built without re-validation (their values come from the engine).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from matcher.domain.eligibility import cues, outputs, projection, vocabulary
from matcher.domain.eligibility import parsed as parsed_module
from matcher.domain.eligibility import trial_checks as tc
from matcher.domain.eligibility.base import Criterion, Facts
from matcher.domain.eligibility.evaluate import (
    DEFAULT_STATUSES,
    criterion_output,
    match_values,
    rank_parts,
    trial_fit,
    with_trialwide,
)
from matcher.domain.eligibility.facts import build_facts
from matcher.domain.eligibility.judges import Judged, judge_criterion
from matcher.domain.eligibility.outputs import Composed, Part, check, compose, fast, rank_out
from matcher.domain.eligibility.parsed import CACHE, ParsedTrial
from matcher.domain.eligibility.rank import patient_alterations
from matcher.domain.models.match import CriterionResult, MatchRun, TrialMatch
from matcher.domain.models.profile import ProfileIn, assessment_warnings
from matcher.domain.models.trial import Trial

ENGINE_VERSION = "2026.11.29.6"
cues.load()  # every cue list compiled at import: a bad pattern in the data fails at start-up
_CONSTANT = "constant"  # Criterion.results key of a profile-independent criterion's one entry


@dataclass(frozen=True)
class EngineOptions:
    statuses: frozenset[str] = field(default_factory=lambda: DEFAULT_STATUSES)
    any_status: bool = False
    # Older assessments are still judged, with a warning in the run (Settings default, 90 days).
    assessment_max_age_days: int = 90


# judged, its output row, the fact to verify, serial (names this entry in outcome keys)
_Entry = tuple[Judged, CriterionResult, str | None, int]
_Checks = tuple[Part, ...]
MEMO_SIZE = 16  # projections remembered per criterion (cleared when full)
MAX_RESULTS = 32  # distinct judgements remembered per criterion (cleared when full)


def _entry_of(crit: Criterion, judged: Judged) -> _Entry:
    """The criterion's entry for this judgement: one per distinct judgement in any run, so that
    profiles judged alike share one output row and one serial (and so one composed outcome)."""
    found: _Entry | None = crit.results.get(judged)
    if found is None:
        if len(crit.results) >= MAX_RESULTS:
            crit.results.clear()
        row, verify = criterion_output(crit, judged)
        found = crit.results[judged] = (judged, row, verify, projection.serial())
    return found


class _Run:
    """One profile at one date: its facts, its projections, and the per-run memos."""

    def __init__(self, profile: ProfileIn, as_of: date, options: EngineOptions) -> None:
        self.profile = profile
        self.facts: Facts = build_facts(profile, as_of)
        self.options = options
        self.cross_run = projection.ENABLED
        self.keys = projection.Keys(self.facts)
        self.tw = self.keys(projection.TRIALWIDE)
        # with cross-run caches off: id(criterion) -> (criterion kept alive so the id stays
        # unique, entry), and outcomes by their key, for this run only
        self.local: dict[int, tuple[Criterion, _Entry]] = {}
        self.local_composed: dict[tuple[Any, ...], Composed] = {}
        # id(criteria tuple) -> (tuple kept alive, entries, serials): re-versioned trials share
        # one tuple of criteria (parsed.split_and_classify)
        self.blocks: dict[int, tuple[tuple[Criterion, ...], list[_Entry], tuple[int, ...]]] = {}
        # trial-level checks depend on a few fields only; many trials share them
        self.checks: dict[Any, Part] = {}
        self.statics: dict[int, _Checks] = {}
        self.km: dict[tuple[float, float], float] = {}
        self.alterations = patient_alterations(profile.biomarkers)
        self.fits: dict[int, str | None] = {}

    def entry(self, crit: Criterion) -> _Entry:
        """judge_criterion + criterion_output for one criterion, remembered."""
        if self.cross_run:
            key = self.keys(crit.reads)
            found: _Entry | None = crit.memo.get(key)
            if found is None:
                found = self.judged_entry(crit)
                if len(crit.memo) >= MEMO_SIZE:
                    crit.memo.clear()
                crit.memo[key] = found
            return found
        local = self.local.get(id(crit))
        if local is not None:
            return local[1]
        found = self.judged_entry(crit)
        self.local[id(crit)] = (crit, found)
        return found

    def judged_entry(self, crit: Criterion) -> _Entry:
        if crit.constant:  # profile-independent: judged once, reused by every run
            found: _Entry | None = crit.results.get(_CONSTANT)
            if found is None:
                found = crit.results[_CONSTANT] = _entry_of(crit, judge_criterion(crit, self.facts))
            return found
        return _entry_of(crit, judge_criterion(crit, self.facts))

    def entries(self, criteria: tuple[Criterion, ...]) -> tuple[list[_Entry], tuple[int, ...]]:
        """Each criterion's entry and their serials."""
        hit = self.blocks.get(id(criteria))
        if hit is not None:
            return hit[1], hit[2]
        known = self.keys.known  # entry() inlined for a memo hit (keys are serials, never 0)
        entries = [crit.memo.get(known.get(crit.reads, 0)) or self.entry(crit) for crit in criteria]
        serials = tuple([e[3] for e in entries])
        if parsed_module.SHARE:
            self.blocks[id(criteria)] = (criteria, entries, serials)
        return entries, serials

    def composed(self, parsed: ParsedTrial, parts: list[Part]) -> Composed:
        """The trial's outcome (evaluate.with_trialwide + outputs.compose), remembered by what it
        is composed from: the serials of its parts (check results, each criterion's entry), the
        trial's concepts and the projection the trial-wide rules read."""
        entries, serials = self.entries(parsed.criteria)
        key = (
            self.tw,
            parsed.concepts,
            parsed.structured_concepts,
            tuple([p[2] for p in parts]),
            serials,
        )
        store = outputs.COMPOSED if self.cross_run else self.local_composed
        found = store.get(key)
        if found is None:
            results = [e[1] for e in entries]
            verify = [e[2] for e in entries]
            with_trialwide(parsed, [e[0] for e in entries], results, verify, self.facts)
            found = compose(parts, results, verify)
            if len(store) >= outputs.MAX_COMPOSED:
                store.clear()
            store[key] = found
        return found

    def static_checks(self, trial: Trial, parsed: ParsedTrial) -> _Checks:
        """Status, age, sex, diagnosis and setting checks: their inputs are few fields, so equal
        trials share one tuple of results per run."""
        found = self.statics.get(parsed.static_id)
        if found is not None:
            return found
        facts, options = self.facts, self.options
        made = tc.structured_checks(trial, parsed, facts, options.statuses, options.any_status)
        results = tuple(check(kind, text, j, self.checks) for kind, text, j in made)
        self.statics[parsed.static_id] = results
        return results

    def fit(self, parsed: ParsedTrial) -> str | None:
        """evaluate.trial_fit, once per (targets, concepts) in the run."""
        if parsed.targets is None:
            return None
        fits = self.fits
        key = parsed.fit_id
        if key in fits:
            return fits[key]
        found = fits[key] = trial_fit(parsed, self.facts, self.alterations)
        return found

    def evaluate(self, trial: Trial) -> TrialMatch:
        """evaluate.evaluate's steps, each through its cache."""
        options = self.options
        parsed = CACHE.get(trial)
        parts = list(self.static_checks(trial, parsed))
        distance, nearest = tc.distance_check(
            trial, self.profile, options.statuses, options.any_status, self.km
        )
        if distance is not None:
            parts.append(check(*distance, self.checks))
        composed = self.composed(parsed, parts)
        verdict, _ordered, _decisive, _verify, open_count = composed
        fit = self.fit(parsed)
        ranked = rank_parts(trial, parsed, verdict, fit, open_count, nearest, options.statuses)
        values = match_values(trial, composed, ranked, rank_out(ranked), nearest, ENGINE_VERSION)
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
