"""The engine end to end: trial-level checks, verdicts, ranking, versions, caching.

Trials are real records from the bundled sarcoma snapshot where one fits; synthetic Trial objects
are used only to pin a structured field (status, ages, sites) in isolation.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from matcher.adapters.ctgov.parse import parse_study
from matcher.domain.eligibility import ENGINE_VERSION, EngineOptions, evaluate_trial, match_trials
from matcher.domain.eligibility.parsed import CACHE
from matcher.domain.models.match import MatchRun
from matcher.domain.models.profile import ProfileIn
from matcher.domain.models.trial import AgeBound, Site, Trial

AS_OF = date(2026, 11, 26)
ROOT = Path(__file__).resolve().parents[2]
RECORD_DIRS = [
    ROOT / "snapshot" / "sarcoma" / "records",
]
BASE: dict[str, Any] = {
    "profile_id": "TEST-engine",
    "assessed_on": "2026-11-20",
    "age_months": 171,
    "sex": "female",
    "diagnosis": "synovial sarcoma",
    "disease_status": "recurrent",
    "recurrence_sites": ["pulmonary"],
    "relapse_number": 1,
    "tumor": {"measurable": True},
    "prior_therapies": [
        {"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2025-09-01"},
        {"agent": "doxorubicin", "category": "chemotherapy", "ended_on": "2025-09-01"},
    ],
    "performance": {"scale": "lansky", "score": 90},
    "cns_metastases": False,
}
ANY = EngineOptions(any_status=True)


def profile(**changes: Any) -> ProfileIn:
    return ProfileIn.model_validate_json(json.dumps({**BASE, **changes}))


def record(nct_id: str) -> Trial:
    for folder in RECORD_DIRS:
        path = folder / f"{nct_id}.json"
        if path.is_file():
            return parse_study(json.loads(path.read_text()))
    pytest.skip(f"record {nct_id} not available")


def trial(**fields: Any) -> Trial:
    base: dict[str, Any] = {
        "nct_id": "NCT99999901",
        "version": "2026-01-01",
        "conditions": ["Sarcoma"],
    }
    return Trial(**{**base, **fields})


def kinds(match: Any, verdict: str) -> set[str]:
    return {c.kind for c in match.criteria if c.verdict == verdict}


def test_status_outside_default_statuses_excludes_with_reason() -> None:
    """A COMPLETED trial is not_met on status by default, and judged regardless with any_status."""
    t = trial(overall_status="COMPLETED")
    default = evaluate_trial(profile(), t, as_of=AS_OF, options=EngineOptions())
    assert default.verdict == "ineligible"
    assert "status" in kinds(default, "not_met")
    regardless = evaluate_trial(profile(), t, as_of=AS_OF, options=ANY)
    assert "status" not in kinds(regardless, "not_met")
    assert regardless.overall_status == "COMPLETED"


def test_enrolling_by_invitation_is_named_as_such() -> None:
    """ENROLLING_BY_INVITATION is reported in words, not silently treated as recruiting."""
    t = trial(overall_status="ENROLLING_BY_INVITATION")
    match = evaluate_trial(profile(), t, as_of=AS_OF, options=EngineOptions())
    status = next(c for c in match.criteria if c.kind == "status")
    assert "invitation" in status.reason
    assert status.section == "trial"


def test_configured_statuses_are_honoured() -> None:
    """A deployment may add ENROLLING_BY_INVITATION to the statuses it accepts."""
    t = trial(overall_status="ENROLLING_BY_INVITATION")
    options = EngineOptions(statuses=frozenset({"RECRUITING", "ENROLLING_BY_INVITATION"}))
    assert "status" not in kinds(
        evaluate_trial(profile(), t, as_of=AS_OF, options=options), "not_met"
    )


def test_age_is_advanced_from_assessed_on_to_the_evaluation_date() -> None:
    """Assessed at 17 y 11 m, the patient is 18 a month later: "maximum 17 Years" then fails."""
    t = trial(overall_status="RECRUITING", maximum_age=AgeBound(text="17 Years", months=204))
    young = profile(age_months=17 * 12 + 11, assessed_on="2026-10-20")
    assert "age" not in kinds(
        evaluate_trial(young, t, as_of=date(2026, 11, 19), options=ANY), "not_met"
    )
    assert "age" in kinds(evaluate_trial(young, t, as_of=AS_OF, options=ANY), "not_met")


def test_absent_age_bounds_are_no_limit() -> None:
    """A record without minimumAge/maximumAge limits no age."""
    match = evaluate_trial(
        profile(age_months=3), trial(overall_status="RECRUITING"), as_of=AS_OF, options=ANY
    )
    assert "age" in kinds(match, "met")


def test_sex_restricted_trial() -> None:
    """A FEMALE-only trial excludes a male patient."""
    t = trial(overall_status="RECRUITING", sex="FEMALE")
    assert "sex" in kinds(
        evaluate_trial(profile(sex="male"), t, as_of=AS_OF, options=ANY), "not_met"
    )


def test_trial_for_a_different_tumor_is_ineligible() -> None:
    """An osteosarcoma-only trial (NCT05588648) is ineligible for synovial sarcoma (diagnosis)."""
    match = evaluate_trial(profile(), record("NCT05588648"), as_of=AS_OF, options=ANY)
    assert match.verdict == "ineligible"
    assert match.criteria[0].verdict == "not_met"  # decisive criteria come first
    assert "diagnosis" in kinds(match, "not_met")
    assert match.decisive


def test_basket_trial_for_solid_tumors_is_not_dropped() -> None:
    """A relapsed/refractory solid tumor basket (NCT04851119) keeps a synovial sarcoma."""
    match = evaluate_trial(profile(), record("NCT04851119"), as_of=AS_OF, options=ANY)
    assert match.verdict == "possibly_eligible"
    assert match.to_verify


def test_newly_diagnosed_trial_excludes_a_recurrence() -> None:
    """NCT00346164 (newly diagnosed NRSTS) is ineligible for recurrent synovial sarcoma."""
    match = evaluate_trial(profile(), record("NCT00346164"), as_of=AS_OF, options=ANY)
    assert match.verdict == "ineligible"
    assert "disease_setting" in kinds(match, "not_met")


def test_record_without_criteria_is_possibly_eligible_with_a_fact_to_verify() -> None:
    """A record with no eligibility text is never eligible: its criteria are to be verified."""
    t = trial(overall_status="RECRUITING", conditions=["Synovial Sarcoma"])
    match = evaluate_trial(profile(), t, as_of=AS_OF, options=ANY)
    assert match.verdict == "possibly_eligible"
    assert any("eligibility criteria" in v for v in match.to_verify)


def test_every_match_records_versions() -> None:
    """Each TrialMatch carries the trial version it judged and the engine version."""
    match = evaluate_trial(profile(), record("NCT04851119"), as_of=AS_OF, options=ANY)
    assert match.trial_version == record("NCT04851119").version
    assert match.engine_version == ENGINE_VERSION


def test_distance_beyond_max_excludes_and_missing_geo_is_unknown() -> None:
    """All open sites beyond max_distance_km is not_met; no geo points is unknown."""
    far = Site(facility="Far", city="Seattle", status="RECRUITING", lat=47.6, lon=-122.3)
    near = Site(facility="CHOP", city="Philadelphia", status="RECRUITING", lat=39.95, lon=-75.19)
    here = {"lat": 39.9489, "lon": -75.1932, "max_distance_km": 800}
    p = profile(location=here)
    far_match = evaluate_trial(
        p, trial(overall_status="RECRUITING", sites=[far]), as_of=AS_OF, options=ANY
    )
    assert "distance" in kinds(far_match, "not_met")
    near_match = evaluate_trial(
        p, trial(overall_status="RECRUITING", sites=[far, near]), as_of=AS_OF, options=ANY
    )
    assert "distance" in kinds(near_match, "met")
    assert near_match.nearest_site is not None
    assert near_match.nearest_site.city == "Philadelphia"
    no_geo = evaluate_trial(
        p, trial(overall_status="RECRUITING", sites=[Site(city="X")]), as_of=AS_OF, options=ANY
    )
    assert "distance" in kinds(no_geo, "unknown")


def test_match_trials_ranks_by_verdict_then_score_then_id() -> None:
    """Results are one per trial, eligible > possibly > ineligible, ties by nct_id."""
    trials = [
        record("NCT05588648"),
        record("NCT04851119"),
        record("NCT00346164"),
        record("NCT05910307"),
    ]
    run = match_trials(profile(), trials, as_of=AS_OF, options=ANY, data_version="test")
    assert len(run.results) == 4
    order = {"eligible": 0, "possibly_eligible": 1, "ineligible": 2}
    ranks = [order[m.verdict] for m in run.results]
    assert ranks == sorted(ranks)
    scores = [m.score for m in run.results]
    assert scores == sorted(scores, reverse=True)
    assert run.data_version == "test"
    assert run.engine_version == ENGINE_VERSION


def test_match_run_round_trips_through_json() -> None:
    """The MatchRun built without re-validation still serialises and validates as the contract."""
    run = match_trials(profile(), [record("NCT04851119")], as_of=AS_OF, options=ANY)
    again = MatchRun.model_validate_json(run.model_dump_json())
    assert again == run


def test_parse_cache_is_keyed_by_trial_version() -> None:
    """A new version of a trial is parsed again; the same version is served from the cache."""
    text = "Inclusion Criteria:\n* Measurable disease"
    base = trial(nct_id="NCT99999903", overall_status="RECRUITING", eligibility_criteria=text)
    evaluate_trial(profile(), base, as_of=AS_OF, options=ANY)
    hits = CACHE.hits
    evaluate_trial(profile(), base, as_of=AS_OF, options=ANY)
    assert CACHE.hits == hits + 1
    changed = base.model_copy(
        update={
            "version": "2026-02-01",
            "eligibility_criteria": "Inclusion Criteria:\n* Weight ≥ 60 kg",
        }
    )
    match = evaluate_trial(profile(weight_kg=40), changed, as_of=AS_OF, options=ANY)
    assert "weight" in kinds(match, "not_met")


def test_unknown_facts_make_possibly_eligible_with_exact_facts() -> None:
    """Missing labs make a lab criterion unknown and name the threshold to verify."""
    t = trial(nct_id="NCT99999902", overall_status="RECRUITING", conditions=["Synovial Sarcoma"],
              eligibility_criteria="Inclusion Criteria:\n* Platelets >= 100,000/mcL")  # fmt: skip
    match = evaluate_trial(profile(), t, as_of=AS_OF, options=ANY)
    assert match.verdict == "possibly_eligible"
    assert any("platelets >= 100000" in v and "no labs given" in v for v in match.to_verify), (
        match.to_verify
    )


def test_trial_not_about_cancer_is_ineligible() -> None:
    """A trial whose record never mentions a cancer (Phelan-McDermid syndrome) is not for a child
    with sarcoma."""
    t = trial(
        nct_id="NCT99999904",
        overall_status="RECRUITING",
        conditions=["Phelan-McDermid Syndrome"],
        brief_title="Intranasal Oxytocin in Phelan-McDermid Syndrome",
    )
    assert "diagnosis" in kinds(evaluate_trial(profile(), t, as_of=AS_OF, options=ANY), "not_met")


def test_every_part_excluding_makes_the_trial_ineligible() -> None:
    """NCT00929903 writes "> 2 years" once per part; an infant fails all parts and is excluded."""
    infant = profile(age_months=7, diagnosis="infantile fibrosarcoma")
    match = evaluate_trial(infant, record("NCT00929903"), as_of=AS_OF, options=ANY)
    assert match.verdict == "ineligible"
    assert "age" in kinds(match, "not_met")


def test_per_tumor_cohort_does_not_exclude_other_histologies() -> None:
    """NCT06083883 requires synovial sarcoma in one cohort and MRCL in another and takes any
    histology in dose escalation: a UPS is not excluded on diagnosis."""
    ups = profile(diagnosis="undifferentiated pleomorphic sarcoma", age_months=20 * 12)
    match = evaluate_trial(ups, record("NCT06083883"), as_of=AS_OF, options=ANY)
    assert "diagnosis" not in kinds(match, "not_met")


def test_all_criteria_met_is_eligible_and_ranked_first() -> None:
    """A trial whose every criterion is met is eligible and outranks a possibly eligible one."""
    # criteria sentences from NCT05910307, NCT00929903 and NCT06083883
    text = (
        "Inclusion Criteria:\n\n* Reported diagnosis of synovial sarcoma\n* Lansky PS 50-100% "
        "(≤ 16 years of age)\n\nExclusion Criteria:\n\n* Pregnant or breastfeeding."
    )
    full = trial(nct_id="NCT99999905", overall_status="RECRUITING", conditions=["Synovial Sarcoma"],
                 eligibility_criteria=text)  # fmt: skip
    partial = record("NCT04851119")
    p = profile(pregnant=False, lactating=False)
    run = match_trials(p, [partial, full], as_of=AS_OF, options=ANY)
    assert [m.nct_id for m in run.results] == ["NCT99999905", "NCT04851119"]
    assert run.results[0].verdict == "eligible"
    assert run.results[0].to_verify == []
