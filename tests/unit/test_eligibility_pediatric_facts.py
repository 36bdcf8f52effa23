"""The facts pediatric protocols ask for (issue 9, item 3): profile fields and their judges.

Each criterion is quoted from a real ClinicalTrials.gov record in snapshot/sarcoma/records (NCT id
in the docstring) unless the docstring says "constructed". The profile and its variations are
constructed (fictional); none is a real patient.
"""

from __future__ import annotations

import json
import math
from datetime import date
from importlib import resources
from typing import Any

import pytest

from matcher.domain.eligibility.facts import build_facts
from matcher.domain.eligibility.judges import judge_criterion
from matcher.domain.eligibility.parsed import split_and_classify
from matcher.domain.models.profile import Labs, ProfileIn, Tumor, parse_profile
from matcher.errors import InvalidProfile

AS_OF = date(2026, 11, 26)
# constructed profile: a 14-year-old girl with a first pulmonary relapse of synovial sarcoma
BASE: dict[str, Any] = {
    "reference": "TEST-pediatric-constructed",
    "assessed_on": "2026-11-20",
    "age_months": 171,
    "sex": "female",
    "diagnosis": "synovial sarcoma",
    "disease_status": "recurrent",
    "recurrence_sites": ["pulmonary"],
    "tumor": {"measurable": True},
    "performance": {"scale": "lansky", "score": 90},
    "labs": {"anc_per_uL": 1800, "platelets_per_uL": 210000, "hemoglobin_g_dL": 11.2},
    "weight_kg": 52,
}


def judge(text: str, section: str = "inclusion", **changes: Any) -> tuple[str, str, str]:
    """(kind, verdict, reason) of the first criterion of `text` under a section heading."""
    heading = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    criteria = split_and_classify(f"{heading}\n\n* {text}")
    profile = ProfileIn.model_validate_json(json.dumps({**BASE, **changes}))
    j = judge_criterion(criteria[0], build_facts(profile, AS_OF)).judgement
    return criteria[0].kind, j.verdict, j.reason


def labs(**values: float) -> dict[str, Any]:
    return {"labs": {**BASE["labs"], **values}}


# --- height / body surface area ------------------------------------------------------------------


def test_bsa_is_mosteller_from_height_and_weight() -> None:
    """bsa_m2 is sqrt(height x weight / 3600) when both are given, None when height is absent."""
    with_height = ProfileIn.model_validate_json(json.dumps({**BASE, "height_cm": 160}))
    assert with_height.bsa_m2 == pytest.approx(math.sqrt(160 * 52 / 3600))
    assert ProfileIn.model_validate_json(json.dumps(BASE)).bsa_m2 is None


def test_bsa_limit_is_judged_from_height() -> None:
    """NCT05691478: "body surface area of >= 0.8 m^2": unknown for 20 kg without height, not met at
    110 cm (0.78 m²), met at 130 cm (0.85 m²)."""
    text = "Patients must have a body surface area of >= 0.8 m^2 at the time of enrollment."
    assert judge(text, weight_kg=20)[1] == "unknown"
    assert judge(text, weight_kg=20, height_cm=110)[1] == "not_met"
    assert judge(text, weight_kg=20, height_cm=130)[1] == "met"


# --- labs ----------------------------------------------------------------------------------------


def test_wbc_limit_is_read() -> None:
    """NCT04995003: "WBC > 2,000/µl" is met at 5,000, not met at 1,500, unknown when not given."""
    text = "WBC > 2,000/µl"
    assert judge(text, **labs(wbc_per_uL=5000))[1] == "met"
    assert judge(text, **labs(wbc_per_uL=1500))[1] == "not_met"
    assert judge(text)[1] == "unknown"


def test_albumin_limit_is_read() -> None:
    """NCT04851119: "PATIENTS WITH SOLID TUMORS: Albumin >= 2 g/dL": met at 3.5, not met at 1.8."""
    text = "PATIENTS WITH SOLID TUMORS: Albumin >= 2 g/dL (within 7 days prior to enrollment)"
    assert judge(text, **labs(albumin_g_dL=3.5))[1] == "met"
    assert judge(text, **labs(albumin_g_dL=1.8))[1] == "not_met"
    assert judge(text)[1] == "unknown"


def test_inr_against_uln_stays_unknown() -> None:
    """NCT05703854: "INR ≤ 1.5 ULN and aPTT ≤ 1.5 ULN" compares with a normal range the profile
    does not hold: unknown for any INR, never not met."""
    text = (
        "Coagulation: International normalized ratio (INR) ≤ 1.5 ULN and activated partial "
        "thromboplastin time (aPTT) ≤ 1.5 ULN."
    )
    assert judge(text, **labs(inr=1.0))[1] == "unknown"
    assert judge(text, **labs(inr=3.0))[1] == "unknown"


def test_plain_inr_limit_is_read() -> None:
    """Constructed criterion "INR ≤ 1.5" (no snapshot record gives a plain INR): met at 1.1, not met
    at 2.0."""
    assert judge("INR ≤ 1.5", **labs(inr=1.1))[1] == "met"
    assert judge("INR ≤ 1.5", **labs(inr=2.0))[1] == "not_met"


def test_urine_protein_creatinine_ratio_is_one_alternative() -> None:
    """NCT06492954: a UPC ratio < 3.5 is one of three alternatives: met at 0.2, unknown (another
    alternative may hold) at 5, never read as a serum creatinine."""
    text = (
        "Urine protein: Meets one of the following criteria: (1) urinary protein by urine dipstick "
        "is ≤ 100 mg/dL or ≤ 2+; OR (2) Urine Protein Creatinine (UPC) ratio < 3.5; OR (3) if "
        "24-hour urine protein was measured, urinary protein ≤ 1000 mg/24h"
    )
    assert judge(text, **labs(urine_protein_creatinine_ratio=0.2))[1] == "met"
    assert judge(text, **labs(urine_protein_creatinine_ratio=5.0))[1] == "unknown"


def test_creatinine_against_the_age_and_sex_table() -> None:
    """NCT04851119: "a creatinine based on age/gender as follows": 0.6 mg/dL at 14 years (girl,
    limit 1.4) is met; 1.6 stays unknown (clearance may qualify); an infant has no row: unknown."""
    text = (
        "Creatinine clearance or radioisotope glomerular filtration rate (GFR) >= 70 mL/min/1.73 "
        "m^2 or a creatinine based on age/gender as follows (within 7 days prior to enrollment):"
    )
    assert judge(text, **labs(creatinine_mg_dL=0.6))[1] == "met"
    assert judge(text, **labs(creatinine_mg_dL=1.6))[1] == "unknown"
    assert judge(text, age_months=7, **labs(creatinine_mg_dL=0.3))[1] == "unknown"


# --- cardiac, QTc, oxygenation -------------------------------------------------------------------


def test_cardiac_function_qtc_and_shortening_fraction() -> None:
    """NCT06492954: QTc ≤ 480 and (SF ≥ 27% or EF ≥ 50%): met with QTc 420 and SF 32, not met with
    QTc 500, unknown without values."""
    text = (
        "Adequate Cardiac Function Defined As QTc ≤ 480 msec, Shortening fraction ≥ 27% by "
        "echocardiogram or ejection fraction ≥ 50% by gated radionuclide study or echocardiogram"
    )
    assert judge(text, qtc_ms=420, shortening_fraction_percent=32)[1] == "met"
    assert judge(text, qtc_ms=500, shortening_fraction_percent=32)[1] == "not_met"
    assert judge(text)[1] == "unknown"
    # SF fails but EF is the other alternative and not given: unknown, not a wrong not_met
    assert judge(text, qtc_ms=420, shortening_fraction_percent=20)[1] == "unknown"


def test_lvef_floor_with_unread_cardiac_requirements() -> None:
    """NCT05703854: "ejection fraction ≥ 50%, no ... pericardial effusion": not met at 40%; 60% is
    unknown because the effusion and cardiac disease are not in the profile."""
    text = (
        "Cardiac: Cardiac ejection fraction ≥ 50%, no clinically significant pericardial effusion "
        "as determined by echocardiogram (ECHO) or multigated acquisition (MUGA) scan, and no "
        "symptomatic cardiac disease"
    )
    assert judge(text, lvef_percent=40)[1] == "not_met"
    assert judge(text, lvef_percent=60)[1] == "unknown"


def test_qtc_exclusion() -> None:
    """NCT05703854 (exclusion): "a QTc > 470 milliseconds": met (not excluded) at 430, not met at
    490."""
    text = (
        "Documentation, during the screening process, of a QTc > 470 milliseconds by Fredericia "
        "criteria (QTcF)"
    )
    assert judge(text, "exclusion", qtc_ms=430)[1] == "met"
    assert judge(text, "exclusion", qtc_ms=490)[1] == "not_met"


def test_pulse_oximetry() -> None:
    """NCT04995003: "Pulse oximetry of ≥ 90% on room air": met at 97, not met at 85; NCT06492954's
    "No dyspnea at rest, Pulse oximetry > 92%" stays unknown at 97 (dyspnea is not in the
    profile)."""
    assert judge("Pulse oximetry of ≥ 90% on room air", pulse_ox_percent=97)[1] == "met"
    assert judge("Pulse oximetry of ≥ 90% on room air", pulse_ox_percent=85)[1] == "not_met"
    both = (
        "Adequate Pulmonary Function Defined As No dyspnea at rest, Pulse oximetry > 92% on room "
        "air"
    )
    assert judge(both, pulse_ox_percent=97)[1] == "unknown"


# --- HIV / hepatitis -----------------------------------------------------------------------------


def test_hiv_exclusion_needs_a_negative_status() -> None:
    """NCT04995003 (exclusion): "Known HIV positivity": met when HIV negative, not met when
    positive, unknown when not given."""
    assert judge("Known HIV positivity", "exclusion", hiv="negative")[1] == "met"
    assert judge("Known HIV positivity", "exclusion", hiv="positive")[1] == "not_met"
    assert judge("Known HIV positivity", "exclusion")[1] == "unknown"


def test_hepatitis_b_and_c_both_established() -> None:
    """NCT07049848 (exclusion): "Any positive test result for hepatitis B or C virus indicating
    acute or chronic infection": met only with both negative; a positive HBV is unknown (the rule
    is about acute or chronic infection)."""
    text = (
        "Any positive test result for hepatitis B or C virus indicating acute or chronic infection"
    )
    assert judge(text, "exclusion", hbv="negative", hcv="negative")[1] == "met"
    assert judge(text, "exclusion", hbv="negative")[1] == "unknown"
    assert judge(text, "exclusion", hbv="positive", hcv="negative")[1] == "unknown"


def test_hepatitis_c_positive_is_left_to_the_board_when_activity_matters() -> None:
    """NCT03138161 (exclusion): "Any positive test for hepatitis B virus or hepatitis C virus
    indicating acute or chronic infection": HCV positive stays unknown (the rule is about
    infection, not serology); HBV and HCV negative is met."""
    text = (
        "Any positive test for hepatitis B virus or hepatitis C virus indicating acute or chronic "
        "infection"
    )
    assert judge(text, "exclusion", hbv="negative", hcv="positive")[1] == "unknown"
    assert judge(text, "exclusion", hbv="negative", hcv="negative")[1] == "met"


def test_positive_status_does_not_settle_treatment_or_a_test_requirement() -> None:
    """NCT07049848: "Current treatment with anti-viral therapy for HBV" (exclusion) and "Negative
    hepatitis B surface antigen (HBsAg) test at screening (if relevant)" (inclusion) stay unknown
    for HBV positive; both are met for HBV negative."""
    therapy = "Current treatment with anti-viral therapy for HBV"
    assert judge(therapy, "exclusion", hbv="positive")[1] == "unknown"
    test = "Negative hepatitis B surface antigen (HBsAg) test at screening (if relevant)"
    assert judge(test, hbv="positive")[1] == "unknown"
    assert judge(test, hbv="negative")[1] == "met"


def test_fact_named_with_an_unread_condition_is_not_met_alone() -> None:
    """NCT05703854: "No clinically significant pleural effusion ..., and baseline oxygen saturation
    ≥ 92% on room air" is unknown with a good saturation (the effusion is not in the profile), not
    met with a low one; NCT04123535: "History of interstitial lung disease or other active
    malignancy" is unknown with no other malignancy."""
    pulmonary = (
        "Pulmonary: No clinically significant pleural effusion (per principal investigator [PI] "
        "judgement), and baseline oxygen saturation ≥ 92% on room air."
    )
    assert judge(pulmonary, pulse_ox_percent=99)[1] == "unknown"
    assert judge(pulmonary, pulse_ox_percent=85)[1] == "not_met"
    lung = (
        "History of interstitial lung disease or other active malignancy (may confound immune "
        "response results)."
    )
    assert judge(lung, "exclusion", other_malignancy=False)[1] == "unknown"


# --- other malignancy, tablets -------------------------------------------------------------------


def test_other_malignancy() -> None:
    """NCT06946225 (exclusion): "History of other malignancies (except ...) within the last 3
    years": met when the board says none; unknown when there is one (timing and exceptions)."""
    text = (
        "History of other malignancies (except for adequately treated basal or squamous cell "
        "carcinoma or carcinoma in situ) within the last 3 years"
    )
    assert judge(text, "exclusion", other_malignancy=False)[1] == "met"
    assert judge(text, "exclusion", other_malignancy=True)[1] == "unknown"


def test_swallowing_tablets() -> None:
    """NCT05588648 (exclusion): "Subjects who are unable to swallow tablets": met when the patient
    swallows tablets, not met when not, unknown when not given."""
    text = "Subjects who are unable to swallow tablets"
    assert judge(text, "exclusion", swallows_tablets=True)[1] == "met"
    assert judge(text, "exclusion", swallows_tablets=False)[1] == "not_met"
    assert judge(text, "exclusion")[1] == "unknown"


def test_current_corticosteroids() -> None:
    """NCT05703854 (exclusion): "Patients receiving systemic steroid therapy at time of enrollment,
    with an exception for ... ≤ 10 mg of prednisone daily": met when not on corticosteroids,
    unknown when on them (the dose decides) or not given."""
    text = (
        "Patients receiving systemic steroid therapy at time of enrollment, with an exception for "
        "topical, ocular, intranasal, and inhaled corticosteroids, or systemic corticosteroids at "
        "an equivalent dose ≤ 10 mg of prednisone daily"
    )
    assert judge(text, "exclusion", on_corticosteroids=False)[:2] == ("steroids", "met")
    assert judge(text, "exclusion", on_corticosteroids=True)[1] == "unknown"
    assert judge(text, "exclusion")[1] == "unknown"


def test_corticosteroids_with_other_agents_stay_unknown() -> None:
    """NCT05588648 (exclusion): "Chronic use of corticosteroids or other immunosuppressive agents"
    is not met by "not on corticosteroids" alone (the other agents are not in the profile)."""
    text = "Chronic use of corticosteroids or other immunosuppressive agents."
    assert judge(text, "exclusion", on_corticosteroids=False)[1] == "unknown"


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"height_cm": 400}, "height_cm"),
        ({"height_cm": 170.0, "weight_kg": 0}, "weight_kg"),
        ({"labs": {"wbc_per_uL": -1}}, "labs.wbc_per_uL"),
        ({"labs": {"albumin_g_dL": 12}}, "labs.albumin_g_dL"),
        ({"labs": {"inr": 40}}, "labs.inr"),
        ({"labs": {"urine_protein_creatinine_ratio": -0.1}}, "labs.urine_protein_creatinine_ratio"),
        ({"lvef_percent": 120}, "lvef_percent"),
        ({"shortening_fraction_percent": 0}, "shortening_fraction_percent"),
        ({"qtc_ms": 90}, "qtc_ms"),
        ({"qtc_ms": 450.5}, "qtc_ms"),
        ({"pulse_ox_percent": 101}, "pulse_ox_percent"),
        ({"hiv": "unknown"}, "hiv"),
        ({"hbv": True}, "hbv"),
        ({"hcv": "Negative"}, "hcv"),
        ({"other_malignancy": "no"}, "other_malignancy"),
        ({"swallows_tablets": 1}, "swallows_tablets"),
        ({"on_corticosteroids": "yes"}, "on_corticosteroids"),
        ({"recurrence_in_radiation_field": None, "measurable_recist": True}, "measurable_recist"),
    ],
)
def test_out_of_range_values_name_the_field(changes: dict[str, Any], field: str) -> None:
    """An out-of-range or wrongly typed new field is refused with an error naming that field."""
    with pytest.raises(InvalidProfile) as err:
        parse_profile(json.dumps({**BASE, **changes}))
    assert field in {path for path, _msg in err.value.errors}


def test_new_fields_default_to_unknown() -> None:
    """A profile without the new fields leaves each of them None (unknown), never false."""
    profile = parse_profile(json.dumps(BASE))
    names = (
        "height_cm", "lvef_percent", "shortening_fraction_percent", "qtc_ms", "pulse_ox_percent",
        "hiv", "hbv", "hcv", "other_malignancy", "swallows_tablets", "on_corticosteroids",
        "recurrence_in_radiation_field",
    )  # fmt: skip
    for name in names:
        assert getattr(profile, name) is None
    assert profile.labs is not None
    assert profile.labs.wbc_per_uL is None


def test_every_fact_to_collect_names_a_profile_field() -> None:
    """Each `field` in data/facts.json is a real ProfileIn field path (labs.x, tumor.x or a
    top-level field), so the facts list and the profile contract cannot drift apart."""
    raw = resources.files("matcher.domain.eligibility").joinpath("data/facts.json").read_text()
    models = {"labs": Labs, "tumor": Tumor}
    fields = [f["field"] for f in json.loads(raw)["facts"] if f["field"] is not None]
    assert "height_cm" in fields
    assert "recurrence_in_radiation_field" in fields
    for field in fields:
        head, _, rest = field.partition(".")
        assert head in ProfileIn.model_fields, field
        if rest:
            assert rest in models[head].model_fields, field
