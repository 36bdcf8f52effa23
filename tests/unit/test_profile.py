"""The recurrence profile contract: strict, bounded, unknown stays unknown, fields named."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from matcher.domain.models.profile import parse_profile
from matcher.errors import InvalidProfile

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "synovial-pulmonary.json"


def _with(**changes: object) -> str:
    body = json.loads(EXAMPLE.read_text())
    if "profile_id" in changes:  # the legacy name of the reference replaces it
        body.pop("reference")
    body.update(changes)
    return json.dumps(body)


def _fields(raw: str) -> set[str]:
    with pytest.raises(InvalidProfile) as caught:
        parse_profile(raw)
    return {field for field, _ in caught.value.errors}


def test_example_profile_is_valid() -> None:
    """The shipped example profile validates and keeps what it says."""
    p = parse_profile(EXAMPLE.read_text())
    assert p.reference == "TB-2026-0142"
    assert p.age_months == 171
    assert p.prior_therapies[0].agent == "ifosfamide"


def test_unknown_fields_are_rejected_by_name() -> None:
    """A field outside the contract (e.g. a patient name) is refused and named."""
    assert "patient_name" in _fields(_with(patient_name="Jane Roe"))


def test_no_silent_coercion() -> None:
    """Strict mode: a number sent as text is an error, not silently converted."""
    assert "age_months" in _fields(_with(age_months="171"))


@pytest.mark.parametrize("age", [-1, 481, 100000])
def test_absurd_ages_are_rejected(age: int) -> None:
    """Negative or absurd ages are refused naming age_months."""
    assert "age_months" in _fields(_with(age_months=age))


def test_exactly_one_age_is_required() -> None:
    """Both or neither of age_months/age_years is an error naming both fields."""
    assert "age_months/age_years" in _fields(_with(age_years=14.0))


def test_future_dates_are_rejected() -> None:
    """An assessment or a therapy end in the future is refused by field path."""
    future = date(date.today().year + 1, 1, 1).isoformat()
    assert "assessed_on" in _fields(_with(assessed_on=future))
    bad = [{"agent": "pazopanib", "ended_on": future}]
    assert "prior_therapies.0.ended_on" in _fields(_with(prior_therapies=bad))


def test_performance_score_must_fit_its_scale() -> None:
    """ECOG runs 0-5; Lansky/Karnofsky are multiples of 10."""
    assert "performance" in _fields(_with(performance={"scale": "ecog", "score": 70}))
    assert "performance" in _fields(_with(performance={"scale": "lansky", "score": 55}))


def test_huge_arrays_are_rejected() -> None:
    """Lists are bounded (biomarkers at most 20)."""
    assert "biomarkers" in _fields(_with(biomarkers=[f"marker {i}" for i in range(21)]))


def test_profile_id_cannot_hold_a_name() -> None:
    """Spaces are not allowed in references, so "Jane Roe" cannot be one (in either name)."""
    assert "profile_id" in _fields(_with(profile_id="Jane Roe"))
    assert "reference" in _fields(_with(reference="Jane Roe"))


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("DOE_JANE_2012-05-03", "looks like a date"),
        ("TB-20120503", "looks like a date"),
        ("03.05.2012", "looks like a date"),
        ("MRN-00123456", "looks like a record or ID number"),
        ("123-45-6789", "looks like a record or ID number"),
        ("555-123-4567", "looks like a record or ID number"),
        ("jane.doe@example.org", "looks like an e-mail address"),
        ("DOE_JANE", "looks like a personal name"),
        ("Jane.Doe", "looks like a personal name"),
        ("doe-Jane-07", "looks like a personal name"),
        ("JaneDoe", "looks like a personal name"),
    ],
)
@pytest.mark.parametrize("field", ["reference", "profile_id"])
def test_identifying_references_are_refused(field: str, reference: str, why: str) -> None:
    """A reference that looks like a date, a record number, an e-mail address or a personal
    name is refused, naming the field given and the reason, never repeating the value."""
    with pytest.raises(InvalidProfile) as caught:
        parse_profile(_with(**{field: reference}))
    [(name, message)] = caught.value.errors
    assert name == field
    assert message.startswith(why)
    assert reference not in str(caught.value)


@pytest.mark.parametrize(
    "reference",
    ["TB-2026-0142", "TB-2026-0112", "DEV-01-pulmonary-synovial", "HO-04-synovial-19y-ecog2",
     "EX-erms-relapse2", "board.7-case-12"],
)  # fmt: skip
def test_pseudonymous_references_are_accepted(reference: str) -> None:
    """Codes with a few digits and lower-case clinical words stay valid references, under
    either field name, and are read as the reference."""
    assert parse_profile(_with(reference=reference)).reference == reference
    assert parse_profile(_with(profile_id=reference)).reference == reference


def test_reference_is_optional_and_not_given_twice() -> None:
    """A profile without a reference is valid; `reference` and `profile_id` together are not."""
    body = json.loads(EXAMPLE.read_text())
    body.pop("reference")
    assert parse_profile(json.dumps(body)).reference is None
    assert "profile_id" in _fields(json.dumps({**body, "reference": "TB-1", "profile_id": "TB-1"}))


def test_missing_facts_stay_unknown() -> None:
    """A minimal profile validates and leaves every unstated fact as None."""
    minimal = {
        "profile_id": "MIN-1",
        "assessed_on": "2026-01-05",
        "age_years": 9.5,
        "sex": "male",
        "diagnosis": "rhabdomyosarcoma",
        "disease_status": "recurrent",
    }
    p = parse_profile(json.dumps(minimal))
    unknown = (p.cns_metastases, p.pregnant, p.labs, p.tumor, p.performance, p.location)
    assert unknown == (None,) * 6


def test_age_advances_to_the_evaluation_date() -> None:
    """Age at assessment plus whole months elapsed gives the age on the evaluation date."""
    p = parse_profile(_with(assessed_on="2026-01-20", age_months=100))
    assert p.age_months_on(date(2026, 1, 19)) == 100
    assert p.age_months_on(date(2026, 3, 19)) == 101
    assert p.age_months_on(date(2026, 3, 20)) == 102


def test_therapy_ending_after_the_assessment_is_refused_by_field() -> None:
    """A therapy that ended after `assessed_on` is refused naming that therapy's `ended_on`."""
    therapies = json.loads(EXAMPLE.read_text())["prior_therapies"]
    late = [therapies[0], {**therapies[1], "ended_on": "2026-11-21"}]  # example assessed 11-20
    assert _fields(_with(prior_therapies=late)) == {"prior_therapies.1.ended_on"}
    same_day = [therapies[0], {**therapies[1], "ended_on": "2026-11-20"}]
    assert parse_profile(_with(prior_therapies=same_day)).prior_therapies[1].ended_on == date(
        2026, 11, 20
    )


def test_old_assessment_warns_past_the_limit_only() -> None:
    """An assessment older than the limit at the evaluation date yields a warning, not an error."""
    from datetime import timedelta

    from matcher.domain.models.profile import assessment_warnings

    p = parse_profile(EXAMPLE.read_text())
    assert assessment_warnings(p, p.assessed_on + timedelta(days=90), 90) == []
    [warning] = assessment_warnings(p, p.assessed_on + timedelta(days=91), 90)
    assert warning.startswith("assessed_on is 91 days before the evaluation date (more than 90)")


def test_profile_stored_by_the_previous_version_still_loads() -> None:
    """A stored profile without a server id (keyed by the board's own id) loads, with that id
    kept as its id and read as its reference."""
    from matcher.domain.models import StoredProfile

    body = json.loads(EXAMPLE.read_text())
    body["profile_id"] = body.pop("reference")
    stored = {
        "profile": body, "board_id": "b", "revision": 3,
        "submitted_at": "2026-11-20T00:00:00Z", "expires_at": "2027-05-19T00:00:00Z",
    }  # fmt: skip
    loaded = StoredProfile.model_validate_json(json.dumps(stored))
    assert (loaded.profile_id, loaded.profile.reference) == ("TB-2026-0142", "TB-2026-0142")
    assert StoredProfile.model_validate_json(loaded.model_dump_json()) == loaded


def test_systemic_therapy_takes_a_line_and_a_best_response() -> None:
    """A chemotherapy agent may carry its line (1-20) and a RECIST best response; both stay None
    (unknown) when not given."""
    therapies = [
        {"agent": "ifosfamide", "category": "chemotherapy", "line": 1,
         "best_response": "partial_response"},
        {"agent": "pazopanib", "category": "targeted"},
    ]  # fmt: skip
    parsed = parse_profile(_with(prior_therapies=therapies)).prior_therapies
    assert (parsed[0].line, parsed[0].best_response) == (1, "partial_response")
    assert (parsed[1].line, parsed[1].best_response) == (None, None)


_CHEMO = {"agent": "ifosfamide", "category": "chemotherapy"}


@pytest.mark.parametrize(
    ("therapy", "field"),
    [
        ({"category": "radiation", "site": "lung", "best_response": "stable_disease"},
         "prior_therapies.0.best_response"),
        ({"category": "surgery", "site": "left thigh", "line": 1}, "prior_therapies.0.line"),
        ({**_CHEMO, "line": 0}, "prior_therapies.0.line"),
        ({**_CHEMO, "line": 21}, "prior_therapies.0.line"),
        ({**_CHEMO, "line": "1"}, "prior_therapies.0.line"),
        ({**_CHEMO, "best_response": "CR"}, "prior_therapies.0.best_response"),
    ],
)  # fmt: skip
def test_line_and_best_response_are_bounded_and_systemic_only(
    therapy: dict[str, object], field: str
) -> None:
    """A line or best response on surgery or radiation, a line outside 1-20 or a string, and a
    response outside the four RECIST words are refused naming the field."""
    assert _fields(_with(prior_therapies=[therapy])) == {field}
