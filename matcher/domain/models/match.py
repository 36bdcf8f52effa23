"""What the engine says about one profile against trials: the match, out.

The JSON shape of `MatchRun` is the stable contract of `trialmatch match --json` and of the stored
matches: later versions add fields, never rename or remove them.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

CriterionVerdict = Literal["met", "not_met", "unknown", "not_applicable"]
TrialVerdict = Literal["eligible", "possibly_eligible", "ineligible"]
Section = Literal["trial", "inclusion", "exclusion"]


def criterion_key(section: str, text: str) -> str:
    """The digest naming one criterion of a trial (section + text), 16 hex digits."""
    return hashlib.sha256(f"{section}\0{text}".encode()).hexdigest()[:16]


class CriterionResult(BaseModel):
    """One criterion, judged. For exclusion criteria "met" means the patient is *not* excluded;
    "not_applicable" means the rule is not for this patient (another cohort, diagnosis, sex or age
    group) or is no rule (heading, permissive note, definition, consent/contraception formality).

    Provenance: `rule_id` names the judge and rule that read the criterion ("labs/judge",
    "biomarker/judge", "scope/other_diagnosis", "note/formality", ...) and `guard` the guard or
    scope decision that changed the judge's own verdict, if any ("or", "part", "exception",
    "conditional", "completeness", "scope", "cohort", "alternative": one alternative of the OR
    group `group`, not met on its own).
    """

    model_config = ConfigDict(frozen=True)

    kind: str
    text: str
    verdict: CriterionVerdict
    reason: str
    section: Section = "inclusion"
    rule_id: str | None = None  # None only in results stored by engines before 2026.11.4
    guard: str | None = None
    # the OR group ("one of the following") this criterion is an alternative of: a not_met
    # alternative excludes only when every alternative of its group is not_met (2026.11.5)
    group: str | None = None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented computed-field form
    @property
    def key(self) -> str:
        """Stable id of this criterion within its trial: a digest of its section and text, so a
        board answer follows the text and no longer applies once the registry rewords it."""
        return criterion_key(self.section, self.text)


class NearestSite(BaseModel):
    model_config = ConfigDict(frozen=True)

    facility: str | None
    city: str | None
    country: str | None
    status: str | None
    distance_km: float


class RankInfo(BaseModel):
    """The parts of a trial's score, most weighty first, and the same in words ("why this
    rank"); within a verdict tier each part outweighs all that follow (engine 2026.11.5)."""

    model_config = ConfigDict(frozen=True)

    criteria_in_record: bool  # False: the record has no criteria text (read the registry page)
    targeted_fit: str | None = None  # why the trial is written for this patient, if it is
    open_questions: int = 0  # criteria left unknown
    is_open: bool = False
    distance_km: float | None = None
    phase_rank: float = 0.0
    why: list[str] = Field(default_factory=list)


class TrialMatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    nct_id: str
    title: str
    verdict: TrialVerdict
    score: float
    overall_status: str | None
    phases: list[str] = Field(default_factory=list)
    criteria: list[CriterionResult]
    decisive: list[str] = Field(default_factory=list)  # reasons of the criteria that excluded
    to_verify: list[str] = Field(default_factory=list)  # facts the board must establish
    nearest_site: NearestSite | None = None
    trial_version: str
    engine_version: str
    # The registry data version (dataTimestamp, or the snapshot's fingerprint) whose listing or
    # record last showed `overall_status`: a board can see how fresh the status is.
    status_confirmed: str | None = None
    rank: RankInfo | None = None  # None only in results stored by engines before 2026.11.5


class FactToCollect(BaseModel):
    """One fact a board can collect, with the candidate trials whose open questions it settles."""

    model_config = ConfigDict(frozen=True)

    fact: str  # catalogue id (data/facts.json), or "criterion:<text>" for a one-off criterion
    label: str
    field: str | None = None  # the profile field that records it, where there is one
    trials: list[str]


class MatchRun(BaseModel):
    """Every trial judged for one profile at one evaluation date, ranked best first."""

    model_config = ConfigDict(frozen=True)

    profile_id: str
    evaluated_on: date
    engine_version: str
    data_version: str | None = None
    created_at: datetime | None = None
    # What the board should know about this run: how the profile was read (a diagnosis the
    # vocabulary does not know, so histology-dependent criteria stay unknown) and plausibility
    # notes at this evaluation date (e.g. an old assessment).
    warnings: list[str] = Field(default_factory=list)
    results: list[TrialMatch]
