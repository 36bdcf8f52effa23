"""Reading classes found on the dev parts of the constructed-trial set's batches 11 and 12 (T61
a Nordic cabozantinib trial with SI units, T65 a translated Latin American oral metronomic
regimen, T66 an industry CDK4/6 phase 1b/2 template, measured fresh on 2026.11.23; T68-T70 on
2026.11.24, see below; tests/criteria/constructed).
Every criterion here is constructed wording in the style of those fictional trials, judged for
the constructed test profile of test_eligibility_reading (a 14-year-old girl, first pulmonary
relapse of synovial sarcoma, after ifosfamide and doxorubicin) or a variation of it."""

from __future__ import annotations

from typing import Any

from tests.unit.test_eligibility_constructed_batches import verdicts
from tests.unit.test_eligibility_reading import criterion, judge
from tests.unit.test_eligibility_wording import verdict

ADULT: dict[str, Any] = {"age_months": 243}  # 20 years 3 months
CHILD_8: dict[str, Any] = {"age_months": 98, "weight_kg": 26}
TKI_103_DAYS = [{"agent": "crizotinib", "category": "targeted", "ended_on": "2026-08-15"}]


def test_an_age_label_before_a_colon_is_whom_the_rule_is_for_not_an_age_limit() -> None:
    """ "Patients >= 18 years: systolic BP >= 140 mmHg or diastolic BP >= 90 mmHg" (exclusion)
    asks an adult about blood pressure (2026.11.23: not_met for a 20-year-old, "falls in the
    excluded range (>= 18 years)"); it does not apply to a 14-year-old."""
    rule = "Patients ≥ 18 years: systolic BP ≥ 140 mmHg or diastolic BP ≥ 90 mmHg"
    assert verdict(rule, "exclusion", **ADULT) == "unknown"
    _kind, got, reason, rule_id = judge(rule, "exclusion")
    assert (got, rule_id) == ("not_applicable", "other_age")
    assert ">= 18 years" in reason


def test_an_age_range_label_ending_below_a_number_scopes_the_rule() -> None:
    """ "Participants 12 to < 16 years: Lansky performance status >= 70%" and a table row "16 to
    < 18 years: male <= 150 µmol/L" are for those ages only (2026.11.23: met on the Lansky score
    for an 8-year-old; the row unread, unknown for a 20-year-old)."""
    lansky = "Participants 12 to < 16 years: Lansky performance status >= 70%."
    _kind, got, reason, _rule = judge(lansky, **CHILD_8)
    assert got == "not_applicable"
    assert "12 to < 16 years" in reason
    assert verdict(lansky) == "met"  # 14 years: inside the group, Lansky 90
    row = "16 to < 18 years: male ≤ 150 µmol/L, female ≤ 124 µmol/L"
    assert verdict(row, **ADULT) == "not_applicable"
    assert verdict(row, age_months=16 * 12) != "not_applicable"  # 16 is inside "16 to < 18"
    assert verdict(row, age_months=18 * 12) == "not_applicable"  # 18 is not below 18


def test_a_table_row_without_an_analyte_reads_its_headers() -> None:
    """ ">= 18 years: <= 1.5 x ULN" under "Serum creatinine by age and sex:" is a creatinine
    limit (2026.11.23: unknown, "lab threshold not read")."""
    block = (
        "Inclusion Criteria:\n\n* Adequate renal function:\n  * Serum creatinine by age and sex:"
        "\n    * 13 to < 16 years: male ≤ 133 µmol/L, female ≤ 124 µmol/L\n"
        "    * ≥ 18 years: ≤ 1.5 × ULN\n"
    )
    adult_row = "≥ 18 years: ≤ 1.5 × ULN"
    got = verdicts(block, **ADULT)
    assert got[adult_row] == "met"
    high = verdicts(block, labs={"creatinine_mg_dL": 3.5}, **ADULT)
    assert high[adult_row] != "met"  # the local ULN is not in the profile: never met above it
    assert verdicts(block)[adult_row] == "not_applicable"  # a 14-year-old


def test_high_dose_chemotherapy_with_stem_cell_rescue_is_a_transplant_not_a_chemotherapy() -> None:
    """ "High-dose chemotherapy with autologous stem cell rescue within 3 months" (exclusion) is
    no washout after ordinary chemotherapy (2026.11.23: not_met, docetaxel 56 days ago "needs 91
    days"); "chemotherapy within 3 months" still is."""
    recent = [{"agent": "docetaxel", "category": "chemotherapy", "ended_on": "2026-10-01"}]
    rule = "High-dose chemotherapy with autologous stem cell rescue within 3 months"
    assert verdict(rule, "exclusion", prior_therapies=recent) == "unknown"
    plain = "Chemotherapy within 3 months"
    assert verdict(plain, "exclusion", prior_therapies=recent) == "not_met"


def test_age_groups_joined_by_or_are_alternatives() -> None:
    """ "Participants >= 18 years of age, or adolescents >= 12 and < 18 years with body weight >=
    40 kg": an adult fits the first group (2026.11.23: unknown, "age limits read as
    contradictory"), an 8-year-old neither, an adolescent's group asks more."""
    rule = (
        "Male or female participants >= 18 years of age, or adolescents >= 12 and < 18 years of "
        "age with body weight >= 40 kg at screening."
    )
    assert verdict(rule, **ADULT) == "met"
    assert verdict(rule, **CHILD_8) == "not_met"
    _kind, got, reason, _rule = judge(rule, weight_kg=None)
    assert got == "unknown"
    assert "age group" in reason


def test_a_radiotherapy_wait_written_with_from_is_a_washout() -> None:
    """ "Radiotherapy: >= 14 days from local palliative radiotherapy; >= 3 months if it was
    craniospinal": radiation 11 months ago passes every wait (2026.11.23: unknown, "radiation
    history matters here"); radiation 11 days ago does not."""
    rule = (
        "Radiotherapy: ≥ 14 days from local palliative radiotherapy; ≥ 3 months if it was "
        "craniospinal radiotherapy or radiotherapy to ≥ 50% of the pelvis"
    )
    old = [{"category": "radiation", "site": "forearm", "ended_on": "2025-12-10"}]
    kind, got, reason, _rule = judge(rule, prior_therapies=old)
    assert (kind, got) == ("washout", "met")
    assert reason.count("radiation ended") == 1  # one reason, not one per clause
    fresh = [{"category": "radiation", "site": "forearm", "ended_on": "2026-11-15"}]
    assert verdict(rule, prior_therapies=fresh) == "not_met"


def test_nursing_staff_is_not_breastfeeding() -> None:
    """ "... according to the evaluation of the Social Work and Nursing departments" asks about
    the caregiver, not pregnancy (2026.11.23: not_applicable, "rule for patients of childbearing
    potential"); "nursing mothers" still is a pregnancy rule."""
    caregiver = (
        "Count with a caregiver (father, mother, tutor or legal responsible) able to administer "
        "the oral medication at home, according to the evaluation of the Social Work and Nursing "
        "departments of the centre."
    )
    kind, got, _reason, _rule = judge(caregiver, **CHILD_8)
    assert kind != "pregnancy"
    assert got == "unknown"
    assert judge("Pregnant or nursing women", "exclusion")[0] == "pregnancy"


def test_a_tumor_label_before_a_rule_of_another_kind_scopes_it() -> None:
    """ "RMS: relapsed or refractory after at least 1 prior regimen that included vincristine"
    is for RMS only (2026.11.23: unknown, "names rhabdomyosarcoma; list may be open"); a tumor
    label over a list of subtypes stays a diagnosis."""
    rule = (
        "RMS: relapsed or refractory after at least 1 prior multi-agent chemotherapy regimen that "
        "included vincristine and an alkylating agent."
    )
    _kind, got, reason, rule_id = judge(rule)
    assert (got, rule_id) == ("not_applicable", "other_diagnosis")
    assert "rhabdomyosarcoma" in reason
    assert verdict("Rhabdomyosarcoma: embryonal or alveolar subtype") != "not_applicable"


def test_a_listed_item_naming_a_tumor_is_a_diagnosis_not_its_headings_other_kind() -> None:
    """ "Expansion Cohort A: DDLPS (...)" under "... advanced or metastatic sarcoma of one of
    these types:" is a tumor (2026.11.23: met as "metastatic disease" for a synovial sarcoma)."""
    block = (
        "Inclusion Criteria:\n\n* Histologically confirmed locally advanced unresectable or "
        "metastatic sarcoma of one of the following types:\n"
        "  * Expansion Cohort A: DDLPS (well-differentiated liposarcoma without a "
        "dedifferentiated component is not eligible).\n"
        "  * Expansion Cohort B: synovial sarcoma.\n"
    )
    got = verdicts(block)
    cohort_a = next(t for t in got if t.startswith("Expansion Cohort A"))
    cohort_b = next(t for t in got if t.startswith("Expansion Cohort B"))
    assert got[cohort_a] != "met"
    assert got[cohort_b] == "met"


def test_a_narrower_wait_inside_a_broader_decided_one_is_settled_by_it() -> None:
    """ "Systemic anticancer therapy within 4 weeks; nitrosoureas within 6 weeks; monoclonal
    antibodies within 4 weeks": the listed systemic therapy ending 103 days ago settles the
    narrower clauses too (2026.11.23: unknown, "no prior therapy of this type listed")."""
    rule = (
        "Systemic anticancer therapy (including chemotherapy and targeted therapy) within 4 "
        "weeks before the first dose; nitrosoureas or mitomycin C within 6 weeks; monoclonal "
        "antibodies within 4 weeks."
    )
    kind, got, reason, _rule = judge(rule, "exclusion", prior_therapies=TKI_103_DAYS)
    assert (kind, got) == ("washout", "met")
    assert "crizotinib" in reason
    # alone, the narrower clause still cannot be settled from a list without such a drug
    alone = "Nitrosoureas or mitomycin C within 6 weeks before the first dose."
    assert verdict(alone, "exclusion", prior_therapies=TKI_103_DAYS) == "unknown"


def test_recovery_from_toxicities_is_a_requirement_the_profile_does_not_hold() -> None:
    """ ">= 2 weeks since a TKI, with recovery of toxicities to grade <= 1" is not met on the
    dates alone (a requirement term since 2026.11.24); the dates alone are."""
    rule = (
        "Prior systemic therapy: >= 3 weeks since last cytotoxic chemotherapy, >= 2 weeks since "
        "pazopanib or other small-molecule TKI, with recovery of toxicities to grade <= 1."
    )
    _kind, got, reason, _rule = judge(rule, prior_therapies=TKI_103_DAYS)
    assert got == "unknown"
    assert "recovery from the toxicities" in reason


def test_where_the_patient_lives_is_no_enrolment_formality() -> None:
    """ "Patient resident in Denmark, Finland ... and willing to attend visits" asks where the
    patient lives (2026.11.23: not_applicable as a formality); "willing to attend visits" alone
    is a formality."""
    rule = (
        "Patient resident in Denmark, Finland, Iceland, Norway or Sweden, and willing and able to "
        "attend treatment and follow-up visits at the treating sarcoma centre."
    )
    assert verdict(rule) == "unknown"
    assert verdict("Willing and able to attend treatment and follow-up visits.") == (
        "not_applicable"
    )


def test_a_sentence_asked_only_in_case_of_doubt_is_no_requirement_for_everyone() -> None:
    """ "... In case of doubt, the paraffin blocks must be sent for central review" does not make
    the diagnosis unknown (2026.11.23: "not established: tumor tissue")."""
    rule = (
        "Histological diagnosis of soft tissue sarcoma, confirmed at the initial diagnosis or at "
        "relapse by the Pathology Department of the participant centre. In case of doubt, the "
        "paraffin blocks or slides must be sent for central review before the inclusion."
    )
    assert verdict(rule) == "met"
    always = (
        "Histological diagnosis of soft tissue sarcoma. Paraffin blocks or slides must be sent "
        "for central review before the inclusion."
    )
    assert verdict(always) == "unknown"


def test_without_the_infection_its_qualifiers_are_moot_in_an_exclusion() -> None:
    """ "Known HIV infection with detectable viral load, or an AIDS-defining infection within
    the past 12 months" (exclusion) is met for an HIV-negative patient (2026.11.23: unknown,
    "not established: time window"); another infection named beside it is still asked."""
    rule = (
        "Known history of HIV infection with detectable viral load or CD4+ count < 350 "
        "cells/uL, or with an AIDS-defining opportunistic infection within the past 12 months."
    )
    assert verdict(rule, "exclusion", hiv="negative") == "met"
    other = "HIV infection, or any active uncontrolled infection within the past 14 days."
    assert verdict(other, "exclusion", hiv="negative") == "unknown"


# --- batch 12 (T68 an AYA advance-care-planning trial with caregiver criteria, T69 re-resection
# with intraoperative radiotherapy, T70 a Li-Fraumeni surveillance study; fresh on 2026.11.24) ---


def test_rules_under_a_caregiver_or_donor_heading_are_not_the_patients() -> None:
    """ "Family caregiver participants:" set apart by a blank line heads the caregiver's rules:
    "Age >= 18 years" under it does not exclude an 8-year-old patient (2026.11.24: the heading
    was read as the end of the bullet before it, and the age rule not_met); the patient's own
    rules before it still apply."""
    block = (
        "Inclusion Criteria:\n\nPatient participants:\n\n* Age 6 to 25 years at enrollment\n"
        "* Able to read and speak English or Spanish\n\nFamily caregiver participants:\n\n"
        "* Age >= 18 years\n* Aware of the patient's diagnosis of recurrent cancer\n\n"
        "Donor Eligibility:\n\n* Donor age 18 to 60 years\n"
    )
    got = verdicts(block, **CHILD_8)
    assert got["Age >= 18 years"] == "not_applicable"
    assert got["Aware of the patient's diagnosis of recurrent cancer"] == "not_applicable"
    # a donor's rule is the donor's, but the patient's treatment depends on it (2026.11.29.4:
    # not_applicable; batch 17's readers, both, leave a donor's rules to verify)
    assert got["Donor age 18 to 60 years"] == "unknown"
    assert got["Age 6 to 25 years at enrollment"] == "met"
    _kind, _got, reason, rule_id = judge("Age >= 18 years", **CHILD_8)
    assert rule_id != "other_participant"  # without the heading it is the patient's rule
    assert "age" in reason


def test_facts_no_profile_holds_keep_a_criterion_unknown() -> None:
    """ASA class, fitness for anaesthesia, a germline variant, a number of nodules and a local
    recurrence are requirements the profile does not establish (2026.11.24: met on the ECOG
    score, the age, "no other malignancy", the recurrence)."""
    asa = "ASA physical status class I-III and ECOG performance status 0-1."
    assert verdict(asa, performance={"scale": "ecog", "score": 1}) == "unknown"
    assert verdict("ECOG performance status 0-1.", performance={"scale": "ecog", "score": 1}) == (
        "met"
    )
    sedation = (
        "Participants 18 months to < 8 years of age may undergo MRI with sedation, provided "
        "there is no anesthesia contraindication."
    )
    assert verdict(sedation, **CHILD_8) == "unknown"
    germline = (
        "Participants with an additional germline pathogenic variant in a second "
        "cancer-predisposition gene that would require another surveillance schedule."
    )
    kind, got, _reason, _rule = judge(germline, "exclusion")
    assert (kind, got) != ("other_malignancy", "met")
    assert got == "unknown"
    nodules = "Multifocal recurrence permitted; total number of nodules ≤ 5."
    assert verdict(nodules) == "unknown"
    local = "First or second local recurrence of a soft tissue sarcoma of the retroperitoneum."
    assert verdict(local) == "unknown"


def _no_wait_beside_a_wait(rule: str, wait: str, therapies: list[dict[str, str]]) -> None:
    """`rule` names a time that is no wait (never not_met on the dates); `wait`, with the same
    therapies, is a wait they do not meet."""
    assert verdict(rule, prior_therapies=therapies) != "not_met"
    assert verdict(wait, prior_therapies=therapies) == "not_met"


def test_a_time_window_in_an_if_clause_is_when_the_rule_applies_not_a_wait() -> None:
    """ "Progressive disease on the last line of systemic therapy, if given <= 3 months before
    review" is no 3-month washout (2026.11.24: not_met, docetaxel 56 days ago "needs 91 days")."""
    rule = (
        "Progressive disease on the last line of systemic therapy given for the current "
        "recurrence, if given ≤ 3 months before MDT review (RECIST 1.1)."
    )
    recent = [{"agent": "docetaxel", "category": "chemotherapy", "ended_on": "2026-10-01"}]
    _no_wait_beside_a_wait(rule, "At least 3 months since the last systemic therapy.", recent)
    # a lower bound in the "if" clause is a wait: "allowed if given at least N weeks before"
    allowed = "Prior chemotherapy is allowed if completed at least 3 months before registration."
    assert verdict(allowed, prior_therapies=recent) == "not_met"


def test_a_criterion_before_a_heading_line_is_kept_not_swallowed_by_it() -> None:
    """NCT04022213 (real record): "Toxicities of prior therapy must have resolved to grade 1 or
    less ..." followed, after a blank line, by the heading "At the completion of surgery, ...
    Group A patients:" was read as one ":" heading and dropped from the criteria (2026.11.24);
    it is judged on its own now."""
    verdict_, reason, _rule = criterion("NCT04022213", "Toxicities of prior therapy must have")
    assert verdict_ == "unknown"
    assert reason


def test_rules_for_parent_participants_are_not_the_adolescents() -> None:
    """ "For parent participants:" (the heading of NCT03630471's parent rules, a real record in
    the criterion set) heads rules for the parent: "Proficient in spoken English or Hindi" under
    it is not asked of the patient."""
    block = (
        "Inclusion Criteria:\n\nFor adolescent participants:\n\n* Enrolled as a student in "
        "Grades 9-12\n\nFor parent participants:\n\n* Proficient in spoken English or Hindi\n"
    )
    got = verdicts(block)
    assert got["Proficient in spoken English or Hindi"] == "not_applicable"
    assert got["Enrolled as a student in Grades 9-12"] == "unknown"


# --- batch 13 (T74 palliative radiotherapy for painful bone metastases, T77 a PK-heavy
# first-in-child phase 1, T78 a neuropathy supportive-care trial; fresh on 2026.11.25) ---


def test_how_long_a_condition_has_lasted_is_no_wait_since_treatment() -> None:
    """ "Chemotherapy-induced peripheral neuropathy ... present for at least 6 weeks" asks how
    long the neuropathy has lasted (2026.11.25: not_met, vincristine 37 days ago "needs 42
    days"); "at least 6 weeks since the last dose of chemotherapy" is a wait."""
    rule = (
        "Chemotherapy-induced peripheral neuropathy (CIPN) that began or worsened after exposure "
        "to the neurotoxic agent and has been present for at least 6 weeks."
    )
    recent = [{"agent": "vincristine", "category": "chemotherapy", "ended_on": "2026-10-20"}]
    _no_wait_beside_a_wait(rule, "At least 6 weeks since the last dose of chemotherapy.", recent)


def test_an_age_range_that_picks_a_scale_is_no_age_limit() -> None:
    """ "... For participants 12-13 years of age who cannot use the NRS, a FACES score may be
    used" names whom another scale is for (2026.11.25: not_met for a 23-year-old, "needs >= 12
    years and <= 13 years")."""
    rule = (
        "Average neuropathic pain score of >= 4 on the 0-10 Numeric Rating Scale over the 7 days "
        "before baseline. For participants 12-13 years of age who cannot reliably use the NRS, a "
        "Wong-Baker FACES score of >= 4 may be used."
    )
    assert verdict(rule, **ADULT) == "unknown"


def test_a_count_of_metastatic_sites_is_a_requirement_the_profile_does_not_hold() -> None:
    """ "More than 3 sites of painful osseous metastases requiring radiotherapy within 30 days"
    (exclusion) is not settled by an old radiation (2026.11.25: met, "radiation ended 315 days
    ago")."""
    old = [{"category": "radiation", "site": "forearm", "ended_on": "2026-01-15"}]
    rule = "More than 3 sites of painful osseous metastases requiring radiotherapy within 30 days"
    assert verdict(rule, "exclusion", prior_therapies=old) == "unknown"


def test_a_topic_label_over_a_cns_exclusion_is_not_a_cns_tumor_group() -> None:
    """ "CNS disease: Patients with known CNS metastases are not eligible unless ..." is the
    CNS exclusion itself, met without CNS metastases (2026.11.25: not_applicable, "rule for CNS
    tumor only"); the label over another rule ("CNS tumors: neurologic deficits must be
    stable") still names a group."""
    rule = (
        "CNS disease: Patients with known CNS metastases are not eligible unless the metastases "
        "have been treated, the patient is asymptomatic and off corticosteroids for >= 7 days."
    )
    assert verdict(rule, "exclusion") == "met"
    group = "CNS tumors: neurologic deficits must have been stable for at least 7 days."
    assert verdict(group) == "not_applicable"


def test_a_tumor_named_only_as_an_example_is_no_diagnosis_rule() -> None:
    """ "Receiving maintenance therapy (e.g., low-dose oral maintenance for rhabdomyosarcoma
    with vinorelbine/cyclophosphamide)" asks about maintenance, not the tumor (2026.11.25: met
    for a rhabdomyosarcoma, "covered by rhabdomyosarcoma")."""
    rule = (
        "Receiving maintenance therapy (e.g., low-dose oral maintenance for rhabdomyosarcoma "
        "with vinorelbine/cyclophosphamide) with no planned increase in dose."
    )
    kind, got, _reason, _rule = judge(rule, diagnosis="alveolar rhabdomyosarcoma")
    assert (kind, got) != ("diagnosis", "met")
    assert got == "unknown"
    assert verdict(
        "Alveolar or embryonal rhabdomyosarcoma.", diagnosis="alveolar rhabdomyosarcoma"
    ) == ("met")
