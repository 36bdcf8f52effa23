"""Reading a lab criterion's text: which analytes it names, each one's comparison and limit in
the profile's unit (per uL, g/dL, mg/dL, mL/min, x ULN), alternatives, and rows of an
age-adjusted creatinine table. Profile-independent: run once per criterion text (prep_labs);
judge_labs.py compares the result with the patient's values.
"""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility.numbers import COMPARISON, comparisons, fold_ops, to_float

# analyte key in Facts.labs -> (pattern naming it, display, profile unit)
ANALYTES: dict[str, tuple[re.Pattern[str], str]] = {
    "anc": (
        re.compile(
            r"\babsolute neutrophil(?: count)?|\banc\b|\bneutrophils?\b|\bagc\b|\bgranulocytes?\b"
        ),
        "ANC",
    ),
    "platelets": (re.compile(r"\bplatelets?(?: count)?|\bplt\b"), "platelets"),
    "hemoglobin": (re.compile(r"\bh(?:a)?emoglobin\b|\bhgb\b|\bhb\b"), "hemoglobin"),
    "clearance": (
        re.compile(r"\bcreatinine clearance|\bcrcl\b|\bglomerular filtration|\bgfr\b|\begfr\b"),
        "creatinine clearance",
    ),
    "creatinine": (re.compile(r"\b(?:serum )?creatinine\b(?! clearance)"), "creatinine"),
    "bilirubin": (re.compile(r"\bbilirubin\b"), "bilirubin"),
    "alt": (
        re.compile(
            r"\balt\b|\bsgpt\b|\balanine (?:amino)?transaminase|\balanine aminotransferase"
            r"|\bglutam(?:ic|ate) pyruv(?:ic|ate) transaminase"
        ),
        "ALT",
    ),
    "ast": (
        re.compile(
            r"\bast\b|\bsgot\b|\baspartate (?:amino)?transaminase|\baspartate aminotransferase"
            r"|\bglutam(?:ic|ate) oxal(?:o)?acetic transaminase"
        ),
        "AST",
    ),
    "wbc": (re.compile(r"\bwbcs?\b|\bwhite blood cell(?: count)?|\bleukocyte count"), "WBC"),
    "albumin": (re.compile(r"(?<!micro)\b(?:serum )?albumin\b"), "albumin"),
    "inr": (re.compile(r"\binr\b|\binternational normali[sz]ed ratio"), "INR"),
    "upcr": (
        re.compile(
            r"\burine protein\s*(?:/|:|to)?\s*creatinine(?: \(upc\))?(?: ratio)?|\bupcr?\b"
            r"(?: ratio)?"
        ),
        "urine protein/creatinine ratio",
    ),
}
PROFILE_UNIT = {
    "anc": "/uL", "platelets": "/uL", "hemoglobin": "g/dL", "clearance": "mL/min",
    "creatinine": "mg/dL", "bilirubin": "x ULN", "alt": "x ULN", "ast": "x ULN",
    "wbc": "/uL", "albumin": "g/dL", "inr": "", "upcr": "mg/mg",
}  # fmt: skip
# "the ULN for SGPT is 45 U/L", "upper limit of normal (ULN) for ALT = 45 U/L", "with the ULN for
# SGPT set at 45 U/L", "the ULN of SGPT is of 45 U/L"
_ULN_DEFINED = re.compile(
    r"\b(?:uln|upper limit of normal(?: \(uln\))?) (?:for|of) (sgpt|alt|sgot|ast)\b[^.;]{0,30}?"
    r"(?:\bis\b|=|\bset at\b|\btaken (?:to be|as)\b|\bdefined as\b)(?:\s*of\b)?\s*"
    r"(\d+(?:\.\d+)?)\s*u\s*/\s*l"
)
_ULN = re.compile(
    # "2.5 x NL for age", "3 times normal": the upper limit of normal
    r"^\s*(?:x|×|times)?\s*(?:the\s+)?(?:institutional\s+)?(?:upper limit|uln|norm\b|nl\b|"
    r"normal\b)"
)
_UPPER_BY_DEFAULT = re.compile(
    r"[\s)\]]*[:=]?\s*(\d+(?:\.\d+)?)\s*(?:x|×|times)\s*(?:the\s+)?(?:institutional\s+|institution\s+)?"
    r"(?:upper limit|uln|normal\b|nl\b)(?![^.;]{0,40}\bor (?:more|greater|higher|above)\b)"
)
_PARENTHESES = re.compile(r"\([^()]*\)")
_OR_LIMIT = re.compile(r"\bor\b\s*(?:[a-z]+\s+){0,3}?(?:<=|>=|<|>|=)\s*\d")
_BARE_ULN = re.compile(r"(<=|<)\s*(?:the\s+)?(?:institutional\s+)?(?:upper limit of normal|uln)")
# one row of a creatinine-by-age table, however written: "Age 10 to < 13 years; 1.2 mg/dL
# (male); 1.2 mg/dL (female)", "Aged 16 years or older: 1.7 mg/dL for males, 1.4 mg/dL for
# females", "0.8 mg/dL (male) and 0.8 mg/dL (female) for ages >= 2 and < 6 years"
_ROW_SPAN = re.compile(
    r"(?:\bages?d?\s*)?(?:>=\s*)?(\d+(?:\.\d+)?)\s*(years?|yrs?|months?)?(?:\s*of age)?\s*"
    r"(?:to|-|–|and|through|but)\s*(?:<=?\s*)?(\d+(?:\.\d+)?)\s*(years?|yrs?|months?)(?:\s*of age)?"
    r"|\bages?d?\s*(?:>=\s*)?(\d+(?:\.\d+)?)\s*(?:to|-|–|and)\s*(?:<=?\s*)?(\d+(?:\.\d+)?)\b"
)
_ROW_FROM = re.compile(
    r"(?:\bages?d?\s*)?>=\s*(\d+(?:\.\d+)?)\s*(years?|yrs?|months?)|\bages?d?\s*>=\s*(\d+(?:\.\d+)?)"
)
# mg/dL, or µmol/L (88.4 µmol/L = 1 mg/dL of creatinine: SI-unit protocols write the table so)
_ROW_VALUE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:mg\s*/\s*dl|(?P<si>[µu]mol\s*/?\s*l|micromol\s*/?\s*l))"
)
_UMOL_PER_MG_DL = 88.4


def _row_value(value: re.Match[str]) -> float:
    """A table value in mg/dL (converted from µmol/L where written so)."""
    number = float(value.group(1))
    return round(number / _UMOL_PER_MG_DL, 2) if value.group("si") else number


_SI_ASIDE = re.compile(r"\s*\(\s*\d+(?:\.\d+)?\s*(?:[µu]mol|micromol)\s*/?\s*l\s*\)")
_AFTER_GAP = re.compile(r"\s*\)?,?\s*(?:\(\s*|(?:for|in)\s+)?")  # "(1.5 mg/dL) for males"
_BEFORE_GAP = re.compile(r"\s*:?\s*")
_ROW_SEX = re.compile(r"\b(?:(males? and females?|both sex\w*)|(males?|boys?)|(females?|girls?))\b")


def _table_row(folded: str) -> tuple[float, float, float, float] | None:
    """(from age, to age (exclusive), male limit, female limit) in years and mg/dL, when the
    text is one row of a creatinine table (an age span and one or two mg/dL values by sex)."""
    if "mg" in folded:
        # "1.7 mg/dL (150 µmol/L) male": the SI value in brackets repeats the limit
        folded = _SI_ASIDE.sub("", folded)
    found = list(_ROW_VALUE.finditer(folded))
    # "106 µmol/L (1.2 mg/dL)": the same limit twice; the mg/dL values when written
    values = [v for v in found if not v.group("si")] or found
    sexes = [(m.start(), m.end(), "both" if m.group(1) else "male" if m.group(2) else "female")
             for m in _ROW_SEX.finditer(folded)]  # fmt: skip
    if not values or len(values) > 2 or (len(values) == 2 and len(sexes) < 2):
        return None
    span, opening = _ROW_SPAN.search(folded), _ROW_FROM.search(folded)
    if span is not None:
        lo, lo_unit, hi, hi_unit = (span.group(1), span.group(2), span.group(3), span.group(4))
        if lo is None:
            lo, hi, lo_unit, hi_unit = span.group(5), span.group(6), None, None
        per = 1 / 12 if (hi_unit or "").startswith("m") else 1.0
        low = float(lo) * (1 / 12 if (lo_unit or hi_unit or "").startswith("m") else 1.0)
        ages = (low, float(hi) * per)
    elif opening is not None:
        lo, unit = (
            (opening.group(1), opening.group(2)) if opening.group(1) else (opening.group(3), None)
        )
        ages = (float(lo) * (1 / 12 if (unit or "").startswith("m") else 1.0), 999.0)
    else:
        return None
    if not sexes or (len(values) == 1 and all(s == "both" for _p, _e, s in sexes)):
        limit = _row_value(values[0])
        return (*ages, limit, limit)
    by_sex: dict[str, float] = {}
    for value in values:
        # the sex word right after the value ("1.2 mg/dL (male)", "... for males"), else
        # right before it with nothing between ("male 1.7 mg/dL"; not "males, 1.4 mg/dL")
        end, start = value.end(), value.start()
        after = [x for p, _e, x in sexes if p >= end and _AFTER_GAP.fullmatch(folded[end:p])]
        before = [x for _p, e, x in sexes if e <= start and _BEFORE_GAP.fullmatch(folded[e:start])]
        if not (after or before):
            return None
        sex = (after or before)[0]
        for who in ("male", "female") if sex == "both" else (sex,):
            by_sex.setdefault(who, _row_value(value))
    if set(by_sex) != {"male", "female"}:
        return None
    return (*ages, by_sex["male"], by_sex["female"])


def _convert(key: str, value: float, after: str) -> float | None:
    """A threshold in the profile's unit, or None when the written unit differs."""
    unit = after[:40]
    if key in {"anc", "platelets", "wbc"}:
        # "x 10^9/L", or "G/L" (giga per litre) as European records write counts
        if re.match(r"\s*(?:x|×|\*)\s*10\s*\^?\s*(?:9|⁹)\s*/\s*l|\s*g\s*/\s*l\b", unit):
            return value * 1000
        if re.match(r"\s*(?:x|×|\*)\s*10\s*\^?\s*(?:3|³)\s*/\s*(?:u|µ|mc|m)", unit) or re.match(
            r"\s*k\s*/", unit
        ):
            return value * 1000
        if re.match(r"\s*(?:x|×|\*)\s*10", unit) or re.match(r"\s*/\s*l\b", unit):
            return None
        return value if value >= 50 else None  # "≥ 1,000/mm^3", "/uL", "/mcL", cells
    if key == "inr":  # a plain ratio; "INR <= 1.5 x ULN" is against a range we do not hold
        return None if _ULN.match(unit) or value > 10 else value
    if key == "upcr":  # mg/mg (= g/g); mg/mmol or a dipstick grade is another scale
        return None if re.match(r"\s*(?:mg\s*/\s*mmol|\+|g\s*/\s*mol)", unit) else value
    if key in {"hemoglobin", "albumin"}:
        if re.match(r"\s*gm?\s*/\s*dl", unit):
            return value
        if re.match(r"\s*g\s*/\s*l", unit):
            return value / 10
        bare_max = 25 if key == "hemoglobin" else 10  # a bare number read as g/dL
        return value if re.match(r"\s*(?:\(|$|,|;)", unit) and value < bare_max else None
    if key in {"bilirubin", "alt", "ast"}:
        return value if _ULN.match(unit) else None
    if key == "creatinine":
        return value if re.match(r"\s*mg\s*/\s*dl", unit) else None
    if key == "clearance":
        return value if re.match(r"\s*ml\s*/\s*min", unit) else None
    return None


def prep_labs(crit_text: str, norm: str, section: str) -> Any:
    folded = fold_ops(crit_text)
    reqs: list[tuple[str, str, float | None]] = []
    # COG texts give transaminase limits in U/L and define the ULN alongside
    uln: dict[str, float] = {}
    for m in _ULN_DEFINED.finditer(folded):
        uln["alt" if m.group(1) in {"sgpt", "alt"} else "ast"] = float(m.group(2))
        # the definition is no limit of its own ("ULN for SGPT = 45 U/L" is not ALT = 45)
        folded = folded[: m.start()] + " " * (m.end() - m.start()) + folded[m.end() :]
    spots = sorted(
        (m.start(), m.end(), key)
        for key, (pattern, _name) in ANALYTES.items()
        for m in pattern.finditer(folded)
    )
    # "urine protein/creatinine ratio" names one analyte, not creatinine as well
    spots = [s for s in spots if not any(o[0] <= s[0] and s[1] <= o[1] and o != s for o in spots)]
    spots = _merge_synonyms(folded, spots)
    shared: dict[int, int] = {}  # spot index -> the later spot whose limit it shares
    for i in range(len(spots) - 2, -1, -1):
        # "AST and ALT ≤ 2.5 x ULN", "SGOT/SGPT": a name joined to the next shares its limit
        if _JOINER.fullmatch(folded[spots[i][1] : spots[i + 1][0]]):
            shared[i] = shared.get(i + 1, i + 1)
    found: dict[int, tuple[str, str, float | None]] = {}
    for i, (_start, end, key) in enumerate(spots):
        stop = spots[i + 1][0] if i + 1 < len(spots) and spots[i + 1][0] > end else len(folded)
        window = folded[end : min(stop, end + 90)]
        if (
            (bare := _BARE_ULN.search(window)) is not None
            and key in {"bilirubin", "alt", "ast"}
            and ((c0 := COMPARISON.search(window)) is None or c0.start() > bare.start())
        ):
            found[i] = (key, bare.group(1), 1.0)
            continue
        c = COMPARISON.search(window)
        if c is None:
            ceiling_only = section == "inclusion" and key in {"bilirubin", "alt", "ast"}
            bare_limit = _UPPER_BY_DEFAULT.match(window) if ceiling_only else None
            if bare_limit is not None:
                # "ALT (SGPT) 2.5 X institutional upper limit of normal": a multiple of the upper
                # limit with no comparison written is a ceiling
                found[i] = (key, "<=", to_float(bare_limit.group(1)))
            continue
        limit = _convert(key, to_float(c.group(2)), window[c.end() :])
        if limit is None and key == "creatinine" and _ULN.match(window[c.end() :]):
            found[i] = ("creatinine_uln", c.group(1), to_float(c.group(2)))
            continue
        if limit is None and key == "bilirubin" and _MG_DL.match(window[c.end() :]):
            found[i] = ("bilirubin_mg", c.group(1), to_float(c.group(2)))
            continue
        if limit is None and key in uln and re.match(r"\s*u\s*/\s*l", window[c.end() :]):
            limit = round(to_float(c.group(2)) / uln[key], 2)  # "ALT =< 135 U/L ... ULN is 45 U/L"
        found[i] = (key, c.group(1), limit)
    # "ALT <= 135 U/L; ALT <= 225 U/L if liver metastases are present": a second limit of an
    # analyte, in a clause of its own with a condition, is a limit for some patients
    later: list[tuple[str, str, float]] = []
    seen_keys: set[str] = set()
    for i, (start, _end, key) in enumerate(spots):
        if i in found and key in seen_keys and section == "inclusion":
            clause = _CLAUSE_END.split(folded[start:], maxsplit=1)[0]
            limit_c = found[i][2]
            if _FOR_SOME.search(clause) and limit_c is not None:
                later.append((found[i][0], found[i][1], limit_c))
                del found[i]
                continue
        if i in found:
            seen_keys.add(key)
    for i, (_start, _end, key) in enumerate(spots):
        if i in found:
            reqs.append(found[i])
        elif i in shared and shared[i] in found:
            _other, op, limit = found[shared[i]]
            reqs.append((key, op, limit))
    unread = tuple(
        dict.fromkeys(
            ANALYTES[key][1]
            # sorted: a set's order varies with the hash seed, and the reason must not
            for key in sorted({k for _s, _e, k in spots} - {analyte(k) for k, _op, _l in reqs})
            if key != "clearance"  # "creatinine clearance or GFR" often reads as a heading
        )
    )
    table = _table_row(folded) if "mg" in folded or "mol" in folded else None
    # "or" between two analytes offers alternatives ("creatinine <= 1.5 mg/dL or clearance >= 70");
    # one inside a parenthesis or after the last ("by echocardiogram or MUGA") offers none
    gaps = [folded[spots[k][1] : spots[k + 1][0]] for k in range(len(spots) - 1)]
    # ... and so does an "or" before a limit anywhere ("(or <= 3 x ULN for Gilbert syndrome)",
    # "ALT <= 3 x ULN or <= 5 x ULN with liver metastases")
    alternatives = (
        any(re.search(r"\bor\b", _PARENTHESES.sub(" ", gap)) for gap in gaps)
        or _OR_LIMIT.search(folded) is not None
        if len(spots) > 1
        else bool(re.search(r"\bor\b", folded))
    )
    age_adjusted = (
        bool(re.search(r"\bage\b|\bgender\b|\bbased on\b", folded)) and "creatinine" in folded
    )
    conditional = (*_conditional_limits(folded, spots), *later) if section == "inclusion" else ()
    return tuple(dict.fromkeys(reqs)), table, alternatives, age_adjusted, unread, conditional


# "(>= 1,000/uL if concurrent chemotherapy planned)", "(<= 3 x ULN for patients with Gilbert
# syndrome)": another limit of the same analyte for some patients
_BRACKET = re.compile(r"\(([^()]*)\)")
_CLAUSE_END = re.compile(r"[;.](?:\s|$)")
_FOR_SOME = re.compile(
    r"\b(?:if|when|unless|for (?:patients|subjects|participants|cases|those|children|adults)|"
    r"in (?:patients|subjects|participants|cases|those|children|adults))\b"
)


def _conditional_limits(
    folded: str, spots: list[tuple[int, int, str]]
) -> tuple[tuple[str, str, float], ...]:
    """(analyte key, op, limit) of each bracket that gives the analyte before it another limit
    for some patients; the limit it gives is read in the profile's unit (else left out)."""
    out: list[tuple[str, str, float]] = []
    for m in _BRACKET.finditer(folded):
        inner = m.group(1)
        before = [key for start, _end, key in spots if start < m.start()]
        if (
            not before
            or not _FOR_SOME.search(inner)
            or any(m.start() < start < m.end() for start, _e, _k in spots)
        ):
            continue
        c = COMPARISON.search(inner)
        if c is None:
            continue
        key = before[-1]
        limit = _convert(key, to_float(c.group(2)), inner[c.end() :])
        if limit is not None:
            out.append((key, c.group(1), limit))
    return tuple(out)


_MG_DL = re.compile(r"\s*mg\s*/\s*dl")


def analytes_named(text: str) -> set[str]:
    """The names of the analytes a text names ("Serum creatinine by age and sex:": creatinine)."""
    folded = fold_ops(text)
    return {name for pattern, name in ANALYTES.values() if pattern.search(folded)}


# a rate, not a concentration: the analytes a row in mL/min reads (and one in mg/dL does not)
_RATES = frozenset({"creatinine clearance"})
_RATE_UNIT = re.compile(r"\bml\s*/\s*min")
# what a header says its rows' bare values are ("serum creatinine not higher than the maximum for
# age:", "minimum platelet count by age:")
_HEADER_MAX = re.compile(
    r"\b(?:maximum|max|not (?:higher|greater|more) than|upper limit|at most)\b"
)
_HEADER_MIN = re.compile(r"\b(?:minimum|min|not (?:lower|less) than|lower limit|at least)\b")


def header_row(row: str, header: str, labelled: bool) -> str | None:
    """A table row read with its header's analyte (and, when the row has no comparison, the
    header's one): "≥ 16 years: 1.7 mg/dL male" under "serum creatinine not higher than the
    maximum for age:" reads "≥ 16 years: creatinine ≤ 1.7 mg/dL male"; None when the header
    names no one analyte in the row's unit."""
    folded_row = fold_ops(row)
    named = analytes_named(header)
    if len(named) > 1:
        rate = bool(_RATE_UNIT.search(folded_row))
        named = {n for n in named if (n in _RATES) == rate}
    if len(named) != 1:
        return None
    name = named.pop()
    head, colon, rest = row.partition(":") if labelled else ("", "", row)
    value = rest.strip()
    if not comparisons(fold_ops(value)):
        folded_header = fold_ops(header)
        if _HEADER_MAX.search(folded_header):
            value = f"<= {value}"
        elif _HEADER_MIN.search(folded_header):
            value = f">= {value}"
    return f"{head}: {name} {value}" if colon else f"{name} {value}"


def analyte(key: str) -> str:
    """The profile analyte a requirement key reads: keys are "<analyte>" or, for a limit in
    another form than the profile's unit, "<analyte>_<form>" ("bilirubin_mg", "creatinine_uln";
    projection._labs reads the same convention)."""
    return key.partition("_")[0]


# names joined by "/", "and", "or", "&" or a bracket share the next name's limit ("AST and ALT",
# "AST(SGOT)/ALT(SGPT)"); a comma alone does not ("1500 granulocytes, hemoglobin >= 9")
_JOINER = re.compile(r"\s*[)\]]*\s*(?:/|\band\b|\bor\b|&|\()\s*(?:serum\s+)?[(\[]?\s*")
# what may stand between two names of one analyte: brackets and words, no number or comparison
# ("aspartate aminotransferase (AST) (serum glutamic oxaloacetic transaminase [SGOT]")
_SYNONYM_GAP = re.compile(r"[\sa-z()\[\]]{0,60}")


def _merge_synonyms(folded: str, spots: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for spot in spots:
        if (
            merged
            and merged[-1][2] == spot[2]
            and _SYNONYM_GAP.fullmatch(folded[merged[-1][1] : spot[0]])
        ):
            merged[-1] = (merged[-1][0], spot[1], spot[2])
        else:
            merged.append(spot)
    return merged
