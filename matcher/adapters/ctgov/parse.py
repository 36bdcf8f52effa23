"""Turn v2 study JSON into `Trial`. Tolerant of absent fields, strict about the ones we rely on.

Absent modules, ages, phases, sites and geo points are normal in real records and parse to
None/empty. A field that is present but of the wrong shape (a list where text belongs, an
unparseable age) raises `UpstreamSchemaError` naming the NCT id and the field, so that a
malformed response is refused whole and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from matcher.domain.models.trial import AgeBound, Site, Trial
from matcher.errors import UpstreamSchemaError

_AGE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(Year|Years|Month|Months|Week|Weeks|Day|Days|Hour|Hours|Minute|Minutes)\s*$",
    re.IGNORECASE,
)
_MONTHS_PER_UNIT = {
    "year": 12.0,
    "month": 1.0,
    "week": 12.0 / 52.1775,
    "day": 12.0 / 365.25,
    "hour": 12.0 / (365.25 * 24),
    "minute": 12.0 / (365.25 * 24 * 60),
}
# Markdown backslash escapes the registry puts before punctuation: \>  \<  \[  \]  \^  \*  \_ ...
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>=^~|])")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_NCT = re.compile(r"^NCT\d{8}$")

Json = Mapping[str, Any]


def unescape_markdown(text: str) -> str:
    r"""Remove the registry's Markdown escapes so that "\>= 12 months" reads ">= 12 months"."""
    return _MD_ESCAPE.sub(r"\1", text)


def age_to_months(text: str) -> float | None:
    """'12 Months' -> 12.0, '1 Year' -> 12.0, '6 Weeks' -> 1.38; 'N/A' or '' -> None (no limit)."""
    match = _AGE.match(text)
    if match is None:
        return None
    unit = match.group(2).lower().rstrip("s")
    return float(match.group(1)) * _MONTHS_PER_UNIT[unit]


def parse_partial_date(text: str) -> date | None:
    """'2023', '2023-04' or '2023-04-07' -> the first day it can mean; anything else -> None."""
    match = _PARTIAL_DATE.match(text.strip())
    if match is None:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


class _Reader:
    """Typed access to one study's JSON; every failure names the NCT id and the dotted field."""

    def __init__(self, raw: Json, nct_id: str | None) -> None:
        self.raw = raw
        self.nct_id = nct_id

    def fail(self, field: str, detail: str) -> UpstreamSchemaError:
        return UpstreamSchemaError(self.nct_id, field, detail)

    def obj(self, path: str) -> Json:
        node: Any = self.raw
        for part in path.split("."):
            if node is None:
                return {}
            if not isinstance(node, Mapping):
                raise self.fail(path, f"expected an object at {part!r}")
            node = node.get(part)
        if node is None:
            return {}
        if not isinstance(node, Mapping):
            raise self.fail(path, "expected an object")
        return node

    def text(self, module: Json, path: str, key: str) -> str | None:
        value = module.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{path}.{key}", f"expected text, got {type(value).__name__}")
        return value

    def texts(self, module: Json, path: str, key: str) -> list[str]:
        value = module.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{path}.{key}", "expected a list of text")
        return list(value)

    def objs(self, module: Json, path: str, key: str) -> list[Json]:
        value = module.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(f"{path}.{key}", "expected a list of objects")
        return list(value)

    def age(self, module: Json, key: str) -> AgeBound | None:
        text = self.text(module, "eligibilityModule", key)
        if text is None or text.strip().upper() in {"", "N/A", "NONE"}:
            return None
        months = age_to_months(text)
        if months is None:
            raise self.fail(f"eligibilityModule.{key}", f"unreadable age {text[:40]!r}")
        return AgeBound(text=text.strip(), months=months)


def parse_study(raw: Json) -> Trial:
    """One v2 study object -> Trial. Ignores `_provenance` and any other non-registry key.

    Unknown enum values (a new overallStatus or phase) are carried raw; the engine decides.
    """
    if not isinstance(raw, Mapping):
        raise UpstreamSchemaError(None, "study", "expected an object")
    r = _Reader(raw, _guess_nct_id(raw))
    if "protocolSection" not in raw:
        raise r.fail("protocolSection", "missing")
    ident = r.obj("protocolSection.identificationModule")
    nct_id = r.text(ident, "identificationModule", "nctId")
    if nct_id is None or not _NCT.match(nct_id):
        raise r.fail(
            "protocolSection.identificationModule.nctId", f"missing or invalid: {nct_id!r}"
        )

    status = r.obj("protocolSection.statusModule")
    conditions = r.obj("protocolSection.conditionsModule")
    design = r.obj("protocolSection.designModule")
    arms = r.obj("protocolSection.armsInterventionsModule")
    elig = r.obj("protocolSection.eligibilityModule")
    description = r.obj("protocolSection.descriptionModule")
    browse = r.obj("derivedSection.conditionBrowseModule")

    last_update_struct = r.obj("protocolSection.statusModule.lastUpdatePostDateStruct")
    last_update_text = r.text(last_update_struct, "statusModule.lastUpdatePostDateStruct", "date")
    last_update = parse_partial_date(last_update_text) if last_update_text else None

    criteria = r.text(elig, "eligibilityModule", "eligibilityCriteria")
    healthy = elig.get("healthyVolunteers")
    if healthy is not None and not isinstance(healthy, bool):
        raise r.fail("eligibilityModule.healthyVolunteers", "expected true/false")
    try:
        trial = Trial(
            nct_id=nct_id,
            version="pending",  # replaced below by the content hash
            last_update_posted=last_update,
            brief_title=r.text(ident, "identificationModule", "briefTitle"),
            official_title=r.text(ident, "identificationModule", "officialTitle"),
            overall_status=r.text(status, "statusModule", "overallStatus"),
            study_type=r.text(design, "designModule", "studyType"),
            phases=r.texts(design, "designModule", "phases"),
            conditions=r.texts(conditions, "conditionsModule", "conditions"),
            keywords=r.texts(conditions, "conditionsModule", "keywords"),
            mesh_terms=[
                term
                for m in r.objs(browse, "conditionBrowseModule", "meshes")
                if (term := r.text(m, "conditionBrowseModule.meshes", "term"))
            ],
            interventions=[
                name
                for item in r.objs(arms, "armsInterventionsModule", "interventions")
                if (name := r.text(item, "armsInterventionsModule.interventions", "name"))
            ],
            brief_summary=r.text(description, "descriptionModule", "briefSummary"),
            eligibility_criteria=unescape_markdown(criteria) if criteria else None,
            minimum_age=r.age(elig, "minimumAge"),
            maximum_age=r.age(elig, "maximumAge"),
            sex=r.text(elig, "eligibilityModule", "sex"),
            healthy_volunteers=healthy,
            std_ages=r.texts(elig, "eligibilityModule", "stdAges"),
            sites=_sites(r),
            aliases=r.texts(ident, "identificationModule", "nctIdAliases"),
        )
        return trial.model_copy(update={"version": content_version(trial)})
    except ValidationError as exc:  # a value the model refuses: name the field, refuse the study
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ())) or "trial"
        raise r.fail(loc, first.get("msg", "invalid")) from exc


def parse_page(raw: Any) -> tuple[list[Trial], str | None]:
    """A `/studies` page -> (trials, nextPageToken). Any malformed study fails the whole page."""
    studies, token = raw_page(raw)
    return [parse_study(s) for s in studies], token


def raw_page(raw: Any) -> tuple[list[Mapping[str, Any]], str | None]:
    """A `/studies` page -> (study objects, nextPageToken), checked but not parsed."""
    if not isinstance(raw, Mapping):
        raise UpstreamSchemaError(None, "page", "expected an object")
    studies = raw.get("studies")
    if not isinstance(studies, list):
        raise UpstreamSchemaError(None, "studies", "missing or not a list")
    token = raw.get("nextPageToken")
    if token is not None and (not isinstance(token, str) or not token):
        raise UpstreamSchemaError(None, "nextPageToken", "expected non-empty text")
    if not all(isinstance(s, Mapping) for s in studies):
        raise UpstreamSchemaError(None, "studies", "expected objects")
    return studies, token


def study_id(raw: Mapping[str, Any]) -> str:
    """The NCT id of a study object (for de-duplication before parsing)."""
    nct = _guess_nct_id(raw)
    if nct is None or not _NCT.match(nct):
        raise UpstreamSchemaError(None, "identificationModule.nctId", "missing or invalid")
    return nct


def _guess_nct_id(raw: Json) -> str | None:
    """The NCT id if it can be read without failing, so every later error can name it."""
    section = raw.get("protocolSection")
    if isinstance(section, Mapping):
        ident = section.get("identificationModule")
        if isinstance(ident, Mapping) and isinstance(ident.get("nctId"), str):
            return str(ident["nctId"])
    return None


def _sites(r: _Reader) -> list[Site]:
    contacts = r.obj("protocolSection.contactsLocationsModule")
    sites = []
    for i, loc in enumerate(r.objs(contacts, "contactsLocationsModule", "locations")):
        field = f"contactsLocationsModule.locations[{i}]"
        geo = loc.get("geoPoint")
        lat = lon = None
        if isinstance(geo, Mapping):
            lat, lon = geo.get("lat"), geo.get("lon")
            # bool is an int subclass; true/false here is drift, not a coordinate.
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
                raise r.fail(f"{field}.geoPoint", "lat/lon not numbers")
            if not (-90 <= float(lat) <= 90 and -180 <= float(lon) <= 180):  # type: ignore[arg-type]
                raise r.fail(f"{field}.geoPoint", "lat/lon out of range")
        elif geo is not None:
            raise r.fail(f"{field}.geoPoint", "expected an object")
        sites.append(
            Site(
                facility=r.text(loc, field, "facility"),
                city=r.text(loc, field, "city"),
                state=r.text(loc, field, "state"),
                country=r.text(loc, field, "country"),
                status=r.text(loc, field, "status"),
                lat=float(lat) if lat is not None else None,
                lon=float(lon) if lon is not None else None,
            )
        )
    return sites


def content_version(trial: Trial) -> str:
    """A trial's version: a hash of everything matching reads, so two states posted on one day
    differ, and a re-post that changed nothing we read does not churn (the update date is kept
    in `last_update_posted` for display only)."""
    body = trial.model_dump(mode="json", exclude={"version", "last_update_posted"})
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return f"sha256:{digest[:16]}"
