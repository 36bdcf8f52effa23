"""Judges for sex, weight / body surface area and pregnancy / lactation."""

from __future__ import annotations

import math
import re
from typing import Any

from matcher.domain.eligibility import cues
from matcher.domain.eligibility.base import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)
from matcher.domain.eligibility.judge_person import in_any_group, weight_groups
from matcher.domain.eligibility.numbers import fold_ops, holds


def prep_sex(crit_text: str, norm: str, section: str) -> Any:
    if re.search(r"\bfemales?\b|\bwomen\b|\bgirls?\b", norm) and not re.search(
        r"\bmales?\b|\bmen\b|\bboys?\b", norm
    ):
        return "female"
    if re.search(r"\bmales?\b|\bmen\b|\bboys?\b", norm) and not re.search(
        r"\bfemales?\b|\bwomen\b", norm
    ):
        return "male"
    return None


def judge_sex(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    if spec is None:
        return Judgement(UNKNOWN, "sex restriction not read", "sex restriction as written")
    same = facts.sex == spec
    if crit.section == "exclusion":
        same = not same
    return (
        Judgement(MET, f"{facts.sex} allowed")
        if same
        else Judgement(NOT_MET, f"limited to {spec}; patient is {facts.sex}")
    )


_KG = re.compile(r"(>=|<=|>|<)\s*(\d+(?:\.\d+)?)\s*(?:kgs?|kilo(?:gram)?s?)\b")
_LB = re.compile(r"(>=|<=|>|<)\s*(\d+(?:\.\d+)?)\s*(?:lbs?|pounds?)\b")  # "weighing >400 lbs"
_KG_PER_LB = 0.45359237
_BSA = re.compile(r"(>=|<=|>|<)\s*(\d(?:\.\d+)?)\s*(?:m\^?2|m²|m 2|square met)")


def prep_weight(crit_text: str, norm: str, section: str) -> Any:
    folded = fold_ops(crit_text)
    kgs = [(m.group(1), float(m.group(2))) for m in _KG.finditer(folded)]
    kgs += [(m.group(1), round(float(m.group(2)) * _KG_PER_LB, 1)) for m in _LB.finditer(folded)]
    return (tuple(kgs),
            tuple((m.group(1), float(m.group(2))) for m in _BSA.finditer(folded)),
            weight_groups(crit_text))  # fmt: skip


def judge_weight(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    kgs, bsas, groups = spec
    if groups and in_any_group(facts.age_months, groups) is False:
        # "Patients aged 12 to 17 years must weigh >= 40 kg": a limit for that age group only
        return Judgement(NOT_APPLICABLE, "weight limit for another age group", rule="other_age")
    if facts.weight_kg is None:
        return Judgement(UNKNOWN, "weight not given", "weight/body surface area as required")
    if not kgs and not bsas:
        return Judgement(
            UNKNOWN, "weight/BSA limit not read", "weight/body surface area as required"
        )
    w = facts.weight_kg
    outcomes: list[bool | None] = [holds(w, op, v) for op, v in kgs]
    for op, v in bsas:
        if facts.bsa_m2 is not None:  # Mosteller from the board's height and weight
            outcomes.append(holds(facts.bsa_m2, op, v))
            continue
        # no height in the profile: bound BSA (Mosteller) between heights of 50 and 200 cm
        lo, hi = math.sqrt(50 * w / 3600), math.sqrt(200 * w / 3600)
        a, b = holds(lo, op, v), holds(hi, op, v)
        outcomes.append(a if a == b else None)
    excluded = crit.section == "exclusion"
    what = f"weight {w:g} kg" + (f" (BSA {facts.bsa_m2:.2f} m²)" if bsas and facts.bsa_m2 else "")
    if all(o is True for o in outcomes):
        return Judgement(
            NOT_MET if excluded else MET,
            f"{what} {'meets' if not excluded else 'falls in'} the limit",
        )
    if any(o is False for o in outcomes):
        return Judgement(MET if excluded else NOT_MET, f"{what} is outside the limit")
    return Judgement(
        UNKNOWN, f"BSA for {w:g} kg depends on height", "height (for body surface area)"
    )


def prep_pregnancy(crit_text: str, norm: str, section: str) -> Any:
    return (
        bool(re.search(r"\bpregnan", norm)),
        bool(re.search(r"\blactat|\bbreast ?feed|\bnursing\b", norm)),
        bool(
            re.search(
                r"\bnegative\b[^.;]{0,30}\bpregnancy test|\bpregnancy test\b[^.;]{0,30}\bnegative",
                norm,
            )
        ),
        bool(re.search(r"contracepti|birth control|abstinen", norm)),
        bool(_POTENTIAL.search(norm)),
    )


# "women of childbearing potential": a rule for those who could be pregnant
_POTENTIAL = re.compile(r"\b(?:child ?bearing|reproductive) potential\b|\bpost ?menarch")
_YOUNGEST_MENARCHE_MONTHS = 96  # no girl under 8 years is of childbearing potential


def judge_pregnancy(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    pregnant_word, lactating_word, test, contraception, potential = spec
    young = facts.age_months < _YOUNGEST_MENARCHE_MONTHS
    if young and (
        (potential and crit.section == "inclusion")
        # "Pregnant or lactating", "Nursing women" under the exclusions: not a young child's rule
        or (crit.section == "exclusion" and (pregnant_word or lactating_word) and not test)
        # "Not pregnant or nursing", "Negative pregnancy test" as inclusions: the same rules
        or (crit.section == "inclusion" and (pregnant_word or lactating_word or test))
    ):
        return Judgement(
            NOT_APPLICABLE,
            "rule for patients of childbearing potential; the patient is a young child",
            rule="other_age",
        )
    if facts.sex == "female" and re.match(
        r"(?:a |all )?male (?:patient|subject|participant)s?\b", crit.norm
    ):
        return Judgement(NOT_APPLICABLE, "rule for male patients only", rule="other_sex")
    if contraception and not (pregnant_word or lactating_word or test):
        # an agreement obtained at enrolment, not a fact the board holds
        return Judgement(
            NOT_APPLICABLE,
            "formality (contraception agreement), obtained at enrolment",
            rule="formality",
        )
    if facts.sex == "male":
        if contraception and crit.section == "inclusion":
            return Judgement(
                NOT_APPLICABLE,
                "pregnancy rules apply to female patients; contraception agreement is a formality",
                rule="other_sex",
            )
        return Judgement(
            NOT_APPLICABLE, "pregnancy/lactation rule: applies to female patients", rule="other_sex"
        )
    if (
        facts.pregnant is True
        and (pregnant_word or test)
        and cues.search("investigator_judgement", crit.norm)
    ):
        # "Pregnant or lactating women who, as judged by the investigator, were not candidates
        # for brain MRI": pregnancy is one half; the other is the investigator's
        return Judgement(
            UNKNOWN,
            "patient is pregnant; the rule also needs the investigator's judgement",
            f"investigator's judgement: {crit.text[:100]}",
        )
    if facts.pregnant is True and (pregnant_word or test):
        return Judgement(
            NOT_MET, "patient is pregnant", handled=_exception_elsewhere(crit.norm, "pregnan")
        )
    if facts.lactating is True and lactating_word:
        return Judgement(
            NOT_MET, "patient is breastfeeding", handled=_exception_elsewhere(crit.norm, "breast")
        )
    clear_preg = not (pregnant_word or test) or facts.pregnant is False
    clear_lact = not lactating_word or facts.lactating is False
    if clear_preg and clear_lact:
        return Judgement(MET, "not pregnant" + (" or breastfeeding" if lactating_word else ""))
    return Judgement(
        UNKNOWN, "pregnancy/lactation not given", "pregnancy test / breastfeeding status"
    )


# an exception, an allowance or a permission in the sentence (data/cues.json)
_SOFTENER = re.compile(
    rf"{cues.cue('exception').pattern}|{cues.cue('permission').pattern}|\bprovided\b|\beligible\b"
)


def _exception_elsewhere(norm: str, word: str) -> bool:
    """True when no sentence that names `word` carries an exception ("... unless they agree to
    contraception" sits in another sentence than "Pregnant women are excluded")."""
    return not any(word in s and _SOFTENER.search(s) for s in re.split(r"(?<=[.;])\s+", norm))
