"""Judges for the facts pediatric protocols ask for beyond labs (issue 9): HIV/HBV/HCV status,
another malignancy, swallowing tablets, and cardiac / oxygenation measures (LVEF, shortening
fraction, QTc, pulse oximetry).

Each judge says "met" only from a fact the board gave, and "not met" only where the text leaves no
room (no active/acute/timing qualifier, no alternative); anything else is unknown. Exceptions and
alternatives in the sentence are softened further by judges.judge_criterion's guards.
"""

from __future__ import annotations

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
from matcher.domain.eligibility.numbers import COMPARISON, fold_ops, holds, to_float

# virus -> pattern on normalised text (hyphens and slashes are spaces: "hepatitis b and or c")
_VIRUSES: dict[str, re.Pattern[str]] = {
    "hiv": re.compile(r"\bhiv\b|\bhuman immunodeficiency virus"),
    "hbv": re.compile(
        r"\bhepatitis b\b|\bhbv\b|\bhbsag\b|\bhbs (?:antigen|ag)\b|\bhepatitis b surface antigen"
    ),
    "hcv": re.compile(r"\bhepatitis c\b|\bhcv\b|\bhepatitis b,? (?:and |or |and or )c\b"),
}
_LABEL = {"hiv": "HIV", "hbv": "hepatitis B", "hcv": "hepatitis C"}
# a positive status alone does not settle these: the rule is about activity, load or treatment
_VIRAL_QUALIFIED = re.compile(
    r"\bactive\b|\bacute\b|\bchronic\b|\buncontrolled\b|\buntreated\b|\bviral load|\bdetectable"
    r"|\breplicat|\bantiretroviral|\bcd4\b|\bliver disease\b|\bimmunosuppression\b"
    r"|\banti ?viral|\btreatment\b|\btherapy\b"
)


def prep_viral(crit_text: str, norm: str, section: str) -> Any:
    named = tuple(v for v, pattern in _VIRUSES.items() if pattern.search(norm))
    return named, bool(_VIRAL_QUALIFIED.search(norm))


_OTHER_INFECTION = re.compile(
    r"\b(?:active|uncontrolled|systemic|serious|severe|ongoing|bacterial|fungal|clinically "
    r"significant|current)\s+(?:\w+\s+)?infections?\b|\btuberculosis\b|\bcovid|\bsars\b"
)


def judge_viral(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    named, qualified = spec
    verify = f"{', '.join(_LABEL[v] for v in named) or 'HIV/hepatitis'} status"
    if not named:
        return Judgement(UNKNOWN, "virus not read", verify)
    status = {v: getattr(facts, v) for v in named}
    positive = [v for v, s in status.items() if s == "positive"]
    if positive:
        what = ", ".join(_LABEL[v] for v in positive)
        if qualified or crit.section == "inclusion":
            # an inclusion asks for a test result ("negative HBsAg", "or a negative HCV RNA")
            # or states a procedure; the board's positive status does not settle which
            return Judgement(
                UNKNOWN, f"{what} positive; the rule asks about activity or treatment", verify
            )
        return Judgement(NOT_MET, f"{what} positive")
    if all(s == "negative" for s in status.values()):
        # "Known HIV infection with detectable viral load, or an AIDS-defining infection within
        # 12 months": in an exclusion the infection is the subject and the rest qualifies it;
        # without the infection its details (load, window) are moot; another infection named
        # beside it stays a question of its own
        absent = crit.section == "exclusion" and not _OTHER_INFECTION.search(crit.norm)
        return Judgement(
            MET,
            f"{', '.join(_LABEL[v] for v in named)} negative",
            rule="subject_absent" if absent else "",
        )
    missing = ", ".join(_LABEL[v] for v, s in status.items() if s is None)
    return Judgement(UNKNOWN, f"{missing} status not given", verify)


def prep_other_malignancy(crit_text: str, norm: str, section: str) -> Any:
    """(section, whether the text permits: "... will be eligible")."""
    return section, cues.cue("permission").search(norm) is not None


def judge_other_malignancy(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    section, permits = spec
    verify = "other (second) malignancy"
    if section != "exclusion":
        if facts.other_malignancy is False and permits:
            # "Patients who have had another malignancy but with no evidence of disease for
            # > 5 years ... will be eligible": a permission for others, no question for this one
            why = "permits patients with another malignancy under conditions; none reported"
            return Judgement(NOT_APPLICABLE, why, rule="permission")
        # any other inclusion naming another malignancy is unusual: not read
        return Judgement(UNKNOWN, "other-malignancy rule not read", verify)
    if facts.other_malignancy is False:
        return Judgement(MET, "no other malignancy")
    if facts.other_malignancy is True:
        # timing ("within 2 years") and exceptions (in situ carcinoma) decide, not the fact alone
        why = "another malignancy reported; check timing and exceptions"
        return Judgement(UNKNOWN, why, verify)
    return Judgement(UNKNOWN, "another malignancy not given", verify)


# swallowing is required; an alternative route ("or via nasogastric tube", a liquid) may apply
_ROUTE_ALTERNATIVE = re.compile(
    r"\bor\b|\btube\b|\bliquid|\bsuspension|\bsolution\b|\bcrush|\bopen(?:ed)?\b|\bsprinkl"
)


# "Children who cannot swallow capsules ... may receive the oral solution": whoever cannot
# swallow is given another form, so the rule holds for everyone (for every child, when it is
# children who cannot swallow)
_FALLBACK_FORM = re.compile(
    r"(?:^|[.;:]\s*)(?P<who>patients|participants|subjects|those|anyone|children)"
    r" (?:who|that) (?:cannot|can not|are unable to|do not) swallow\b[^.;]{0,120}"
    r"\b(?:may|can|will|should) (?:receive|take|be given|use|be treated with|get)\b"
)


def prep_swallow(crit_text: str, norm: str, section: str) -> Any:
    fallback = _FALLBACK_FORM.search(norm)
    return bool(_ROUTE_ALTERNATIVE.search(norm)), fallback.group("who") if fallback else None


def judge_swallow(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    verify = "able to swallow tablets or capsules"
    alternative, fallback = spec
    child = facts.age_months < 18 * 12
    if fallback and crit.section == "inclusion" and (fallback != "children" or child):
        why = f"{fallback} who cannot swallow are given another form"
        return Judgement(MET, why, rule="any_route")
    if facts.swallows_tablets is True:
        return Judgement(MET, "swallows tablets")
    if facts.swallows_tablets is False:
        if alternative:
            why = "cannot swallow tablets; another route may be allowed"
            return Judgement(UNKNOWN, why, verify)
        return Judgement(NOT_MET, "cannot swallow tablets")
    return Judgement(UNKNOWN, "tablet swallowing not given", verify)


# measure -> (pattern on folded text, display, Facts field, unit check after the number)
_MEASURES: dict[str, tuple[re.Pattern[str], str, str, re.Pattern[str]]] = {
    "lvef": (
        re.compile(r"\b(?:left ventricular |cardiac )?ejection fraction\b|\blvef\b"),
        "LVEF", "lvef_percent", re.compile(r"\s*%"),
    ),
    "sf": (
        re.compile(r"\bshortening fraction\b|\bfractional shortening\b"),
        "shortening fraction", "shortening_fraction_percent", re.compile(r"\s*%"),
    ),
    "qtc": (
        re.compile(r"\bqtc[bf]?\b(?: interval)?"),
        "QTc", "qtc_ms", re.compile(r"\s*(?:ms\b|msec|millisec)"),
    ),
    "spo2": (
        re.compile(r"\bpulse oximetry\b|\boxygen saturation\b|\bspo2\b"),
        "pulse oximetry", "pulse_ox_percent", re.compile(r"\s*%"),
    ),
}  # fmt: skip
_PUMP = frozenset({"lvef", "sf"})  # either measure of pump function may be the one asked


def prep_cardiac(crit_text: str, norm: str, section: str) -> Any:
    folded = fold_ops(crit_text)
    reqs: list[tuple[str, str, float]] = []
    named: list[str] = []
    for key, (pattern, _name, _field, unit) in _MEASURES.items():
        for m in pattern.finditer(folded):
            named.append(key)
            window = folded[m.end() : m.end() + 60]
            c = COMPARISON.search(window)
            if c is not None and unit.match(window[c.end() :]):
                reqs.append((key, c.group(1), to_float(c.group(2))))
                break
    return tuple(dict.fromkeys(reqs)), tuple(dict.fromkeys(named))


def judge_cardiac(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    reqs, named = spec
    names = ", ".join(_MEASURES[k][1] for k in named) or "cardiac function"
    verify = f"{names} as required: {crit.text[:90]}"
    unread = [k for k in named if k not in {key for key, _op, _limit in reqs}]
    if not reqs or (unread and not set(unread) <= _PUMP):
        return Judgement(UNKNOWN, f"{names} limit not read", verify)
    excluded = crit.section == "exclusion"
    checks: dict[str, bool | None] = {}
    said: list[str] = []
    for key, op, limit in reqs:
        _pattern, name, field, _unit = _MEASURES[key]
        have = getattr(facts, field)
        ok = None if have is None else holds(float(have), op, limit)
        if ok is not None and excluded:  # the comparison describes who is excluded
            ok = not ok
        if have is not None:
            said.append(f"{name} {have:g} vs {op} {limit:g}")
        checks[key] = ok
    outcomes = {k: v for k, v in checks.items() if k not in _PUMP}
    pump = [checks.get(k) for k in named if k in _PUMP]  # unread limit: None
    if pump:
        # "SF >= 27% or EF >= 50%": one holding is enough, not met only when all fail; in an
        # exclusion every named measure must be clear ("EF < 50% or SF < 27%")
        passes = all if excluded else any
        outcomes["pump"] = (
            True if passes(v is True for v in pump) else False if all(v is False for v in pump)
            else None
        )  # fmt: skip
    values = list(outcomes.values())
    if any(v is False for v in values):
        return Judgement(NOT_MET, "; ".join(said))
    if values and all(v is True for v in values):
        return Judgement(MET, "; ".join(said))
    return Judgement(UNKNOWN, "; ".join(said) or f"{names} not given", verify)


# current use only: "receiving", "chronic use of", "at time of enrollment"; a history, a past
# window or a future window ("within 14 days of treatment") is not what the profile records
_STEROID_NOW = cues.cue("steroid_now")  # one list with the classifier's steroids kind
_STEROID_PAST = re.compile(
    r"\bhistory\b|\brequired\b|\brequiring\b|\bwithin\b|\bpast\b|\bprior\b|\bprevious|\bsince\b"
    # other agents named alongside ("or other immunosuppressive agents") are not in the profile
    r"|\bimmunosuppress|\bother (?:agents?|drugs?|medications?)\b"
)


def prep_steroids(crit_text: str, norm: str, section: str) -> Any:
    return (
        section == "exclusion"
        and bool(_STEROID_NOW.search(norm))
        and not _STEROID_PAST.search(norm)
    )


def judge_steroids(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    verify = "current corticosteroids (dose, and how long it has been stable)"
    if not spec:
        return Judgement(UNKNOWN, "corticosteroid rule not read", verify)
    if facts.on_corticosteroids is False:
        return Judgement(MET, "not on corticosteroids")
    if facts.on_corticosteroids is True:
        # dose limits and stable-dose windows decide, not the fact of use alone
        return Judgement(UNKNOWN, "on corticosteroids; check dose and timing", verify)
    return Judgement(UNKNOWN, "corticosteroid use not given", verify)
