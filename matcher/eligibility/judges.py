"""Kind -> (prep, judge) registry, and how one criterion's aspects combine into one verdict."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final, NamedTuple

from matcher.eligibility import judge_body as body
from matcher.eligibility import judge_disease as d
from matcher.eligibility import judge_history as h
from matcher.eligibility import judge_labs as lab
from matcher.eligibility import judge_person as p
from matcher.eligibility import judge_therapy as t
from matcher.eligibility import judge_tumor as tumor
from matcher.eligibility import vocabulary
from matcher.eligibility.base import MET, NOT_MET, UNKNOWN, Criterion, Facts, Judgement

Prep = Callable[[str, str, str], Any]
Judge = Callable[[Any, Criterion, Facts], Judgement]

REGISTRY: Final[dict[str, tuple[Prep, Judge]]] = {
    "age": (p.prep_age, p.judge_age),
    "performance": (p.prep_performance, p.judge_performance),
    "sex": (body.prep_sex, body.judge_sex),
    "weight": (body.prep_weight, body.judge_weight),
    "pregnancy": (body.prep_pregnancy, body.judge_pregnancy),
    "diagnosis": (d.prep_diagnosis, d.judge_diagnosis),
    "biomarker": (d.prep_biomarker, d.judge_biomarker),
    "disease_setting": (d.prep_disease_setting, d.judge_disease_setting),
    "measurable_disease": (tumor.prep_measurable, tumor.judge_measurable),
    "cns_metastases": (tumor.prep_cns, tumor.judge_cns),
    "prior_therapy_required": (t.prep_prior_required, t.judge_prior_required),
    "prior_therapy_excluded": (t.prep_prior_excluded, t.judge_prior_excluded),
    "washout": (h.prep_washout, h.judge_washout),
    "radiation": (h.prep_radiation, h.judge_radiation),
    "transplant": (h.prep_history, h.judge_transplant),
    "amputation": (h.prep_history, h.judge_amputation),
    "labs": (lab.prep_labs, lab.judge_labs),
}

_OTHER = Judgement(UNKNOWN, "not read by the engine", None)
# Consent, assent and willingness are obtained at enrolment, not facts a board could hold
# beforehand; leaving them unknown would make no trial ever "eligible".
_ADMIN = re.compile(
    r"\b(?:informed consent|consent|assent)\b|\b(?:un)?willing(?:ness)?\b|\bability to underst"
    r"and\b|"
    r"\b(?:able|ability|unable|inability) to comply\b|\bcomply with (?:the )?(?:study|protocol)"
)
_ADMIN_NOT = re.compile(
    r"\bcontracept|\bpregnan|\bleukapheresis|\bbiopsy|\btissue|\bsample|\bfollow ?up\b"
)
_ADMIN_MET = Judgement(MET, "administrative (consent/willingness), obtained at enrolment")


class Judged(NamedTuple):
    """One criterion's outcome. `guard` names why a not_met was softened to unknown, if it was
    ("or", "part", "exception", "conditional"), and `raw` keeps the judge's own not_met so that
    trial-wide rules (every part excludes) can restore it."""

    kind: str
    judgement: Judgement
    guard: str | None = None
    raw: Judgement | None = None


def judge_criterion(crit: Criterion, facts: Facts) -> Judged:
    """All aspects of a criterion must hold (AND); the first not_met decides, else any unknown.

    Guards keep a clear-looking not_met from excluding a child it may not apply to: one
    alternative of an OR list, a part/cohort-specific rule, an exception the judge did not read,
    or a rule for some patients only ("For patients with CNS tumors, ...").
    """
    if crit.scope and not any(c in facts.concept_ids for c in crit.scope):
        named = ", ".join(vocabulary.concept_name(c) for c in crit.scope)
        return Judged(crit.aspects[0].kind, Judgement(MET, f"applies to {named} only"))
    first_unknown: Judged | None = None
    met_reasons: list[str] = []
    for aspect in crit.aspects:
        entry = REGISTRY.get(aspect.kind)
        if entry is not None:
            j = entry[1](aspect.spec, crit, facts)
        elif _ADMIN.search(crit.norm) and not _ADMIN_NOT.search(crit.norm):
            j = _ADMIN_MET
        else:
            j = _OTHER
        if j.verdict == NOT_MET:
            guard = _guard(crit, j)
            if guard is None:
                return Judged(aspect.kind, j)
            softened = Judgement(
                UNKNOWN, f"{j.reason} — {_GUARD_TEXT[guard]}", j.verify or crit.text[:120]
            )
            if first_unknown is None or first_unknown.guard is None:
                first_unknown = Judged(aspect.kind, softened, guard, j)
        elif j.verdict == UNKNOWN:
            if first_unknown is None:
                first_unknown = Judged(aspect.kind, j)
        else:
            met_reasons.append(j.reason)
    if first_unknown is not None:
        return first_unknown
    return Judged(crit.aspects[0].kind, Judgement(MET, "; ".join(met_reasons)))


_GUARD_TEXT = {
    "or": "but this is one of several alternatives",
    "part": "applies to one part/cohort only",
    "exception": "the criterion has exceptions",
    "conditional": "the criterion applies only to some patients",
}


def _guard(crit: Criterion, j: Judgement) -> str | None:
    if crit.in_or_group and crit.section == "inclusion":
        return "or"
    if crit.part_specific and not j.scoped:
        return "part"
    if crit.has_exception and not j.handled:
        return "exception"
    if not j.scoped and _conditional(crit.norm):
        return "conditional"
    return None


@lru_cache(maxsize=65536)  # profile-independent; asked again for every profile a rule excludes
def _conditional(norm_text: str) -> bool:
    return _CONDITIONAL.search(norm_text) is not None


_PART = re.compile(
    r"\b(?:parts?|cohorts?|arms?|groups?|strat(?:um|a)|sub ?study|segment)\s+[a-z0-9]{1,3}\b|"
    r"\bphase (?:1|2|i|ii)\b[^.;]{0,3}[:(]|\bdose escalation\b|\bexpansion (?:cohort|phase|part)|"
    r"\(a\)[^()]{3,}\(b\)|\b(?:for|in) (?:the )?(?:dose|expansion|escalation)",
)
_CONDITIONAL = re.compile(
    r"^(?:for|in|if|when)\s|^(?:patients|subjects|participants) (?:with|who)\b[^.;]{0,80}\b(?:"
    r"must|should|will|may|need|can|are not required)\b|"
    r"\bto be eligible for\b|"
    r"^(?!all |the |eligible |any |adult |pediatric )"
    r"(?:\w+ ){1,3}(?:patients|subjects|participants) "
    r"(?:must|should|will|may|need|can|are|who|with)\b"
)
_EXCEPTION_WORDS = re.compile(
    r"\bexcept|\bexception|\bunless\b|\bother than\b|\bprovided\b|\bwaived\b|"
    r"(?<!not )\b(?:allowed|permitted)\b|\bmay be eligible|\bare eligible|\bis eligible"
)


def part_specific(norm_text: str) -> bool:
    """Scoped to one part/cohort/arm. Only the first sentence counts: a later sentence naming a
    cohort ("... may have been enrolled in Cohort 9") does not scope the rule itself."""
    return _PART.search(norm_text.split(". ", 1)[0]) is not None


def has_exception(norm_text: str) -> bool:
    return _EXCEPTION_WORDS.search(norm_text) is not None
