"""The fields every full-record request asks for, and the per-diagnosis `SearchQuery`.

The service itself now sends one population corpus query built from data (corpus_query.py), so no
user text reaches the API. `SearchQuery` is the design it replaced — one `query.cond` search per
diagnosis — kept for `scripts/bench_upstream.py`, which replays its request pattern for comparison.
It still sanitises: user text reaches the API only inside double-quoted phrases, so no input can
inject Essie syntax (`AREA[...]`, `OR`, brackets).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from matcher.domain.models.trial import KNOWN_STATUSES

# Only what `parse_study` reads: a sparse response keeps pages small (pageSize 1000 ~ a few MB)
# and the request count low. Names are the API's piece names (see `/studies/metadata`).
FIELDS: tuple[str, ...] = (
    "NCTId",
    "NCTIdAlias",
    "BriefTitle",
    "OfficialTitle",
    "OverallStatus",
    "LastUpdatePostDate",
    "StudyType",
    "Phase",
    "Condition",
    "Keyword",
    "ConditionMeshTerm",
    "InterventionName",
    "BriefSummary",
    "EligibilityCriteria",
    "MinimumAge",
    "MaximumAge",
    "Sex",
    "HealthyVolunteers",
    "StdAge",
    "LocationFacility",
    "LocationCity",
    "LocationState",
    "LocationCountry",
    "LocationStatus",
    "LocationGeoPoint",
)
FIELDS_PARAM = "|".join(FIELDS)

MAX_TERMS = 30
MAX_TERM_CHARS = 120
# Anything outside this set is replaced by a space: letters (any script), digits, space and the
# three punctuation marks real condition names use ("Ewing's", "PEComa/EPN", "small-round").
_DISALLOWED = re.compile(r"[^\w '\-/]|_", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Essie operators are only operators when bare; inside a quoted phrase they are plain words, but
# a phrase consisting solely of one would still read oddly, so such terms are dropped.
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "AREA", "RANGE", "MISSING", "EXPANSION"})


def sanitize_term(term: str) -> str:
    """Reduce user text to a phrase that is safe inside double quotes ('' when nothing is left)."""
    cleaned = _SPACES.sub(" ", _DISALLOWED.sub(" ", term)).strip(" -'/")
    cleaned = cleaned[:MAX_TERM_CHARS].strip(" -'/")
    if cleaned.upper() in _OPERATOR_WORDS:
        return ""
    return cleaned


@dataclass(frozen=True)
class SearchQuery:
    """A condition search: OR of condition phrases, optional status filter and update watermark."""

    cond_terms: tuple[str, ...]
    statuses: tuple[str, ...] = ()
    updated_since: date | None = field(default=None)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.statuses) - KNOWN_STATUSES)
        if unknown:
            raise ValueError(f"unknown overallStatus value(s): {', '.join(unknown)}")
        if self.updated_since is not None and not isinstance(self.updated_since, date):
            raise TypeError("updated_since must be a datetime.date")

    def terms(self) -> tuple[str, ...]:
        """The sanitised, de-duplicated (case-insensitive), order-preserving phrases."""
        seen: dict[str, str] = {}
        for raw in self.cond_terms:
            term = sanitize_term(raw)
            if term and term.casefold() not in seen:
                seen[term.casefold()] = term
        terms = tuple(seen.values())
        if not terms:
            raise ValueError("a search needs at least one condition term with letters or digits")
        if len(terms) > MAX_TERMS:
            raise ValueError(f"at most {MAX_TERMS} condition terms per search")
        return terms

    def to_params(self, page_size: int) -> dict[str, str]:
        """Query parameters of the first page; later pages repeat them and add `pageToken`."""
        if not 1 <= page_size <= 1000:
            raise ValueError("page_size must be 1..1000 (the API coerces larger values down)")
        params = {
            "format": "json",
            "markupFormat": "markdown",
            "query.cond": " OR ".join(f'"{term}"' for term in self.terms()),
            "fields": FIELDS_PARAM,
            "pageSize": str(page_size),
        }
        if self.statuses:
            params["filter.overallStatus"] = "|".join(sorted(set(self.statuses)))
        if self.updated_since is not None:
            # Built only from the date object, so the expression cannot carry anything else.
            day = self.updated_since.strftime("%Y-%m-%d")
            params["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{day},MAX]"
        return params

    def cache_key(self, page_size: int = 1000) -> str:
        """A stable short hash of the request, for caching a search's result per data version."""
        body = json.dumps(self.to_params(page_size), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()[:20]
