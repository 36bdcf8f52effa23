"""Reading classes found on the dev part of the constructed-trial set (tests/criteria/constructed:
criteria of fictional trials written by helpers from a brief, labelled blind). Every criterion
here is constructed wording in the style of those trials, judged for the constructed test profile
of test_eligibility_reading (a 14-year-old girl, first pulmonary relapse of synovial sarcoma,
after ifosfamide and doxorubicin) or a variation of it."""

from __future__ import annotations

from matcher.domain.eligibility import EngineOptions, evaluate_trial
from matcher.domain.models.trial import Trial
from tests.unit.test_eligibility_reading import AS_OF, judge, profile
from tests.unit.test_eligibility_wording import SURGERY_ONLY, verdict

VINCRISTINE = [{"agent": "vincristine", "category": "chemotherapy", "ended_on": "2026-10-30"}]


def test_a_named_drug_is_not_its_whole_class() -> None:
    """ "Prior vinorelbine" does not exclude a child who had vincristine (both vinca alkaloids):
    2026.11.15 said not_met, a wrong exclusion; the class named as a class still excludes."""
    assert verdict("Prior vinorelbine", "exclusion", prior_therapies=VINCRISTINE) != "not_met"
    within = "Prior treatment with vinorelbine within 3 months"
    assert verdict(within, "exclusion", prior_therapies=VINCRISTINE) != "not_met"
    assert verdict("Prior vinca alkaloids", "exclusion", prior_therapies=VINCRISTINE) == "not_met"


def test_progression_on_a_regimen_is_not_the_regimen() -> None:
    """ "Patients with disease progression while receiving irinotecan and vincristine are not
    eligible. Patients who received vincristine without progression are eligible": having had
    vincristine neither excludes (2026.11.15: not_met) nor is a mere permissive note."""
    rule = (
        "Patients with disease progression while receiving a regimen containing irinotecan and "
        "vincristine are not eligible. Patients who received vincristine without progression "
        "are eligible"
    )
    _kind, got, _reason, rule_id = judge(rule, "exclusion", prior_therapies=VINCRISTINE)
    assert got == "unknown"
    assert rule_id != "note"


def test_five_half_lives_whichever_is_longer_is_no_fixed_washout() -> None:
    """ "within 14 days or 5 half-lives, whichever is longer": 16 days after cabozantinib (half-
    life up to ~4 days) is open, not met; 120 days after a kinase inhibitor is clear; an
    example list "(e.g., ...)" no longer cuts the rule in two."""
    rule = (
        "Kinase inhibitors (e.g., pazopanib, regorafenib, cabozantinib) within 14 days or 5 "
        "half-lives, whichever is longer"
    )
    recent = [{"agent": "cabozantinib", "category": "targeted", "ended_on": "2026-11-10"}]
    long_ago = [{"agent": "cabozantinib", "category": "targeted", "ended_on": "2026-07-29"}]
    assert verdict(rule, "exclusion", prior_therapies=recent) == "unknown"
    assert verdict(rule, "exclusion", prior_therapies=long_ago) == "met"
    pembro = [{"agent": "pembrolizumab", "category": "immunotherapy", "ended_on": "2026-09-26"}]
    antibodies = "Monoclonal antibodies within 28 days or 5 half-lives, whichever is longer"
    assert verdict(antibodies, "exclusion", prior_therapies=pembro) == "unknown"


def test_brain_metastases_treated_or_untreated_exclude_any_cns_disease() -> None:
    """ "Known brain metastases or leptomeningeal disease, treated or untreated": every state is
    excluded (2026.11.15 left a patient with CNS metastases open); none reported is met."""
    rule = "Known brain metastases or leptomeningeal disease, treated or untreated."
    assert verdict(rule, "exclusion", cns_metastases=True) == "not_met"
    assert verdict(rule, "exclusion") == "met"
    symptoms = "Known untreated CNS metastases, or symptoms suggesting CNS involvement."
    assert verdict(symptoms, "exclusion") == "unknown"


def test_an_age_label_before_a_lab_row_is_a_group_an_age_range_is_not() -> None:
    """ "Age >= 18 years: serum creatinine <= 1.5 x ULN" does not apply to a 14-year-old; "Age
    >=5 years old, <=18 years old" is an age range that a 3-year-old fails."""
    row = "Age ≥ 18 years: serum creatinine ≤ 1.5 x ULN"
    assert verdict(row) == "not_applicable"
    assert verdict(row, age_months=250) == "met"
    assert verdict("Age ≥5 years old, ≤18 years old, no gender restrictions", age_months=40) == (
        "not_met"
    )


def test_a_short_rule_closed_by_the_tumors_it_is_for() -> None:
    """ "Tc-99m bone scan in addition to PET/CT for osteosarcoma" (a staging rule with no verb)
    is for osteosarcoma patients; "... will be excluded" after "except for" is no such scope."""
    assert verdict("Tc-99m bone scan in addition to PET/CT for osteosarcoma") == "not_applicable"
    cns = "Patients with known CNS metastasis, except for craniopharyngeal tumors, will be excluded"
    _kind, _got, reason, rule_id = judge(cns, "exclusion")
    assert rule_id != "other_diagnosis"
    assert "craniopharyng" not in reason


def test_a_minimum_of_prior_lines() -> None:
    """ "At least one prior line of systemic therapy" is met by a listed chemotherapy line and
    open (never not_met) with none listed; "frontline chemotherapy counts as a line" describes a
    past line, not a newly diagnosed population (2026.11.15 read it as one)."""
    rule = "At least one prior line of systemic therapy for sarcoma"
    assert verdict(rule) == "met"
    assert verdict(rule, prior_therapies=SURGERY_ONLY) == "unknown"
    counted = (
        "At least one prior line of systemic therapy (frontline multiagent chemotherapy counts "
        "as a line)"
    )
    assert verdict(counted) == "met"


def test_with_or_without_is_no_negation() -> None:
    """ "a second-line treatment (chemotherapy, with or without high-dose chemotherapy)" does not
    exclude prior chemotherapy (2026.11.15 read "without high-dose chemotherapy" as a ban)."""
    rule = (
        "Patients having completed a second-line treatment (chemotherapy, with or without "
        "high-dose chemotherapy), whatever the regimen used."
    )
    assert verdict(rule) != "not_met"


def test_a_stratum_label_is_what_its_alternative_is_about() -> None:
    """ "Stratum 1: Rhabdomyosarcoma" as one alternative of "one of the malignancies below" is
    not_met for a synovial sarcoma (the readers' label of the alternative; 2026.11.15 left it
    unknown for its part label) and never excludes on its own: the other stratum holds."""

    text = (
        "Inclusion Criteria:\n\n* Patients must have had histologic verification of one of the "
        "malignancies below at relapse:\n  * Stratum 1: Rhabdomyosarcoma (any subtype)\n"
        "  * Stratum 2: Non-rhabdomyosarcoma soft tissue sarcoma, including synovial sarcoma\n"
        "\nExclusion Criteria:\n\n* Pregnant or breastfeeding"
    )
    trial = Trial(
        nct_id="NCT99999999", version="constructed", title="constructed", eligibility_criteria=text
    )
    match = evaluate_trial(profile(), trial, as_of=AS_OF, options=EngineOptions(any_status=True))
    stratum = {c.text.split(":")[0]: c.verdict for c in match.criteria if "Stratum" in c.text}
    assert stratum == {"Stratum 1": "not_met", "Stratum 2": "met"}
    assert match.verdict != "ineligible"


def test_a_cohort_label_in_a_heading_is_no_part_rule() -> None:
    """ "... one of the following tumor types, assigned to a cohort at enrollment:" names no part
    ("cohort at" is no "Cohort A"), so "Cohort 1: Epithelioid sarcoma" is one alternative of a
    firm list: not_met for a synovial sarcoma, and the trial stays open through another."""
    text = (
        "Inclusion Criteria:\n\n* Histologically confirmed diagnosis of one of the following tumor "
        "types, assigned to a cohort at enrollment:\n  * Cohort 1: Epithelioid sarcoma\n"
        "  * Cohort 2: Synovial sarcoma\n\nExclusion Criteria:\n\n* Pregnant or breastfeeding"
    )
    trial = Trial(
        nct_id="NCT99999998",
        version="constructed-cohorts",
        title="constructed",
        eligibility_criteria=text,
    )
    match = evaluate_trial(profile(), trial, as_of=AS_OF, options=EngineOptions(any_status=True))
    cohort = {c.text.split(":")[0]: c.verdict for c in match.criteria if "Cohort" in c.text}
    assert cohort == {"Cohort 1": "not_met", "Cohort 2": "met"}
    assert match.verdict != "ineligible"


def test_a_list_abbreviation_does_not_cut_a_washout() -> None:
    """ "Molecular-targeted drugs (pazopanib, sunitinib, etc.): within 14 days": the window
    belongs to the drugs; 2026.11.15 cut the rule at "etc." and excluded any prior kinase
    inhibitor, however long ago (a wrong exclusion)."""
    rule = "Molecular-targeted drugs (pazopanib, sunitinib, crizotinib, etc.): within 14 days"
    cabo = [{"agent": "cabozantinib", "category": "targeted", "ended_on": "2026-11-10"}]
    recent = [{"agent": "sunitinib", "category": "targeted", "ended_on": "2026-11-20"}]
    assert verdict(rule, "exclusion", prior_therapies=cabo) != "not_met"
    assert verdict(rule, "exclusion", prior_therapies=recent) == "not_met"


def test_a_tumor_inside_another_condition_does_not_decide_it() -> None:
    """ "History of pathologic fracture not related to desmoid tumor" is about fractures: a
    patient without desmoid tumor is not thereby clear of it (2026.11.15 said met); "Active
    myelogenous leukemia" still names the tumor the exclusion is about."""
    fracture = (
        "Known skeletal dysplasia, history of pathologic fracture not related to desmoid tumor"
    )
    _kind, got, _reason, rule_id = judge(fracture, "exclusion", other_malignancy=False)
    assert (got, rule_id) == ("unknown", "tumor_in_qualifier")
    assert verdict("Active myelogenous leukemia", "exclusion", other_malignancy=False) == "met"


def test_an_exception_as_allowed_is_no_permissive_note() -> None:
    """ "Systemic corticosteroids ... within 7 days, except as allowed for Cohort 2 above": an
    exclusion with an exception, not a note that allows and requires nothing."""
    rule = (
        "Systemic corticosteroids at a dose above 0.5 mg/kg/day within 7 days prior to "
        "enrollment, except as allowed for Cohort 2 above, for physiologic replacement."
    )
    assert judge(rule, "exclusion")[3] != "note"


def test_an_age_range_group() -> None:
    """ "Patients aged 12 to 17 years: serum creatinine <= 1.2 mg/dL" does not apply to an adult
    or a 10-year-old and is judged for a 14-year-old."""
    rule = "Patients aged 12 to 17 years: serum creatinine ≤ 1.2 mg/dL"
    assert verdict(rule, age_months=300) == "not_applicable"
    assert verdict(rule, age_months=120) == "not_applicable"
    assert verdict(rule) == "met"
    # with a creatinine limit per age inside (2026.11.15 judged the adult by the 12-year limit)
    by_age = (
        "Patients aged 12 to 17 years: serum creatinine ≤ 1.0 mg/dL (12 years), ≤ 1.2 mg/dL "
        "(13 to 15 years), ≤ 1.4 mg/dL (16 to 17 years)"
    )
    assert verdict(by_age, age_months=300) == "not_applicable"


def test_an_unless_route_is_no_requirement() -> None:
    """ "At least one prior line of systemic therapy ..., unless ... there is no standard
    chemotherapy for the histology": met by the listed line; the way around the rule is not a
    requirement that no standard therapy exists (2026.11.15 left it unknown)."""
    rule = (
        "At least one prior line of systemic therapy for sarcoma, unless the patient declined "
        "standard chemotherapy or there is no standard chemotherapy for the histology"
    )
    assert verdict(rule) == "met"


def test_examples_ending_in_etc_name_no_more_drugs_to_rule_out() -> None:
    """ "Molecular-targeted drugs (pazopanib, sunitinib, crizotinib, etc.): within 14 days": 16
    days after cabozantinib is clear; crizotinib is an example, not a drug the board must also
    rule out."""
    rule = "Molecular-targeted drugs (pazopanib, sunitinib, crizotinib, etc.): within 14 days"
    cabo = [{"agent": "cabozantinib", "category": "targeted", "ended_on": "2026-11-10"}]
    assert verdict(rule, "exclusion", prior_therapies=cabo) == "met"


def test_a_tumor_the_patient_does_not_have_settles_its_details() -> None:
    """ "Intra-abdominal desmoid tumor causing bowel obstruction ... within 3 months": for a
    sarcoma patient without desmoid tumor the exclusion is clear; its time window is moot."""
    rule = (
        "Intra-abdominal desmoid tumor causing bowel obstruction or active gastrointestinal "
        "bleeding within 3 months before Screening"
    )
    assert verdict(rule, "exclusion") == "met"


def test_the_childbearing_definition_is_no_age_rule() -> None:
    """ "Females of childbearing potential (post-menarchal, or >= 12 years of age if menarchal
    status is unknown) must have a negative pregnancy test": the bracketed age defines whom
    the rule covers; a 14-year-old who is not pregnant meets it (2026.11.15: "contradictory
    age limits")."""
    rule = (
        "Females of childbearing potential (post-menarchal, or >= 12 years of age if menarchal "
        "status is unknown) must have a negative serum pregnancy test within 7 days"
    )
    kind, got, _reason, _rule = judge(rule)
    assert (kind, got) == ("pregnancy", "met")


def test_consent_given_and_a_list_introduction_ask_nothing_themselves() -> None:
    """ "Patients who have given written consent ... (for patients younger than 18 years ...)" is
    the consent formality; "Patients with adequate organ function meeting all of the
    following." over its items introduces them."""
    consent = (
        "Patients who have given written consent to participate in this study. For patients "
        "younger than 18 years of age at the time of consent, written consent is obtained from "
        "the legally acceptable representative."
    )
    assert judge(consent)[3] == "formality"
    text = (
        "Inclusion Criteria:\n\n* Patients with adequate organ function meeting all of the "
        "following.\n  * Platelet count >= 100,000/mm3\n  * Hemoglobin >= 8.0 g/dL\n"
    )
    trial = Trial(
        nct_id="NCT99999997",
        version="constructed-intro",
        title="constructed",
        eligibility_criteria=text,
    )
    match = evaluate_trial(profile(), trial, as_of=AS_OF, options=EngineOptions(any_status=True))
    intro = next(c for c in match.criteria if c.text.startswith("Patients with adequate"))
    assert intro.verdict == "not_applicable"
