"""Reading classes found on the dev part of the constructed-trial set's batch 14 (T81 a translated
ALK/ROS1 inhibitor trial in IMT, T82 an AYA rehabilitation trial after amputation or limb
salvage, T84 an industry lenvatinib + ifosfamide/etoposide phase 1b/2; measured fresh on
2026.11.26, tests/criteria/constructed). Every criterion here is constructed wording in the
style of those fictional trials, judged for the constructed test profile of
test_eligibility_reading (a 14-year-old girl, first pulmonary relapse of synovial sarcoma, after
ifosfamide and doxorubicin) or a variation of it."""

from __future__ import annotations

from typing import Any

from tests.unit.test_eligibility_constructed_batches import verdicts
from tests.unit.test_eligibility_reading import judge, read_as
from tests.unit.test_eligibility_wording import verdict

ADULT: dict[str, Any] = {"age_months": 243, "sex": "male"}  # 20 years 3 months
UPS: dict[str, Any] = {"diagnosis": "undifferentiated pleomorphic sarcoma", "biomarkers": []}


def test_a_sentence_for_one_age_group_is_no_age_limit() -> None:
    """ "Age from birth up to 25 years. For the newborns and infants below 3 months of life:
    corrected gestational age >= 37 weeks" admits a 20-year-old (2026.11.26: not_met, "needs
    <= 25 years and < 3 months"); an infant's sentence asks the infant something else."""
    rule = (
        "Age from birth up to 25 years at the day of signing the consent. For the newborns and "
        "infants below 3 months of life: corrected gestational age ≥ 37 weeks."
    )
    assert verdict(rule, **ADULT) == "met"
    assert verdict(rule, age_months=27 * 12) == "not_met"  # the limit itself still reads


def test_age_appropriate_activity_is_no_age_limit() -> None:
    """ "Lansky >= 50% for the patients < 16 years, Karnofsky >= 50% for the patients >= 16
    years. For infants < 12 months the investigator's assessment of age-appropriate activity is
    used." is a performance rule (2026.11.26: not_met for a 14-year-old, "needs < 12 months")."""
    rule = (
        "Performance status: Lansky ≥ 50% for the patients < 16 years, Karnofsky ≥ 50% for the "
        "patients ≥ 16 years. For infants < 12 months the investigator assessment of "
        "age-appropriate activity is used."
    )
    assert read_as(rule) == ("performance", "met")
    assert verdict(rule, performance={"scale": "lansky", "score": 40}) == "not_met"


def test_one_parts_cohorts_by_tumor_are_alternatives_another_tumor_fails() -> None:
    """ "Part B only - participants must fit into one of the following histology cohorts:"
    over "Cohort B1: rhabdomyosarcoma ..." and "Cohort B2: synovial sarcoma with SS18
    rearrangement": each cohort is not met for a patient with another tumor (2026.11.26:
    unknown), and the group excludes no one (Part A may take any tumor)."""
    block = (
        "Inclusion Criteria:\n\n* Relapsed or refractory soft tissue sarcoma\n"
        "* Part B only - participants must fit into one of the following histology cohorts:\n"
        "  * Cohort B1: rhabdomyosarcoma (embryonal, alveolar or spindle cell subtype)\n"
        "  * Cohort B2: synovial sarcoma with documented SS18 rearrangement (SS18::SSX1 or "
        "SS18::SSX2 fusion by RT-PCR or FISH)\n"
        "  * Cohort B3: other non-rhabdomyosarcoma soft tissue sarcoma\n"
    )
    got = verdicts(block, **UPS)
    assert got["Cohort B1: rhabdomyosarcoma (embryonal, alveolar or spindle cell subtype)"] == (
        "not_met"
    )
    synovial = [v for t, v in got.items() if t.startswith("Cohort B2")]
    assert synovial == ["not_met"]
    assert [v for t, v in verdicts(block).items() if t.startswith("Cohort B2")] != ["not_met"]


def test_a_heading_whose_items_are_its_notes_is_a_rule() -> None:
    """ "Ability to take the study drug:" with its formulations kept as its notes asks the
    patient something (2026.11.26: not_applicable, "heading, not a criterion")."""
    block = (
        "Inclusion Criteria:\n\n1. Age 2 to 25 years\n2. Ability to take the study drug:\n"
        "    * oral solution for patients < 6 years, or who cannot swallow capsules; "
        "administration by nasogastric tube is permitted;\n"
        "    * capsules for patients able to swallow a whole capsule. A change of formulation "
        "is allowed after consultation with the study chair.\n"
        "3. Lansky or Karnofsky performance status >= 50\n"
    )
    got = verdicts(block)
    (drug,) = [v for t, v in got.items() if t.startswith("Ability to take")]
    assert drug == "unknown"


def test_evidence_that_is_not_sufficient_is_a_definition() -> None:
    """ "ROS1 immunohistochemistry alone is not sufficient for inclusion" says which evidence
    counts, it asks no test of the patient (2026.11.26: unknown, "requires ROS1")."""
    _kind, got, _reason, rule = judge(
        "ROS1 immunohistochemistry (clone D4D6) alone is not sufficient for inclusion;"
    )
    assert (got, rule) == ("not_applicable", "definition")


def test_a_surgical_site_infection_is_no_surgery() -> None:
    """ "Deep surgical site infection treated within the last 3 months" (exclusion) asks about
    an infection, not a wait since surgery (2026.11.26: met, "surgery ended ... days ago")."""
    rule = (
        "Active periprosthetic joint infection, or deep surgical site infection treated within "
        "the last 3 months."
    )
    assert verdict(rule, "exclusion") == "unknown"
    assert verdict("Major surgery within the last 3 months.", "exclusion") == "met"


def test_interacting_medicines_and_long_qt_are_requirements() -> None:
    """An exclusion naming strong CYP3A4 inducers or QT-prolonging medicines, or congenital long
    QT syndrome, beside a washout or a QTc limit, is met only when those are established, which
    no profile field does (2026.11.26: met on the washout, on the QTc alone)."""
    washout = (
        "Anticancer therapy, or strong CYP3A4 inducers or inhibitors (including grapefruit "
        "juice), within 14 days prior to the first dose."
    )
    assert verdict(washout, "exclusion") == "unknown"
    assert verdict("Anticancer therapy within 14 days prior to the first dose.", "exclusion") == (
        "met"
    )
    qt = (
        "QTcF > 480 ms, congenital long QT syndrome, or medications known to prolong the QT "
        "interval that cannot be stopped."
    )
    assert verdict(qt, "exclusion", qtc_ms=430) == "unknown"
    assert verdict(qt, "exclusion", qtc_ms=510) == "not_met"


def test_a_relapse_after_complete_response_needs_that_response() -> None:
    """ "Relapse: recurrence after achieving complete response (CR) to front-line therapy" is
    not established by the relapse alone (2026.11.26: met); "after complete or partial
    response" still is."""
    assert verdict("Relapse: disease recurrence after achieving complete response (CR) to "
                   "front-line therapy") == "unknown"  # fmt: skip
    assert (
        verdict(
            "Relapsed: recurrence after achieving complete response or partial response to "
            "standard therapy"
        )
        == "met"
    )


def test_either_kind_in_an_exclusion_excludes_both_kinds() -> None:
    """ "Gastrointestinal or non-gastrointestinal fistula within 6 months" (exclusion) excludes a
    fistula of either kind, it is no permissive note (2026.11.26: not_applicable); "measurable or
    non-measurable disease" in the inclusions stays one."""
    rule = (
        "Gastrointestinal or non-gastrointestinal fistula, or gastrointestinal perforation, "
        "within 6 months prior to the first dose."
    )
    assert verdict(rule, "exclusion") == "unknown"
    assert verdict("Measurable or non-measurable disease.") in {"met", "not_applicable"}


def test_the_wait_of_an_exception_is_not_the_exclusions_own() -> None:
    """ "Known CNS metastases, unless treated with surgery and/or radiotherapy, stable and not
    requiring corticosteroids for at least 4 weeks" is met without CNS metastases (2026.11.26:
    unknown, a washout not read); with them, the exception is the board's question."""
    rule = (
        "Known central nervous system (CNS) metastases or leptomeningeal disease, unless treated "
        "with surgery and/or radiotherapy, clinically stable, and not requiring corticosteroids "
        "for at least 4 weeks prior to the first dose."
    )
    assert read_as(rule, "exclusion") == ("cns_metastases", "met")
    assert verdict(rule, "exclusion", cns_metastases=True) == "unknown"


def test_lines_for_metastatic_disease_ask_no_metastases() -> None:
    """ "No more than 2 prior lines of systemic therapy for metastatic or unresectable disease"
    counts lines; the setting says which count (2026.11.26: unknown, "local recurrence only;
    metastatic disease is one alternative")."""
    rule = "No more than 2 prior lines of systemic therapy for metastatic or unresectable disease."
    assert read_as(rule, recurrence_sites=["local"]) == ("prior_lines", "met")


def test_a_recurrence_outside_every_field_is_no_irradiated_lesion() -> None:
    """ "Measurable disease per RECIST 1.1. A lesion in a previously irradiated field may be used
    as a target lesion only if it has progressed since" is met for measurable lung and brain
    disease after radiation to the brain only, however recent (2026.11.26: unknown, "target
    likely outside the field"); lung disease after recent radiation to the lungs stays open."""
    rule = (
        "Measurable disease per RECIST 1.1. A lesion in a previously irradiated field may be used "
        "as a target lesion only if it has shown radiographic progression since radiotherapy."
    )
    brain = {
        "prior_therapies": [
            {"category": "radiation", "site": "brain (stereotactic)", "ended_on": "2026-10-02"}
        ],
        "recurrence_sites": ["pulmonary", "cns"],
        "disease_status": "progressive",
    }
    assert verdict(rule, **brain) == "met"
    lungs = [{"category": "radiation", "site": "whole lung", "ended_on": "2026-10-02"}]
    lungs_only = {**brain, "prior_therapies": lungs, "recurrence_sites": ["pulmonary"]}
    assert verdict(rule, **lungs_only) == "unknown"
    assert verdict(rule, tumor={"measurable": False}) == "not_met"


def test_a_creatinine_row_under_a_maximum_header_reads_its_sex() -> None:
    """ ">= 16 years: 1.7 mg/dL (150 µmol/L) male, 1.4 mg/dL (124 µmol/L) female" under "...
    or serum creatinine not higher than the maximum for age:" is the creatinine limit by sex
    (2026.11.26: unknown, "lab threshold not read")."""
    block = (
        "Inclusion Criteria:\n\n* Adequate renal function: creatinine clearance or GFR ≥ 70 "
        "mL/min/1.73 m², or serum creatinine not higher than the maximum for age:\n"
        "  * 10 to < 16 years: 1.2 mg/dL (106 µmol/L) male, 1.2 mg/dL (106 µmol/L) female\n"
        "  * ≥ 16 years: 1.7 mg/dL (150 µmol/L) male, 1.4 mg/dL (124 µmol/L) female\n"
    )
    row = "≥ 16 years: 1.7 mg/dL (150 µmol/L) male, 1.4 mg/dL (124 µmol/L) female"
    assert verdicts(block, labs={"creatinine_mg_dL": 0.9}, **ADULT)[row] == "met"
    woman = {**ADULT, "sex": "female", "labs": {"creatinine_mg_dL": 1.5}}
    assert verdicts(block, **woman)[row] != "met"  # above the female limit of 1.4
