"""A small evaluator of the ClinicalTrials.gov search syntax ("Essie") for the test stub.

Supports what trialmatch sends and the operators the issue names: quoted phrases, bare words,
AND / OR / NOT (and implicit AND between adjacent terms), parentheses, AREA[name] over a field or
a search area, RANGE[low, high] over dates and ages (MIN / MAX open ends), MISSING. A malformed
expression or an unknown area raises `EssieError`, which the stub answers with 400 like the API.

Constructed behaviour, a simplification of the real engine: matching is case-insensitive on whole
words, a phrase's words must be adjacent (separated by spaces, hyphens or slashes), and each word
may carry a plural "s"/"es". The real engine also stems, expands synonyms and ranks by relevance;
recall measured against this stub is therefore recall of *our query's terms* over the labelled
records, not a measurement of the live API.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Study = dict[str, Any]


class EssieError(ValueError):
    """A malformed expression or an unknown area name (the API answers 400)."""


def _get(study: Study, path: str) -> list[Any]:
    """Values at a dotted path; `[]` after a key walks every element of a list."""
    values: list[Any] = [study]
    for part in path.split("."):
        nxt: list[Any] = []
        key, each = part.removesuffix("[]"), part.endswith("[]")
        for v in values:
            if isinstance(v, dict) and key in v:
                item = v[key]
                nxt.extend(item if each and isinstance(item, list) else [item])
        values = nxt
    out: list[Any] = []
    for v in values:
        out.extend(v if isinstance(v, list) else [v])
    return [v for v in out if v not in (None, "")]


P, E = "protocolSection", "protocolSection.eligibilityModule"
FIELD_PATHS: dict[str, str] = {
    "NCTId": f"{P}.identificationModule.nctId",
    "NCTIdAlias": f"{P}.identificationModule.nctIdAliases",
    "Acronym": f"{P}.identificationModule.acronym",
    "BriefTitle": f"{P}.identificationModule.briefTitle",
    "OfficialTitle": f"{P}.identificationModule.officialTitle",
    "OverallStatus": f"{P}.statusModule.overallStatus",
    "LastUpdatePostDate": f"{P}.statusModule.lastUpdatePostDateStruct.date",
    "StudyType": f"{P}.designModule.studyType",
    "Phase": f"{P}.designModule.phases",
    "Condition": f"{P}.conditionsModule.conditions",
    "Keyword": f"{P}.conditionsModule.keywords",
    "ConditionMeshTerm": "derivedSection.conditionBrowseModule.meshes[].term",
    "InterventionName": f"{P}.armsInterventionsModule.interventions[].name",
    "InterventionOtherName": f"{P}.armsInterventionsModule.interventions[].otherNames",
    "BriefSummary": f"{P}.descriptionModule.briefSummary",
    "EligibilityCriteria": f"{E}.eligibilityCriteria",
    "MinimumAge": f"{E}.minimumAge",
    "MaximumAge": f"{E}.maximumAge",
    "Sex": f"{E}.sex",
    "HealthyVolunteers": f"{E}.healthyVolunteers",
    "StdAge": f"{E}.stdAges",
}
AREAS: dict[str, tuple[str, ...]] = {
    "ConditionSearch": ("Condition", "Keyword", "BriefTitle", "OfficialTitle",
                        "ConditionMeshTerm", "NCTId"),
    "InterventionSearch": ("InterventionName", "InterventionOtherName"),
    "TitleSearch": ("BriefTitle", "OfficialTitle", "Acronym"),
    "BasicSearch": ("NCTId", "Acronym", "BriefTitle", "OfficialTitle", "Condition", "Keyword",
                    "ConditionMeshTerm", "InterventionName", "InterventionOtherName",
                    "BriefSummary", "EligibilityCriteria", "OverallStatus", "StudyType",
                    "Phase", "StdAge"),
}  # fmt: skip

_TOKEN = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<phrase>[^"]*)"|AREA\[(?P<area>[^\]]*)\]'
    r"|RANGE\[(?P<range>[^\]]*)\]|(?P<word>[^\s()\"\[\]]+))"
)
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.I)
_DAYS = {"year": 365.25, "month": 30.4375, "week": 7, "day": 1, "hour": 1 / 24, "minute": 1 / 1440}

Pred = Callable[[Study, tuple[str, ...]], bool]


@dataclass
class _Tok:
    kind: str
    value: str


def _tokens(text: str) -> list[_Tok]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise EssieError(f"cannot read the expression at {text[pos : pos + 20]!r}")
        kind = m.lastgroup or ""
        value = m.group(kind) or ""
        if kind == "word" and value in {"AND", "OR", "NOT", "MISSING"}:
            kind = value
        if kind == "word" and (value.startswith("AREA[") or value.startswith("RANGE")):
            raise EssieError(f"malformed operator {value!r}")
        out.append(_Tok(kind, value))
        pos = m.end()
    return out


def _phrase_regex(phrase: str) -> re.Pattern[str]:
    words = phrase.lower().split()
    if not words:
        raise EssieError("empty phrase")
    body = r"[\s\-/]+".join(re.escape(w) + r"(?:s|es)?" for w in words)
    return re.compile(r"(?<![a-z0-9])" + body + r"(?![a-z0-9])")


def _as_days(text: str) -> float | None:
    m = _AGE.match(text)
    return float(m.group(1)) * _DAYS[m.group(2).lower()] if m else None


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i].kind if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        if self.i >= len(self.toks):
            raise EssieError("the expression ends too early")
        self.i += 1
        return self.toks[self.i - 1]

    def parse(self) -> Pred:
        if not self.toks:
            raise EssieError("empty expression")
        pred = self.or_()
        if self.peek() is not None:
            raise EssieError(f"unexpected {self.toks[self.i].value or self.peek()!r}")
        return pred

    def or_(self) -> Pred:
        parts = [self.and_()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else (lambda s, f: any(p(s, f) for p in parts))

    def and_(self) -> Pred:
        parts = [self.not_()]
        while self.peek() not in (None, "OR", "rp"):
            if self.peek() == "AND":
                self.take()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else (lambda s, f: all(p(s, f) for p in parts))

    def not_(self) -> Pred:
        if self.peek() == "NOT":
            self.take()
            inner = self.not_()
            return lambda s, f: not inner(s, f)
        return self.primary()

    def primary(self) -> Pred:
        tok = self.take()
        if tok.kind == "lp":
            inner = self.or_()
            if self.take().kind != "rp":
                raise EssieError("unbalanced parentheses")
            return inner
        if tok.kind == "area":
            fields = AREAS.get(tok.value, (tok.value,) if tok.value in FIELD_PATHS else None)
            if fields is None:
                raise EssieError(f"unknown area {tok.value!r}")
            inner = self.not_()
            return lambda s, _f: inner(s, fields)
        if tok.kind in ("phrase", "word"):
            rx = _phrase_regex(tok.value)
            return lambda s, f: any(
                rx.search(str(v).lower()) for name in f for v in _get(s, FIELD_PATHS[name])
            )
        if tok.kind == "MISSING":
            return lambda s, f: not any(_get(s, FIELD_PATHS[name]) for name in f)
        if tok.kind == "range":
            return _range(tok.value)
        raise EssieError(f"unexpected {tok.value or tok.kind!r}")


def _range(text: str) -> Pred:
    bounds = [b.strip() for b in text.split(",")]
    if len(bounds) != 2 or not all(bounds):
        raise EssieError(f"RANGE needs two bounds: {text!r}")
    lo, hi = bounds
    ages = [b for b in bounds if b not in ("MIN", "MAX")]
    if ages and all(_as_days(b) is not None for b in ages):
        lo_d = float("-inf") if lo == "MIN" else _as_days(lo)
        hi_d = float("inf") if hi == "MAX" else _as_days(hi)

        def age_in(s: Study, f: tuple[str, ...]) -> bool:
            for name in f:
                for v in _get(s, FIELD_PATHS[name]):
                    d = _as_days(str(v))
                    if d is not None and lo_d <= d <= hi_d:  # type: ignore[operator]
                        return True
            return False

        return age_in
    if not all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", b) for b in ages):
        raise EssieError(f"RANGE bounds are neither dates nor ages: {text!r}")

    def date_in(s: Study, f: tuple[str, ...]) -> bool:
        return any(
            (lo == "MIN" or str(v) >= lo) and (hi == "MAX" or str(v) <= hi)
            for name in f
            for v in _get(s, FIELD_PATHS[name])
        )

    return date_in


def compile_query(text: str, default_area: str) -> Callable[[Study], bool]:
    """A predicate over v2 study objects; raises EssieError for what the API would refuse."""
    pred = _Parser(text).parse()
    fields = AREAS[default_area]
    return lambda study: pred(study, fields)
