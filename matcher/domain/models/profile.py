"""The recurrence profile: the public contract a tumor board submits, and its stored form.

Pseudonymous by construction: there is no field for a name, MRN or birth date, unknown fields are
rejected, and every free-text field is short and bounded. Anything not given is *unknown* (None),
never assumed true or false.

Identity: the server assigns each stored profile an opaque id (`StoredProfile.profile_id`), the
only id in Redis keys, logs, metrics and URLs. The board's own `reference` (read from a legacy
`profile_id` field too) stays inside the profile: never logged, erased with it, unique only
within the board, and refused when it looks like a date, a record number, an e-mail address or a
personal name.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from importlib import resources
from typing import Annotated, Self

import regex
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from matcher.errors import InvalidProfile

# What a reference may never look like (heuristics, each with the reason shown to the board).
# Dates: 2012-05-03, 2012.05.03, 20120503, 03-05-2012, 5/3/12 (same separator both times).
_DATE = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d([-._/]?)(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])([-._/])(?:0?[1-9]|1[0-2])\2(?:19|20)?\d\d)(?!\d)"
)
_DIGIT_RUN = re.compile(r"\d{6,}")  # MRN-00123456: record numbers are long digit runs
_MAX_DIGITS = 8  # 123-45-6789 (9), phone numbers (10+): too many digits in all; TB-2026-0142 is 8
# Two words in a row where one is capitalised or both are upper-case words of 3+ letters
# (DOE_JANE, Jane.Doe, doe-Jane), or one CamelCase pair (JaneDoe). Lower-case word pairs such as
# "pulmonary-synovial" stay allowed: without a name list they cannot be told from clinical words.
_WORD = r"(?:[A-Z][a-z]+|[A-Z]{3,}|[a-z]{2,}|[A-Z]{2})"
_NAME = re.compile(
    rf"(?:^|[._-])(?:[A-Z][a-z]+[._-]{_WORD}|{_WORD}[._-][A-Z][a-z]+|[A-Z]{{3,}}[._-][A-Z]{{3,}})"
    r"(?=$|[._-])|[A-Z][a-z]+[A-Z][a-z]+"
)


def _pseudonymous(value: object) -> object:
    """Refuse references that look like identifying data; the message never repeats the value."""
    if not isinstance(value, str):
        return value  # the type check that follows names the problem
    if "@" in value:
        raise ValueError("looks like an e-mail address; use a code such as TB-2026-0142")
    if _DATE.search(value):
        raise ValueError("looks like a date; use a code such as TB-2026-0142")
    if _DIGIT_RUN.search(value) or sum(c.isdigit() for c in value) > _MAX_DIGITS:
        raise ValueError(
            "looks like a record or ID number (6+ digits in a row or more than 8 digits); "
            "use a code such as TB-2026-0142"
        )
    if _NAME.search(value):
        raise ValueError("looks like a personal name; use a code such as TB-2026-0142")
    return value


# The board's own reference: letters, digits, '.', '_', '-' (no spaces), 3-64 characters.
Reference = Annotated[
    str,
    BeforeValidator(_pseudonymous),
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"),
]
# Server-assigned profile id: "p_" and 24 hex digits (96 random bits), nothing about the patient.
PROFILE_ID = re.compile(r"^p_[0-9a-f]{24}$")
# Free text is refused character by character by Unicode property, not by a hand list:
# - general categories Cc control, Cf format (bidi overrides, zero-width), Cs surrogate,
#   Co private use, Cn unassigned (noncharacters included), Zl/Zp line/paragraph separators;
# - Default_Ignorable_Code_Point (from the `regex` module's Unicode data): code points that
#   render as nothing, e.g. the Hangul fillers U+115F/U+1160/U+3164/U+FFA0, the combining
#   grapheme joiner U+034F and the variation selectors (which can smuggle hidden bytes);
# - the few "visible blanks" no property covers (data/blank_glyphs.json, each with a reason).
# None is ever part of a clinical term, and each can hide or reorder text in logs and reports.
_NOT_TEXT = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")


def _load_blank_glyphs() -> frozenset[str]:
    raw = resources.files("matcher.domain.models").joinpath("data/blank_glyphs.json").read_text()
    return frozenset(chr(int(code[2:], 16)) for code in json.loads(raw)["blank"])


_BLANK = _load_blank_glyphs()


def refused_char(char: str) -> bool:
    """True for a code point free text must not contain (see the rules above)."""
    return (
        unicodedata.category(char) in _NOT_TEXT
        or char in _BLANK
        or _IGNORABLE.match(char) is not None
    )


def _printable(value: str) -> str:
    bad = sorted({f"U+{ord(c):04X}" for c in value if refused_char(c)})
    if bad:
        raise ValueError(f"contains control or invisible characters ({', '.join(bad[:5])})")
    return value


ShortText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=120, strip_whitespace=True),
    AfterValidator(_printable),
]

_EARLIEST = date(2000, 1, 1)
# A model-level error's "field: message" prefix: a name, a dotted path or "a/b" alternatives.
_FIELD_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_./]*")


class Sex(StrEnum):
    female = "female"
    male = "male"


class DiseaseStatus(StrEnum):
    recurrent = "recurrent"
    progressive = "progressive"
    refractory = "refractory"


class RecurrenceSite(StrEnum):
    local = "local"
    regional_nodes = "regional_nodes"
    pulmonary = "pulmonary"
    bone = "bone"
    bone_marrow = "bone_marrow"
    cns = "cns"
    other_distant = "other_distant"


class TherapyCategory(StrEnum):
    chemotherapy = "chemotherapy"
    targeted = "targeted"
    immunotherapy = "immunotherapy"
    radiation = "radiation"
    surgery = "surgery"
    amputation = "amputation"
    stem_cell_transplant = "stem_cell_transplant"


# Categories whose agents are given in lines of systemic therapy with a response to judge.
SYSTEMIC_CATEGORIES = frozenset({"chemotherapy", "targeted", "immunotherapy"})


class BestResponse(StrEnum):
    """Best overall response to a line of systemic therapy, in RECIST 1.1 words."""

    complete_response = "complete_response"
    partial_response = "partial_response"
    stable_disease = "stable_disease"
    progressive_disease = "progressive_disease"


class PerformanceScale(StrEnum):
    lansky = "lansky"
    karnofsky = "karnofsky"
    ecog = "ecog"


class Serology(StrEnum):
    negative = "negative"
    positive = "positive"


class _Strict(BaseModel):
    # strict: no silent coercion ("12" is not 12); forbid: a misspelt field is an error, not lost.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Tumor(_Strict):
    grade: int | None = Field(default=None, ge=1, le=3)
    size_cm: float | None = Field(default=None, gt=0, le=100)
    invasive: bool | None = None
    measurable: bool | None = None


class PriorTherapy(_Strict):
    agent: ShortText | None = None
    category: TherapyCategory | None = None
    site: ShortText | None = None
    ended_on: date | None = None
    # Which line of systemic therapy the agent belonged to (agents of one regimen share a line),
    # and the best response to that line; both only for systemic categories.
    line: int | None = Field(default=None, ge=1, le=20)
    best_response: BestResponse | None = None

    @field_validator("ended_on")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError("cannot be in the future")
        return value

    @model_validator(mode="after")
    def _agent_or_category(self) -> Self:
        if self.agent is None and self.category is None:
            raise ValueError("agent/category: give an agent or a category")
        return self

    @model_validator(mode="after")
    def _systemic_only(self) -> Self:
        # A line number or a RECIST response belongs to systemic therapy; on surgery or
        # radiation it is a mistake (a radiation "line" would be counted as a systemic line).
        if self.category is not None and self.category.value not in SYSTEMIC_CATEGORIES:
            for name in ("line", "best_response"):
                if getattr(self, name) is not None:
                    raise ValueError(
                        f"{name}: only for systemic therapy (chemotherapy, targeted, "
                        f"immunotherapy), not {self.category.value}"
                    )
        return self


class Performance(_Strict):
    scale: PerformanceScale
    score: int = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _score_fits_scale(self) -> Self:
        if self.scale is PerformanceScale.ecog and self.score > 5:
            raise ValueError("ECOG scores run from 0 to 5")
        if self.scale is not PerformanceScale.ecog and self.score % 10:
            raise ValueError(f"{self.scale.value} scores are multiples of 10")
        return self


class Labs(_Strict):
    """Most recent organ-function labs; units are in the field names."""

    anc_per_uL: float | None = Field(default=None, ge=0, le=100_000)
    platelets_per_uL: float | None = Field(default=None, ge=0, le=2_000_000)
    hemoglobin_g_dL: float | None = Field(default=None, ge=0, le=25)
    creatinine_mg_dL: float | None = Field(default=None, ge=0, le=20)
    creatinine_clearance_mL_min: float | None = Field(default=None, ge=0, le=300)
    bilirubin_x_uln: float | None = Field(default=None, ge=0, le=50)
    alt_x_uln: float | None = Field(default=None, ge=0, le=100)
    ast_x_uln: float | None = Field(default=None, ge=0, le=100)
    wbc_per_uL: float | None = Field(default=None, ge=0, le=500_000)
    albumin_g_dL: float | None = Field(default=None, ge=0, le=10)
    inr: float | None = Field(default=None, ge=0.5, le=20)
    urine_protein_creatinine_ratio: float | None = Field(default=None, ge=0, le=50)  # mg/mg


class Location(_Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    max_distance_km: float | None = Field(default=None, gt=0, le=20_000)


class ProfileIn(_Strict):
    """A recurrence profile as submitted (JSON). Validate with `ProfileIn.model_validate_json`."""

    # Optional; `profile_id` is read as the reference (files written for the engine-only
    # `trialmatch match` and clients of the first API version keep working).
    reference: Reference | None = Field(
        default=None, validation_alias=AliasChoices("reference", "profile_id")
    )
    assessed_on: date
    age_months: int | None = Field(default=None, ge=0, le=480)
    age_years: float | None = Field(default=None, ge=0, le=40)
    sex: Sex
    diagnosis: ShortText
    diagnosis_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.:-]{1,20}$")] | None = (
        None
    )
    disease_status: DiseaseStatus
    recurrence_sites: list[RecurrenceSite] = Field(default_factory=list, max_length=7)
    relapse_number: int | None = Field(default=None, ge=1, le=20)
    tumor: Tumor | None = None
    biomarkers: list[ShortText] = Field(default_factory=list, max_length=20)
    prior_therapies: list[PriorTherapy] = Field(default_factory=list, max_length=60)
    performance: Performance | None = None
    labs: Labs | None = None
    cns_metastases: bool | None = None
    pregnant: bool | None = None
    lactating: bool | None = None
    weight_kg: float | None = Field(default=None, gt=0, le=250)
    # The facts pediatric protocols ask for (issue 9): each optional, unknown when absent.
    height_cm: float | None = Field(default=None, ge=30, le=250)
    lvef_percent: float | None = Field(default=None, ge=5, le=95)
    shortening_fraction_percent: float | None = Field(default=None, ge=1, le=70)
    qtc_ms: int | None = Field(default=None, ge=200, le=800)
    pulse_ox_percent: float | None = Field(default=None, ge=50, le=100)
    hiv: Serology | None = None
    hbv: Serology | None = None
    hcv: Serology | None = None
    other_malignancy: bool | None = None
    swallows_tablets: bool | None = None
    on_corticosteroids: bool | None = None
    recurrence_in_radiation_field: bool | None = None
    location: Location | None = None

    @field_validator("assessed_on")
    @classmethod
    def _plausible_date(cls, value: date) -> date:
        if not _EARLIEST <= value <= date.today():
            raise ValueError(f"must be between {_EARLIEST} and today")
        return value

    @field_validator("recurrence_sites")
    @classmethod
    def _no_repeats(cls, value: list[RecurrenceSite]) -> list[RecurrenceSite]:
        if len(set(value)) != len(value):
            raise ValueError("lists a site twice")
        return value

    @model_validator(mode="after")
    def _one_age(self) -> Self:
        if (self.age_months is None) == (self.age_years is None):
            # "field: message" lets parse_profile name the field of a model-level error.
            raise ValueError("age_months/age_years: give exactly one of them")
        return self

    @model_validator(mode="after")
    def _therapies_before_assessment(self) -> Self:
        # A therapy that ended after the assessment contradicts the facts "as of assessed_on":
        # the engine would measure washouts from a date the board has not reached yet.
        for i, therapy in enumerate(self.prior_therapies):
            if therapy.ended_on is not None and therapy.ended_on > self.assessed_on:
                raise ValueError(f"prior_therapies.{i}.ended_on: is after assessed_on")
        return self

    @property
    def bsa_m2(self) -> float | None:
        """Body surface area by Mosteller (sqrt(height cm x weight kg / 3600)); None unless both
        are given. Mosteller because COG and most pediatric protocols dose by it."""
        if self.height_cm is None or self.weight_kg is None:
            return None
        return math.sqrt(self.height_cm * self.weight_kg / 3600)

    @property
    def age_months_at_assessment(self) -> float:
        if self.age_months is not None:
            return float(self.age_months)
        assert self.age_years is not None  # guaranteed by _coherent
        return self.age_years * 12.0

    def age_months_on(self, when: date) -> float:
        """Age advanced from `assessed_on` to `when`, month precision (whole months elapsed)."""
        elapsed = (when.year - self.assessed_on.year) * 12 + (when.month - self.assessed_on.month)
        if when.day < self.assessed_on.day:
            elapsed -= 1
        return self.age_months_at_assessment + max(elapsed, 0)


class StoredProfile(BaseModel):
    """What Redis holds: the submitted profile plus bookkeeping the board never sends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Server-assigned (PROFILE_ID); the only id outside the profile itself. Empty only in a
    # profile stored by an earlier version, see _legacy_id.
    profile_id: str = ""
    profile: ProfileIn
    board_id: str = "default"
    revision: int = Field(ge=1)
    submitted_at: datetime
    expires_at: datetime

    @model_validator(mode="after")
    def _legacy_id(self) -> Self:
        # Stored before ids were server-assigned: its key is the board's own id, which now
        # reads as the reference; keep using it as the id so such profiles still load.
        if not self.profile_id:
            if self.profile.reference is None:
                raise ValueError("profile_id: missing")
            return self.model_copy(update={"profile_id": self.profile.reference})
        return self


def assessment_warnings(profile: ProfileIn, on: date, max_age_days: int) -> list[str]:
    """Warnings (not errors) about a profile judged on `on`: an assessment older than the limit.

    The engine ages the patient from `assessed_on`, but labs, performance and disease status may
    have changed since; the board should know how old the facts are.
    """
    age = (on - profile.assessed_on).days
    if age > max_age_days:
        return [
            f"assessed_on is {age} days before the evaluation date (more than {max_age_days}): "
            "labs, performance and disease status may have changed; update the profile"
        ]
    return []


def parse_profile(raw: str | bytes) -> ProfileIn:
    """Validate a JSON profile; on failure raise InvalidProfile naming every bad field."""
    try:
        profile = ProfileIn.model_validate_json(raw)
    except ValidationError as exc:
        raise InvalidProfile(_field_errors(exc)) from None
    # Only now (the document is valid, so small and shallow) look for repeated keys, which the
    # JSON parser above resolves silently as "last one wins" while other parsers may not.
    repeated = _repeated_keys(raw)
    if repeated:
        raise InvalidProfile([(key, "given more than once") for key in repeated])
    return profile


def _repeated_keys(raw: str | bytes) -> list[str]:
    repeated: list[str] = []

    def check(pairs: list[tuple[str, object]]) -> dict[str, object]:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        return dict(pairs)

    json.loads(raw, object_pairs_hook=check)
    return repeated


def _field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    found = []
    for err in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if ": " in msg and not msg.startswith(" "):
            field, _, rest = msg.partition(": ")
            if _FIELD_PATH.fullmatch(field):
                path, msg = ".".join(p for p in (path, field) if p), rest
        found.append((path or "profile", msg))
    return found
