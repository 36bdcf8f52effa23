"""Reading classes found on the dev parts of the constructed-trial set's batches 6 to 10 (T32 a
UK palbociclib trial with molecular pre-screening, T34 isolated limb infusion, T36 a translated
trabectedin + radiotherapy trial, measured fresh on 2026.11.18; T37, T38, T41 on 2026.11.19;
T43, T46, T48 on 2026.11.20; T50, T51, T53 on 2026.11.21; T55-T57 on 2026.11.22;
tests/criteria/constructed).
Every criterion here is constructed wording in the style of those fictional trials, judged for
the constructed test profile of test_eligibility_reading (a 14-year-old girl, first pulmonary
relapse of synovial sarcoma, after ifosfamide and doxorubicin) or a variation of it."""

from __future__ import annotations

from typing import Any

from tests.unit.test_eligibility_constructed_batches import verdicts
from tests.unit.test_eligibility_reading import judge
from tests.unit.test_eligibility_wording import verdict

CHEMO_29_DAYS = [{"agent": "vincristine, cyclophosphamide", "category": "chemotherapy",
                  "ended_on": "2026-10-28"}]  # fmt: skip
CHILD_8: dict[str, Any] = {"age_months": 98, "height_cm": 128, "weight_kg": 26}


def test_an_exception_as_broad_as_the_diagnosis_does_not_carve_the_patient_out() -> None:
    """ "Soft tissue sarcoma of the extremity ... unless ... a prior resection with confirmed
    sarcoma histology": the exception is about the biopsy, so a synovial sarcoma is still a soft
    tissue sarcoma (2026.11.18: not_met, "requires soft tissue sarcoma")."""
    rule = (
        "Histologically confirmed soft tissue sarcoma, any grade. Biopsy of the recurrent "
        "lesion is required unless the recurrence arises within 12 months of a prior resection "
        "with confirmed sarcoma histology."
    )
    assert verdict(rule) == "met"
    # ... while an exception naming a narrower tumor still excludes it
    narrower = "Histologically confirmed soft tissue sarcoma, except synovial sarcoma."
    assert verdict(narrower) == "not_met"


def test_a_tumor_site_in_the_diagnosis_is_a_requirement_the_profile_cannot_settle() -> None:
    """ "Soft tissue sarcoma of the upper or lower extremity": where the tumor arises is not in
    the profile, so the criterion is not met on the histology alone."""
    _kind, got, reason, _rule = judge(
        "Histologically confirmed soft tissue sarcoma of the upper or lower extremity."
    )
    assert got == "unknown"
    assert "extremity" in reason
    assert verdict("Histologically confirmed soft tissue sarcoma.") == "met"


def test_a_longer_wait_after_a_drug_class_the_patient_never_had_does_not_apply() -> None:
    """ "Myelosuppressive chemotherapy: >= 21 days (>= 42 days after nitrosoureas)": 29 days
    after chemotherapy without a nitrosourea is enough (2026.11.18: unknown, "the interval
    depends on the agent"); at 35 days required it is not."""
    for rule in (
        "Myelosuppressive chemotherapy: ≥ 21 days (≥ 42 days after nitrosoureas)",
        "Myelosuppressive chemotherapy: at least 21 days since last dose (42 days if prior "
        "nitrosourea)",
    ):
        assert verdict(rule, prior_therapies=CHEMO_29_DAYS) == "met", rule
    short = "Myelosuppressive chemotherapy: ≥ 35 days (≥ 42 days after nitrosoureas)"
    assert verdict(short, prior_therapies=CHEMO_29_DAYS) == "not_met"


def test_must_not_have_received_within_a_window_is_a_washout_not_a_recency_rule() -> None:
    """ "Must not have received myelosuppressive chemotherapy within 3 weeks": chemotherapy 29
    days ago passes, 6 days ago fails (2026.11.18 read it as a required recent treatment: met at
    6 days, "within 42 days before enrolment")."""
    rule = (
        "Must not have received myelosuppressive chemotherapy within 3 weeks (6 weeks for "
        "nitrosoureas)"
    )
    kind, got, _reason, _rule = judge(rule, prior_therapies=CHEMO_29_DAYS)
    assert (kind, got) == ("washout", "met")
    recent = [{**CHEMO_29_DAYS[0], "ended_on": "2026-11-20"}]
    assert verdict(rule, prior_therapies=recent) == "not_met"


def test_a_rule_labelled_with_an_age_applies_only_to_that_age() -> None:
    """ "Age >= 18: serum creatinine <= 1.5 x ULN ...": not a question for a 14-year-old."""
    got = judge("Age >= 18: serum creatinine <= 1.5 x ULN or CrCl >= 60 mL/min (Cockcroft-Gault)")
    assert got[1] == "not_applicable"
    assert got[3] == "other_age"


def test_one_sentence_per_age_group_asks_nothing_of_a_patient_in_neither() -> None:
    """ "Patients >= 18 years: ASA I-III. Patients 10-17 years: cleared by anesthesiology": an
    8-year-old is in neither group (2026.11.18: unknown, "age limits read as contradictory");
    a 14-year-old is in one of them, so it stays a question."""
    rule = (
        "Pre-anesthesia assessment. Patients >= 18 years: ASA physical status I-III. Patients "
        "10-17 years: evaluated by the pediatric anesthesiology service and cleared for general "
        "anesthesia."
    )
    assert verdict(rule, **CHILD_8) == "not_applicable"
    assert verdict(rule) == "unknown"


def test_an_age_among_examples_of_a_reason_is_no_age_limit() -> None:
    """ "(for example cumulative dose of doxorubicin, previous cardiac disease, age)": examples
    of why a patient may be unfit, not an age limit (2026.11.18: "age limit not read")."""
    kind, _got, reason, _rule = judge(
        "Previous treatment with anthracycline-based chemotherapy, or patient considered not "
        "candidate to anthracyclines by investigator criteria (for example cumulative dose of "
        "doxorubicin, previous cardiac disease, age)."
    )
    assert kind != "age"
    assert "age limit" not in reason


def test_a_line_in_place_or_agreement_to_have_it_placed_is_a_formality() -> None:
    """ "Central venous catheter implanted or acceptance of the patient to have it placed": met
    by agreeing at enrolment, so not a question for the board; a catheter required outright
    stays one."""
    rule = (
        "Central venous catheter implanted (port-a-cath or PICC) or acceptance of the patient "
        "to have it placed before the first infusion of trabectedin."
    )
    assert verdict(rule) == "not_applicable"
    assert verdict("Central venous catheter implanted (port-a-cath or PICC).") != "not_applicable"


def test_the_order_of_two_consents_is_a_formality_not_a_time_window() -> None:
    """ "... separate consent for molecular pre-screening must have been given before consent
    for the treatment phase": consent formalities (2026.11.18: unread)."""
    rule = (
        "Written informed consent from the patient and/or parent or legal guardian, as "
        "appropriate to age. For Part B, separate consent for molecular pre-screening must have "
        "been given before consent for the treatment phase."
    )
    assert verdict(rule) == "not_applicable"
    timed = "Written informed consent; laboratory tests within 7 days before consent."
    assert verdict(timed) != "not_applicable"


def test_a_clearance_limit_is_met_by_an_estimate_far_above_it_and_never_failed_by_one() -> None:
    """ "Creatinine clearance >= 30 mL/min": creatinine 0.4 mg/dL at 128 cm estimates ~132 by
    bedside Schwartz, met; a limit near the estimate stays unknown, never not_met."""
    rule = "Creatinine clearance >= 30 mL/min (Cockcroft-Gault formula, or measured in urine)"
    labs = {"creatinine_mg_dL": 0.4}
    kind, got, reason, _rule = judge(rule, labs=labs, **CHILD_8)
    assert (kind, got) == ("labs", "met")
    assert "Schwartz" in reason
    near = "Creatinine clearance >= 100 mL/min"
    assert verdict(near, labs=labs, **CHILD_8) == "unknown"
    # without a height the child's estimate cannot be made
    assert verdict(rule, labs=labs, age_months=98, height_cm=None) == "unknown"


# --- batch 7 (dev: T37 rare translocation sarcomas, T38 a precision-medicine arm, T41 MR-HIFU),
# measured fresh on 2026.11.19 ---

COHORTS = (
    "Inclusion Criteria:\n\n"
    "* Histologically confirmed diagnosis of one of the following:\n"
    "  * Cohort 1 (ASPS): alveolar soft part sarcoma\n"
    "  * Cohort 2 (CCS): clear cell sarcoma of soft tissue\n"
    "* Cohort 1: TFE3 rearrangement by break-apart FISH\n"
    "* Cohorts 1 and 2: measurable disease per RECIST 1.1\n"
    "* Cohort 3: no prior anthracycline\n\n"
    "Exclusion Criteria:\n\n"
    "* Cohort 2: any prior anti-PD-1 antibody"
)


def test_a_rule_labelled_with_a_cohort_the_record_defines_by_tumor_is_that_tumors() -> None:
    """ "Cohort 1: TFE3 rearrangement" where "Cohort 1 (ASPS): alveolar soft part sarcoma":
    not a question for a synovial sarcoma (2026.11.19: unknown, a biomarker to confirm); for an
    ASPS it stays the rule; a cohort the record does not define by tumor scopes nothing."""
    got = verdicts(COHORTS)
    assert got["Cohort 1: TFE3 rearrangement by break-apart FISH"] == "not_applicable"
    assert got["Cohorts 1 and 2: measurable disease per RECIST 1.1"] == "not_applicable"
    assert got["Cohort 2: any prior anti-PD-1 antibody"] == "not_applicable"
    assert got["Cohort 3: no prior anthracycline"] != "not_applicable"
    asps = verdicts(COHORTS, diagnosis="alveolar soft part sarcoma", biomarkers=[])
    assert asps["Cohort 1: TFE3 rearrangement by break-apart FISH"] == "unknown"
    assert asps["Cohorts 1 and 2: measurable disease per RECIST 1.1"] == "met"


def test_a_cohort_defined_by_a_broad_group_or_a_late_tumor_scopes_nothing() -> None:
    """ "Cohort A (malignant): rhabdomyosarcoma, non-rhabdomyosarcoma soft tissue sarcoma, ..."
    takes a broad group, and "Part B: no more than 2 prior regimens for MPNST" defines no cohort:
    their other rules stay everyone's (a guard on the cohort scoping added in 2026.11.20, whose
    first draft made both not applicable)."""
    block = (
        "Inclusion Criteria:\n\n"
        "* Diagnosis of one of the following:\n"
        "  * Cohort A (malignant): rhabdomyosarcoma, non-rhabdomyosarcoma soft tissue sarcoma, "
        "or osteosarcoma\n"
        "  * Cohort B (benign): desmoid tumour\n"
        "* Cohort A: measurable disease per RECIST 1.1\n"
        "* Part B: no more than 2 prior systemic regimens for MPNST.\n"
        "* Part B: ≥ 2 years and ≤ 30 years at enrollment."
    )
    got = verdicts(block)
    assert got["Cohort A: measurable disease per RECIST 1.1"] == "met"
    assert got["Part B: ≥ 2 years and ≤ 30 years at enrollment."] != "not_applicable"


def test_a_note_that_something_is_not_an_exclusion_asks_nothing() -> None:
    """ "Arm 2 only: prior dexrazoxane is NOT an exclusion, but cumulative dose limits above
    still apply" is a permissive note; a note before another rule does not swallow it."""
    note = (
        "Arm 2 only: prior dexrazoxane is NOT an exclusion, but cumulative dose limits above "
        "still apply."
    )
    assert verdict(note, "exclusion") == "not_applicable"
    mixed = "Benign neurofibromas are not exclusions; other malignancy within 5 years."
    assert verdict(mixed, "exclusion") != "not_applicable"


def test_an_exclusion_of_qualified_cns_metastases_is_met_without_them() -> None:
    """ "CNS metastases that are symptomatic or require increasing steroid dose": with no CNS
    metastases the qualifiers are moot (2026.11.19: unknown, steroid use not given); with them
    it stays open; "..., or any condition requiring steroids" is two rules, not qualifiers."""
    rule = "CNS metastases that are symptomatic or require increasing steroid dose."
    assert verdict(rule, "exclusion") == "met"
    assert verdict(rule, "exclusion", cns_metastases=True) == "unknown"
    two = "Brain metastases which are untreated, or any condition requiring systemic steroids."
    assert verdict(two, "exclusion") == "unknown"


# --- batch 8 (dev: T43 a WEE1 inhibitor in strata, T46 regional hyperthermia, T48 an
# expanded-access programme), measured fresh on 2026.11.20 ---


def test_a_bracket_per_age_group_is_a_value_per_group_not_a_rule_for_the_last() -> None:
    """ "ECOG 0 or 1 (patients >= 16 years); Lansky >= 70% (patients < 16 years)": a rule for
    everyone with a scale per group (2026.11.20: not applicable to a 16-year-old, "rule for
    patients < 16 years only")."""
    rule = (
        "ECOG performance status 0 or 1 (patients ≥ 16 years); Lansky play-performance score "
        "≥ 70% (patients < 16 years)"
    )
    older = {"age_months": 202, "performance": {"scale": "karnofsky", "score": 80}}
    assert verdict(rule, **older) == "met"
    assert verdict(rule) == "met"  # 14 years, Lansky 90


def test_a_site_after_of_the_is_not_the_disease_a_rule_is_for() -> None:
    """ "..., except adequately treated basal cell carcinoma of the skin or carcinoma in situ of
    the cervix": no rule "for carcinoma only" (2026.11.20: not applicable to a sarcoma patient);
    "any other systemic therapy for their melanoma" still scopes to melanoma."""
    rule = (
        "Previous or concurrent other malignancy, except adequately treated basal cell carcinoma "
        "of the skin or carcinoma in situ of the cervix, or any other cancer with no evidence of "
        "disease for at least 5 years"
    )
    assert verdict(rule, "exclusion", other_malignancy=False) == "met"
    melanoma = "Any other systemic therapy for their melanoma, including radiation therapy."
    assert verdict(melanoma, "exclusion") == "not_applicable"


def test_how_many_lesions_and_whether_they_can_be_resected_are_requirements() -> None:
    """ "Distant metastases are allowed only if limited (<= 3 lesions in one organ) and
    considered completely resectable": a pulmonary recurrence alone does not meet it (2026.11.20:
    met, "distant metastases"); ">= 1 measurable lesion" counts nothing."""
    _kind, got, reason, _rule = judge(
        "Distant metastases are allowed only if limited (≤ 3 lesions in one organ, e.g. lung) "
        "and considered completely resectable by the multidisciplinary tumour board"
    )
    assert got == "unknown"
    assert "how many lesions" in reason
    assert "resected" in reason
    assert verdict("Measurable disease: ≥ 1 lesion measurable in ≥ 1 dimension.") == "met"


def test_progression_on_or_intolerance_of_a_drug_requires_the_drug() -> None:
    """ "Disease progression on, or was intolerant of, a prior first-generation TRK inhibitor
    (larotrectinib or entrectinib)": met on the setting alone before (2026.11.20); the drug must
    be in the history."""
    rule = (
        "Patient has had disease progression on, or was intolerant of, a prior first-generation "
        "TRK inhibitor (larotrectinib or entrectinib)."
    )
    kind, got, _reason, _rule = judge(rule)
    assert (kind, got) == ("prior_therapy_required", "unknown")
    trk = [{"agent": "larotrectinib", "category": "targeted", "ended_on": "2026-10-01"}]
    assert verdict(rule, prior_therapies=trk, disease_status="progressive") == "met"


def test_a_form_for_those_who_cannot_swallow_makes_swallowing_no_obstacle() -> None:
    """ "Patients must be able to swallow capsules whole. Children who cannot swallow capsules
    ... may receive the oral solution": met for a child; an adult who may not swallow stays
    unknown."""
    rule = (
        "Patients must be able to swallow capsules whole. Children who cannot swallow capsules, "
        "and patients with a gastrostomy or nasogastric tube, may receive the oral solution."
    )
    assert verdict(rule) == "met"
    assert verdict(rule, age_months=300) == "unknown"


def test_optional_documentation_and_a_note_on_another_trial_are_read_right() -> None:
    """ "Documentation of an acquired resistance mutation ..., if available" asks nothing; an
    exclusion "is eligible for and able to access, a clinical trial of X" is no permissive note
    (2026.11.20: "says who remains eligible")."""
    doc = (
        "Documentation of an acquired resistance mutation in the NTRK kinase domain (e.g., "
        "G595R) from tumor tissue or plasma ctDNA, if available. Testing is not required."
    )
    assert verdict(doc) == "not_applicable"
    other_trial = (
        "Patient is currently enrolled in, or is eligible for and able to access, a clinical "
        "trial of AVX-614."
    )
    assert verdict(other_trial, "exclusion") == "unknown"
    note = "Patients with controlled type 1 diabetes on insulin are eligible for the study."
    assert verdict(note, "exclusion") == "not_applicable"


# --- batch 9 (dev: T50 a TLS-selected immunotherapy trial, T51 a Middle Eastern RMS protocol,
# T53 whole-lung irradiation), measured fresh on 2026.11.21 ---


def test_first_or_second_relapse_takes_either() -> None:
    """ "First or second relapse of rhabdomyosarcoma": a first relapse meets it (2026.11.21:
    not_met, "asks for second or later relapse"); a third does not; "third or more" takes the
    third."""
    rule = "First or second relapse of rhabdomyosarcoma"
    rms = {"diagnosis": "embryonal rhabdomyosarcoma", "biomarkers": []}
    assert verdict(rule, **rms) == "met"
    assert verdict(rule, relapse_number=3, **rms) == "not_met"
    assert verdict("Third or more relapse of rhabdomyosarcoma", relapse_number=3, **rms) == "met"


def test_where_an_age_group_is_treated_is_no_age_limit() -> None:
    """ "Patient aged >= 15 years ... Patients aged 15 to 17 years can only be enrolled in
    centres with a paediatric oncology expertise": a 24-year-old meets the age limit (2026.11.21:
    not_met, "needs >= 15 and <= 17 years")."""
    rule = (
        "Patient aged ≥ 15 years at the date of screening consent. Patients aged 15 to 17 years "
        "can only be enrolled in centres with a paediatric oncology expertise."
    )
    assert verdict(rule, age_months=288) == "met"
    assert verdict(rule, age_months=150) == "not_met"


def test_a_samples_date_is_no_wait_after_treatment() -> None:
    """ "An archival tumour sample obtained within 3 months before screening and after the last
    systemic treatment may be used": no 3-month washout (2026.11.21: not_met, 37 days after
    chemotherapy)."""
    rule = (
        "At least one tumour lesion accessible to biopsy. An archival tumour sample obtained "
        "within 3 months before screening and after the last systemic treatment may be used "
        "instead of a new biopsy."
    )
    recent = [{"agent": "irinotecan", "category": "chemotherapy", "ended_on": "2026-10-20"}]
    assert verdict(rule, prior_therapies=recent) == "unknown"


def test_a_creatinine_row_in_micromoles_is_one_age_bands() -> None:
    """ "13 to < 16 years: 133 µmol/L (male), 124 µmol/L (female)" is one row of an age table:
    not a question for a 17-year-old (2026.11.21: unknown, "lab threshold not read"); for a
    14-year-old girl it is read in mg/dL (124 µmol/L is 1.4 mg/dL)."""
    row = "13 to < 16 years: 133 µmol/L (male), 124 µmol/L (female)"
    block = (
        "Inclusion Criteria:\n\n* Serum creatinine no higher than the following for age:\n"
        f"  * 6 to < 10 years: 88 µmol/L (male and female)\n  * {row}"
    )
    assert verdicts(block, age_months=206)[row] == "not_applicable"
    assert verdicts(block)[row] == "met"  # creatinine 0.6 mg/dL


def test_patients_with_qualified_cns_metastases_and_a_permission_after() -> None:
    """ "Patients with CNS metastasis that is symptomatic ... Parameningeal tumor with
    intracranial extension is allowed if ...": met without CNS metastases (2026.11.21:
    unknown, steroid use and time window)."""
    rule = (
        "Patients with CNS metastasis that is symptomatic or not stable, or that needs "
        "increasing dose of dexamethasone within the last 7 days. Parameningeal tumor with "
        "direct intracranial extension is allowed if patient is neurologically stable."
    )
    assert verdict(rule, "exclusion") == "met"
    assert verdict(rule, "exclusion", cns_metastases=True) == "unknown"


def test_a_pulmonary_relapse_required_is_not_met_by_the_setting_alone() -> None:
    """ "Pulmonary relapse must be documented by biopsy ... or chest CT": a bone relapse does not
    establish it (2026.11.21: met on "relapse 2, now progressive")."""
    rule = "Pulmonary relapse must be documented by biopsy of at least one nodule or chest CT."
    assert verdict(rule, recurrence_sites=["bone"], relapse_number=2) == "unknown"


# --- batch 10 (dev: T55 a translated bevacizumab trial, T56 high-dose ifosfamide, T57 a COG
# ADVL-template phase 1/2), measured fresh on 2026.11.22 ---


def test_a_complication_of_a_drug_is_not_an_exclusion_of_the_drug() -> None:
    """ "Previous encephalopathy during treatment with ifosfamide of grade >= 2": having had
    ifosfamide does not exclude (2026.11.22: not_met, "had ifosfamide, which this criterion
    excludes"); "Prior ifosfamide" alone still does."""
    for rule in (
        "Previous encephalopathy during treatment with ifosfamide of grade ≥ 2 (NCI-CTCAE v5.0).",
        "Previous haemorrhagic cystitis of grade ≥ 3 during ifosfamide, despite mesna.",
    ):
        assert verdict(rule, "exclusion") == "unknown", rule
    assert verdict("Prior treatment with ifosfamide.", "exclusion") == "not_met"


def test_how_lines_are_counted_is_no_washout() -> None:
    """ "No more than 3 previous lines ... (the (neo)adjuvant treatment is not counted as a line
    unless relapse occurred within 6 months from its end)": no 6-month wait after the last
    therapy (2026.11.22: not_met, 72 days after selumetinib); a washout in another sentence
    stays one."""
    rule = (
        "No more than 3 previous lines of systemic therapy for advanced disease (the "
        "(neo)adjuvant treatment is not counted as a line unless relapse occurred within 6 "
        "months from its end)."
    )
    recent = [{"agent": "pazopanib", "category": "targeted", "ended_on": "2026-09-15"}]
    assert verdict(rule, prior_therapies=recent) != "not_met"
    washout = rule + " All prior therapies must have been completed at least 90 days before."
    assert verdict(washout, prior_therapies=recent) == "not_met"


def test_a_line_in_place_or_willingness_to_undergo_its_placement_is_a_formality() -> None:
    """ "Central venous catheter already in place, or patient willing to undergo its
    positioning" is met by agreeing at enrolment."""
    rule = (
        "Central venous catheter (port-a-cath or PICC) already in place, or patient willing to "
        "undergo its positioning before the first cycle."
    )
    assert verdict(rule) == "not_applicable"


def test_an_anticipated_surgery_is_not_settled_by_past_surgery() -> None:
    """ "... within 28 days before enrollment, or who anticipates major surgery during study
    treatment": an old surgery does not settle it (2026.11.22: met)."""
    rule = (
        "Subject who received major surgical procedure within 28 days before enrollment, or who "
        "anticipates major surgery during study treatment."
    )
    assert verdict(rule, "exclusion") == "unknown"
