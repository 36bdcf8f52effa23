"""Small shared types: a parsed criterion, one aspect's judgement, and the profile's facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple

Verdict = Literal["met", "not_met", "unknown", "not_applicable"]
SectionName = Literal["trial", "inclusion", "exclusion"]


class Judgement(NamedTuple):
    """One aspect of one criterion against one profile.

    `verify` is the fact the board must establish when the verdict is unknown; `handled` says the
    judge already read the criterion's exceptions ("except", "unless"), so the generic
    exception guard need not downgrade a not_met.
    """

    verdict: Verdict
    reason: str
    verify: str | None = None
    handled: bool = False
    scoped: bool = False  # the judge picked the part/cohort that fits the patient itself
    # which rule of the judge decided ("" = the judge's main reading); part of the rule id in the
    # output's provenance (engine: "<kind>/<rule>")
    rule: str = ""


MET: Verdict = "met"
NOT_MET: Verdict = "not_met"
UNKNOWN: Verdict = "unknown"
NOT_APPLICABLE: Verdict = "not_applicable"  # the rule is not for this patient, or no rule at all


@dataclass(frozen=True, slots=True)
class Aspect:
    """One thing a criterion asks about: its kind and the kind's pre-parsed spec (or None)."""

    kind: str
    spec: Any


@dataclass(frozen=True, slots=True)
class Criterion:
    """One split criterion, classified once per trial version (profile-independent)."""

    section: Literal["inclusion", "exclusion"]
    text: str  # the item as written, with any notes/exceptions appended
    norm: str  # normalised text (see text.norm) incl. the parent heading's context
    aspects: tuple[Aspect, ...]
    in_or_group: bool = False  # one alternative of "meets 1 of the following"
    # id of a firm OR group (every item under an unconditional "one of the following" heading
    # read as an alternative): its alternatives may be not_met on their own, and the trial is
    # excluded only when every alternative of the group is (verdict.decide); "" = none
    alt_group: str = ""
    part_specific: bool = False  # applies to one part/cohort/arm only
    has_exception: bool = False  # "except", "unless", "other than", a note saying who is eligible
    has_or: bool = False
    constant: bool = False  # judged the same for every profile (unreadable or administrative)
    # tumors a rule is written for ("Non-Hodgkin lymphoma patients: ..."); empty = everyone
    scope: tuple[str, ...] = ()
    scope_negated: bool = False  # "For tumors other than DSRCT, ...": for everyone but `scope`
    # ("sex", "female") / ("age", op, months): a rule written for one sex or age group only
    group: tuple[Any, ...] = ()
    # profile-independent "does not apply" (heading, permissive note, definition, formality)
    not_applicable: Judgement | None = None
    # requirement terms named in the text (cues.terms ids): met needs each one established
    terms: tuple[str, ...] = ()
    # the condition the rule is written under, as a criterion of its own (condition.py): when
    # the patient clearly fails it (or, negated, clearly meets it) the rule does not apply
    condition: Criterion | None = None
    condition_negated: bool = False
    # (kind, Judgement) -> output object: the same judgement of the same criterion, in any run,
    # reuses one immutable result instead of building it again
    results: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    # projection.descriptor of the Facts fields its judges read; -1: not known (read everything)
    reads: int = field(default=-1, compare=False, hash=False, repr=False)
    # projection key -> judged entry, shared by every run whose profile projects to that key
    memo: dict[int, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def kind(self) -> str:
        return self.aspects[0].kind


@dataclass(frozen=True, slots=True)
class Therapy:
    agent: str | None  # normalised
    classes: frozenset[str]
    category: str | None
    site: str | None
    ended_on: date | None
    line: int | None = None  # line of systemic therapy, as the board numbers it
    best_response: str | None = None  # RECIST best response to that line (BestResponse value)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the profile says, pre-digested once per (profile, evaluation date)."""

    as_of: date
    age_months: float
    sex: str
    concept: str | None
    concept_ids: frozenset[str]  # the patient's concept and all broader ones
    diagnosis: str
    status: str  # recurrent | progressive | refractory
    relapse_number: int | None
    recurrence_sites: frozenset[str]
    measurable: bool | None
    biomarkers: tuple[str, ...]  # normalised
    therapies: tuple[Therapy, ...]
    perf_scale: str | None
    perf_score: int | None
    labs: dict[str, float] = field(default_factory=dict)
    cns_metastases: bool | None = None
    pregnant: bool | None = None
    lactating: bool | None = None
    weight_kg: float | None = None
    grade: int | None = None  # tumor grade 1-3 as the board gives it
    size_cm: float | None = None  # largest lesion, as the board gives it
    height_cm: float | None = None
    bsa_m2: float | None = None  # Mosteller, from height and weight (ProfileIn.bsa_m2)
    lvef_percent: float | None = None
    shortening_fraction_percent: float | None = None
    qtc_ms: int | None = None
    pulse_ox_percent: float | None = None
    hiv: str | None = None  # "negative" | "positive"
    hbv: str | None = None
    hcv: str | None = None
    other_malignancy: bool | None = None
    swallows_tablets: bool | None = None
    on_corticosteroids: bool | None = None
    recurrence_in_radiation_field: bool | None = None
