"""parse_study on real records and constructed drift: tolerant of absence, strict on shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from matcher.adapters.ctgov.parse import age_to_months, parse_page, parse_study, unescape_markdown
from matcher.errors import UpstreamSchemaError

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "ctgov"
SNAPSHOT = ROOT / "snapshot" / "sarcoma" / "records"


def load(rel: str) -> Any:
    return json.loads((FIX / rel).read_bytes())


def study_from_page(rel: str, nct_id: str) -> Any:
    return next(
        s
        for s in load(rel)["studies"]
        if s["protocolSection"]["identificationModule"]["nctId"] == nct_id
    )


def test_every_recorded_fixture_and_snapshot_record_parses() -> None:
    """All bundled real records parse (50 snapshot studies and every fixture study)."""
    records = [json.loads(p.read_bytes()) for p in sorted(SNAPSHOT.glob("*.json"))]
    assert len(records) == 50
    for raw in records:
        parse_study(raw)
    for path in sorted(FIX.rglob("*.json")):
        raw = json.loads(path.read_bytes())
        if "studies" in raw:
            parse_page(raw)
        else:
            parse_study(raw)


def test_absent_fields_parse_as_none_or_empty() -> None:
    """No phases, no maximum age, no sites (a real observational record) give []/None/[]."""
    trial = parse_study(load("biomcp/get_nct06604689_20260811.json"))
    assert trial.phases == []
    assert trial.maximum_age is None
    assert trial.minimum_age is not None
    assert trial.minimum_age.months == 18 * 12
    assert trial.sites == []
    assert trial.version.startswith("sha256:")  # no lastUpdatePostDate in this sparse response


def test_absent_minimum_age_is_no_lower_limit() -> None:
    """A record with only a maximum age (real NCT03836300) has minimum_age None."""
    trial = parse_study(study_from_page("biomcp/search_phelan_next_20260811.json", "NCT03836300"))
    assert trial.minimum_age is None
    assert trial.maximum_age is not None
    assert trial.maximum_age.text == "99 Years"


def test_site_without_geo_point_keeps_the_site() -> None:
    """A location with no geoPoint (real NCT03934567) is kept with lat/lon None."""
    trial = parse_study(load("jamesvdinh-mcp/study_NCT03934567_2025-06-17T11-17-59-791Z.json"))
    assert len(trial.sites) == 26
    missing = [s for s in trial.sites if s.lat is None]
    assert len(missing) == 1
    assert missing[0].lon is None
    assert all(s.lat is not None for s in trial.sites if s is not missing[0])


def test_markdown_escapes_are_removed_from_criteria() -> None:
    r"""Registry escapes such as \> and \< are unescaped so numeric thresholds read naturally."""
    raw = load("biomcp/get_nct02576665_20260811.json")
    assert "\\>" in raw["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    criteria = parse_study(raw).eligibility_criteria or ""
    assert "\\>" not in criteria
    assert "\\<" not in criteria
    assert "New York Heart Association > Class II" in criteria
    assert unescape_markdown(r"\>= 12 months, 1\. item, \[x\]") == ">= 12 months, 1. item, [x]"


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("12 Months", 12.0),  # real: snapshot NCT02304458
        ("1 Year", 12.0),  # real: NCT05105685
        ("3 Months", 3.0),  # real: NCT07119606
        ("6 Weeks", 6 * 12 / 52.1775),  # constructed
        ("30 Days", 30 * 12 / 365.25),  # constructed
        ("N/A", None),  # legacy spelling, constructed here
        ("", None),
    ],
)
def test_age_strings_normalise_to_months(text: str, months: float | None) -> None:
    """Age bounds in any registry unit compare in months; "12 Months" equals "1 Year"."""
    result = age_to_months(text)
    if months is None:
        assert result is None
    else:
        assert result == pytest.approx(months)


def test_real_twelve_months_equals_one_year() -> None:
    """The snapshot's "12 Months" and a recorded "1 Year" minimum age are the same bound."""
    a = parse_study(json.loads((SNAPSHOT / "NCT02304458.json").read_bytes()))
    b = parse_study(study_from_page("biomcp/search_phelan_limit5_20260811.json", "NCT05105685"))
    assert a.minimum_age is not None
    assert a.minimum_age.text == "12 Months"
    assert b.minimum_age is not None
    assert b.minimum_age.text == "1 Year"
    assert a.minimum_age.months == b.minimum_age.months


def test_na_age_means_no_limit() -> None:
    """ "N/A" as an age bound (legacy spelling) parses as no limit."""
    raw = copy.deepcopy(load("aact/v2/NCT00973089.json"))
    raw["protocolSection"]["eligibilityModule"]["maximumAge"] = "N/A"  # constructed
    assert parse_study(raw).maximum_age is None


def test_unknown_enum_values_are_carried_raw() -> None:
    """A new overallStatus or phase value is kept as written, not refused."""
    raw = copy.deepcopy(load("biomcp/get_nct02576665_20260811.json"))
    raw["protocolSection"]["statusModule"]["overallStatus"] = "PAUSED_FOR_REVIEW"  # constructed
    raw["protocolSection"]["designModule"]["phases"] = ["PHASE1", "PHASE5"]  # constructed
    trial = parse_study(raw)
    assert trial.overall_status == "PAUSED_FOR_REVIEW"
    assert trial.phases == ["PHASE1", "PHASE5"]


def test_renamed_optional_field_reads_as_absent() -> None:
    """A renamed optional field (constructed minimumAge -> minAge) parses as absent, not a crash."""
    raw = copy.deepcopy(load("biomcp/get_nct02576665_20260811.json"))
    elig = raw["protocolSection"]["eligibilityModule"]
    elig["minAge"] = elig.pop("minimumAge")  # constructed drift
    assert parse_study(raw).minimum_age is None


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p["designModule"].__setitem__("phases", "PHASE1"), "designModule.phases"),
        (lambda p: p["statusModule"].__setitem__("overallStatus", 3), "statusModule.overallStatus"),
        (lambda p: p["eligibilityModule"].__setitem__("minimumAge", "eighteen"), "minimumAge"),
        (
            lambda p: p["eligibilityModule"].__setitem__("healthyVolunteers", "Yes"),
            "healthyVolunteers",
        ),
        (
            lambda p: p["contactsLocationsModule"]["locations"][0]["geoPoint"].__setitem__(
                "lat", "40.7"
            ),
            "geoPoint",
        ),
        (
            lambda p: p["contactsLocationsModule"]["locations"][0]["geoPoint"].__setitem__(
                "lat", True
            ),
            "geoPoint",
        ),
        (lambda p: p["contactsLocationsModule"].__setitem__("locations", {"0": {}}), "locations"),
        (lambda p: p.__setitem__("conditionsModule", ["sarcoma"]), "conditionsModule"),
    ],
)
def test_wrong_types_raise_schema_error_naming_id_and_field(mutate: Any, field: str) -> None:
    """A present field of the wrong type (constructed drift) fails the study, naming id+field."""
    raw = copy.deepcopy(load("biomcp/get_nct02576665_20260811.json"))
    mutate(raw["protocolSection"])  # constructed drift
    with pytest.raises(UpstreamSchemaError) as err:
        parse_study(raw)
    assert err.value.nct_id == "NCT02576665"
    assert field in err.value.field


def test_renamed_nct_id_is_refused() -> None:
    """Without a readable nctId (constructed rename to nctID) the study is refused."""
    raw = copy.deepcopy(load("biomcp/get_nct06604689_20260811.json"))
    ident = raw["protocolSection"]["identificationModule"]
    ident["nctID"] = ident.pop("nctId")  # constructed drift
    with pytest.raises(UpstreamSchemaError, match="nctId"):
        parse_study(raw)


@pytest.mark.parametrize(
    ("page", "field"),
    [
        ([], "page"),
        ({"studies": {"protocolSection": {}}}, "studies"),
        ({"nextPageToken": "abc"}, "studies"),
        ({"studies": [], "nextPageToken": 5}, "nextPageToken"),
    ],
)
def test_malformed_pages_are_refused(page: Any, field: str) -> None:
    """A page without a studies list, or with a non-text token (constructed), is a schema error."""
    with pytest.raises(UpstreamSchemaError) as err:
        parse_page(page)
    assert err.value.field == field


def test_page_returns_token_and_every_study() -> None:
    """parse_page gives all studies of a real page and its nextPageToken."""
    raw = load("biomcp/search_phelan_limit5_20260811.json")
    trials, token = parse_page(raw)
    assert next(t.nct_id for t in trials) == "NCT02710084"
    assert len(trials) == 5
    assert token == raw["nextPageToken"]
