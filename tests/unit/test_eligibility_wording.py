"""Reading classes added in engine 2026.11.14 from the paraphrase set (tests/criteria/paraphrase):
another author's words for a rule the engine already read must get the same verdict. Each test
pins a class in both directions on *constructed* wording (re-wordings written by helpers, or
shortened from them), against the constructed test profile of test_eligibility_reading."""

from __future__ import annotations

import pytest

from matcher.domain.eligibility import cues
from tests.unit.test_eligibility_reading import judge
from tests.unit.test_eligibility_reading_classes import criteria_in

SURGERY_ONLY = [{"category": "surgery", "site": "left thigh", "ended_on": "2026-06-30"}]


def verdict(text: str, section: str = "inclusion", **changes: object) -> str:
    return judge(text, section, **changes)[1]


@pytest.mark.parametrize(
    ("text", "lab", "passing", "failing"),
    [
        ("Total bilirubin no greater than 1.5 x the upper limit of normal", "bilirubin_x_uln", 0.8,
         2.0),
        ("Total bilirubin no higher than 1.5 x ULN", "bilirubin_x_uln", 0.8, 2.0),
        ("ALT must not exceed 2.5 x ULN", "alt_x_uln", 1.1, 3.0),
        ("Platelets must be 100,000/mm³ or higher", "platelets_per_uL", 210000, 50000),
        ("Absolute neutrophil count (ANC) of 1,000/mm³ or more", "anc_per_uL", 1800, 600),
    ],
)  # fmt: skip
def test_a_negated_or_trailing_comparison_reads_as_the_limit_it_states(
    text: str, lab: str, passing: float, failing: float
) -> None:
    """ "no greater than 1.5" is <= 1.5 (before 2026.11.14 "greater than" won and the limit was
    read backwards, excluding a child inside it); "100,000/mm³ or higher" is >= with any unit."""
    assert verdict(text, labs={lab: passing}) == "met"
    assert verdict(text, labs={lab: failing}) == "not_met"


def test_required_to_is_must_and_age_words_are_age_limits() -> None:
    """ "Participants are required to be 21 years old or younger at enrollment" is the age limit
    "must be <= 21 years"; "younger than 50 years" is an age limit too."""
    rule = "Participants are required to be 21 years old or younger at enrollment."
    assert verdict(rule) == "met"
    assert verdict(rule, age_months=300) == "not_met"
    assert verdict("Participants are required to be younger than 50 years at enrollment.") == "met"
    assert (
        verdict("Participants are required to be younger than 10 years at enrollment.") == "not_met"
    )


def test_an_age_when_diagnosed_is_not_the_age_now() -> None:
    """ "younger than 14 years when diagnosed" is an age at diagnosis, which the profile does not
    give: never an age limit on today's age (a 25-year-old Ewing patient stays open)."""
    rule = (
        "Participants are required to be younger than 14 years when diagnosed with Ewing sarcoma."
    )
    kind, got, _reason, _rule = judge(
        rule, age_months=300, diagnosis="ewing sarcoma", biomarkers=[]
    )
    assert kind != "age"
    assert got == "unknown"


def test_an_age_range_with_two_units_and_children_by_name() -> None:
    """ "between 12 months and 30 years, inclusive" keeps each end's unit; "Children at least 1
    day of age" names a pediatric population (<= 21 years), so a 23-year-old does not fit."""
    rule = "At study enrollment, patients must be aged between 12 months and 30 years, inclusive"
    assert verdict(rule, age_months=14) == "met"
    assert verdict(rule, age_months=380) == "not_met"
    children = "Children at least 1 day of age on Cycle 1 Day 1"
    assert verdict(children) == "met"
    assert verdict(children, age_months=280) == "not_met"


def test_weight_in_kilograms_written_out() -> None:
    """ "Weighing more than 181.4 kilograms" is the kg limit (an MRI table limit): a 52 kg
    patient is outside it, a 190 kg one inside it."""
    rule = "Weighing more than 181.4 kilograms (kg) or 400 pounds (lb)."
    assert verdict(rule, "exclusion") == "met"
    assert verdict(rule, "exclusion", weight_kg=190) == "not_met"
    assert verdict("Weight of at least 10 kilograms", weight_kg=8) == "not_met"


def test_an_exclusion_framed_as_patients_are_excluded_if() -> None:
    """ "Patients are excluded if there is evidence of extrapulmonary metastatic disease" in the
    exclusions is the exclusion "extrapulmonary metastatic disease": met with lung-only disease,
    not met with a distant site outside the lungs."""
    rule = "Patients are excluded if there is evidence of extrapulmonary metastatic disease."
    assert verdict(rule, "exclusion") == "met"
    assert verdict(rule, "exclusion", recurrence_sites=["pulmonary", "other_distant"]) == "not_met"


def test_an_inclusion_that_says_who_is_not_allowed_asks_for_the_opposite() -> None:
    """Among the inclusions, "Isolated pulmonary metastases are not allowed" is "No isolated
    pulmonary metastases" and "Disease must not be confined to bone" is "No disease confined to
    bone"."""
    isolated = "Isolated pulmonary metastases are not allowed"
    assert verdict(isolated) == "not_met"
    assert verdict(isolated, recurrence_sites=["local"]) == "met"
    bone = "Disease must not be confined to bone"
    assert verdict(bone, recurrence_sites=["bone"]) == "not_met"
    assert verdict(bone) == "met"
    limited = "Patients whose disease is limited to bone are not eligible"
    assert verdict(limited, recurrence_sites=["bone"]) == "not_met"


def test_an_allowance_in_a_later_sentence_does_not_make_the_rule_a_note() -> None:
    """ "Recent stroke ... requiring anticoagulation ... Non-life threatening deep venous
    thrombosis on stable anticoagulant ... is allowed." is an exclusion with an allowance
    (unknown: a stroke is not recorded), not a permissive note; a bare allowance still is."""
    rule = (
        "Recent stroke or thromboembolic event (within 6 months) requiring anticoagulation that "
        "cannot be interrupted. Non-life threatening deep venous thrombosis on stable "
        "anticoagulant within 6 months is allowed."
    )
    assert verdict(rule, "exclusion") == "unknown"
    assert verdict("Chemotherapy per institutional guidelines is allowed") == "not_applicable"
    assert verdict("Patients may receive chemotherapy as per institutional guidelines") == (
        "not_applicable"
    )


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("Disease-specific criteria for inclusion", "inclusion"),
        ("Inclusion criteria specific to the disease", "inclusion"),
        ("The disease-specific eligibility criteria (see below) must be met.", "inclusion"),
        ("Capable of giving written informed consent.", "inclusion"),
        ("Requirements of the institution, the FDA and the NCI for human studies must all be met.",
         "exclusion"),
        ("The study is open to patients who have controlled Type 1 diabetes mellitus and are on "
         "an insulin regimen.", "exclusion"),
    ],
)  # fmt: skip
def test_headings_pointers_formalities_and_permissions_in_other_words(
    text: str, section: str
) -> None:
    """Each is no obstacle (not applicable) however it is worded."""
    assert verdict(text, section) == "not_applicable"


def test_a_requirement_still_fails_in_other_words() -> None:
    """The counterpart: a pointer outside the record stays a question, and "must have
    osteosarcoma diagnosed histologically" is a diagnosis requirement (not met for synovial
    sarcoma, met for osteosarcoma)."""
    assert verdict("Patients must meet eligibility criteria per protocol") == "unknown"
    rule = "Participants are required to have osteosarcoma diagnosed histologically."
    assert verdict(rule) == "not_met"
    assert verdict(rule, diagnosis="osteosarcoma", biomarkers=[]) == "met"


def test_creatinine_table_rows_in_any_layout() -> None:
    """A creatinine-by-age row however laid out ("Aged 16 years or older: 1.7 mg/dL for males,
    1.4 mg/dL for females", "0.8 mg/dL (male) and 0.8 mg/dL (female) for ages >= 2 and < 6
    years"): judged at the row's ages, not applicable at others."""
    row = "Aged 16 years or older: 1.7 mg/dL for males, 1.4 mg/dL for females"
    assert verdict(row, age_months=205) == "met"
    assert verdict(row, age_months=205, labs={"creatinine_mg_dL": 1.6}) == "unknown"
    assert verdict(row) == "not_applicable"
    young = "0.8 mg/dL (male) and 0.8 mg/dL (female) for ages ≥ 2 and < 6 years"
    assert verdict(young, age_months=40) == "met"
    assert verdict(young) == "not_applicable"


def test_a_disease_course_exclusion_with_its_subject_or_as_a_clause() -> None:
    """ "Patients with recurrent disease" and "Disease that has recurred" exclude a recurrent
    patient like "Recurrent disease"; "Disease that has progressed" is not settled for a patient
    whose record says recurrent."""
    assert verdict("Patients with recurrent disease", "exclusion") == "not_met"
    assert verdict("Disease that has recurred", "exclusion") == "not_met"
    assert verdict("Disease that has progressed", "exclusion") == "unknown"


def test_group_and_scope_written_after_the_rule() -> None:
    """ "(applies to Group 1 patients [newly diagnosed disease] only)" closing a rule, and
    "... is required for patients with Ewing sarcoma": rules for others; for an Ewing patient
    the tissue requirement is not established by the diagnosis alone (unknown, not met)."""
    new = (
        "Having received, or planning to receive, neoadjuvant radiotherapy (applies to Group 1 "
        "patients [newly diagnosed disease] only)."
    )
    assert verdict(new) == "not_applicable"
    tissue = "Tumor tissue is required for patients with Ewing sarcoma"
    assert verdict(tissue) == "not_applicable"
    assert verdict(tissue, diagnosis="ewing sarcoma", biomarkers=[]) == "unknown"


def test_a_marrow_permission_in_other_words_is_for_marrow_patients() -> None:
    """ "Participants with known metastatic disease of the bone marrow may enroll on study
    provided they meet blood counts": a permission, no obstacle for a patient without marrow
    disease."""
    rule = (
        "Participants with known metastatic disease of the bone marrow may enroll on study "
        "provided they meet blood counts."
    )
    assert verdict(rule) == "not_applicable"


def test_egfr_the_filtration_rate_is_not_egfr_the_gene() -> None:
    """ "serum creatinine no more than 1.5 mg/dL or eGFR ... of at least 45 mL/min/1.73 m2" is a
    renal rule (met on creatinine), not an EGFR biomarker; "EGFR mutation" still is one."""
    rule = (
        "Renal: serum creatinine no more than 1.5 mg/dL or eGFR (CKD-EPI equation) of at least "
        "45 mL/min/1.73 m2"
    )
    kind, got, _reason, _rule = judge(rule)
    assert (kind, got) == ("labs", "met")
    assert judge("EGFR mutation")[0] == "biomarker"


def test_healthy_participants_named_after_the_subject() -> None:
    """ "Adults aged below 60 who are healthy" is written for healthy participants: not met by a
    patient with recurrent sarcoma; "otherwise healthy" wording is not this rule."""
    assert verdict("Adults aged below 60 who are healthy") == "not_met"
    assert verdict("Adults aged below 60") != "not_met"


def test_an_acute_infection_in_other_words_asks_about_activity() -> None:
    """ "Patients acutely infected with HIV" is "acute infection with HIV": a positive HIV status
    alone does not show an acute infection (unknown, not not_met)."""
    rule = "Patients acutely infected with HIV 2 or HIV 1 (human immunodeficiency virus)."
    assert cues.canonical(rule, "exclusion").startswith("Patients acute infection with HIV")
    assert verdict(rule, "exclusion", hiv="positive") == "unknown"


def test_a_childbearing_rule_is_not_its_own_definition() -> None:
    """NCT06083883 "Negative serum or urine beta human chorionic gonadotropin pregnancy test for
    females of childbearing potential (defined as not postmenopausal ...)" is a rule (met for a
    girl who is not pregnant), though it names a reproductive status in its definition."""
    (test,) = criteria_in("NCT06083883", "Negative serum or urine beta human chorionic")
    assert test.verdict == "met", test.reason


# --- round 2 of the paraphrase set: terse registry fragments and formal protocol prose ----------


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("Pts w/ known BM mets", "patients with known bone marrow metastases"),
        ("No prior systemic chemo w/in 3 wks", "No prior systemic chemotherapy within 3 weeks"),
        ("M/F ≥ 18 y/o", "male or female ≥ 18 years old"),
        ("Age 10 to < 13 y: 1.2 mg/dL (M)", "Age 10 to < 13 years: 1.2 mg/dL (male)"),
        ("Histologically verified OS", "Histologically verified osteosarcoma"),
        ("Tumor ≥ 5 cm; RT-PCR confirmed", "Tumor ≥ 5 cm; RT-PCR confirmed"),
        ("Haemoglobin ≥ 9 g/dL before enrolment", "hemoglobin ≥ 9 g/dL before enrollment"),
    ],
)  # fmt: skip
def test_clinical_shorthand_and_british_spelling_are_written_out(short: str, long: str) -> None:
    """Shorthand is expanded as whole words only ("RT" alone, not in "RT-PCR"; "cm" stays a
    unit because capitals-only abbreviations such as CM are matched in capitals)."""
    assert cues.canonical(short, "inclusion") == long


def test_terse_fragments_read_like_the_full_rule() -> None:
    """ "Plt ≥ 100,000/mm3", "Recurrent dz" (exclusion), "Histologic dx of osteosarcoma", "Age
    birth-18 yrs" and "Prior systemic chemo" (a bare inclusion: required) read as the rules."""
    assert verdict("Plt ≥ 100,000/mm3", labs={"platelets_per_uL": 50000}) == "not_met"
    assert verdict("Recurrent dz", "exclusion") == "not_met"
    assert verdict("Histologic dx of osteosarcoma") == "not_met"
    assert verdict("Age birth-18 yrs at screening") == "met"
    assert verdict("Age birth-18 yrs at screening", age_months=240) == "not_met"
    assert verdict("Prior systemic chemo") == "met"
    assert verdict("Prior systemic chemo", prior_therapies=SURGERY_ONLY) != "met"


def test_a_time_since_something_is_not_an_age() -> None:
    """ "≤ 12 mos since final injection on either protocol" is a time since an injection, not an
    age limit (before 2026.11.14 it excluded every patient older than a year)."""
    kind, got, _reason, _rule = judge("≤ 12 mos since final injection on either protocol")
    assert kind != "age"
    assert got == "unknown"
    assert verdict("≤ 12 months of age") == "not_met"


def test_formal_protocol_frames() -> None:
    """ "It is required that serum creatinine be 2.0 mg/dl or lower", "... will not be eligible"
    (inclusion: the opposite is required; exclusion: it excludes), "will be considered eligible"
    and "In the case of patients with X, ..." read as the plain rules."""
    creatinine = "It is required that serum creatinine be 2.0 mg/dl or lower"
    assert verdict(creatinine) == "met"
    assert verdict(creatinine, labs={"creatinine_mg_dL": 2.5}) == "not_met"
    chemo = "Patients who have previously received systemic chemotherapy will not be eligible."
    assert verdict(chemo) == "not_met"
    assert verdict(chemo, prior_therapies=SURGERY_ONLY) != "not_met"
    sites = (
        "Patients in whom there is evidence of extrapulmonary metastatic disease will not be "
        "eligible."
    )
    assert verdict(sites, "exclusion", recurrence_sites=["pulmonary", "other_distant"]) == "not_met"
    assert verdict("Patients of either sex and of any age will be considered eligible.") == "met"
    assert verdict("Individuals who do not wish to participate will not be eligible.") == (
        "not_applicable"
    )


def test_an_exclusion_with_its_allowance_after_a_semicolon_still_excludes() -> None:
    """ "Patients receiving concurrent exogenous hormone therapy will not be eligible; topical
    vaginal oestrogen therapy is permitted." is an exclusion with an allowance, not a note."""
    rule = (
        "Patients who are receiving concurrent exogenous hormone therapy will not be eligible; "
        "topical vaginal oestrogen therapy is permitted."
    )
    assert verdict(rule, "exclusion") != "not_applicable"
    assert verdict("Topical vaginal oestrogen therapy is permitted.", "exclusion") == (
        "not_applicable"
    )


def test_groups_in_other_words() -> None:
    """ "Newly dx pts: ..." and "Group 1 pts (newly dx dz) only: ..." are rules for newly
    diagnosed patients (before 2026.11.14 the first excluded a recurrent patient); "Pts w/ CNS
    tumors or CNS mets: ..." is for CNS disease; "(for those older than 16 years of age)" an age
    group; "Participants with synovial sarcoma (SS) are required to ..." a rule for SS."""
    new = "Newly dx pts: successful gross tumor resection of primary tumor completed"
    assert verdict(new) == "not_applicable"
    assert verdict("Group 1 pts (newly dx dz) only: prior or planned neoadjuvant RT") == (
        "not_applicable"
    )
    cns = "Pts w/ CNS tumors or CNS mets: no evidence of new CNS hemorrhage on baseline MRI"
    assert verdict(cns) == "not_applicable"
    assert verdict(cns, cns_metastases=True) == "unknown"
    kps = "Karnofsky performance status of 50% to 100% (for those older than 16 years of age)"
    assert verdict(kps) == "not_applicable"
    ss = (
        "Participants with synovial sarcoma (SS) are required to have received at least one "
        "line of treatment"
    )
    assert verdict(ss, diagnosis="alveolar rhabdomyosarcoma", biomarkers=[]) == "not_applicable"


def test_a_site_list_closed_by_a_comma_or_is_required() -> None:
    """ "≥ 1 site of measurable dz involving lung or soft tissue, documented by CT" and "... the
    lung or soft tissue ..., is required" close their site list: met for lung-only disease, not
    met for bone-only disease; "Evidence of metastatic disease in the lung is required, either
    at the time of initial diagnosis or at first recurrence" is no site rule (unknown)."""
    rule = "≥ 1 site of measurable dz involving lung or soft tissue, documented by CT and/or MRI"
    assert verdict(rule) == "met"
    assert verdict(rule, recurrence_sites=["bone"]) == "not_met"
    timed = (
        "Evidence of metastatic disease in the lung is required, either at the time of initial "
        "diagnosis or at the time of first recurrence"
    )
    assert verdict(timed) == "unknown"


def test_british_units_and_exceeds() -> None:
    """ "platelet count of 100,000 per cubic millimetre or above" and "weight exceeds 400 lbs"
    are the limits they state."""
    plt = "A platelet count of 100,000 per cubic millimetre or above"
    assert verdict(plt, labs={"platelets_per_uL": 50000}) == "not_met"
    assert verdict(plt) == "met"
    assert verdict("Patients whose weight exceeds 400 lbs", "exclusion") == "met"
    assert verdict("Patients whose weight exceeds 400 lbs", "exclusion", weight_kg=200) == (
        "not_met"
    )


def test_an_age_limit_phrased_with_who_is_not_a_consent_rule() -> None:
    """ "Subjects of either sex who are 12 years of age or older are eligible" is an age limit
    (a 2-year-old does not meet it); "who are" picks the signer only in a consent rule."""
    rule = "Subjects of either sex who are 12 years of age or older will be considered eligible."
    assert verdict(rule, age_months=26) == "not_met"
    assert verdict(rule) == "met"
    consent = "Written informed consent from the patient if the patient is 18 years of age or older"
    assert verdict(consent) == "not_applicable"


def test_groups_named_mid_sentence_or_before_must() -> None:
    """ "During the treatment period ..., a male patient must agree to use barrier contraception"
    is a rule for male patients; "Patients with CNS tumors or CNS metastasis must have no
    evidence of new CNS hemorrhage" is for CNS disease; "... in adult subjects (age >= 18
    years)" asks for adults (a bracket defining whom the rule asks for is no age group)."""
    male = (
        "During the treatment period and for at least 4 months after the last infusion, a male "
        "patient must agree to use barrier contraception"
    )
    assert verdict(male) == "not_applicable"
    cns = "Patients with CNS tumors or CNS metastasis must have no evidence of new CNS hemorrhage"
    assert verdict(cns) == "not_applicable"
    adults = "Soft tissue sarcoma of the trunk or extremity in adult subjects (age ≥ 18 years)"
    assert verdict(adults) == "not_met"
    kps = "Karnofsky performance status of 50% to 100% (> 16 years of age)"
    assert verdict(kps) == "not_applicable"


# --- round 3: a European sponsor's translated protocol, a US cooperative-group protocol ----------


def test_european_comparison_words_and_units() -> None:
    """ "Age superior or equal to 18 years", "inferior or equal to 21 years", "Neutrophils ≥ 1.5
    G/L" (giga per litre: 1,500/µL), "creatininemia ≤ 1.5 mg/dL" read as the limits they are."""
    assert verdict("Age superior or equal to 18 years") == "not_met"
    assert verdict("Age inferior or equal to 21 years at the enrolment.") == "met"
    assert verdict("Age inferior to 10 years at the enrolment.") == "not_met"
    assert verdict("Neutrophils ≥ 1.5 G/L") == "met"
    assert verdict("Neutrophils ≥ 1.5 G/L", labs={"anc_per_uL": 900}) == "not_met"
    assert verdict("Platelets ≥ 100 G/L", labs={"platelets_per_uL": 50000}) == "not_met"
    assert verdict("Renal: creatininemia ≤ 1.5 mg/dL", labs={"creatinine_mg_dL": 2.0}) == "not_met"


def test_european_frames() -> None:
    """ "Patient having received previously a systemic chemotherapy" (required), "Patients
    presenting CNS tumours or CNS metastasis: ..." (a CNS group), "Persons refusing to
    participate" (a formality), "Subject in a good state of health" (healthy participants),
    "Recurrence of the disease" (an exclusion of recurrent disease)."""
    assert verdict("Patient having received previously a systemic chemotherapy") == "met"
    cns = "For patients presenting CNS tumours or CNS metastasis: absence of new CNS haemorrhage"
    assert verdict(cns) == "not_applicable"
    assert verdict("Persons refusing to participate", "exclusion") == "not_applicable"
    assert verdict("Subject in a good state of health.") == "not_met"
    assert verdict("Recurrence of the disease", "exclusion") == "not_met"


def test_a_minimum_of_lines_in_a_named_setting_is_not_established() -> None:
    """ "a minimum of one and a maximum of two lines ... for metastatic/unresectable disease":
    which line was given in which setting is not recorded (unknown, not met on the count)."""
    rule = (
        "Patients must have previously been treated with a minimum of one and a maximum of two "
        "lines of cytotoxic systemic therapy for metastatic/unresectable disease."
    )
    assert verdict(rule) == "unknown"
    assert verdict("Patients must have received no more than two prior lines of therapy") == "met"


def test_an_age_limit_in_a_sentence_of_its_own_beside_a_performance_scale() -> None:
    """ "Age >= 12 years and <= 50 years at time of enrollment. Karnofsky performance status >=
    50% for patients > 16 years ...": the first sentence is an age limit (a 2-year-old does not
    meet it) though the second picks a scale by age."""
    rule = (
        "Age ≥ 12 years and ≤ 50 years at time of enrollment. Karnofsky performance status ≥ 50% "
        "for patients > 16 years of age and Lansky ≥ 50% for patients ≤ 16 years of age."
    )
    assert verdict(rule, age_months=26) == "not_met"
    assert verdict(rule) != "not_met"


# --- round 4: logic spelled out, plain language for patients and families -----------------------


def test_not_above_and_any_treatment_with_a_named_drug() -> None:
    """ "ECOG performance status not above 2" is <= 2 (read backwards before, excluding a fit
    patient); "Any previous treatment with abexinostat or any other HDAC inhibitor" names those
    drugs, not every systemic therapy (a patient with past chemotherapy is not excluded by it)."""
    ecog = "Eastern Cooperative Oncology Group (ECOG) performance status not above 2"
    assert verdict(ecog, performance={"scale": "ecog", "score": 1}) == "met"
    assert verdict(ecog, performance={"scale": "ecog", "score": 3}) == "not_met"
    hdac = (
        "Any previous treatment with abexinostat or with any other histone deacetylase inhibitor;"
    )
    assert verdict(hdac, "exclusion") != "not_met"
    assert verdict("Any previous systemic treatment", "exclusion") == "not_met"


def test_logic_spelled_out() -> None:
    """ "If the patient has CNS tumors or CNS metastasis, then ..." is a rule for that group;
    "If the disease is newly diagnosed, then ..." one for the newly diagnosed; "Disease is not
    limited to bone" the site rule; "Osteosarcoma (OS) verified histologically is required" a
    diagnosis requirement; "Excluded if currently pregnant or lactating" a pregnancy rule."""
    cns = (
        "If the patient has CNS tumors or CNS metastasis, then there must be absence of any new "
        "CNS hemorrhage"
    )
    assert verdict(cns) == "not_applicable"
    new = (
        "If the disease is newly diagnosed, then successful gross tumor resection of the primary "
        "tumor must have been completed"
    )
    assert verdict(new) == "not_applicable"
    assert verdict("Disease is not limited to bone", recurrence_sites=["bone"]) == "not_met"
    assert verdict("Osteosarcoma (OS) verified histologically is required") == "not_met"
    pregnant = "Excluded if currently pregnant or lactating"
    assert verdict(pregnant, "exclusion") == "met"
    assert verdict(pregnant, "exclusion", pregnant=True) == "not_met"


def test_plain_language_frames() -> None:
    """ "You can take part if you are 12 to 21 years old" is the age limit; "You cannot take part
    if you have had a major operation within 28 days" (exclusion) the surgery washout."""
    age = "You can take part if you are 12 to 21 years old"
    assert verdict(age) == "met"
    assert verdict(age, age_months=60) == "not_met"
    surgery = "You cannot take part if you have had a major operation within 28 days"
    assert cues.canonical(surgery, "exclusion").startswith("Patients who have had")


def test_lay_exclusions_and_everyday_words() -> None:
    """ "You cannot take part if there are signs that the cancer has spread outside the lungs"
    excludes extrapulmonary disease; "a major operation within 28 days" is major surgery; "taking
    other cancer medicines at the same time" asks about current treatment (unknown, not met from
    past therapies); "If you are taking the formulated capsules" stays a condition on capsules."""
    spread = (
        "You cannot take part if there are signs that the cancer has spread outside the lungs "
        "(extrapulmonary metastatic disease)."
    )
    assert verdict(spread, "exclusion", recurrence_sites=["pulmonary", "other_distant"]) == (
        "not_met"
    )
    operation = "You cannot take part if you have had a major operation within 28 days"
    assert verdict(operation, "exclusion") == "met"
    current = "You cannot take part if you are taking other cancer medicines at the same time."
    assert verdict(current, "exclusion") == "unknown"
    capsules = "If you are taking the formulated capsules, your BSA must be 0.63 m^2 or more"
    assert "currently receiving" not in cues.canonical(capsules, "inclusion")


def test_distant_spread_in_other_words_and_pediatric_in_the_singular() -> None:
    """ "Sarcoma that has metastasized to distant sites" (exclusion) and "No sign that the sarcoma
    has spread to distant parts of the body" (inclusion) are about distant metastases: a patient
    with a distant recurrence fails both (the second had been met, read as a requirement of
    distant spread); "Paediatric patient aged of 1 day or more" names a pediatric population."""
    distant = {"recurrence_sites": ["pulmonary", "other_distant"]}
    assert verdict("Sarcoma that has metastasized to distant sites", "exclusion", **distant) == (
        "not_met"
    )
    none = "No sign that the sarcoma has spread to distant parts of the body (distant metastases)"
    assert verdict(none, **distant) == "not_met"
    pediatric = "Paediatric patient aged of 1 day or more at Cycle 1 Day 1 (C1D1)"
    assert verdict(pediatric, age_months=280) == "not_met"
    assert verdict(pediatric) == "met"


# --- round 5: numbers and units written otherwise -----------------------------------------------


def test_compact_clinical_notation() -> None:
    """ "Major surgery within 28 d", "Hb ≥8.0 g/dL", "Cr ≤1.5 mg/dL", "M/F ≥18 y" read as the
    rules they abbreviate; "3D conformal radiotherapy" keeps its capital D; "Any prior therapy
    directed against CD70" names that target, not every systemic therapy."""
    assert (
        cues.canonical("Major surgery within 28 d", "exclusion") == "Major surgery within 28 days"
    )
    assert cues.canonical("3D conformal radiotherapy", "inclusion") == "3D conformal radiotherapy"
    assert verdict("Hb ≥8.0 g/dL", labs={"hemoglobin_g_dL": 7.0}) == "not_met"
    assert verdict("Renal: Cr ≤1.5 mg/dL", labs={"creatinine_mg_dL": 2.0}) == "not_met"
    assert verdict("M/F ≥18 y.") == "not_met"
    assert verdict("Any prior therapy directed against CD70.", "exclusion") != "not_met"


# --- round 6: negation, exceptions and scope moved ----------------------------------------------


def test_a_negated_verb_turns_the_limit_around() -> None:
    """ "Patients may not be older than 21 years", "must not be 40 years of age or older", "must
    not have a body surface area below 0.8 m^2": the negation before the verb reverses the
    limit (before 2026.11.14 each was read as written and excluded a child inside it)."""
    assert verdict("Patients may not be older than 21 years at enrollment.") == "met"
    assert verdict("Patients may not be older than 21 years at enrollment.", age_months=300) == (
        "not_met"
    )
    assert verdict("Patients must not be 40 years of age or older at enrollment.") == "met"
    bsa = "At enrollment, patients must not have a body surface area below 0.8 m^2."
    assert verdict(bsa, weight_kg=52, height_cm=160) == "met"
    assert verdict("no younger than 12 months and not yet 18 years of age", age_months=230) == (
        "not_met"
    )


def test_a_double_negative_requirement_is_a_requirement() -> None:
    """ "Patients who have not previously received a systemic chemotherapy are not eligible"
    among the inclusions requires prior chemotherapy (it had been read as excluding it)."""
    rule = "Patients who have not previously received a systemic chemotherapy are not eligible"
    assert verdict(rule) == "met"
    assert verdict(rule, prior_therapies=SURGERY_ONLY) != "met"


def test_exceptions_and_anchors_written_first() -> None:
    """ "Unless X, patients with newly diagnosed disease must ..." is a rule for the newly
    diagnosed with an exception; "Prior to the first dose of lymphodepleting chemotherapy: major
    surgery < 4 weeks earlier" is the surgery washout (surgery 149 days ago: met), not an
    exclusion of prior chemotherapy."""
    unless = (
        "Unless surgical local control of the primary tumor is planned simultaneously with "
        "thoracic surgery, patients with newly diagnosed disease must have completed resection"
    )
    assert verdict(unless) == "not_applicable"
    anchor = (
        "Prior to the first dose of lymphodepleting chemotherapy: major surgery < 4 weeks earlier."
    )
    assert verdict(anchor, "exclusion") == "met"


# --- round 7: alternatives and time windows in other words --------------------------------------


def test_windows_and_alternatives_in_other_words() -> None:
    """ "Chemotherapy in the previous 4 weeks" is a window like "within 4 weeks" (chemotherapy
    that ended over a year ago: met); "For patients with either CNS tumors or CNS metastasis:"
    is the CNS group; "one or two lines ... for metastatic disease" keeps its minimum (unknown:
    which line was given in which setting); "Distant sarcoma metastases not evident on imaging"
    asks for their absence (a distant recurrence fails it)."""
    assert verdict("Chemotherapy in the previous 4 weeks", "exclusion") == "met"
    cns = "For patients with either CNS tumors or CNS metastasis: no evidence of new CNS hemorrhage"
    assert verdict(cns) == "not_applicable"
    lines = (
        "Previous treatment with one or two lines of cytotoxic systemic therapy for metastatic "
        "or unresectable disease."
    )
    assert verdict(lines) == "unknown"
    absent = "Distant sarcoma metastases not evident on clinical examination and any imaging"
    assert verdict(absent, recurrence_sites=["pulmonary", "other_distant"]) == "not_met"
