"""Comparisons written in criteria ("≥ 1,000/mm^3", "=< 1.5 x ULN", "at least 12 months").

Operators in words and symbols are folded to one of >=, <=, >, < first, so every judge reads the
same notation. Works on lower-cased raw text (not text.norm, which would turn "50-100%" into
"50 100%").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, NamedTuple

_NUM_AHEAD = r"(?=\s*(?:the age of\s*)?\d)"  # a worded operator counts only before a number
_WORD_OPS: Final = (
    (re.compile(r"≥|=>|>=|≧"), ">="),
    (re.compile(r"≤|=<|<=|≦"), "<="),
    # a negated comparative first: "no greater than 2" is <= 2, not "> 2" with a stray "no"
    (
        re.compile(
            r"\b(?:greater than or equal to|equal to or greater than|at least|no less than|"
            r"not less than|(?:no|not) (?:lower|fewer|younger|smaller) than|minimum(?: of)?|aged|"
            r"(?:no|not) (?:below|under)|"
            # a European sponsor's "superior or equal to 18 years"
            r"(?:superior|greater|higher) or equal to|"
            r"equal or (?:superior|greater|higher) (?:to|than)|"
            # "who have reached 12 years of age" (the negated "not yet reached" is read first)
            r"(?<!not yet )(?:reached|attained)(?: the age of)?)"
            r"\b" + _NUM_AHEAD
        ),
        ">=",
    ),
    (
        re.compile(
            r"\b(?:less than or equal to|equal to or less than|at most|(?:no|not) (?:more|greater"
            r"|higher|older|larger) than|up to|maximum(?: of)?|not exceeding|not to exceed|"
            r"(?:inferior|less|lower) or equal to|equal or (?:inferior|less|lower) (?:to|than)|"
            r"(?:no|not) (?:above|over|exceeding)|"
            r"(?:must|shall|should|may|does|do|will|can) not exceed|through)\b" + _NUM_AHEAD
        ),
        "<=",
    ),
    (
        re.compile(
            r"\b(?:greater than|more than|older than|higher than|above|over|exceeding|exceeds?|"
            r"superior to)\b" + _NUM_AHEAD
        ),
        ">",
    ),
    (
        re.compile(
            r"\b(?:less than|younger than|lower than|below|under|inferior to|not yet"
            r"(?: (?:reached|attained|turned)(?: the age of)?)?)\b" + _NUM_AHEAD
        ),
        "<",
    ),
)
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
COMPARISON = re.compile(rf"(>=|<=|>|<|=)\s*{_NUMBER}")
# "12 years or older": the operator follows the number; fold it in front.
# "platelet count of 100,000 per cu mm or more", "hemoglobin of 9.0 gm/dl or more"
_LAB_UNIT = (
    r"per cu(?:bic)? mm|per cubic millimet(?:er|re)|per mm3|per [µu]l|per mcl"
    r"|/\s*(?:mm3|mm\^3|[µu]l|mcl)"
    r"|gm?\s*/\s*dl|mg\s*/\s*dl"
)
# "2.5 x institutional norm or less": a multiple of the upper limit of normal
_ULN_UNIT = r"x (?:the )?(?:institutional )?(?:upper limit of normal|uln|norm)"
# any other unit of one or two words ("kg", "m^2", "/mm³", "mL/min/1.73 m2", "days old")
_ANY_UNIT = r"(?:[a-zµ%/][^\s,;:()]*(?:\s+(?!or\b|and\b)[a-zµ/][^\s,;:()]*)?)"
# "12 months of age or older and under 18 years": "and under" there opens the next bound
_NOT_BEFORE_NUMBER = r"(?!\s*(?:than\s*)?\d)"
_TRAILING = (
    (
        re.compile(
            rf"{_NUMBER}(\s*(?:years?|months?|yrs?|%|{_LAB_UNIT}|{_ANY_UNIT})?(?:\s*of age|\s*old)"
            rf"?)\s+(?:or|and) (?:older|more|greater|above|higher|over)\b{_NOT_BEFORE_NUMBER}"
        ),
        ">=",
    ),
    (
        re.compile(
            rf"{_NUMBER}(\s*(?:years?|months?|yrs?|%|{_LAB_UNIT}|{_ULN_UNIT}|{_ANY_UNIT})?"
            rf"(?:\s*of age|\s*old)?)\s+(?:or|and) (?:younger|less|fewer|below|under|lower)\b"
            rf"{_NOT_BEFORE_NUMBER}"
        ),
        "<=",
    ),
)


class Bound(NamedTuple):
    op: str  # >=, <=, >, <
    value: float
    start: int
    end: int


@lru_cache(maxsize=16384)  # several kinds' preps fold the same criterion text
def fold_ops(text: str) -> str:
    """Lower case with worded operators replaced by symbols (keeps offsets roughly aligned)."""
    text = text.lower().replace("−", "-").replace("＞", ">").replace("＜", "<")
    for pattern, symbol in _TRAILING:
        text = pattern.sub(rf"{symbol} \1\2", text)
    for pattern, symbol in _WORD_OPS:
        text = pattern.sub(f" {symbol} ", text)
    return _NEGATED_LIMIT.sub(_flip, text) if " not " in text else text


# "must not be older than 21 years", "must not have a BSA below 0.8 m^2": the verb's negation
# turns the limit around (<= 21, >= 0.8); before this the limit was read as written and a child
# inside it was excluded
_NEGATED_LIMIT = re.compile(
    r"\b(must|may|should|can|shall|will|do|does|is|are) not (be|have)\b([^.;<>=]{0,40}?)"
    r"\s(>=|<=|>|<)(?=\s*\d)"
)
_OPPOSITE = {">=": "<", "<=": ">", ">": "<=", "<": ">="}


def _flip(found: re.Match[str]) -> str:
    verb, what, between, op = found.groups()
    return f"{verb} {what}{between} {_OPPOSITE[op]}"


def to_float(number: str) -> float:
    return float(number.replace(",", ""))


def comparisons(folded: str) -> list[Bound]:
    return [
        Bound(m.group(1), to_float(m.group(2)), m.start(), m.end())
        for m in COMPARISON.finditer(folded)
    ]


def holds(value: float, op: str, limit: float) -> bool:
    if op == ">=":
        return value >= limit
    if op == "<=":
        return value <= limit
    if op == ">":
        return value > limit
    if op == "<":
        return value < limit
    return value == limit
