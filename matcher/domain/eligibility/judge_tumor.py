"""Judges for the tumor's extent: measurable disease (RECIST) and CNS metastases."""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility import cues, vocabulary
from matcher.domain.eligibility.base import MET, NOT_MET, UNKNOWN, Criterion, Facts, Judgement
from matcher.domain.eligibility.numbers import fold_ops


def prep_measurable(crit_text: str, norm: str, section: str) -> Any:
    not_required = bool(
        re.search(
            (
                r"\bnot (?:be )?required to have measurable"
                r"|\bmeasurable disease (?:is )?not required"
                r"|\bnon measurable"
            ),
            norm,
        )
    )
    evaluable = bool(re.search(r"\bevaluable\b|\bassessable\b", norm))
    size = _SIZE.search(fold_ops(norm)) if not re.search(r"\bdefined\b|\brecist", norm) else None
    cm = None if size is None else float(size.group(1)) / (10 if size.group(2) == "mm" else 1)
    return not_required, evaluable, cm


# "Measurable tumor that is ≥ 2 cm in its longest diameter" (not the RECIST definition's sizes)
_SIZE = re.compile(r"(?:>=|>)\s*(\d+(?:\.\d+)?)\s*(cm|mm)\b")


def judge_measurable(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    not_required, evaluable, min_cm = spec
    if not_required:
        return Judgement(MET, "measurable disease not required")
    if crit.section == "exclusion":
        return Judgement(
            UNKNOWN, "exclusion about measurability", f"measurability: {crit.text[:100]}"
        )
    if facts.measurable is True and min_cm is not None:
        if facts.size_cm is not None and facts.size_cm >= min_cm:
            return Judgement(MET, f"measurable tumor of {facts.size_cm:g} cm (≥ {min_cm:g} cm)")
        have = "size not given" if facts.size_cm is None else f"tumor {facts.size_cm:g} cm"
        return Judgement(
            UNKNOWN, f"requires a measurable tumor ≥ {min_cm:g} cm; {have}", "size of lesion"
        )
    if facts.measurable is True:
        return Judgement(MET, "measurable disease reported")
    if facts.measurable is False:
        if evaluable:
            return Judgement(
                UNKNOWN, "not measurable; evaluable disease may suffice", "evaluable disease"
            )
        return Judgement(NOT_MET, "requires measurable disease; profile says not measurable")
    return Judgement(UNKNOWN, "measurability not given", "measurable disease (RECIST)")


_CNS_QUALIFIED = re.compile(
    r"\buntreated\b|\bactive\b|\bsymptomatic\b|\bprogress|\bnew\b|\bunstable\b"
    r"|\buncontrolled\b|\brequiring\b|\bleptomeningeal\b|\bstable\b|\btreated\b"
)
_CNS_NEGATED = re.compile(
    r"\bno\b|\bwithout\b|\bmust not\b|\bnot have\b|\bfree of\b|\babsence of\b"
)
_CNS_CONDITIONAL = re.compile(
    r"\b(?:for|in) (?:patients|subjects|those) with\b[^.;]{0,40}\b(?:cns|brain)"
)


def prep_cns(crit_text: str, norm: str, section: str) -> Any:
    return (
        bool(_CNS_QUALIFIED.search(norm)),
        bool(_CNS_NEGATED.search(norm)),
        bool(_CNS_CONDITIONAL.search(norm)),
    )


def judge_cns(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    qualified, negated, conditional = spec
    has = facts.cns_metastases
    if conditional:
        if has is False:
            return Judgement(MET, "applies only to patients with CNS disease; none reported")
        return Judgement(
            UNKNOWN,
            "condition for patients with CNS disease",
            f"CNS disease details: {crit.text[:90]}",
        )
    excludes_cns = crit.section == "exclusion" or negated
    if has is None:
        return Judgement(UNKNOWN, "CNS metastases not stated", "presence of CNS metastases")
    if not excludes_cns:
        return Judgement(
            UNKNOWN, "criterion about CNS metastases", f"CNS metastases: {crit.text[:90]}"
        )
    if has is False:
        return Judgement(MET, "no CNS metastases reported")
    if qualified:
        return Judgement(
            UNKNOWN,
            "CNS metastases present; criterion depends on their state",
            "whether CNS metastases are treated/stable",
        )
    return Judgement(
        NOT_MET,
        "CNS metastases present; trial excludes them",
        handled=exception_names_other_tumor(crit.norm, facts),
    )


_EXCEPT_CLAUSE = re.compile(rf"(?:{cues.cue('exception').pattern})\w*(?: for)?([^,.;]*)")


def exception_names_other_tumor(norm: str, facts: Facts) -> bool:
    """True when every exception clause names only tumors the patient does not have ("CNS
    metastasis, except for craniopharyngeal tumors, will be excluded")."""
    clauses = [m.group(1) for m in _EXCEPT_CLAUSE.finditer(norm)]
    if not clauses:
        return False
    for clause in clauses:
        named = vocabulary.find_concepts(clause)
        if not named or any(c in facts.concept_ids for c in named):
            return False
    return True


# --- metastatic disease -------------------------------------------------------------------------

DISTANT = frozenset({"pulmonary", "bone", "bone_marrow", "cns", "other_distant"})
METASTATIC = re.compile(
    r"\bmust have (?:distant |documented )?metastatic disease|\bdistant metastatic disease\b"
)


def prep_metastatic(crit_text: str, norm: str, section: str) -> Any:
    # "locally advanced or metastatic": metastatic is one alternative, not a requirement
    return re.search(r"\b(?:or|and/or) (?:distant )?metasta|\bmetastatic or\b", norm) is None


def judge_metastatic(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    """Distant metastatic disease required: read from the recurrence sites; a local or regional
    recurrence alone is unknown, never not_met (distant disease may be known elsewhere)."""
    required = spec
    distant = sorted(facts.recurrence_sites & DISTANT)
    if crit.section == "inclusion" and required and distant:
        return Judgement(MET, f"recurrence at {', '.join(distant)}: distant metastatic disease")
    if facts.recurrence_sites and not distant:
        return Judgement(
            UNKNOWN,
            "recurrence reported as local/regional only; the criterion concerns distant metastases",
            "distant metastatic disease",
        )
    return Judgement(UNKNOWN, "metastatic status as required", f"metastases: {crit.text[:100]}")
