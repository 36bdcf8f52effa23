"""Reading classes found on the dev parts of the constructed-trial set's batches 3 to 5 (T13 proton
re-irradiation, T14 NF1/MPNST MEK + mTOR, T15 cytoreduction + HIPEC; T19 a translated Japanese
protocol, T21 adult L-sarcomas, T24 rare sarcomas; T27 TCR-T, T29 an industry phase 3, T30 an
oncolytic virus with arms; tests/criteria/constructed).
Every criterion here is constructed wording in the style of those fictional trials, judged for
the constructed test profile of test_eligibility_reading (a 14-year-old girl, first pulmonary
relapse of synovial sarcoma, after ifosfamide and doxorubicin) or a variation of it."""

from __future__ import annotations

from typing import Any

from matcher.domain.eligibility.facts import build_facts
from matcher.domain.eligibility.judges import judge_criterion
from matcher.domain.eligibility.parsed import split_and_classify
from tests.unit.test_eligibility_reading import AS_OF, judge, profile
from tests.unit.test_eligibility_wording import verdict

SELUMETINIB_RECENT = [{"agent": "selumetinib", "category": "targeted", "ended_on": "2026-11-16"}]
MEK_PERMISSION = (
    "Inclusion Criteria:\n\n"
    "* Prior MEK inhibitor: patients who received a MEK inhibitor (e.g., selumetinib, "
    "trametinib) for plexiform neurofibroma or another non-malignant NF1-related indication are "
    "eligible provided ALL of the following apply:\n"
    "  * MPNST was not diagnosed while the patient was receiving the MEK inhibitor;\n"
    "  * The last dose of the MEK inhibitor was ≥ 28 days prior to enrollment."
)


def verdicts(block: str, **changes: Any) -> dict[str, str]:
    """Criterion text -> verdict for every criterion of a constructed criteria block."""
    facts = build_facts(profile(**changes), AS_OF)
    return {c.text: judge_criterion(c, facts).judgement.verdict for c in split_and_classify(block)}


def expect_verdicts(block: str, wanted: dict[str, str], **changes: Any) -> None:
    """Assert the verdict of each named criterion of a constructed criteria block."""
    got = verdicts(block, **changes)
    assert {text: got[text] for text in wanted} == wanted


def test_an_age_that_says_whom_a_clause_is_for_is_no_age_limit() -> None:
    """ "..., and for patients 18 years of age and older, clearance for major surgery": a
    14-year-old is not excluded by an age limit (2026.11.15: not_met, needs >= 18 years)."""
    rule = (
        "Left ventricular ejection fraction of at least 50 percent by echocardiogram, and for "
        "patients 18 years of age and older, clearance for major abdominal surgery by the "
        "anesthesiology preoperative service."
    )
    kind, got, _reason, _rule = judge(rule)
    assert (kind, got) != ("age", "not_met")
    assert got == "unknown"


def test_an_age_group_in_a_bracket_picks_the_brackets_value_only() -> None:
    """ "(less than 75 cm for patients younger than 10 years of age)" gives young children
    another limit; the exclusion still applies to a 14-year-old (2026.11.15: not applicable)."""
    rule = (
        "Involvement of the small bowel such that cytoreduction would leave less than 100 "
        "centimeters of small intestine (less than 75 centimeters for patients younger than 10 "
        "years of age)."
    )
    assert verdict(rule, "exclusion") == "unknown"


def test_an_age_group_and_any_older_patient_is_not_the_age_group_only() -> None:
    """ "Patients < 3 years of age, and any older patient unable to lie still, must be cleared
    by anesthesia": a rule for a 14-year-old too, and no age limit (2026.11.15: n/a; reading
    it as an age limit would exclude every child over 3)."""
    rule = (
        "Patients < 3 years of age, and any older patient unable to lie still for daily "
        "treatment, must be cleared by pediatric anesthesia for daily sedation."
    )
    assert verdict(rule) == "unknown"
    assert verdict(rule, age_months=30) == "unknown"


def test_a_cumulative_dose_limit_is_not_the_drug() -> None:
    """ "Cumulative prior anthracycline exposure > 400 mg/m²": having had doxorubicin does not
    exclude (the dose is not in the profile; 2026.11.15: not_met); "prior anthracycline" does."""
    rule = "Cumulative prior anthracycline exposure > 400 mg/m² (doxorubicin isotoxic equivalent)."
    _kind, got, _reason, rule_id = judge(rule, "exclusion")
    assert (got, rule_id) == ("unknown", "dose")
    assert verdict("Prior anthracycline therapy.", "exclusion") == "not_met"


def test_with_or_without_names_what_may_accompany_the_excluded_treatment() -> None:
    """ "any prior cytoreductive surgery with or without intraperitoneal chemotherapy" does not
    exclude a child who had systemic chemotherapy (2026.11.15: not_met)."""
    rule = (
        "More than 2 prior laparotomies, or any prior cytoreductive surgery with or without "
        "intraperitoneal chemotherapy."
    )
    assert verdict(rule, "exclusion") == "unknown"


def test_a_drug_excluded_for_one_indication_depends_on_the_indication() -> None:
    """ "Prior MEK inhibitor given as treatment for MPNST": what selumetinib was given for is not
    in the profile; a MEK inhibitor named without an indication excludes (MEK inhibitors are
    a drug class since 2026.11.16)."""
    mpnst = {"diagnosis": "malignant peripheral nerve sheath tumor"}
    rule = "Prior MEK inhibitor given as treatment for MPNST."
    _kind, got, _reason, rule_id = judge(
        rule, "exclusion", prior_therapies=SELUMETINIB_RECENT, **mpnst
    )
    assert (got, rule_id) == ("unknown", "indication")
    plain = verdict("Prior MEK inhibitor.", "exclusion", prior_therapies=SELUMETINIB_RECENT)
    assert plain == "not_met"


def test_the_items_of_a_permission_heading_are_for_the_patients_it_names() -> None:
    """ "patients who received a MEK inhibitor ... are eligible provided all of the following":
    its items do not apply to a child who had none (2026.11.15 read "MPNST was not diagnosed
    while ..." as a diagnosis requirement and excluded her); they do apply after selumetinib."""
    for text, got in verdicts(MEK_PERMISSION).items():
        if not text.startswith("Prior MEK"):
            assert got == "not_applicable", text
    after = verdicts(MEK_PERMISSION, prior_therapies=SELUMETINIB_RECENT)
    assert "not_applicable" not in {v for t, v in after.items() if not t.startswith("Prior MEK")}


def test_a_permission_inside_an_exception_is_no_permissive_note() -> None:
    """ "Myelosuppressive chemotherapy within 14 days ..., except permitted concurrent agents
    listed above" is a washout (2026.11.15: a permissive note, not applicable)."""
    rule = (
        "Myelosuppressive chemotherapy within 14 days prior to the first fraction, except "
        "permitted concurrent agents listed above."
    )
    assert verdict(rule, "exclusion") == "met"
    recent = [{"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2026-11-20"}]
    assert verdict(rule, "exclusion", prior_therapies=recent) == "not_met"


def test_a_tumor_label_before_a_colon_scopes_the_items_under_it() -> None:
    """ "NF1-associated MPNST: patients must meet the NF1 criteria ..., OR 2 of the following":
    the NF1 signs under it are not questions for a synovial sarcoma patient (2026.11.15:
    unknown, filling the board's list); for an MPNST patient they stay open."""
    block = (
        "Inclusion Criteria:\n\n"
        "* NF1-associated MPNST: patients must meet the revised diagnostic criteria for NF1, OR "
        "at least 2 of the following:\n"
        "  * Freckling in the axillary or inguinal region\n"
        "  * Optic pathway glioma (OPG)"
    )
    signs = {t: v for t, v in verdicts(block).items() if not t.startswith("NF1")}
    assert signs
    assert set(signs.values()) == {"not_applicable"}
    mpnst = verdicts(block, diagnosis="malignant peripheral nerve sheath tumor")
    assert "not_applicable" not in {v for t, v in mpnst.items() if not t.startswith("NF1")}


def test_for_any_indication_reaches_every_patient() -> None:
    """ "... given as treatment for MPNST, or a MEK inhibitor with an mTOR inhibitor for any
    indication" is not a rule for MPNST patients only (2026.11.15: not applicable)."""
    rule = (
        "Prior MEK inhibitor given as treatment for MPNST, or prior treatment with a MEK "
        "inhibitor in combination with an mTOR inhibitor for any indication."
    )
    assert verdict(rule, "exclusion") == "unknown"


def test_a_tumor_word_naming_a_team_is_no_diagnosis() -> None:
    """ "..., unless deemed acceptable by the sarcoma surgical team": no diagnosis exclusion
    that a sarcoma patient "is not among" (2026.11.15: met with that reason)."""
    rule = (
        "Hepatic parenchymal disease requiring major hepatectomy, unless deemed acceptable by "
        "the hepatobiliary surgical team in addition to the sarcoma surgical team."
    )
    kind, got, _reason, _rule = judge(rule, "exclusion")
    assert kind != "diagnosis"
    assert got == "unknown"


def test_planned_therapy_is_not_established_by_past_therapy() -> None:
    """ "..., or planned systemic anticancer therapy between enrollment and surgery": a
    washout met on past treatment leaves the plan open (2026.11.15: met)."""
    rule = (
        "Receipt of any other investigational agent within 28 days before enrollment, or planned "
        "systemic anticancer therapy between enrollment and surgery, except for chemotherapy "
        "already planned as part of standard treatment, which must stop 21 days before surgery."
    )
    _kind, got, _reason, rule_id = judge(rule, "exclusion")
    assert (got, rule_id) == ("unknown", "completeness")


def test_a_surgeons_opinion_about_tolerance_is_no_consent_formality() -> None:
    """ "Any medical condition that, in the opinion of the treating surgeon, would make the
    patient unable to tolerate major surgery or unable to comply with follow-up": a question
    for the board (2026.11.15: a consent formality, not applicable)."""
    rule = (
        "Any medical, psychiatric or social condition that, in the opinion of the treating "
        "surgeon or the investigator, would make the patient unable to tolerate major surgery or "
        "unable to comply with the postoperative follow-up."
    )
    assert verdict(rule, "exclusion") == "unknown"


def test_a_bracketed_limit_for_some_patients_leaves_the_middle_open() -> None:
    """ "ANC >= 750/uL (>= 1,000/uL if concurrent chemotherapy planned)": 1,800 holds both, 500
    fails both, 900 depends on the plan (2026.11.15: met on 750, and the bracket's therapy
    read as a washout); a Gilbert-syndrome bilirubin limit likewise."""
    rule = "ANC >= 750/uL (>= 1,000/uL if concurrent chemotherapy planned)"
    assert verdict(rule) == "met"
    assert verdict(rule, labs={"anc_per_uL": 900}) == "unknown"
    assert verdict(rule, labs={"anc_per_uL": 500}) == "not_met"
    gilbert = "Total bilirubin ≤ 1.5 × ULN (≤ 3 × ULN for patients with Gilbert syndrome)"
    assert verdict(gilbert, labs={"bilirubin_x_uln": 2.0}) == "unknown"
    assert verdict(gilbert, labs={"bilirubin_x_uln": 4.0}) == "not_met"


def test_one_agent_of_a_regimen_listed_as_one_is_named() -> None:
    """ "Prior dactinomycin" excludes a child whose therapy is listed as "vincristine,
    dactinomycin, cyclophosphamide" (2026.11.15: only the whole string was compared)."""
    vac = [
        {"agent": "vincristine, dactinomycin, cyclophosphamide", "category": "chemotherapy",
         "ended_on": "2025-06-30"},
    ]  # fmt: skip
    assert verdict("Prior dactinomycin.", "exclusion", prior_therapies=vac) == "not_met"
    assert verdict("Prior vinorelbine.", "exclusion", prior_therapies=vac) != "not_met"


def test_a_sentence_saying_what_is_not_an_exclusion_asks_nothing() -> None:
    """ "Other malignancy ... NF1-associated benign tumors (neurofibromas, low-grade glioma)
    are not exclusions.": no NF1 biomarker question, no unestablished grade (2026.11.15:
    unknown for a patient with no other malignancy)."""
    rule = (
        "Other malignancy, except adequately treated non-melanoma skin cancer. NF1-associated "
        "benign or low-grade tumors (cutaneous neurofibromas, low-grade glioma not requiring "
        "therapy) are not exclusions."
    )
    assert verdict(rule, "exclusion", other_malignancy=False) == "met"


# --- batch 4 (dev T19 translated Japanese protocol, T21 adult L-sarcomas, T24 rare sarcomas) ---


def test_a_lesion_in_a_field_counts_after_progression_and_a_recurrence_is_progression() -> None:
    """ "Lesions in a previously irradiated field are considered measurable only if progression
    has been documented after completion of radiation": a child whose disease recurred long
    after radiation (or who had none) meets it (2026.11.16: unknown, "unlisted radiation");
    radiation that ended last month may have treated this very lesion."""
    rule = (
        "Patients must have measurable disease per RECIST version 1.1. Lesions in a previously "
        "irradiated field are considered measurable only if progression has been documented "
        "after completion of radiation."
    )
    assert verdict(rule) == "met"
    long_ago = [{"category": "radiation", "site": "left thigh", "ended_on": "2025-09-01"}]
    assert verdict(rule, prior_therapies=long_ago, recurrence_in_radiation_field=True) == "met"
    recent = [{"category": "radiation", "site": "lung", "ended_on": "2026-11-01"}]
    assert verdict(rule, prior_therapies=recent) == "unknown"


def test_a_treatment_labelled_with_its_wait_is_a_washout() -> None:
    """ "Cytotoxic chemotherapy: at least 3 weeks (at least 6 weeks for nitrosoureas)" under "the
    following periods have passed since the last dose": 29 days after ifosfamide is met (the
    longer wait is for nitrosoureas), 10 days is not (2026.11.16: not read)."""
    rule = "Cytotoxic chemotherapy: at least 3 weeks (at least 6 weeks for nitrosoureas)"
    done = [{"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2026-10-28"}]
    assert verdict(rule, prior_therapies=done) == "met"
    recent = [{"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2026-11-16"}]
    assert verdict(rule, prior_therapies=recent) == "not_met"
    lomustine = [{"agent": "lomustine", "category": "chemotherapy", "ended_on": "2026-10-28"}]
    assert verdict(rule, prior_therapies=lomustine) == "unknown"


def test_a_transplant_labelled_with_its_wait_is_no_chemotherapy_washout() -> None:
    """ "High-dose chemotherapy with autologous stem cell rescue: >= 84 days" does not exclude
    a child 29 days after standard chemotherapy (guards the labelled-wait washout of 2026.11.17,
    which first read it as a chemotherapy washout: a wrong not_met)."""
    rule = "High-dose chemotherapy with autologous stem cell rescue: ≥ 84 days"
    recent = [{"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2026-10-28"}]
    assert verdict(rule, prior_therapies=recent) != "not_met"


def test_a_surgery_washout_for_one_body_site_is_not_any_surgery() -> None:
    """ "Thoracic surgery: >= 28 days since prior thoracotomy": a thigh operation does not clear
    it; "major surgery (e.g., thoracotomy) within 28 days" is any major surgery (guards the
    labelled-wait washout of 2026.11.17, which first read any surgery as thoracic)."""
    thoracic = "Thoracic surgery or procedure: ≥ 28 days must have elapsed since prior thoracotomy."
    assert verdict(thoracic) == "unknown"
    major = "Major surgery (e.g., laparotomy, thoracotomy) within 28 days prior to enrollment."
    assert verdict(major, "exclusion") == "met"


def test_proton_pump_inhibitors_are_no_proton_therapy() -> None:
    """ "Use of proton pump inhibitors within 7 days" is not cleared by radiation long ago
    (2026.11.16: met, "radiation ended ... days ago")."""
    rule = "Use of proton pump inhibitors within 7 days before the first dose."
    rt = [{"category": "radiation", "site": "left thigh", "ended_on": "2025-09-01"}]
    assert verdict(rule, "exclusion", prior_therapies=rt) == "unknown"


def test_a_sentence_introducing_the_exclusions_is_a_list_introduction() -> None:
    """ "Patients who fall under any of the following will be excluded." asks nothing itself
    (2026.11.16: unknown); "Any of the following: a systemic infection ..." is a rule."""
    assert verdict(
        "Patients who fall under any of the following will be excluded.", "exclusion"
    ) == ("not_applicable")
    inline = "Any of the following: a systemic infection that is not controlled."
    assert verdict(inline, "exclusion") != "not_applicable"


def test_progression_by_recist_is_not_measurable_disease() -> None:
    """ "Radiological progression according to RECIST v1.1 documented in the last 6 months":
    a patient without measurable disease can progress by RECIST (2026.11.16: not_met)."""
    rule = "Radiological progression of disease according to RECIST v1.1 in the last 6 months."
    assert verdict(rule, disease_status="progressive", tumor={"measurable": False}) == "unknown"


def test_hbs_antigen_is_hepatitis_b() -> None:
    """ "HBs antigen positive" (a hepatitis B exclusion written the Japanese way) is read."""
    assert verdict("HBs antigen positive", "exclusion", hbv="positive") == "not_met"
    assert verdict("HBs antigen positive", "exclusion", hbv="negative") == "met"


def test_a_tumor_named_by_its_gene_in_a_list_is_no_biomarker_rule() -> None:
    """ "Non-rhabdomyosarcoma soft tissue sarcoma (synovial sarcoma, ..., BCOR-altered sarcoma,
    and others)": a synovial sarcoma patient meets it; an alveolar rhabdomyosarcoma is not
    covered by the generic "sarcoma" of an example (2026.11.16: unknown for both)."""
    rule = (
        "Non-rhabdomyosarcoma soft tissue sarcoma (synovial sarcoma, undifferentiated pleomorphic "
        "sarcoma, CIC-rearranged sarcoma and BCOR-altered sarcoma, and others)."
    )
    assert verdict(rule) == "met"
    assert verdict(rule, diagnosis="alveolar rhabdomyosarcoma") != "met"


def test_a_histology_with_its_marker_requires_the_histology() -> None:
    """ "dedifferentiated liposarcoma, with MDM2 amplification documented by FISH", one of the
    L-sarcomas listed: this alternative is not met by a synovial sarcoma (2026.11.16: unknown,
    only the marker was read)."""
    block = (
        "Inclusion Criteria:\n\n"
        "* Histologically proven diagnosis of one of the following L-sarcomas:\n"
        "  * leiomyosarcoma;\n"
        "  * dedifferentiated liposarcoma, with MDM2 amplification documented by FISH;"
    )
    got = verdicts(block)
    assert got["dedifferentiated liposarcoma, with MDM2 amplification documented by FISH;"] == (
        "not_met"
    )


def test_the_conditions_of_a_cns_permission_are_the_cns_judges() -> None:
    """ "Symptomatic or progressive CNS metastases. Patients with brain metastases previously
    treated (surgery or radiotherapy), stable and off corticosteroids are eligible.": met
    without CNS metastases (2026.11.16: unknown on the permission's radiation); "Patients with
    known brain metastases, unless ALL of the following ..." is the exclusion, not a group."""
    rule = (
        "Symptomatic or progressive central nervous system (CNS) metastases or leptomeningeal "
        "disease. Patients with brain metastases previously treated (surgery or radiotherapy), "
        "clinically stable and off corticosteroids for at least 4 weeks are eligible."
    )
    assert verdict(rule, "exclusion") == "met"
    unless = (
        "Patients with known brain metastases, unless ALL of the following are met: metastases "
        "treated with surgery completed ≥ 14 days prior to enrollment."
    )
    assert verdict(unless, "exclusion") == "met"


def test_a_tumor_named_only_in_a_bracket_is_no_diagnosis_exclusion() -> None:
    """ "... or tumor invading the GI tract lumen (including a primary clear cell sarcoma of the
    GI tract)": not met because the patient has another tumor (2026.11.16: met)."""
    rule = (
        "Gastrointestinal perforation within 6 months, or radiographic evidence of tumor invading "
        "the GI tract lumen (including an unresected primary clear cell sarcoma of the GI tract)."
    )
    assert verdict(rule, "exclusion") == "unknown"


def test_a_limit_for_some_cases_in_a_bracket_is_no_unestablished_site() -> None:
    """ "AST (GOT) ≤ 3 × ULN (≤ 5 × ULN for cases with liver metastasis)": 0.8 × ULN holds
    either limit (2026.11.16: unknown, "where the disease is" not established)."""
    rule = "AST (GOT) ≤ 3 × ULN (≤ 5 × ULN for cases with liver metastasis)"
    assert verdict(rule, labs={"ast_x_uln": 0.8}) == "met"
    assert verdict(rule, labs={"ast_x_uln": 4.0}) == "unknown"


# --- batch 5 (dev T27 TCR-T, T29 industry phase 3, T30 oncolytic virus with arms) ---------------


def test_a_paragraph_that_only_defines_is_not_applicable() -> None:
    """ "A regimen is one or more agents given for a single line. Substitution ... does not
    constitute a new regimen." defines a word (2026.11.17: met on "progression")."""
    rule = (
        "A regimen is one or more systemic anticancer agents given for a single line of therapy. "
        "Substitution of an agent within a regimen for toxicity, in the absence of disease "
        "progression, does not constitute a new regimen."
    )
    assert verdict(rule) == "not_applicable"


def test_surgery_planned_during_the_study_and_a_separate_lesion_are_not_established() -> None:
    """ "... or has major surgery planned during the study" and "a measurable lesion separate
    from the lesion planned for injection": past surgery and measurable disease settle neither
    (2026.11.17: met)."""
    surgery = (
        "Major surgery within 28 days prior to randomization, or major surgery planned during the "
        "study."
    )
    assert verdict(surgery, "exclusion") == "unknown"
    separate = (
        "At least one measurable lesion per RECIST v1.1 that is separate from the lesion(s) "
        "planned for injection."
    )
    assert verdict(separate) == "unknown"


def test_a_weight_that_picks_a_dose_is_no_weight_limit() -> None:
    """ "Systemic corticosteroids > 10 mg/day prednisone (> 0.15 mg/kg/day for participants
    weighing < 50 kg) within 14 days": a 41 kg child is not excluded by her weight (2026.11.17:
    not_met, "weight falls in the limit")."""
    rule = (
        "Systemic corticosteroids at a dose >10 mg/day prednisone or equivalent (>0.15 mg/kg/day "
        "for participants weighing <50 kg) within 14 days"
    )
    assert verdict(rule, "exclusion", weight_kg=41) != "not_met"


def test_radiotherapy_within_weeks_is_a_washout_and_a_field_size_wait_stays_open() -> None:
    """ "Radiotherapy to a target lesion within 4 weeks" is cleared by radiation a year ago
    (2026.11.17: "radiation history matters here"); "12 weeks since craniospinal or whole-lung
    irradiation" does not exclude a child irradiated 8 weeks ago at a site of unknown size."""
    rule = "Radiotherapy to a target lesion within 4 weeks prior to leukapheresis."
    rt = [{"category": "radiation", "site": "left thigh", "ended_on": "2025-09-01"}]
    assert verdict(rule, "exclusion", prior_therapies=rt) == "met"
    waits = (
        "Radiotherapy: at least 2 weeks since local palliative irradiation; at least 12 weeks "
        "since craniospinal irradiation or whole lung irradiation."
    )
    recent = [{"category": "radiation", "site": "lung", "ended_on": "2026-10-01"}]
    assert verdict(waits, prior_therapies=recent) == "unknown"


def test_an_age_limit_at_signing_of_assent_and_an_age_groups_extra_rule() -> None:
    """ "Age >= 10 years at the time of signing the informed consent/assent form" is an age limit
    (2026.11.17: not read); "Participants < 12 months of age must have been born at >= 37
    weeks" asks more of infants, no upper age limit (a 14-year-old is not excluded)."""
    assent = "Age ≥10 years at the time of signing the informed consent/assent form."
    assert verdict(assent) == "met"
    assert verdict(assent, age_months=96) == "not_met"
    infants = (
        "Age >= 6 months at the time of signing informed consent/assent. Participants < 12 months "
        "of age must have been born at >= 37 weeks gestational age."
    )
    assert verdict(infants) == "met"
    assert verdict(infants, age_months=8) == "unknown"


def test_limits_for_each_age_group_are_no_age_limit() -> None:
    """ "Blood pressure: patients >= 18 years must have <= 140/90; patients < 18 years must have
    <= 95th percentile for age": no age limit excludes a 14-year-old."""
    rule = (
        "Blood pressure: patients ≥ 18 years of age must have a blood pressure ≤ 140/90 mm Hg; "
        "patients < 18 years of age must have systolic and diastolic blood pressure ≤ 95th "
        "percentile for age, height and sex."
    )
    kind, got, _reason, _rule = judge(rule)
    assert kind != "age"
    assert got == "unknown"


def test_refractory_disease_has_progressed_unless_a_response_is_asked() -> None:
    """ "disease progression on or after at least 1 platinum-containing regimen" fits refractory
    disease (2026.11.17: unknown); "recurrence after achieving a complete or partial response"
    does not for primary refractory disease (no relapse counted)."""
    refractory: dict[str, Any] = {"disease_status": "refractory", "relapse_number": None}
    progression = "Disease progression on or after at least 1 prior systemic regimen."
    assert verdict(progression, **refractory) == "met"
    after_response = (
        "Relapsed: recurrence or progression after achieving complete response or partial "
        "response with first-line treatment."
    )
    assert verdict(after_response, **refractory) != "met"


def test_a_second_limit_if_liver_metastases_are_present_is_for_some_patients() -> None:
    """ "ALT <= 135 U/L (ULN for ALT defined as 45 U/L); ALT <= 225 U/L if liver metastases are
    present": 0.8 x ULN is met (2026.11.17: not read), 3.5 x ULN depends on liver metastases
    (reading both limits as required would exclude wrongly)."""
    rule = (
        "ALT <= 135 U/L (ULN for ALT defined as 45 U/L for this study); ALT <= 225 U/L if liver "
        "metastases are present"
    )
    assert verdict(rule, labs={"alt_x_uln": 0.8}) == "met"
    assert verdict(rule, labs={"alt_x_uln": 3.5}) == "unknown"
