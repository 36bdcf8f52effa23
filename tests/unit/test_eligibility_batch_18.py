"""Reading classes found on the dev part of the constructed-trial set's batch 18 (T105
home-based palliative oral etoposide, T106 inhaled chemotherapy for lung metastases, T108 a
CDK4/6 + MDM2 antagonist trial in liposarcoma; measured fresh on 2026.11.29.5,
tests/criteria/constructed), and one older dev miss of the same class. Every criterion here is
constructed wording in the style of those fictional trials, judged for the constructed test
profile of test_eligibility_reading (a 14-year-old girl, first pulmonary relapse of synovial
sarcoma, after ifosfamide and doxorubicin) or a variation of it."""

from __future__ import annotations

from tests.unit.test_eligibility_constructed_batches import verdicts
from tests.unit.test_eligibility_reading import read_as
from tests.unit.test_eligibility_wording import verdict

ADULT_35_KG = {"age_months": 234, "weight_kg": 35}  # 19 years 6 months
TEEN_35_KG = {"age_months": 170, "weight_kg": 35}  # 14 years 2 months
RHABDOID = {"diagnosis": "malignant rhabdoid tumor", "biomarkers": []}


def test_a_weight_limit_for_one_age_group_is_no_limit_for_others() -> None:
    """ "Patients must be >= 12 years. Patients aged 12 to 17 years must weigh >= 40 kg" admits
    a 19-year-old of 35 kg (2026.11.29.5: not_met, "needs >= 12 years and <= 17 years", and the
    weight read for everyone); a 14-year-old of 35 kg fails the weight."""
    rule = (
        "Patients must be aged 12 years or older at the time of registration. Patients aged 12 "
        "to 17 years must weigh ≥ 40 kg."
    )
    assert read_as(rule, **ADULT_35_KG) == ("age", "met")
    assert verdict(rule, **TEEN_35_KG) == "not_met"
    icf = (
        "Male or female participants >= 12 years of age at the time of signing the ICF. "
        "Participants 12 to 17 years of age must weigh >= 40 kg at Screening."
    )
    assert verdict(icf, **ADULT_35_KG) == "met"


def test_an_age_group_asked_something_else_stays_open_for_its_members() -> None:
    """ "Age >= 6 months. Participants < 12 months of age must have been born at >= 37 weeks"
    leaves the 8-month-old's birth to verify, and "Participants 12 to 17 years of age must have
    a BSA >= 1.1 m^2 and a weight >= 35 kg" is read by the weight judge for its members (a
    guard: both held on 2026.11.29.5, before age ranges named groups)."""
    infants = "Age >= 6 months. Participants < 12 months of age must have been born at >= 37 weeks."
    assert verdict(infants, age_months=8) == "unknown"
    bsa = (
        "Patients must be ≥ 12 years of age at the time of enrollment. Patients 12 to 17 years of "
        "age must have a body surface area (BSA) ≥ 1.1 m^2 and a body weight ≥ 35 kg."
    )
    assert verdict(bsa, height_cm=166, weight_kg=58, age_months=201) == "met"


def test_a_toxicity_with_any_prior_therapy_is_no_treatment_exclusion() -> None:
    """ "History of Grade 4 neutropenia lasting > 7 days or febrile neutropenia with any prior
    therapy" (exclusion) asks about a complication, not the therapy (2026.11.29.5: not_met,
    "had ifosfamide, which this criterion excludes")."""
    rule = (
        "History of Grade 4 neutropenia lasting > 7 days or febrile neutropenia with any prior "
        "therapy, or Grade >= 3 thrombocytopenia with bleeding."
    )
    assert verdict(rule, "exclusion") == "unknown"


def test_a_treatment_labelled_with_a_bare_wait_is_a_washout() -> None:
    """ "Major surgery: 28 days" and "Radiotherapy: 14 days (palliative radiotherapy to
    non-target lesions permitted up to 7 days prior)" under "Anticancer therapy within the
    following intervals before C1D1:" are waits (2026.11.29.5: unread, and the label of the
    second stripped because the bracket named radiotherapy again)."""
    block = (
        "Exclusion Criteria:\n\n* Anticancer therapy within the following intervals before C1D1:"
        "\n  * Major surgery: 28 days\n  * Radiotherapy: 14 days (palliative radiotherapy to "
        "non-target lesions permitted up to 7 days prior)\n"
    )
    got = verdicts(block)
    assert got["Major surgery: 28 days"] == "met"  # the thigh surgery ended on 2026-06-30
    radiation = [v for t, v in got.items() if t.startswith("Radiotherapy")]
    recent = [{"category": "radiation", "site": "lung", "ended_on": "2026-11-20"}]
    assert radiation == ["unknown"]  # no radiation listed: an unlisted one is not ruled out
    got_recent = verdicts(block, prior_therapies=recent)
    assert [v for t, v in got_recent.items() if t.startswith("Radiotherapy")] == ["not_met"]


def test_a_rhabdoid_tumour_of_unrecorded_site_may_be_a_soft_tissue_sarcoma() -> None:
    """ "Non-rhabdomyosarcoma soft tissue sarcoma (e.g., synovial sarcoma, MPNST)", one
    alternative of "one of the following types:", is open for a malignant rhabdoid tumour whose
    site is not recorded: an extrarenal rhabdoid tumour of soft tissue is one (2026.11.29.5:
    not_met)."""
    block = (
        "Inclusion Criteria:\n\n* Histologically confirmed sarcoma of one of the following types:"
        "\n  * Rhabdomyosarcoma\n  * Non-rhabdomyosarcoma soft tissue sarcoma (e.g., synovial "
        "sarcoma, MPNST)\n"
    )
    got = verdicts(block, **RHABDOID)
    nrsts = [v for t, v in got.items() if t.startswith("Non-rhabdomyosarcoma")]
    assert nrsts == ["unknown"]
    assert got["Rhabdomyosarcoma"] == "not_met"
