"""Judges for who the patient is: age, performance status, sex, weight/BSA, pregnancy.

Each kind has `prep_*` (runs once per trial version, profile-independent) and `judge_*` (runs per
profile). Conservative throughout: not_met only when the text and the facts clearly disagree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from matcher.domain.eligibility import vocabulary
from matcher.domain.eligibility.base import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)
from matcher.domain.eligibility.groups import AGE_GROUP_NOUN, AGE_GROUP_SUBJECT, NOT_AN_AGE_LIMIT
from matcher.domain.eligibility.numbers import comparisons, fold_ops

_UNIT = re.compile(r"\s*(years?|yrs?|y\b|months?|mos?\b|mo\b|days?(?= old\b| of age\b))")
RANGE = re.compile(
    r"(?<![\d.])(\d{1,2}(?:\.\d)?)\s*(?:-|–|to|and)\s*(\d{1,3})\s*(years?|yrs?|months?)?"
)
# "between 12 months and 30 years": a range whose ends name different units
_UNIT_RANGE = re.compile(
    r"(?<![\d.])(\d{1,3})\s*(months?|years?)\s*(?:-|–|to|and)\s*(\d{1,3})\s*(months?|years?)"
)
# "Pediatric patients >= 1 day old", "Children at least 1 day of age": pediatric by name
_PEDIATRIC = re.compile(
    r"^(?:only |[^,.;]{0,40},\s*)?"
    r"(?:(?:pediatric|paediatric) (?:patients?|subjects?|participants?)\b|"
    r"children\b(?! (?:and|or) ))"
)
_BIRTH = re.compile(r"\bbirth\b|\bnewborn|\bneonat")
_FROM_BIRTH = re.compile(
    r"\bbirth\s*(?:and|to|through|until|up to|-|–)\s*(\d{1,2})\s*(years?|months?)"
)


def age_ok(age_months: float, op: str, value: float, unit_months: float) -> bool | None:
    """True/False when clear, None on the boundary. "≤ 21 years" includes 21 years 11 months."""
    limit = value * unit_months
    if op == ">=":
        return age_months >= limit
    if op == ">":
        return True if age_months > limit else (None if age_months == limit else False)
    if op == "<=":
        return age_months < limit + unit_months if unit_months == 12 else age_months <= limit
    if op == "<":
        return age_months < limit
    return None


def months_per(unit: str | None, default: float) -> float:
    if not unit:
        return default
    if unit.startswith("d"):
        return 1 / 30.4375  # "≥ 1 day old": a day in months
    return 1.0 if unit.startswith("m") else 12.0


_AGE_WORD = re.compile(r"\b(?:age|aged|ages)\b[^.;\d]{0,12}$")
_NEGATIVE_SENTENCE = re.compile(r"\bexclud|\bineligible\b|\bnot eligible\b|\bnot be eligible\b")


# a sentence whose subject is an age group and whose verb asks something else of it
_GROUP_SUBJECT = re.compile(
    rf"^\s*{AGE_GROUP_SUBJECT}(?:must|should|will|need|are required|may)\b{NOT_AN_AGE_LIMIT}"
)
# "For infants < 12 months the investigator assesses ...", "For the newborns and infants below 3
# months of life: corrected gestational age >= 37 weeks": a sentence for one age group, asking it
# something else, beside the limit in another sentence
_FOR_GROUP = re.compile(
    rf"^\s*for {AGE_GROUP_NOUN}\s*(?:aged?\s+)?(?:(?:<=|>=|<|>)\s*)?\d+(?:\s*(?:-|–|to)\s*\d+)?\s*"
    r"(?:years?|months?|weeks?|days?)"
)
_SCALE_SENTENCE = re.compile(r"\bkarnofsky|\blansky|\becog\b|\bperformance (?:status|score)")


SEGMENT = re.compile(r"\(([a-h])\)\s*", re.IGNORECASE)


def prep_age(crit_text: str, norm: str, section: str) -> Any:
    """[(op, value, months per unit)], or ("by_tumor", [(concepts, bounds)]) when the text gives
    one range per tumor: "(A) Synovial Sarcoma: 2 to 17 years (B) MPNST ...: 2 to 21 years"."""
    pieces = SEGMENT.split(crit_text)
    if len(pieces) >= 5:  # text, (a), seg, (b), seg ...
        segments = tuple(
            (tuple(vocabulary.find_concepts(seg)), _bounds(seg, section)) for seg in pieces[2::2]
        )
        if all(c and b for c, b in segments):
            return ("by_tumor", segments)
    alternatives = _age_alternatives(crit_text, section)
    if alternatives:
        return ("any_of", alternatives)
    general, scoped = _scoped_bounds(crit_text, section)
    spec: Any = ("scoped", general, scoped) if scoped else general
    groups = _group_subjects(crit_text)
    if groups and spec:
        # "Age >= 6 months ... Participants < 12 months of age must have been born at >= 37
        # weeks": the limit, and more asked of one age group
        return ("grouped", spec, groups)
    return spec


# "participants >= 18 years of age, or adolescents >= 12 and < 18 years with body weight >= 40
# kg": each side of the "or" is an age group of its own ("18 years or older" is one limit)
_OR_GROUP = re.compile(
    r",\s*or\s+|;\s*or\s+|\bor\s+(?=(?:adolescents?|children|patients|participants|subjects|"
    r"adults?|infants?|those)\b)"
)
# what an age group may be asked besides its age ("with body weight >= 40 kg", "if ...")
_MORE_ASKED = re.compile(r"\b(?:with|who|whose|if|weigh\w*|bsa|provided)\b")


def _age_alternatives(crit_text: str, section: str) -> tuple[Any, ...]:
    """((bounds, asks more), ...) when the rule is a choice of age groups, each with its own
    consistent bounds; () otherwise."""
    pieces = _OR_GROUP.split(crit_text)
    if len(pieces) < 2:
        return ()
    out = []
    for piece in pieces:
        bounds = _bounds(piece, section)
        if not bounds or _contradictory(bounds):
            return ()
        out.append((bounds, bool(_MORE_ASKED.search(piece.lower()))))
    return tuple(out)


def _contradictory(bounds: tuple[tuple[str, float, float], ...]) -> bool:
    lows = [v * per for op, v, per in bounds if op in {">=", ">"}]
    highs = [
        v * per + (per if op == "<=" and per == 12 else 0)
        for op, v, per in bounds
        if op in {"<=", "<"}
    ]
    return bool(lows and highs and max(lows) >= min(highs))


def _judge_alternatives(alternatives: Any, crit: Criterion, facts: Facts) -> Judgement:
    """A choice of age groups: in a group asked nothing more decides; in none of them decides
    the other way; in a group asked more leaves that to verify."""
    age = _age_text(facts.age_months)
    fits = [
        (all(age_ok(facts.age_months, *b) is True for b in bounds), more, bounds)
        for bounds, more in alternatives
    ]
    outside = _in_none(facts.age_months, [bounds for bounds, _more in alternatives])
    pure = next((bounds for fit, more, bounds in fits if fit and not more), None)
    exclusion = crit.section == "exclusion"
    if pure is not None:
        wanted = " and ".join(f"{op} {v:g} {_UNIT_NAME.get(per, 'days')}" for op, v, per in pure)
        if exclusion:
            return Judgement(NOT_MET, f"age {age} falls in an excluded age group ({wanted})")
        return Judgement(MET, f"age {age} satisfies one of the age groups ({wanted})")
    if outside:
        if exclusion:
            return Judgement(MET, f"age {age} is in none of the excluded age groups")
        return Judgement(NOT_MET, f"age {age} is in none of the age groups the rule allows")
    return Judgement(
        UNKNOWN,
        f"age {age} is in an age group the rule asks more of",
        f"what the rule asks of the age group: {crit.text[:100]}",
    )


Bounds = tuple[tuple[str, float, float], ...]


def _group_subjects(crit_text: str, asked: re.Pattern[str] | None = None) -> tuple[Bounds, ...]:
    """The bounds (op, value, months per unit) of each age group that is a sentence's subject
    and is asked something else ("Participants < 12 months of age must ...", "Patients aged 12
    to 17 years must weigh >= 40 kg"); with `asked`, only the sentences that ask it, else only
    those asking more than a weight (which judge_body.judge_weight reads for the group)."""
    out: list[Bounds] = []
    for sentence in re.split(r"(?<=[.;])\s+", fold_ops(crit_text)):
        found = _GROUP_SUBJECT.match(sentence)  # fold_ops has lower-cased it
        if found is None:
            continue
        if asked is not None and not asked.search(sentence):
            continue
        if asked is None and _ONLY_WEIGHT.match(sentence[found.end() :]):
            continue
        phrase = found.group(0)
        span = RANGE.search(phrase)
        if span is not None:
            per = months_per(span.group(3), 12.0)
            out.append(((">=", float(span.group(1)), per), ("<=", float(span.group(2)), per)))
            continue
        b = comparisons(phrase)
        if b:
            unit = _UNIT.match(phrase, b[0].end)
            per = months_per(unit.group(1) if unit else None, 12.0)
            out.append(((b[0].op, b[0].value, per),))
    return tuple(out)


def weight_groups(crit_text: str) -> tuple[Bounds, ...]:
    """The age groups a weight or BSA limit is asked of ("Patients aged 12 to 17 years must weigh
    >= 40 kg"), when every weight mention is in such a sentence; () otherwise."""
    groups = _group_subjects(crit_text, _WEIGHT_WORD)
    if not groups:
        return ()
    rest = [
        s
        for s in re.split(r"(?<=[.;])\s+", fold_ops(crit_text))
        if not _GROUP_SUBJECT.match(s) and _WEIGHT_WORD.search(s)
    ]
    return () if rest else groups


def in_any_group(age_months: float, groups: tuple[Bounds, ...]) -> bool | None:
    """True when the age is inside one of the groups, False when clearly in none."""
    if any(all(age_ok(age_months, *b) for b in group) for group in groups):
        return True
    return False if _in_none(age_months, groups) else None


def _in_none(age_months: float, groups: Sequence[Bounds]) -> bool:
    """True when every group has a bound the age clearly fails."""
    return all(any(age_ok(age_months, *b) is False for b in group) for group in groups)


_WEIGHT_WORD = re.compile(r"\bweigh|\bkg\b|\bbsa\b|\bbody surface")
# "must weigh >= 40 kg", "must have a body surface area (BSA) >= 1.1 m^2 and a body weight >= 35
# kg at enrollment": what is asked is a weight or a BSA and nothing else
_ONLY_WEIGHT = re.compile(
    r"^(?:\s|[\d.,()>=<≥≤^²]|\b(?:must|should|will|need|have|be|weigh|and|a|an|of|at|least|"
    r"body|surface|area|bsa|weight|m|kg|enrol+ment|screening|registration|the|time)\b)*$"
)


# "... upper age limit of 30 years for tumor types X, Y and Z": the limit is those tumors' only
_FOR_TUMORS = re.compile(
    r"\b(?:for|in) (?:patients |subjects |participants |those |children )?(?:with )?"
    r"(?:(?:tumou?r )?(?:types?|diagnos[ie]s|histolog(?:y|ies)) )?(?:of )?(?P<who>[^.;]{3,160})"
)
_GENERIC = vocabulary.GENERIC_TUMORS


def _scoped_bounds(crit_text: str, section: str) -> tuple[Any, Any]:
    """(bounds for everyone, ((tumors, bounds), ...) for sentences that name whom they are for)."""
    general: list[tuple[str, float, float]] = []
    scoped: list[tuple[tuple[str, ...], tuple[tuple[str, float, float], ...]]] = []
    for sentence in re.split(r"(?<=[.;])\s+", crit_text):
        bounds = _bounds(sentence, section)
        who = _FOR_TUMORS.search(sentence.lower())
        tumors = (
            tuple(c for c in vocabulary.find_concepts(who.group("who")) if c not in _GENERIC)
            if who is not None and bounds
            else ()
        )
        if tumors:
            scoped.append((tumors, bounds))
        else:
            general += bounds
    return tuple(dict.fromkeys(general)), tuple(scoped)


_PERMISSIVE = re.compile(r"\b(?:could|may|can) be (?:included|enrolled|eligible)\b|\bonly in\b")
# one sentence saying where an age group is treated, beside the limit in another
_WHERE = re.compile(
    r"\b(?:could|may|can|will)(?: only)? be (?:included|enrolled|treated|randomi[sz]ed)\b"
    r"[^.;]{0,40}\b(?:in|at|by) (?:a |the )?(?:\w+ ){0,3}(?:centres?|centers?|sites?|"
    r"institutions?|units?|hospitals?)\b"
)


def _bounds(crit_text: str, section: str) -> tuple[tuple[str, float, float], ...]:
    if _PERMISSIVE.search(crit_text.lower()):
        # "patients aged 12-15 could be included in only 6 centers": says where, not who
        return ()
    bounds: list[tuple[str, float, float]] = []
    for sentence in re.split(r"(?<=[.;])\s+", fold_ops(crit_text)):
        if section == "inclusion" and _NEGATIVE_SENTENCE.search(sentence):
            continue  # "children younger than 12 years are excluded" restates the limit inverted
        if _SCALE_SENTENCE.search(sentence):
            continue  # "Karnofsky >= 50% for patients > 16 years": the age picks the scale
        if _GROUP_SUBJECT.match(sentence) or _FOR_GROUP.match(sentence):
            continue  # "Participants < 12 months of age must have been born at >= 37 weeks"
        if _WHERE.search(sentence):
            continue  # "Patients aged 15 to 17 years can only be enrolled in centres with ..."
        covered: list[tuple[int, int]] = []
        for m in _UNIT_RANGE.finditer(sentence):
            low, high = months_per(m.group(2), 12.0), months_per(m.group(4), 12.0)
            bounds += [(">=", float(m.group(1)), low), ("<=", float(m.group(3)), high)]
            covered.append((m.start(), m.end()))
        for m in RANGE.finditer(sentence):
            if any(s <= m.start() < e for s, e in covered):
                continue
            near_age = _AGE_WORD.search(sentence[max(0, m.start() - 30) : m.start()])
            if not (m.group(3) or near_age):
                continue
            per = months_per(m.group(3), 12.0)
            bounds += [(">=", float(m.group(1)), per), ("<=", float(m.group(2)), per)]
            covered.append((m.start(), m.end()))
        for b in comparisons(sentence):
            if any(s <= b.start < e for s, e in covered):
                continue
            unit = _UNIT.match(sentence, b.end)
            if unit is None and not _AGE_WORD.search(sentence[max(0, b.start - 30) : b.start]):
                continue
            bounds.append((b.op, b.value, months_per(unit.group(1) if unit else None, 12.0)))
    if _PEDIATRIC.search(crit_text.lower()) and not any(op in {"<", "<="} for op, _v, _p in bounds):
        # "Pediatric patients ≥ 1 day old": pediatric ends at 21 years in every definition used
        # by pediatric protocols (AAP: through 21), so that is the upper bound
        bounds.append(("<=", 21.0, 12.0))
    if _BIRTH.search(crit_text.lower()):
        bounds = [b for b in bounds if b[0] in {"<=", "<"}]
        upto = _FROM_BIRTH.search(crit_text.lower())
        if not bounds and upto is not None:
            # "between the ages of birth and 18 years", "Birth through 21 years of age"
            bounds = [("<=", float(upto.group(1)), months_per(upto.group(2), 12.0))]
    return tuple(dict.fromkeys(bounds))


def judge_age(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    if spec and spec[0] == "any_of":
        return _judge_alternatives(spec[1], crit, facts)
    if spec and spec[0] == "grouped":
        _g, inner, groups = spec
        j = judge_age(inner, crit, facts)
        if j.verdict == MET and in_any_group(facts.age_months, groups):
            return Judgement(
                UNKNOWN,
                f"{j.reason}; the rule asks more of the patient's age group",
                f"what the rule asks of the age group: {crit.text[:100]}",
            )
        return j
    if spec and spec[0] == "scoped":
        _s, general, scoped = spec
        if facts.concept is None:
            return Judgement(UNKNOWN, "age limit depends on the tumor type", "age limit as written")
        mine = [b for tumors, b in scoped if any(c in facts.concept_ids for c in tumors)]
        bounds = tuple(dict.fromkeys([*general, *(b for group in mine for b in group)]))
        if not bounds:
            named = ", ".join(vocabulary.concept_name(c) for t, _b in scoped for c in t)
            return Judgement(
                NOT_APPLICABLE,
                f"age limit for {named} only; patient has {facts.diagnosis}",
                rule="other_diagnosis",
            )
        return judge_age(bounds, crit, facts)._replace(scoped=True)
    if spec and spec[0] == "by_tumor":
        mine = [b for concepts, b in spec[1] if any(c in facts.concept_ids for c in concepts)]
        if len(mine) != 1:
            return Judgement(
                UNKNOWN, "age range depends on the tumor type", f"age limit: {crit.text[:100]}"
            )
        j = judge_age(mine[0], crit, facts)
        return j._replace(reason=f"{j.reason} (range for {facts.diagnosis})", scoped=True)
    if not spec:
        return Judgement(UNKNOWN, "age limit not read", "age limit as written")
    if _contradictory(spec):
        return Judgement(
            UNKNOWN,
            "age limits read as contradictory (several parts?)",
            f"age limit: {crit.text[:100]}",
        )
    results = [age_ok(facts.age_months, op, value, per) for op, value, per in spec]
    age = _age_text(facts.age_months)
    wanted = " and ".join(
        f"{op} {value:g} {_UNIT_NAME.get(per, 'days')}" for op, value, per in spec
    )
    if crit.section == "exclusion":
        if all(r is True for r in results):
            return Judgement(NOT_MET, f"age {age} falls in the excluded range ({wanted})")
        if any(r is False for r in results):
            return Judgement(MET, f"age {age} is outside the excluded range ({wanted})")
        return Judgement(UNKNOWN, f"age {age} is on the boundary of {wanted}", "exact age in days")
    if any(r is False for r in results):
        return Judgement(NOT_MET, f"age {age} at evaluation; needs {wanted}")
    if all(r is True for r in results):
        return Judgement(MET, f"age {age} satisfies {wanted}")
    return Judgement(UNKNOWN, f"age {age} is on the boundary of {wanted}", "exact age in days")


_UNIT_NAME = {1.0: "months", 12.0: "years"}


def _age_text(months: float) -> str:
    years, rest = divmod(int(months), 12)
    return f"{years} y {rest} m" if rest else f"{years} y"
