"""A trial as parsed from a ClinicalTrials.gov v2 study: only what matching needs, typed.

Tolerant by design: absent ages, phases, sites or geo points are None/empty (absent age = no
limit), and enum-like fields keep the registry's raw string so an unknown new value is carried
through instead of failing the whole corpus.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

KNOWN_STATUSES = frozenset(
    {
        "ACTIVE_NOT_RECRUITING",
        "COMPLETED",
        "ENROLLING_BY_INVITATION",
        "NOT_YET_RECRUITING",
        "RECRUITING",
        "SUSPENDED",
        "TERMINATED",
        "WITHDRAWN",
        "AVAILABLE",
        "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING",
        "WITHHELD",
        "UNKNOWN",
    }
)


class AgeBound(BaseModel):
    """An age limit as the registry wrote it ("12 Months") and in months for comparison."""

    model_config = ConfigDict(frozen=True)

    text: str
    months: float


class Site(BaseModel):
    model_config = ConfigDict(frozen=True)

    facility: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    status: str | None = None  # RecruitmentStatus, raw; None when the record has no site status
    lat: float | None = None
    lon: float | None = None


class Trial(BaseModel):
    """One study, parsed. `version` is a hash of the parsed content
    (matcher.adapters.ctgov.parse)."""

    model_config = ConfigDict(frozen=True)

    nct_id: str = Field(pattern=r"^NCT\d{8}$")
    version: str
    last_update_posted: date | None = None
    brief_title: str | None = None
    official_title: str | None = None
    overall_status: str | None = None
    study_type: str | None = None
    phases: list[str] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    mesh_terms: list[str] = Field(default_factory=list)
    interventions: list[str] = Field(default_factory=list)
    brief_summary: str | None = None
    eligibility_criteria: str | None = None  # Markdown with the backslash escapes removed
    minimum_age: AgeBound | None = None
    maximum_age: AgeBound | None = None
    sex: str | None = None  # ALL | FEMALE | MALE, raw
    healthy_volunteers: bool | None = None
    std_ages: list[str] = Field(default_factory=list)
    sites: list[Site] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)

    @property
    def title(self) -> str:
        return self.brief_title or self.official_title or self.nct_id
