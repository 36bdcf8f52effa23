"""Reading classes added in engine 2026.11.7, each pinned in both directions on real record text
(constructed profiles; records from snapshot/sarcoma and tests/devset/trials)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matcher.adapters.ctgov.parse import parse_study
from matcher.domain.eligibility import EngineOptions, evaluate_trial
from matcher.domain.models.match import CriterionResult
from tests.unit.test_eligibility_reading import AS_OF, judge, profile

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = (
    ROOT / "snapshot" / "sarcoma" / "records",
    ROOT / "tests" / "devset" / "trials",
    ROOT / "tests" / "criteria" / "trials-6",
)


def criteria_in(nct_id: str, starts: str, **changes: Any) -> list[CriterionResult]:
    """Every criterion of the record starting with `starts`, the whole trial judged."""
    path = next(f / f"{nct_id}.json" for f in FOLDERS if (f / f"{nct_id}.json").is_file())
    trial = parse_study(json.loads(path.read_text()))
    match = evaluate_trial(
        profile(**changes), trial, as_of=AS_OF, options=EngineOptions(any_status=True)
    )
    found = [c for c in match.criteria if c.text.startswith(starts)]
    assert found, f"no criterion starting {starts!r} in {nct_id}"
    return found


def verdict_of(nct_id: str, starts: str, **changes: Any) -> tuple[str, str]:
    """(verdict, reason) of the record's criterion starting with `starts`, whole trial judged."""
    found = criteria_in(nct_id, starts, **changes)[0]
    return found.verdict, found.reason


def test_the_patients_own_cancer_is_another_malignancy_in_a_trial_for_another_disease() -> None:
    """NCT03934567 (follicular lymphoma) excludes "prior history of malignancies other than
    follicular lymphoma": a sarcoma is one, so not_met; a desmoid (not malignant) stays open, and
    in the MAGE-A4 basket NCT05642455 (synovial sarcoma, MPNST, ...) an epithelioid sarcoma is the
    index tumor of the family, not "another malignancy"."""
    verdict, reason = verdict_of("NCT03934567", "Have prior history of malignancies other than")
    assert verdict == "not_met"
    assert "itself another malignancy" in reason
    desmoid = {"diagnosis": "desmoid tumor"}
    verdict, _ = verdict_of("NCT03934567", "Have prior history of malignancies other", **desmoid)
    assert verdict != "not_met"
    epithelioid = {"diagnosis": "epithelioid sarcoma"}
    verdict, _ = verdict_of("NCT05642455", "Other prior malignancy that is not", **epithelioid)
    assert verdict != "not_met"


def test_an_inclusion_allowing_past_cancers_fails_an_active_one() -> None:
    """NCT00184067 (melanoma) "Patients who have had another malignancy but with no evidence of
    disease for greater than 5 years ... will be eligible": a recurrent sarcoma is an active
    other malignancy, so not met."""
    verdict, _ = verdict_of("NCT00184067", "Patients who have had another malignancy")
    assert verdict == "not_met"


def test_a_lab_heading_reads_the_values_of_its_absorbed_sub_items() -> None:
    """NCT02576665 "Patient has adequate organ function, as indicated by the following laboratory
    values [Liver: total bilirubin <= 1.5 x ULN ...; alanine aminotransferase <= 2.5 x ULN ...]":
    met when both are within; ALT 3 x ULN fails the written limit but the text's exception
    (5 x ULN with liver metastases) keeps it unknown, never met."""
    starts = "Patient has adequate organ function, as indicated by the following laboratory"
    labs = {"bilirubin_x_uln": 0.8, "alt_x_uln": 1.0}
    assert verdict_of("NCT02576665", starts, labs=labs)[0] == "met"
    verdict, reason = verdict_of("NCT02576665", starts, labs={**labs, "alt_x_uln": 3.0})
    assert verdict == "unknown"
    assert "ALT 3 vs <= 2.5" in reason


def test_transaminase_synonyms_share_one_limit() -> None:
    """NCT02243605 "Aspartate aminotransferase (AST) (serum glutamic oxaloacetic transaminase
    [SGOT])/alanine aminotransferase (ALT) (...) =< 3.0 x institutional upper limit of normal":
    the limit is AST's as well as ALT's, so met with both given and within, not_met on AST."""
    text = (
        "Aspartate aminotransferase (AST) (serum glutamic oxaloacetic transaminase [SGOT])/alanine "
        "aminotransferase (ALT) (serum glutamate pyruvate transaminase [SGPT]) =< 3.0 x "
        "institutional upper limit of normal"
    )
    assert judge(text, labs={"ast_x_uln": 1.0, "alt_x_uln": 0.9})[1] == "met"
    assert judge(text, labs={"ast_x_uln": 3.5, "alt_x_uln": 0.9})[1] == "not_met"
    assert judge(text, labs={"alt_x_uln": 0.9})[1] == "unknown"


def test_a_bilirubin_limit_in_mg_dl_is_settled_only_across_every_uln() -> None:
    """NCT00184067 "Serum creatinine of 2.0 mg/dl or less, total bilirubin of 2.0 mg/dl or less
    and SGOT/SGPT of 2.5 X institutional norm or less": bilirubin 0.6 x ULN is under 2.0 mg/dL
    whatever the laboratory's ULN (1.0-1.5 mg/dL), 1.6 x ULN is unknown (depends on the ULN), 2.5
    x ULN fails."""
    text = (
        "Serum creatinine of 2.0 mg/dl or less, total bilirubin of 2.0 mg/dl or less and "
        "SGOT/SGPT of 2.5 X institutional norm or less."
    )
    labs = {"creatinine_mg_dL": 0.6, "alt_x_uln": 1.0, "ast_x_uln": 1.0}
    assert judge(text, labs={**labs, "bilirubin_x_uln": 0.6})[1] == "met"
    assert judge(text, labs={**labs, "bilirubin_x_uln": 1.6})[1] == "unknown"
    assert judge(text, labs={**labs, "bilirubin_x_uln": 2.5})[1] == "not_met"


def test_a_granulocyte_count_is_the_neutrophil_count() -> None:
    """NCT00716976 "Absolute granulocyte count > 1,000/mm³" is read as ANC both ways."""
    text = "Absolute granulocyte count > 1,000/mm³"
    assert judge(text, labs={"anc_per_uL": 2400})[:2] == ("labs", "met")
    assert judge(text, labs={"anc_per_uL": 700})[1] == "not_met"


def test_hiv_serology_is_no_tumor_marker() -> None:
    """NCT03138161 excludes "Known history of testing positive for human immunodeficiency virus
    (HIV) or known acquired immunodeficiency syndrome (AIDS)": met for HIV negative, not met for
    positive; the word "positive" does not make it a biomarker rule."""
    text = (
        "Known history of testing positive for human immunodeficiency virus (HIV) or known "
        "acquired immunodeficiency syndrome (AIDS)."
    )
    assert judge(text, "exclusion", hiv="negative")[:2] == ("viral", "met")
    assert judge(text, "exclusion", hiv="positive")[1] == "not_met"


def test_carcinomatous_meningitis_is_cns_disease() -> None:
    """NCT03138161 excludes "Subjects with carcinomatous meningitis": met when the profile
    reports no CNS metastases; with CNS metastases reported it stays unknown (engine 2026.11.9:
    brain metastases do not establish leptomeningeal spread), while a plain "brain metastases"
    exclusion is not met."""
    text = "Subjects with carcinomatous meningitis"
    assert judge(text, "exclusion", cns_metastases=False)[:2] == ("cns_metastases", "met")
    _kind, verdict, reason, _rule = judge(text, "exclusion", cns_metastases=True)
    assert verdict == "unknown"
    assert "leptomeningeal" in reason
    assert judge("Known brain metastases", "exclusion", cns_metastases=True)[1] == "not_met"


def test_needing_corticosteroids_is_current_use() -> None:
    """NCT00184067 excludes "Require systemic, ocular or inhaled corticosteroids.": met when the
    patient takes none, never met when the patient is on them."""
    text = "Require systemic, ocular or inhaled corticosteroids."
    assert judge(text, "exclusion", on_corticosteroids=False)[:2] == ("steroids", "met")
    assert judge(text, "exclusion", on_corticosteroids=True)[1] != "met"


def test_a_nursing_exclusion_is_not_a_young_girls_rule() -> None:
    """NCT05033288 excludes "Nursing women": not applicable to a 3-year-old girl; for a
    15-year-old whose lactation is not given it stays unknown."""
    toddler = {"sex": "female", "age_months": 38, "age_years": None}
    assert judge("Nursing women", "exclusion", **toddler)[1] == "not_applicable"
    teen = {"sex": "female", "age_months": 184, "age_years": None, "lactating": None}
    assert judge("Nursing women", "exclusion", **teen)[1] == "unknown"


def test_an_inclusion_every_patient_meets_is_met() -> None:
    """NCT05910307 "Males or females of any age" and NCT00346164 "Metastatic or non metastatic
    disease" are met for anyone (not a question); NCT00379457's "Any tumor size or age", an item
    of a risk-group list, stays a permissive note."""
    assert judge("Males or females of any age")[1:4:2] == ("met", "universal")
    assert judge("Metastatic or non metastatic disease")[1] == "met"
    assert judge("Males or females of any age", "exclusion")[1] != "met"
    assert judge("Any tumor size or age")[1] == "not_applicable"


def test_measurable_lesions_of_a_lymphoma_are_not_a_sarcomas() -> None:
    """NCT03934567 "Have at least one radiologically measurable lymph node or extranodal lymphoid
    malignant lesion": a sarcoma's measurable disease does not establish it (unknown, never met);
    NCT02576665 "measurable disease by RECIST version 1.1 (solid tumors) or Lugano (lymphoma)" is
    met by it."""
    lymphoid = (
        "Have at least one radiologically measurable lymph node or extranodal lymphoid malignant "
        "lesion as assessed by the investigator"
    )
    assert judge(lymphoid)[:2] == ("measurable_disease", "unknown")
    either = (
        "Patient has measurable disease by RECIST version 1.1 (solid tumors) or Lugano (lymphoma) "
        "criteria"
    )
    assert judge(either)[1] == "met"


def test_unresectable_or_metastatic_is_a_qualifier_to_establish() -> None:
    """NCT03138161 "Pathologically confirmed diagnosis of locally advanced unresectable or
    metastatic soft tissue sarcoma": met with a pulmonary recurrence, unknown (never met) for a
    local recurrence whose resectability the profile does not give."""
    text = (
        "Pathologically confirmed diagnosis of locally advanced unresectable or metastatic soft "
        "tissue sarcoma"
    )
    assert judge(text)[1] == "met"
    assert judge(text, recurrence_sites=["local"])[1] == "unknown"


def test_a_sentence_naming_one_more_group_who_may_enrol_asks_nothing_of_others() -> None:
    """NCT02659020 "Participants, who completed at least 2 cycles of combination
    olaratumab/doxorubicin therapy then discontinued doxorubicin ... , are eligible." is a
    permission for that group (not applicable), while "Patients must have ... " stays a rule."""
    text = (
        "Participants, who completed at least 2 cycles of combination olaratumab/doxorubicin "
        "therapy then discontinued doxorubicin due to toxicity or maximum dosing and proceeded to "
        "olaratumab monotherapy, are eligible."
    )
    assert judge(text)[1:4:2] == ("not_applicable", "note")
    assert judge("Patients must have a life expectancy of at least 8 weeks")[1] == "unknown"


def test_where_a_group_may_enrol_is_the_centres_question() -> None:
    """NCT02243605 "Young patient age between 12 - 15 could be included in only 6 centers
    (Bordeaux, Lyon, ...)" is a logistics note for any patient; an age rule without it is
    still judged."""
    text = (
        "Young patient age between 12 - 15 could be included in only 6 centers (Bordeaux, Lyon, "
        "Villejuif, Lille, Marseille and Paris)"
    )
    assert judge(text)[1:4:2] == ("not_applicable", "logistics")
    adult = {"age_months": 240, "age_years": None}
    assert judge("Patients must be between 12 and 15 years of age", **adult)[1] == "not_met"


def test_a_rule_for_recurrent_high_grade_glioma_is_not_a_sarcomas() -> None:
    """NCT02576665 "For patients with rHGG, the patient intends to undergo treatment with the
    Gliadel wafer ..." is for recurrent high-grade glioma (a CNS tumor) only."""
    text = (
        "For patients with rHGG, the patient intends to undergo treatment with the Gliadel® wafer "
        "at the time of planned resection"
    )
    assert judge(text, "exclusion")[1] == "not_applicable"
    assert judge(text, "exclusion", diagnosis="glioblastoma")[1] != "not_applicable"


def test_a_performance_scale_written_for_another_tumor_is_not_an_alternative() -> None:
    """NCT02576665 "ECOG Performance Status score of 0 or 1 (solid tumors) or KPS score ≥ 70
    (rHGG)": for a sarcoma only the ECOG limit counts, so Lansky 70 (ECOG 1 or 2 by the
    published tables) stays unknown instead of meeting the glioma's KPS >= 70; Lansky 90 meets
    it."""
    text = (
        "Patient has an ECOG Performance Status score of 0 or 1 (solid tumors) or KPS score ≥ 70 "
        "(rHGG)."
    )
    assert judge(text, performance={"scale": "lansky", "score": 70})[1] == "unknown"
    assert judge(text, performance={"scale": "lansky", "score": 90})[1] == "met"


def test_therapy_for_their_melanoma_is_a_melanoma_patients_rule() -> None:
    """NCT00184067 excludes "Patients who have undergone any other systemic therapy for their
    melanoma, including radiation therapy since completion of 10M-01-1 or 10M-00-4": not
    applicable to a sarcoma; "for their sarcoma" names everyone in a sarcoma trial, so it is
    judged."""
    text = (
        "Patients who have undergone any other systemic therapy for their melanoma, including "
        "radiation therapy since completion of 10M-01-1 or 10M-00-4."
    )
    assert judge(text, "exclusion")[1] == "not_applicable"
    assert judge(text, "exclusion", diagnosis="melanoma")[1] != "not_applicable"
    own = "Patients who have received radiation therapy for their sarcoma within 2 weeks"
    assert judge(own, "exclusion")[1] != "not_applicable"


def test_a_weight_limit_in_pounds_is_read_in_kilograms() -> None:
    """NCT07049848 excludes "Patients weighing >400 lbs. as this would disqualify them from
    undergoing RT": met for 52 kg, not met for 190 kg (over 181 kg)."""
    text = (
        "Patients weighing >400 lbs. as this would disqualify them from undergoing RT (due to "
        "physical weight restrictions of the table the patients lie on)."
    )
    assert judge(text, "exclusion")[:2] == ("weight", "met")
    assert judge(text, "exclusion", weight_kg=190)[1] == "not_met"


def test_radiation_listed_elsewhere_does_not_rule_out_radiation_to_the_named_site() -> None:
    """NCT06492954 excludes "Prior lung radiation": radiation listed to the brain only leaves it
    unknown (unlisted radiation is not ruled out), lung radiation listed is not met."""
    brain = [{"category": "radiation", "site": "brain", "ended_on": "2026-10-02"}]
    assert judge("Prior lung radiation", "exclusion", prior_therapies=brain)[1] == "unknown"
    lung = [{"category": "radiation", "site": "lung", "ended_on": "2026-10-02"}]
    assert judge("Prior lung radiation", "exclusion", prior_therapies=lung)[1] == "not_met"


def test_a_minimum_of_lines_in_one_setting_is_not_established_by_the_list() -> None:
    """NCT06797999 "Prior treatment with at least one but no more than two lines of cytotoxic
    systemic therapy for metastatic/unresectable disease": which line was given for metastatic
    disease is not recorded, so unknown (never met on the count alone)."""
    text = (
        "Prior treatment with at least one but no more than two lines of cytotoxic systemic "
        "therapy for metastatic/unresectable disease."
    )
    assert judge(text)[:2] == ("prior_lines", "unknown")


def test_epilepsy_and_mental_disorders_must_be_established_too() -> None:
    """NCT06604689 excludes "Uncontrolled epilepsy, central nervous system disease, or history of
    mental disorders ...": no CNS metastases alone does not establish it (unknown, not met)."""
    text = (
        "Uncontrolled epilepsy, central nervous system disease, or history of mental disorders, "
        "judged by the researcher to potentially interfere with the signing of the informed "
        "consent form or affect patient compliance."
    )
    assert judge(text, "exclusion", cns_metastases=False)[1] == "unknown"


def test_enrolment_permissions_and_team_instructions_ask_nothing_of_the_patient() -> None:
    """NCT00354835 "Patients may be enrolled on ARST0531 and start protocol treatment prior to
    receipt of central pathology review" and "Clinically or radiographically enlarged nodes should
    be sampled for histologic evaluation" are not questions about the patient."""
    may = (
        "Patients may be enrolled on ARST0531 and start protocol treatment prior to receipt of "
        "central pathology review"
    )
    assert judge(may)[1] == "not_applicable"
    nodes = (
        "Clinically or radiographically enlarged nodes should be sampled for histologic evaluation"
    )
    assert judge(nodes)[1:4:2] == ("not_applicable", "procedure")


def test_an_investigators_opinion_is_a_question_not_a_formality() -> None:
    """NCT06492954 excludes "Participants who, in the opinion of the investigator, may not be able
    to comply with the protocol-required procedures": unknown (the investigator decides), while
    "Able to comply with the study procedures" stays a formality."""
    opinion = (
        "Participants who, in the opinion of the investigator, may not be able to comply with the "
        "protocol-required procedures"
    )
    assert judge(opinion, "exclusion")[1] == "unknown"
    assert judge("Able to comply with the study procedures")[1] == "not_applicable"


def test_stage_iv_and_metastatic_or_unresectable_are_read_from_the_recurrence_sites() -> None:
    """NCT06604689 "clinical stage IV (AJCC, 8th edition, 2017);" is met by distant disease and
    not by a local one; NCT06797999 "Histologically confirmed STS with metastatic and/or
    unresectable disease" is met by distant disease and stays unknown (never not met) for a local
    recurrence, whose resectability the profile does not give."""
    stage = "clinical stage IV (AJCC, 8th edition, 2017);"
    assert judge(stage)[:2] == ("metastatic_disease", "met")
    assert judge(stage, recurrence_sites=["local"])[1] == "not_met"
    sts = (
        "Histologically confirmed STS with metastatic and/or unresectable disease (not amenable "
        "to treatment with curative intent)"
    )
    assert judge(sts)[1] == "met"
    assert judge(sts, recurrence_sites=["local"])[1] == "unknown"


def test_an_inclusion_of_brain_metastases_requires_them() -> None:
    """NCT06604689 "brain metastases at diagnosis;" is not met when the profile reports no CNS
    metastases, and unknown (at diagnosis is not recorded) when it reports them."""
    assert judge("brain metastases at diagnosis;", cns_metastases=False)[1] == "not_met"
    assert judge("brain metastases at diagnosis;", cns_metastases=True)[1] == "unknown"


def test_pediatric_patients_from_one_day_old_is_an_age_range() -> None:
    """NCT02637687 "Pediatric patients ≥ 1 day old on Cycle 1 Day 1 (C1D1)": met for a
    14-year-old, not met for a 23-year-old (pediatric ends at 21 years); a washout in days in an
    age rule is no age bound."""
    text = "Pediatric patients ≥ 1 day old on Cycle 1 Day 1 (C1D1)"
    assert judge(text)[:2] == ("age", "met")
    assert judge(text, age_months=276, age_years=None)[1] == "not_met"
    washout = "Age ≥ 12 years and at least 14 days since the last dose of chemotherapy"
    assert judge(washout)[1] != "not_met"


def test_creatinine_in_multiples_of_the_uln_is_met_within_any_adult_range() -> None:
    """NCT03138161 "Acceptable renal function: Creatinine ≤1.5 times ULN or ≥ 60 mL/min": 0.9
    mg/dL at 21 years is within 1.5 x any adult ULN (met); 1.6 mg/dL, or any value for a child
    (pediatric ranges vary by age and laboratory), stays unknown without a clearance."""
    text = "Acceptable renal function: Creatinine ≤1.5 times ULN or ≥ 60 mL/min"
    adult = {"age_months": 252, "age_years": None}
    assert judge(text, labs={"creatinine_mg_dL": 0.9}, **adult)[1] == "met"
    assert judge(text, labs={"creatinine_mg_dL": 1.6}, **adult)[1] == "unknown"
    assert judge(text, labs={"creatinine_mg_dL": 0.5})[1] == "unknown"
