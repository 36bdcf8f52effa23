"""How criteria are read (issue 8): scope, completeness, not-applicable, time and direction.

Each criterion sentence is quoted from a real ClinicalTrials.gov record in snapshot/sarcoma/records
(NCT id in the docstring) unless the docstring says it is quoted from issue 8. The profile below
and its variations are constructed (fictional); none is a real patient.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from matcher.adapters.ctgov.parse import parse_study
from matcher.domain.eligibility import EngineOptions, evaluate_trial, match_trials
from matcher.domain.eligibility.facts import build_facts
from matcher.domain.eligibility.judges import judge_criterion
from matcher.domain.eligibility.parsed import split_and_classify
from matcher.domain.models.profile import ProfileIn
from matcher.domain.models.trial import Trial

AS_OF = date(2026, 11, 26)
RECORDS = Path(__file__).resolve().parents[2] / "snapshot" / "sarcoma" / "records"
# constructed profile: a 14-year-old girl with a first pulmonary relapse of synovial sarcoma
BASE: dict[str, Any] = {
    "profile_id": "TEST-reading-constructed",
    "assessed_on": "2026-11-20",
    "age_months": 171,
    "sex": "female",
    "diagnosis": "synovial sarcoma",
    "disease_status": "recurrent",
    "recurrence_sites": ["pulmonary"],
    "relapse_number": 1,
    "tumor": {"measurable": True},
    "biomarkers": ["SS18-SSX2 fusion"],
    "prior_therapies": [
        {"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2025-09-01"},
        {"agent": "doxorubicin", "category": "chemotherapy", "ended_on": "2025-09-01"},
        {"category": "surgery", "site": "left thigh", "ended_on": "2026-06-30"},
    ],
    "performance": {"scale": "lansky", "score": 90},
    "labs": {"anc_per_uL": 1800, "platelets_per_uL": 210000, "hemoglobin_g_dL": 11.2,
             "creatinine_mg_dL": 0.6, "bilirubin_x_uln": 0.8, "alt_x_uln": 1.1},
    "cns_metastases": False,
    "pregnant": False,
    "lactating": False,
    "weight_kg": 52,
}  # fmt: skip
IFS = {"diagnosis": "infantile fibrosarcoma", "age_months": 7, "sex": "male",
       "biomarkers": ["ETV6-NTRK3 fusion"]}  # fmt: skip
DSRCT = {"diagnosis": "desmoplastic small round cell tumor", "sex": "male"}


def profile(**changes: Any) -> ProfileIn:
    return ProfileIn.model_validate_json(json.dumps({**BASE, **changes}))


def judge(text: str, section: str = "inclusion", **changes: Any) -> tuple[str, str, str, str]:
    """(kind, verdict, reason, rule) of the first criterion of `text` under a section heading."""
    heading = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    criteria = split_and_classify(f"{heading}\n\n* {text}")
    judged = judge_criterion(criteria[0], build_facts(profile(**changes), AS_OF))
    j = judged.judgement
    return judged.kind, j.verdict, j.reason, j.rule


def read_as(text: str, section: str = "inclusion", **changes: Any) -> tuple[str, str]:
    """(kind, verdict) of the first criterion of `text` under a section heading."""
    kind, verdict, _reason, _rule = judge(text, section, **changes)
    return kind, verdict


def record(nct_id: str) -> Trial:
    return parse_study(json.loads((RECORDS / f"{nct_id}.json").read_text()))


def criterion(nct_id: str, starts: str, **changes: Any) -> tuple[str, str, str | None]:
    """(verdict, reason, rule_id) of the record's criterion starting with `starts`."""
    match = evaluate_trial(
        profile(**changes), record(nct_id), as_of=AS_OF, options=EngineOptions(any_status=True)
    )
    found = [c for c in match.criteria if c.text.startswith(starts)]
    assert found, f"no criterion starting {starts!r} in {nct_id}"
    return found[0].verdict, found[0].reason, found[0].rule_id


# --- scope, read in the right direction ---------------------------------------------------------


def test_rule_for_tumors_other_than_dsrct_applies_to_infantile_fibrosarcoma() -> None:
    """NCT01099644: "For tumors other than DSRCT, 8H9 reactivity must be confirmed" needs 8H9 for
    an infant with infantile fibrosarcoma (unknown, never "applies to DSRCT only")."""
    text = "For tumors other than DSRCT, 8H9 reactivity must be confirmed by immunohistochemistry"
    kind, verdict, reason, _rule = judge(text, **IFS)
    assert (kind, verdict) == ("biomarker", "unknown")
    assert "8H9" in reason


def test_rule_for_tumors_other_than_dsrct_does_not_apply_to_dsrct() -> None:
    """NCT01099644: the same rule does not apply to a patient with DSRCT, and says why."""
    text = "For tumors other than DSRCT, 8H9 reactivity must be confirmed by immunohistochemistry"
    _kind, verdict, reason, rule = judge(text, **DSRCT)
    assert (verdict, rule) == ("not_applicable", "other_diagnosis")
    assert "other than desmoplastic small round cell tumor" in reason


def test_sex_specific_exclusion_does_not_apply_to_a_boy_but_excludes_a_pregnant_girl() -> None:
    """NCT03138161: "Females who are pregnant or breast-feeding" is not_applicable for a male
    patient and not_met for a pregnant one."""
    text = "Females who are pregnant or breast-feeding"
    assert judge(text, "exclusion", sex="male")[1] == "not_applicable"
    assert judge(text, "exclusion", pregnant=True)[1] == "not_met"


def test_age_limit_for_other_tumors_named_in_the_sentence() -> None:
    """An age limit written for tumors named in the same sentence (issue 8, class 1; wording
    constructed after it) binds those tumors only: a 20-year-old with synovial sarcoma passes,
    one with alveolar rhabdomyosarcoma fails."""
    text = "Age ≥ 12 months and ≤ 30 years; ≤ 18 years for Ewing sarcoma and rhabdomyosarcoma"
    assert judge(text, age_months=240)[1] == "met"
    arms = judge(text, age_months=240, diagnosis="alveolar rhabdomyosarcoma")
    assert arms[1] == "not_met"
    assert "<= 18 years" in arms[2]


# --- what does not apply is not a question ------------------------------------------------------


def test_consent_cooperation_and_contraception_are_formalities() -> None:
    """NCT01099644, NCT04995003: cooperating with radiation safety and agreeing to contraception
    are obtained at enrolment: not_applicable, and not read as a radiation history question."""
    cooperate = judge("Able to cooperate with radiation safety restrictions during therapy period")
    assert (cooperate[1], cooperate[3]) == ("not_applicable", "formality")
    contraception = (
        "Sexually active males and females of childbearing potential must agree to use a form of "
        "contraception considered effective and medically acceptable by the investigator."
    )
    assert judge(contraception)[1] == "not_applicable"


def test_headings_and_cohort_labels_do_not_apply_but_requirements_do() -> None:
    """NCT00379457: "Subgroup B" and "Low-risk group" label what follows (not_applicable);
    "N0 disease" under them is a requirement the profile does not establish (unknown)."""
    assert judge("Subgroup B")[1] == "not_applicable"
    assert judge("Low-risk group")[1] == "not_applicable"
    assert judge("N0 disease")[1] == "unknown"


def test_permissive_note_does_not_apply() -> None:
    """NCT02659020: "... in 1 prior treatment line is allowed." allows, requires nothing."""
    text = (
        "In the Phase 2 part, prior olaratumab/doxorubicin combination therapy in 1 prior "
        "treatment line is allowed."
    )
    assert judge(text)[1:4:2] == ("not_applicable", "note")


def test_not_applicable_is_never_to_verify_and_no_obstacle() -> None:
    """NCT05910307 (synovial sarcoma registry): consent items are not_applicable, none of them is
    in to_verify, and they do not keep the trial from being eligible."""
    match = evaluate_trial(
        profile(), record("NCT05910307"), as_of=AS_OF, options=EngineOptions(any_status=True)
    )
    na = [c for c in match.criteria if c.verdict == "not_applicable"]
    assert na
    assert not any(c.text[:60] in " ".join(match.to_verify) for c in na)
    assert all(c.verdict in {"met", "not_applicable", "unknown"} for c in match.criteria)


# --- completeness -------------------------------------------------------------------------------


def test_blood_count_list_needs_wbc_and_coagulation() -> None:
    """NCT03138161: WBC and PT/PTT/INR are required besides ANC, platelets and hemoglobin: unknown
    naming them with good counts; a failed count still excludes."""
    text = (
        "Acceptable hematologic status (without hematologic support): WBC ≥2000/µL; ANC ≥ 1500 "
        "cells/μL; Platelet count ≥ 100,000/μL; Hemoglobin ≥ 9.0 g/dL; Normal PT, PTT, INR"
    )
    _kind, verdict, reason, _rule = judge(text)
    assert verdict == "unknown"
    assert "WBC" in reason  # read by the labs judge since engine 2026.11.6; none given here
    with_wbc = judge(text, labs={**BASE["labs"], "wbc_per_uL": 5000})
    assert with_wbc[1] == "unknown"
    assert "INR" in with_wbc[2]  # "Normal PT, PTT, INR": no limit to read
    assert judge(text, labs={"platelets_per_uL": 60000})[1] == "not_met"


def test_transaminase_limit_needs_ast_and_alt() -> None:
    """NCT04995003: "AST/ALT ≤ 2.5x ULN" is not met on ALT alone; met with both, not_met on AST."""
    text = "AST/ALT ≤ 2.5x ULN"
    _kind, verdict, reason, _rule = judge(text)  # ALT only in the profile
    assert verdict == "unknown"
    assert "AST" in reason
    assert judge(text, labs={"alt_x_uln": 1.0, "ast_x_uln": 1.2})[1] == "met"
    assert judge(text, labs={"alt_x_uln": 1.0, "ast_x_uln": 3.2})[1] == "not_met"


def test_infection_exclusion_is_not_met_by_a_diagnosis_argument() -> None:
    """NCT05642455: "Active infection with HIV, hepatitis B ..." stays unknown, naming infection
    status (never met because synovial sarcoma is not a leukaemia)."""
    text = (
        "Active infection with human immunodeficiency virus, hepatitis B virus, hepatitis C virus, "
        "or human T cell leukemia virus"
    )
    _kind, verdict, reason, _rule = judge(text, "exclusion")
    assert verdict == "unknown"
    assert "HIV" in reason  # engine 2026.11.6 reads HIV/HBV/HCV status; none given here
    # all three negative still leaves HTLV, which the profile cannot establish
    negative = {"hiv": "negative", "hbv": "negative", "hcv": "negative"}
    _kind, verdict, reason, rule = judge(text, "exclusion", **negative)
    assert (verdict, rule) == ("unknown", "completeness")
    assert reason.startswith("not established from the profile: infection status")


def test_other_malignancy_history_is_not_about_the_patients_own_tumor() -> None:
    """NCT06946225: "History of other malignancies ... within the last 3 years" is unknown."""
    text = (
        "History of other malignancies (except for adequately treated basal or squamous cell "
        "carcinoma or carcinoma in situ) within the last 3 years"
    )
    _kind, verdict, reason, _rule = judge(text, "exclusion")
    assert verdict == "unknown"
    assert "another malignancy" in reason


def test_biomarker_positive_qualifier_on_a_tumor() -> None:
    """NCT04995003: "Diagnosis of a HER2-positive sarcoma" is unknown without a HER2 result and
    met with one; NCT01099644: "other 8H9-positive solid tumors" is not met on "solid tumor"."""
    text = (
        "Diagnosis of a HER2-positive sarcoma. Immunohistochemistry (IHC) will be used to "
        "determine HER2 expression."
    )
    assert judge(text)[:2] == ("biomarker", "unknown")
    assert judge(text, biomarkers=["HER2 positive (IHC 3+)"])[1] == "met"
    eight_h9 = (
        "Patients must have the diagnosis of (a) DSRCT with peritoneal involvement or (b) other "
        "8H9-positive solid tumors involving the peritoneum (e.g. adrenocortical carcinoma, "
        "Wilm's tumor)"
    )
    assert judge(eight_h9, **IFS)[1] == "unknown"


def test_genes_from_the_one_list_reach_the_biomarker_judge() -> None:
    """Issue 8 (quoted): "IDH1 or IDH2 mutant chondrosarcoma" and "NAB2-STAT6 positive" are
    biomarker requirements; a gene named as a drug target ("anti-PD-L1") is not (NCT07049848)."""
    idh = judge("IDH1 or IDH2 mutant chondrosarcoma", diagnosis="chondrosarcoma")
    assert idh[:2] == ("biomarker", "unknown")
    assert "IDH" in idh[2]
    sft = {"diagnosis": "solitary fibrous tumor", "biomarkers": ["NAB2-STAT6 fusion"]}
    assert judge("NAB2-STAT6 positive solitary fibrous tumor", **sft)[:2] == ("biomarker", "met")
    drug = (
        "Prior treatment with CD137 agonists or immune checkpoint blockade therapies, including "
        "anti-CTLA-4, anti-PD-1, and anti-PD-L1 therapeutic antibodies"
    )
    assert judge(drug, "exclusion")[0] == "prior_therapy_excluded"


# --- time and direction -------------------------------------------------------------------------


def test_recency_window_is_read_back_from_enrolment() -> None:
    """NCT00379457: "Has undergone diagnostic surgery within the past 8 weeks" is not met by
    surgery 149 days ago (unknown: an unlisted biopsy may count) and met by one 20 days ago."""
    text = "Has undergone diagnostic surgery within the past 8 weeks"
    old = judge(text)  # surgery 2026-06-30: 149 days before AS_OF
    assert old[1] == "unknown"
    assert "149 days" in old[2]
    recent = [{"category": "surgery", "site": "lung", "ended_on": "2026-11-06"}]
    assert judge(text, prior_therapies=recent)[1] == "met"


def test_prior_line_cap_is_counted_conservatively() -> None:
    """NCT02659020: "no more than 2 prior lines" is never met for three separate lines (unknown,
    never a wrong not_met) and met for one two-drug line."""
    text = (
        "The participant may have no more than 2 prior lines of systemic therapies (neoadjuvant "
        "and adjuvant therapies will not be considered as a prior line of therapy)"
    )
    three = [
        {"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2024-09-01"},
        {"agent": "pazopanib", "category": "targeted", "ended_on": "2025-06-01"},
        {"agent": "trabectedin", "category": "chemotherapy", "ended_on": "2026-05-01"},
    ]
    assert judge(text, prior_therapies=three)[:2] == ("prior_lines", "unknown")
    assert judge(text)[:2] == ("prior_lines", "met")  # ifosfamide + doxorubicin: one line


def test_maintenance_trial_is_not_for_active_relapse() -> None:
    """NCT07137884 ("... Maintenance Treatment for Intermediate-High Risk Rhabdomyosarcoma"): a
    relapsing child is not "relapsed/refractory: met"; the trial is for patients in remission."""
    verdict, reason, rule_id = criterion(
        "NCT07137884", "Title:", diagnosis="embryonal rhabdomyosarcoma", age_months=120
    )
    assert verdict == "unknown"
    assert "remission" in reason
    assert rule_id == "trial/disease_setting.maintenance"


def test_previously_untreated_title_is_not_relapsed_because_of_leukaemia() -> None:
    """NCT03834961 ("Previously Untreated TRK Fusion Solid Tumors and TRK Fusion Relapsed Acute
    Leukemia"): for a relapsed solid tumor the title is not "relapsed" (unknown, not met)."""
    verdict, reason, _rule = criterion("NCT03834961", "Title:", **IFS)
    assert verdict == "unknown"
    assert "previously untreated" in reason


# --- age and grade written only in text ---------------------------------------------------------


def test_age_range_phrased_around_consent_is_an_age_limit() -> None:
    """Issue 8 (quoted class, wording constructed): "12 to 17 years of age on the day of signing
    informed consent" excludes a 20-year-old; "Informed consent from subject (aged ≥18 years) or
    parent/guardian" (NCT05910307) stays a formality."""
    text = (
        "Male or female participants 12 to 17 years of age on the day of signing informed consent"
    )
    assert judge(text, age_months=240)[:2] == ("age", "not_met")
    assert judge(text)[:2] == ("age", "met")
    consent = "Informed consent from subject (aged ≥18 years) or parent/guardian"
    assert judge(consent, age_months=100)[1] == "not_applicable"


def test_grade_in_a_diagnosis_list_is_judged_from_the_profile() -> None:
    """NCT04458922: "documented grade 2 or 3 conventional chondrosarcoma" in a list of tumors never
    excludes a grade 1 chondrosarcoma (the grade may belong to one tumor of the list only)."""
    text = (
        "Patients must have documented EWSR1/ATF1 or EWSR1/CREB1 translocation or histologically "
        "confirmed clear cell sarcoma, documented grade 2 or 3 conventional chondrosarcoma, or "
        "documented dedifferentiated chondrosarcoma."
    )
    chondro = {"diagnosis": "chondrosarcoma", "biomarkers": []}
    assert judge(text, tumor={"grade": 3}, **chondro)[1] != "not_met"
    assert judge(text, tumor={"grade": 1}, **chondro)[1] == "unknown"


def test_grade_by_definition_comes_from_the_vocabulary() -> None:
    """A grade 2-3 requirement (wording constructed after issue 8's "sarcoma (grade 2 or 3)")
    fails infantile fibrosarcoma, low grade by definition, and a grade 1 tumor from tumor.grade."""
    text = "Histologically confirmed high grade soft tissue sarcoma (grade 2 or 3)"
    ifs = judge(text, **IFS)
    assert ifs[1] == "not_met"
    assert "by definition" in ifs[2]
    assert judge(text, tumor={"grade": 1})[1] == "not_met"
    assert judge(text, tumor={"grade": 3})[1] == "met"
    assert judge(text)[1] == "unknown"  # no grade given for synovial sarcoma


# --- unrecognised diagnosis, provenance ---------------------------------------------------------


def test_unrecognised_diagnosis_is_warned_about_and_not_a_generic_sarcoma() -> None:
    """NCT05910307: "synovial sarcoam" yields a run warning and no "covered by sarcoma" verdict."""
    run = match_trials(
        profile(diagnosis="synovial sarcoam"),
        [record("NCT05910307")],
        as_of=AS_OF,
        options=EngineOptions(any_status=True),
    )
    assert run.warnings
    assert "synovial sarcoam" in run.warnings[0]
    diagnosis = [c for c in run.results[0].criteria if c.kind == "diagnosis"]
    assert diagnosis
    assert all(c.verdict == "unknown" for c in diagnosis)
    assert not match_trials(
        profile(), [record("NCT05910307")], as_of=AS_OF, options=EngineOptions(any_status=True)
    ).warnings


def test_every_criterion_result_carries_its_rule_and_guard() -> None:
    """NCT01099644: every criterion names the rule that read it; scope decisions name the guard."""
    match = evaluate_trial(
        profile(**DSRCT), record("NCT01099644"), as_of=AS_OF, options=EngineOptions(any_status=True)
    )
    assert all(c.rule_id and "/" in c.rule_id for c in match.criteria)
    scoped = [c for c in match.criteria if c.text.startswith("For tumors other than DSRCT")]
    assert scoped
    assert all((c.verdict, c.guard) == ("not_applicable", "scope") for c in scoped)


def test_rule_for_another_age_group_does_not_apply() -> None:
    """NCT00929903: "Karnofsky ... (> 16 years of age)" does not apply to a 14-year-old, while
    "Lansky PS 50-100% (≤ 16 years of age)" does; NCT04851119: a creatinine row for ages 1-2
    does not apply either."""
    assert judge("Karnofsky performance status (PS) 50-100% (> 16 years of age)")[1] == (
        "not_applicable"
    )
    assert judge("Lansky PS 50-100% (≤ 16 years of age)")[:2] == ("performance", "met")
    row = judge("Age 1 to < 2 years; 0.6 mg/dL (male); 0.6 mg/dL (female)")
    assert row[1] == "not_applicable"


def test_unknown_histology_ending_in_a_generic_word_is_not_any_sarcoma() -> None:
    """NCT00346164: "Myxoinflammatory fibroblastic sarcoma" is not met by "covered by sarcoma";
    NCT03138161: "... metastatic soft tissue sarcoma" still covers synovial sarcoma."""
    assert judge("Myxoinflammatory fibroblastic sarcoma")[:2] == ("diagnosis", "unknown")
    sts = (
        "Pathologically confirmed diagnosis of locally advanced unresectable or metastatic soft "
        "tissue sarcoma"
    )
    assert judge(sts)[:2] == ("diagnosis", "met")


def test_rule_for_newly_diagnosed_group_does_not_apply_to_a_relapse() -> None:
    """NCT04123535: "For Group 1 Patients (newly diagnosed disease) only: ..." does not apply to
    a recurrent sarcoma (not_applicable, rather than "met")."""
    text = (
        "For Group 1 Patients (newly diagnosed disease) only: Have received neoadjuvant "
        "radiotherapy or planning to receive neoadjuvant radiotherapy."
    )
    _kind, verdict, reason, rule = judge(text, "exclusion")
    assert (verdict, rule) == ("not_applicable", "other_setting")
    assert "newly diagnosed" in reason


def test_cohort_naming_another_tumor_is_not_met_on_the_setting_alone() -> None:
    """NCT02304458: "Part B1: patients with relapsed or refractory neuroblastoma" is not met for
    a relapsed synovial sarcoma just because it relapsed; for neuroblastoma it is."""
    text = "Part B1: patients with relapsed or refractory neuroblastoma"
    assert judge(text)[:2] == ("diagnosis", "unknown")
    assert judge(text, diagnosis="neuroblastoma")[1] == "met"


def test_age_limits_written_with_a_symbol_or_from_birth_are_read() -> None:
    """NCT05304585: "Patients must be ≤ 21 years at the time of enrollment." and NCT03275402
    (tests/devset/trials): "between the ages of birth and 18 years" are age limits, both ways."""
    limit = "Patients must be ≤ 21 years at the time of enrollment."
    assert judge(limit)[:2] == ("age", "met")
    assert judge(limit, age_months=23 * 12)[:2] == ("age", "not_met")
    birth = "Patients must be between the ages of birth and 18 years at the time of screening."
    assert judge(birth)[:2] == ("age", "met")
    assert judge(birth, age_months=20 * 12)[1] == "not_met"


def test_required_prior_chemotherapy_written_with_previously() -> None:
    """NCT05642455: "Must have previously received a systemic chemotherapy" is met by listed
    chemotherapy and not read as a note."""
    assert judge("Must have previously received a systemic chemotherapy")[:2] == (
        "prior_therapy_required",
        "met",
    )


def test_concomitant_anticancer_agents_is_a_current_treatment_rule() -> None:
    """NCT06083883: "Concomitant use of other anticancer agents." is a current-treatment rule
    that past therapies, all ended, cannot settle (a treatment given now may be unlisted): unknown,
    asking the board about ongoing therapy (round 7 readers; round 1 had called it met)."""
    kind, verdict, reason = judge("Concomitant use of other anticancer agents.", "exclusion")[:3]
    assert (kind, verdict) == ("washout", "unknown")
    assert "current treatment is not recorded" in reason


def test_lansky_70_is_not_converted_to_ecog_1_with_certainty() -> None:
    """NCT00184067 (tests/devset/trials): "ECOG performance status of 0 or 1." is not met by
    Lansky 70 with certainty (tables put it at ECOG 1 or 2); Lansky 90 meets it, Lansky 40 not."""
    text = "ECOG performance status of 0 or 1."
    assert judge(text, performance={"scale": "lansky", "score": 70})[1] == "unknown"
    assert judge(text)[1] == "met"
    assert judge(text, performance={"scale": "lansky", "score": 40})[1] == "not_met"


def test_measurable_tumor_size_is_checked_against_the_profile() -> None:
    """NCT00929903: "Measurable tumor that is ≥ 2 cm in its longest diameter" is not met by a
    1.8 cm lesion (unknown: another lesion may qualify) and met by a 3 cm one."""
    text = "Measurable tumor that is ≥ 2 cm in its longest diameter (Part 2b)"
    assert judge(text, tumor={"measurable": True, "size_cm": 1.8})[1] == "unknown"
    assert judge(text, tumor={"measurable": True, "size_cm": 3.0})[1] == "met"


def test_diagnosis_requirement_is_not_softened_by_a_later_sentence() -> None:
    """NCT03141684: "... confirmed alveolar soft part sarcoma ... To be eligible for atezolizumab
    in combination ..." excludes synovial sarcoma (the condition belongs to another sentence)."""
    verdict, reason, _rule = criterion(
        "NCT03141684", "Patients must have histologically or cytologically confirmed alveolar"
    )
    assert verdict == "not_met"
    assert "alveolar soft part sarcoma" in reason
    asps = criterion(
        "NCT03141684",
        "Patients must have histologically or cytologically confirmed alveolar",
        diagnosis="alveolar soft part sarcoma",
    )
    assert asps[0] != "not_met"


def test_a_criterion_naming_only_another_tumor_is_a_diagnosis_rule() -> None:
    """NCT03275402 (tests/devset/trials): "Patients with primary neuroblastoma in central nervous
    system." does not exclude synovial sarcoma, and does not stay unread."""
    text = "Patients with primary neuroblastoma in central nervous system."
    assert judge(text, "exclusion")[:2] == ("diagnosis", "met")
    assert judge(text, "exclusion", diagnosis="neuroblastoma")[1] != "met"


def test_rule_for_patients_with_another_tumor_named_mid_sentence() -> None:
    """NCT00929903: "Neurologic deficits in patients with CNS tumors must have been relatively
    stable" does not apply to synovial sarcoma; for a CNS tumor it is a question (not NA)."""
    text = (
        "Neurologic deficits in patients with CNS tumors must have been relatively stable for "
        "≥ 1 week"
    )
    assert judge(text)[1:4:2] == ("not_applicable", "other_diagnosis")
    assert judge(text, diagnosis="glioblastoma")[1] != "not_applicable"


def test_either_or_statements_section_labels_and_definition_items_do_not_apply() -> None:
    """NCT00346164 "Metastatic or non metastatic disease" allows both, so every patient meets it
    (engine 2026.11.7: met, as the blind readers label it, not "does not apply"); NCT06083883
    "Disease-specific inclusion criteria" is a label; NCT02306161 items under "metastatic
    disease is defined as one or more of the following:" define a term."""
    assert judge("Metastatic or non metastatic disease")[1] == "met"
    assert judge("Disease-specific inclusion criteria")[1] == "not_applicable"
    text = (
        "Inclusion Criteria:\n\n* For the purpose of this study metastatic disease is defined as "
        "one or more of the following:\n  * Lesions which are discontinuous from the primary "
        "tumor, are not regional lymph nodes, and do not share a bone or body cavity with the "
        "primary tumor\n"
    )
    crit = split_and_classify(text)[0]
    judged = judge_criterion(crit, build_facts(profile(), AS_OF))
    assert (judged.judgement.verdict, judged.judgement.rule) == ("not_applicable", "definition")


def test_co_enrolment_consent_is_a_formality() -> None:
    """NCT05304585: "... enrolled on APEC14B1 ... and consented to the Molecular
    Characterization Initiative ..." is obtained at enrolment (not_applicable)."""
    text = (
        "All patients must be enrolled on APEC14B1 (NCT02402244) and consented to the Molecular "
        "Characterization Initiative (Part A) prior to enrollment and treatment on ARST2032"
    )
    assert judge(text)[1] == "not_applicable"


def test_disease_section_heading_scopes_its_criteria() -> None:
    """NCT05703854: "Mesothelioma" heads its own criteria: the heading does not apply, and
    "Patients must have pathologically confirmed mesothelioma" does not apply to a
    rhabdomyosarcoma; for a mesothelioma it is the patient's own requirement (met)."""
    rms = {"diagnosis": "embryonal rhabdomyosarcoma"}
    assert criterion("NCT05703854", "Mesothelioma", **rms)[0] == "not_applicable"
    own = criterion(
        "NCT05703854", "Patients must have pathologically confirmed mesothelioma", **rms
    )
    assert own[0] == "not_applicable"
    assert "mesothelioma" in own[1]
    meso = criterion(
        "NCT05703854", "Patients must have pathologically confirmed mesothelioma",
        diagnosis="mesothelioma",
    )  # fmt: skip
    assert meso[0] == "met"


def test_a_record_without_exclusion_criteria_is_never_eligible() -> None:
    """NCT02576431: the record's text stops inside the inclusion criteria; with every visible
    criterion met the trial is possibly eligible, with the missing exclusions to verify."""
    ifs = {
        **IFS,
        "prior_therapies": [
            {"agent": "vincristine", "category": "chemotherapy", "ended_on": "2026-09-30"}
        ],
    }
    match = evaluate_trial(
        profile(**ifs), record("NCT02576431"), as_of=AS_OF, options=EngineOptions(any_status=True)
    )
    assert match.verdict == "possibly_eligible"
    assert "exclusion criteria (not in the record)" in match.to_verify


def test_received_standard_therapy_or_no_alternative() -> None:
    """NCT02576431: "Subjects who have received prior standard therapy ..., or who have no
    satisfactory alternative treatments" is met by listed chemotherapy, not read as a ban."""
    text = (
        "Subjects who have received prior standard therapy appropriate for their tumor type and "
        "stage of disease, or who have no satisfactory alternative treatments and in the opinion "
        "of the Investigator"
    )
    assert judge(text)[:2] == ("disease_setting", "met")


def test_newly_diagnosed_extension_does_not_apply_to_a_relapse() -> None:
    """NCT04458922: "Patients with newly diagnosed, unresectable, metastatic and measurable clear
    cell sarcoma ... will also be eligible if ..." does not apply to a relapsed patient."""
    text = (
        "Patients with newly diagnosed, unresectable, metastatic and measurable clear cell "
        "sarcoma, EWSR1/ATF1 or EWSR1/CREB1 translocation, grade 2 or 3 conventional "
        "chondrosarcoma, or dedifferentiated chondrosarcoma will also be eligible if they show "
        "clinical evidence of disease progression"
    )
    assert judge(text)[1:4:2] == ("not_applicable", "other_setting")


def test_a_duration_in_months_is_not_an_age_limit() -> None:
    """NCT05588648: "Chronic use of corticosteroids ... long term as duration > 1 month" never
    excludes on age; NCT05304585's "Patients must be ≤ 21 years" still is an age limit."""
    text = (
        "Chronic use of corticosteroids or other immunosuppressive agents. Note: High dose is "
        "defined as a prescription of >5 mg oral prednisolone and long term as duration > 1 month"
    )
    assert judge(text, "exclusion")[1] != "not_met"
    assert judge("Patients must be ≤ 21 years at the time of enrollment.", age_months=300)[1] == (
        "not_met"
    )


def test_an_exclusion_heading_with_sub_items_is_still_a_rule() -> None:
    """NCT05588648: "Subjects who have moderate or severe cardiovascular disease" (with its own
    sub-items) is not a heading; it stays to verify."""
    text = (
        "Exclusion Criteria:\n\n* Subjects who have moderate or severe cardiovascular disease\n"
        "  * Congestive heart failure\n"
    )
    heading = split_and_classify(text)
    judged = [judge_criterion(c, build_facts(profile(), AS_OF)) for c in heading]
    assert all(j.judgement.verdict != "not_applicable" for j in judged)


def test_distant_metastatic_disease_is_read_from_the_recurrence_sites() -> None:
    """NCT04388839: "All participants must have distant metastatic disease; ..." is met by a
    pulmonary recurrence and not met by a local recurrence only (the board lists where the
    disease is); unknown when no site is given. NCT05033288 reads the other way: the exclusion
    "Patients with distant sarcoma metastases" and the inclusion "No evidence of distant sarcoma
    metastases ..." fail a pulmonary recurrence and hold for a local one."""
    text = (
        "All participants must have distant metastatic disease; either biopsy positive or PET "
        "avid extranodal or distant nodal lesions determined by the investigator to be "
        "metastatic disease"
    )
    assert judge(text)[:2] == ("metastatic_disease", "met")
    assert judge(text, recurrence_sites=["local"])[1] == "not_met"
    assert judge(text, recurrence_sites=[])[1] == "unknown"
    excluded = "Patients with distant sarcoma metastases"
    assert judge(excluded, "exclusion")[:2] == ("metastatic_disease", "not_met")
    assert judge(excluded, "exclusion", recurrence_sites=["local"])[1] == "met"
    absent = (
        "No evidence of distant sarcoma metastases as determined by clinical examination and "
        "any form of imaging"
    )
    assert judge(absent)[1] == "not_met"
    assert judge(absent, recurrence_sites=["local", "regional_nodes"])[1] == "met"


def test_an_unlisted_treatment_is_unknown_not_absent() -> None:
    """NCT04022213: "At least 2 weeks must have elapsed since prior-radiotherapy or biologic
    therapy" is unknown when neither is listed (not met on absence), still unknown when only the
    radiation is listed and ended long ago (the biologic therapy is not ruled out, engine
    2026.11.5), not_met when the listed one ended days ago."""
    text = "At least 2 weeks must have elapsed since prior-radiotherapy or biologic therapy"
    assert judge(text)[1] == "unknown"
    old = [{"category": "radiation", "site": "lung", "ended_on": "2025-01-10"}]
    assert judge(text, prior_therapies=old)[1] == "unknown"
    recent = [{"category": "radiation", "site": "lung", "ended_on": "2026-11-20"}]
    assert judge(text, prior_therapies=recent)[1] == "not_met"


def test_lab_limits_written_after_the_value_and_no_sharing_across_a_comma() -> None:
    """NCT00184067 (tests/devset/trials): "... platelet count of 100,000 per cu mm or more" is
    read (60,000 fails); "at least 1500 granulocytes, hemoglobin of 9.0 gm/dl or more" does not
    give the granulocytes the hemoglobin's limit, and WBC keeps the criterion unknown."""
    text = (
        "Total whte blood cell (WBC) of 3,000 or more with at least 1500 granulocytes, hemoglobin "
        "of 9.0 gm/dl or more, and platelet count of 100,000 per cu mm or more."
    )
    assert judge(text, labs={"platelets_per_uL": 60000})[:2] == ("labs", "not_met")
    _kind, verdict, reason, _rule = judge(text)
    assert verdict == "unknown"
    assert ">= 9" not in reason.split("ANC")[-1][:12]  # ANC never compared with 9


def test_childbearing_potential_rule_does_not_apply_to_an_infant() -> None:
    """NCT02576665 (tests/devset/trials): "Women of childbearing potential ... must have a
    negative serum pregnancy test" does not apply to a 14-month-old girl; for a 14-year-old girl
    reported not pregnant it is met."""
    text = (
        "Women of childbearing potential (defined as not postmenopausal [ie, ≥ 12 months of "
        "non-therapy-induced amenorrhea] or not surgically sterile) must have a negative serum "
        "pregnancy test"
    )
    assert judge(text, age_months=14)[1] == "not_applicable"
    assert judge(text)[1] == "met"


def test_who_remains_eligible_under_the_exclusions_is_a_note() -> None:
    """NCT07049848: "Patients with controlled Type 1 diabetes mellitus who are on an insulin
    regimen are eligible for the study." (an exclusion-list item) excludes nobody."""
    text = (
        "Patients with controlled Type 1 diabetes mellitus who are on an insulin regimen are "
        "eligible for the study."
    )
    assert judge(text, "exclusion")[1:4:2] == ("not_applicable", "note")


def test_rule_for_glioblastoma_does_not_apply_to_a_sarcoma() -> None:
    """NCT02576665 (tests/devset/trials): "Patients with GBM or anaplastic astrocytoma must be at
    first or second recurrence ..." does not apply to synovial sarcoma."""
    text = (
        "Patients with GBM or anaplastic astrocytoma must be at first or second recurrence "
        "(including this recurrence) or have progressed following initial definitive multimodal "
        "therapy"
    )
    assert judge(text)[1:4:2] == ("not_applicable", "other_diagnosis")


def test_bsa_limit_joined_to_swallowing_tablets_is_not_met_on_weight() -> None:
    """Issue 8 class (wording constructed after it): a BSA limit joined to "able to swallow whole
    tablets" stays unknown naming the swallowing; NCT00929903's BSA limit alone is met on weight."""
    joined = judge("Body surface area ≥ 0.5 m^2 and able to swallow whole tablets")
    assert joined[1] == "unknown"
    assert "swallow" in joined[2]
    assert judge("Body surface area ≥ 0.48 m^2 (Part 1 and Part 2b)")[:2] == ("weight", "met")
