"""The population corpus query: one ClinicalTrials.gov search for every profile.

Built only from the term lists in data/corpus_terms.json (never from patient text, so nothing a
board types reaches the API). The expression, in Essie syntax, is

    AREA[ConditionSearch](<sarcoma family>)
    OR (AREA[EligibilityCriteria](<sarcoma family>) AND <young>)
    OR (AREA[ConditionSearch](<generic conditions>) AND <young>)
    OR (AREA[EligibilityCriteria](<actionable alterations>) AND <young>)
    OR (AREA[InterventionSearch](<targeted drugs>) AND <young>)

    <young> = (AREA[StdAge]CHILD OR AREA[MinimumAge]MISSING
               OR AREA[MinimumAge]RANGE[MIN, 17 years])

The sarcoma family is not age-limited (an adult sarcoma trial is open to a 19-year-old); the broad
branches are, or every adult lung-cancer ALK trial would come along. The statuses filter adds
expanded access (AVAILABLE) and enrolling-by-invitation to the deployment's open statuses, and is
left out altogether when `any_status` is set.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from matcher.adapters.ctgov.query import FIELDS_PARAM
from matcher.domain.models.trial import KNOWN_STATUSES

# What the nightly sweep lists: enough to see a new trial, a status change or an edit.
LISTING_FIELDS = "NCTId|OverallStatus|LastUpdatePostDate"
_SAFE_TERM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 '\-/]*$")
_AREA_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_AGE = re.compile(r"^\d{1,3} (years|months)$")
NCT_BATCH_MAX = 200  # ids per filter.ids request: keeps the URL well under common 8 kB limits


@dataclass(frozen=True)
class CorpusTerms:
    """The term lists as loaded and checked (a bad data file fails at start-up, not at 3 a.m.)."""

    areas: dict[str, str]
    sarcoma_family: tuple[str, ...]
    generic_conditions: tuple[str, ...]
    alterations: tuple[str, ...]
    drugs: tuple[str, ...]
    young_std_age: str
    young_max_minimum_age: str
    extra_statuses: tuple[str, ...]


@cache
def load_terms() -> CorpusTerms:
    raw = json.loads(
        resources.files("matcher.adapters.ctgov").joinpath("data/corpus_terms.json").read_text()
    )
    return terms_from(raw)


def terms_from(raw: dict[str, Any]) -> CorpusTerms:
    """Validate a term file: every phrase plain words (no quotes or operators), areas bare names."""
    areas = dict(raw["areas"])
    for name in areas.values():
        if not _AREA_NAME.match(name):
            raise ValueError(f"corpus terms: bad area name {name!r}")
    lists = {}
    for key in ("sarcoma_family", "generic_conditions", "alterations", "drugs"):
        items = tuple(dict.fromkeys(raw[key]))
        bad = [t for t in items if not _SAFE_TERM.match(t) or t.upper() in _OPERATORS]
        if bad or not items:
            raise ValueError(f"corpus terms: {key} has unusable phrases {bad!r}")
        lists[key] = items
    young = raw["young"]
    if not _AGE.match(young["max_minimum_age"]) or not _AREA_NAME.match(young["std_age"]):
        raise ValueError("corpus terms: young.max_minimum_age must read like '17 years'")
    extra = tuple(raw.get("extra_statuses", ()))
    if set(extra) - KNOWN_STATUSES:
        raise ValueError(f"corpus terms: unknown statuses {sorted(set(extra) - KNOWN_STATUSES)}")
    return CorpusTerms(
        areas=areas,
        young_std_age=young["std_age"],
        young_max_minimum_age=young["max_minimum_age"],
        extra_statuses=extra,
        **lists,
    )


_OPERATORS = frozenset({"AND", "OR", "NOT", "AREA", "RANGE", "MISSING", "EXPANSION", "COVERAGE"})


def _any_of(terms: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f'"{t}"' for t in terms) + ")"


@dataclass(frozen=True)
class CorpusQuery:
    """The corpus search for one deployment: its terms and its status filter (empty = any)."""

    terms: CorpusTerms
    statuses: tuple[str, ...]

    @classmethod
    def for_deployment(
        cls, open_statuses: list[str] | tuple[str, ...], any_status: bool
    ) -> CorpusQuery:
        terms = load_terms()
        if any_status:
            return cls(terms, ())
        return cls(terms, tuple(sorted({*open_statuses, *terms.extra_statuses})))

    def branches(self) -> dict[str, str]:
        """Each branch as its own expression (the probe counts them one by one)."""
        t, a = self.terms, self.terms.areas
        young = (
            f"(AREA[{a['std_age']}]{t.young_std_age} OR AREA[{a['minimum_age']}]MISSING"
            f" OR AREA[{a['minimum_age']}]RANGE[MIN, {t.young_max_minimum_age}])"
        )
        return {
            "sarcoma family": f"AREA[{a['condition']}]{_any_of(t.sarcoma_family)}",
            # Basket trials often name the histologies only in their criteria (NCT02637687:
            # conditions "Neoplasms", criteria "... infantile fibrosarcoma ...").
            "sarcoma named in criteria, young": (
                f"(AREA[{a['eligibility']}]{_any_of(t.sarcoma_family)} AND {young})"
            ),
            "generic condition, young": (
                f"(AREA[{a['condition']}]{_any_of(t.generic_conditions)} AND {young})"
            ),
            "alteration in criteria, young": (
                f"(AREA[{a['eligibility']}]{_any_of(t.alterations)} AND {young})"
            ),
            "targeted drug, young": f"(AREA[{a['intervention']}]{_any_of(t.drugs)} AND {young})",
        }

    def expression(self) -> str:
        return " OR ".join(self.branches().values())

    def params(self, *, fields: str = FIELDS_PARAM, page_size: int = 1000) -> dict[str, str]:
        """First-page parameters; later pages repeat them with `pageToken` (spec)."""
        if not 1 <= page_size <= 1000:
            raise ValueError("page_size must be 1..1000 (the API coerces larger values down)")
        params = {
            "format": "json",
            "markupFormat": "markdown",
            "query.term": self.expression(),
            "fields": fields,
            "pageSize": str(page_size),
            "countTotal": "true",
        }
        if self.statuses:
            params["filter.overallStatus"] = "|".join(self.statuses)
        return params

    def branch_params(self, branch: str) -> dict[str, str]:
        """A one-study page of one branch with its total count (for `trialmatch corpus probe`)."""
        return {**self.params(fields="NCTId", page_size=1), "query.term": self.branches()[branch]}

    def key(self) -> str:
        """A short hash naming this query: a corpus built by another query is not reused."""
        body = json.dumps(self.params(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()[:16]


def ids_params(ids: list[str]) -> dict[str, str]:
    """Full records of up to NCT_BATCH_MAX studies by id, whatever their status (no filters)."""
    if not 1 <= len(ids) <= NCT_BATCH_MAX:
        raise ValueError(f"1..{NCT_BATCH_MAX} ids per batch")
    if any(not re.fullmatch(r"NCT\d{8}", n) for n in ids):
        raise ValueError("filter.ids takes NCT ids only")
    return {
        "format": "json",
        "markupFormat": "markdown",
        "filter.ids": "|".join(ids),
        "fields": FIELDS_PARAM,
        "pageSize": "1000",
        "countTotal": "true",
    }
