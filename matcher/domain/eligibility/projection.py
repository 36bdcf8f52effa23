"""Which profile facts each judge reads, so judgements can be reused across profiles.

A criterion's judgement is a pure function of the criterion (profile-independent, parsed once)
and of the few Facts fields its judges read: a labs criterion naming ANC and platelets reads
`labs["anc"]` and `labs["platelets"]` and nothing else, so every profile with the same two values
(most often: none given) gets the same judgement. At parse time each criterion records the fields
its judges read (`reads_of`, one explicit entry per kind below, kept next to the judge's code by
name); in a run those fields are read from the profile's Facts once per distinct field set and
interned into one int (`Keys`), which keys the criterion's own bounded memo (engine._Run.entry).

Reading more fields than a judge needs only costs reuse, never correctness, so each entry errs
on the side of listing a field. A kind without an entry reads every field (`ALL`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from matcher.domain.eligibility.base import Aspect, Facts

ENABLED = True  # False: every cross-run cache off, for the equivalence tests' reference results
MAX_KEYS = 100_000  # interned projections; cleared wholesale when full (ints are never reused)

_Reader = Callable[[Facts], Any]


def _attribute(name: str) -> _Reader:
    return lambda facts: getattr(facts, name)


_FIELDS: dict[str, _Reader] = {f.name: _attribute(f.name) for f in fields(Facts)}
_FIELDS["labs"] = lambda facts: tuple(sorted(facts.labs.items()))
ALL: tuple[str, ...] = tuple(sorted(_FIELDS))


def _field(name: str) -> _Reader:
    if name.startswith("lab:"):
        key = name[4:]
        return lambda facts: facts.labs.get(key)
    return _FIELDS[name]


# --- per-kind reads: spec (the kind's prep output) -> the Facts fields its judge reads --------
THERAPIES = ("therapies",)
CONCEPT = ("concept", "concept_ids", "diagnosis", "grade")


def _age(spec: Any) -> tuple[str, ...]:  # judge_person.judge_age
    if not spec:
        return ()  # "age limit not read"
    if spec[0] == "grouped":
        return _age(spec[1])
    if spec[0] in {"by_tumor", "scoped"}:
        return ("age_months", "concept", "concept_ids", "diagnosis")
    return ("age_months",)


def _performance(spec: Any) -> tuple[str, ...]:  # judge_performance.judge_performance
    by_age = bool(spec) and spec[0] == "by_age"
    reqs = [r for _bounds, part in spec[1] for r in part] if by_age else list(spec or ())
    by_tumor = ("concept_ids",) if any(r[3] for r in reqs) else ()  # "KPS >= 70 (rHGG)"
    return ("perf_scale", "perf_score", *(("age_months",) if by_age else ()), *by_tumor)


def _labs(spec: Any) -> tuple[str, ...]:  # judge_labs.judge_labs / _judge_table_row
    reqs, table, _alternatives, age_adjusted, _unread, conditional = spec
    if table is not None:
        return ("age_months", "sex", "lab:creatinine")
    by_age = ("age_months", "sex", "lab:creatinine") if age_adjusted else ()  # the age table
    # "bilirubin_mg" (a limit in mg/dL) reads the profile's bilirubin (x ULN); "creatinine_uln"
    # (a multiple of the ULN) reads the creatinine and the age (adults' ULN floor)
    # a limit in brackets for some patients reads its analyte too (judge_labs.judge_labs)
    keys = [key for key, _op, _limit in (*reqs, *conditional)]
    aged: tuple[str, ...] = ("age_months",) if "creatinine_uln" in keys and not by_age else ()
    if "clearance" in keys:  # judge_labs.estimated_clearance: from creatinine, age, size, sex
        aged = ("age_months", "sex", "weight_kg", "height_cm", "lab:creatinine")
    # the analyte a key reads, as lab_reading.analyte: "bilirubin_mg" reads lab:bilirubin
    return (*by_age, *aged, *(f"lab:{key.partition('_')[0]}" for key in keys))


def _fixed(*names: str) -> Callable[[Any], tuple[str, ...]]:
    return lambda _spec: names


READS: dict[str, Callable[[Any], tuple[str, ...]]] = {
    "age": _age,
    "performance": _performance,
    "labs": _labs,
    "sex": _fixed("sex"),  # judge_body.judge_sex
    # judge_body.judge_weight (the age, when the limit is one age group's)
    "weight": lambda spec: ("weight_kg", "bsa_m2", *(("age_months",) if spec[2] else ())),
    "pregnancy": _fixed("sex", "pregnant", "lactating", "age_months"),  # judge_body.judge_pregnancy
    # judge_disease.judge_diagnosis (other_malignancy: an exclusion of another tumor's history)
    "diagnosis": _fixed(*CONCEPT, "other_malignancy"),
    "biomarker": _fixed("biomarkers"),  # judge_biomarker.judge_biomarker
    # judge_setting.judge_disease_setting
    "disease_setting": _fixed("status", "relapse_number", "therapies"),
    "measurable_disease": _fixed("measurable", "size_cm"),  # judge_tumor.judge_measurable
    "cns_metastases": _fixed("cns_metastases", "concept_ids"),
    "metastatic_disease": _fixed(
        "recurrence_sites"
    ),  # judge_tumor.judge_metastatic  # judge_tumor.judge_cns
    "disease_site": _fixed("recurrence_sites", "concept_ids"),  # judge_site.judge_site
    "prior_therapy_required": _fixed("therapies", "concept_ids"),  # judge_therapy
    # judge_therapy.judge_prior_excluded (the patient's tumor only when the rule names the one
    # the treatment was for: "chemotherapy for KS")
    "prior_therapy_excluded": lambda spec: (
        *THERAPIES,
        *((*CONCEPT, "other_malignancy") if spec[7] else ()),
    ),
    "prior_lines": _fixed(*THERAPIES),  # judge_lines.judge_lines
    "washout": _fixed("therapies", "as_of"),  # judge_history.judge_washout / _clause
    "radiation": _fixed(  # judge_procedures.judge_radiation (+ judge_field: status, as_of)
        "therapies", "recurrence_sites", "recurrence_in_radiation_field", "status", "as_of"
    ),
    "transplant": _fixed(*THERAPIES),  # judge_procedures._judge_history
    "amputation": _fixed(*THERAPIES),  # judge_procedures._judge_history
    "viral": _fixed("hiv", "hbv", "hcv"),  # judge_condition.judge_viral
    "other_malignancy": _fixed("other_malignancy"),  # judge_condition.judge_other_malignancy
    "swallow": _fixed("swallows_tablets", "age_months"),  # judge_condition.judge_swallow
    "steroids": _fixed("on_corticosteroids"),  # judge_condition.judge_steroids
    "cardiac": _fixed(  # judge_condition.judge_cardiac
        "lvef_percent", "shortening_fraction_percent", "qtc_ms", "pulse_ox_percent"
    ),
}
# trialwide.apply (beyond the judged criteria themselves) and judges.judge_criterion's scope test
TRIALWIDE_READS = ("concept_ids", "diagnosis")
SCOPE_READS = ("concept", "concept_ids", "diagnosis")  # a tumor scope
GROUP_READS = {
    "sex": ("sex",),
    "age": ("age_months",),
    "age_range": ("age_months",),
    "age_groups": ("age_months",),
    "setting": ("status", "relapse_number"),
    "cns": ("cns_metastases", "concept_ids"),
    "marrow": ("recurrence_sites",),
    "participant": (),  # a caregiver's or donor's rule: judged alike for every patient
}  # groups.group

_DESCRIPTORS: dict[tuple[str, ...], int] = {}
_FIELD_SETS: list[tuple[str, ...]] = []


def descriptor(names: tuple[str, ...]) -> int:
    """A small int naming one set of Facts fields (interned; never cleared, the sets are few)."""
    key = tuple(sorted(set(names)))
    found = _DESCRIPTORS.get(key)
    if found is None:
        found = _DESCRIPTORS[key] = len(_FIELD_SETS)
        _FIELD_SETS.append(key)
    return found


def reads_of(
    aspects: tuple[Aspect, ...], scope: bool, group: tuple[Any, ...], registered: set[str]
) -> int:
    """The descriptor of every Facts field judge_criterion may read for these aspects, the tumor
    scope and the group (sex, age, disease setting) a rule is written for."""
    names: list[str] = list(SCOPE_READS) if scope else []
    if group:
        names += GROUP_READS[group[0]]
    for aspect in aspects:
        if aspect.kind in READS:
            names += READS[aspect.kind](aspect.spec)
        elif aspect.kind in registered:
            names += ALL  # a judge without a declared projection: it may read anything
        # an unregistered kind ("other") is judged from the criterion text alone
    return descriptor(tuple(names))


def union(first: int, second: int) -> int:
    """The descriptor of the fields either descriptor names."""
    return descriptor(_FIELD_SETS[first] + _FIELD_SETS[second])


TRIALWIDE = descriptor(TRIALWIDE_READS)
NOTHING = descriptor(())  # a profile-independent criterion
EVERYTHING = descriptor(ALL)
_KEYS: dict[tuple[int, tuple[Any, ...]], int] = {}
_SERIAL = itertools.count(1)


def serial() -> int:
    """A process-unique int (never reused, unlike id()) naming one cached object."""
    return next(_SERIAL)


class Keys:
    """One run's projections: descriptor -> an int equal across runs iff the values are equal."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.known: dict[int, int] = {}

    def __call__(self, desc: int) -> int:
        found = self.known.get(desc)
        if found is None:
            # typed, so that 1 and 1.0 (equal keys) are not taken for one value
            values = tuple(
                (type(v), v) for v in (_field(name)(self.facts) for name in _FIELD_SETS[desc])
            )
            ident = (desc, values)
            found = _KEYS.get(ident)
            if found is None:
                if len(_KEYS) >= MAX_KEYS:
                    _KEYS.clear()
                found = _KEYS[ident] = serial()
            self.known[desc] = found
        return found


def clear() -> None:
    _KEYS.clear()
