"""Reading classes added in engine 2026.11.9 after an audit of the engine's decisive verdicts on
dev trials (docs/benchmarks.md), each pinned in both directions on real record text
(constructed profiles; records from snapshot/sarcoma and tests/devset/trials)."""

from __future__ import annotations

from typing import Any

from matcher.domain.eligibility import vocabulary
from matcher.domain.models.match import CriterionResult
from tests.unit.test_eligibility_reading import judge
from tests.unit.test_eligibility_reading_classes import criteria_in, verdict_of

ERMS = {"diagnosis": "embryonal rhabdomyosarcoma", "biomarkers": []}
ARMS = {"diagnosis": "alveolar rhabdomyosarcoma", "biomarkers": ["PAX3-FOXO1 fusion"]}


def criterion(nct_id: str, starts: str, **changes: Any) -> CriterionResult:
    """The first criterion of a snapshot or dev record starting with `starts`."""
    return criteria_in(nct_id, starts, **changes)[0]


def test_blood_counts_for_patients_without_marrow_disease_do_not_apply_with_it() -> None:
    """NCT04851119 "PATIENTS WITH SOLID TUMORS WITHOUT KNOWN BONE MARROW INVOLVEMENT: Peripheral
    absolute neutrophil count (ANC) >= 1000/uL": not applicable to a patient whose recurrence is
    in the marrow; ANC 900 fails it for a patient with pulmonary recurrence only."""
    starts = "PATIENTS WITH SOLID TUMORS WITHOUT KNOWN BONE MARROW INVOLVEMENT: Peripheral"
    low = {"labs": {"anc_per_uL": 900, "platelets_per_uL": 210000}}
    marrow = criterion("NCT04851119", starts, recurrence_sites=["bone_marrow"], **low)
    assert marrow.verdict == "not_applicable"
    assert "bone marrow" in marrow.reason
    assert criterion("NCT04851119", starts, **low).verdict == "not_met"


def test_a_tumor_that_may_be_a_soft_tissue_sarcoma_keeps_a_sarcoma_trial_open() -> None:
    """NCT06797999 (conditions: metastatic/unresectable soft tissue sarcoma): an Ewing sarcoma of
    unrecorded site may be extraosseous and a rhabdoid tumor extrarenal, so unknown naming that
    form; an osteosarcoma is still not a soft tissue sarcoma."""
    for diagnosis, form in (
        ("Ewing sarcoma", "extraosseous"),
        ("malignant rhabdoid tumor", "extrarenal"),
    ):
        verdict, reason = verdict_of("NCT06797999", "Conditions:", diagnosis=diagnosis)
        assert verdict == "unknown", diagnosis
        assert form in reason
    assert verdict_of("NCT06797999", "Conditions:", diagnosis="osteosarcoma")[0] == "not_met"


def test_the_study_treatment_named_as_a_time_anchor_is_not_a_prior_treatment() -> None:
    """NCT06083883 "Major surgery < 4 weeks prior to first dose of lymphodepleting chemotherapy":
    chemotherapy that ended 20 days ago does not fail it; surgery 10 days ago does."""
    starts = "Major surgery < 4 weeks prior to first dose"
    chemo = [{"agent": "vincristine", "category": "chemotherapy", "ended_on": "2026-11-06"}]
    assert criterion("NCT06083883", starts, prior_therapies=chemo).verdict != "not_met"
    surgery = [*chemo, {"category": "surgery", "site": "thigh", "ended_on": "2026-11-16"}]
    assert criterion("NCT06083883", starts, prior_therapies=surgery).verdict == "not_met"


def test_an_allogenic_transplant_exclusion_is_not_failed_by_an_autologous_rescue() -> None:
    """NCT06946225 "Prior allogenic stem cell transplantation ..." (so spelled): an autologous
    rescue leaves it open, saying so; an allogeneic transplant fails it."""
    starts = "Prior allogenic stem cell transplantation"
    auto = [{"category": "stem_cell_transplant", "agent": "autologous stem cell rescue",
             "ended_on": "2025-03-01"}]  # fmt: skip
    item = criterion("NCT06946225", starts, prior_therapies=auto)
    assert item.verdict == "unknown"
    assert "autologous" in item.reason
    allo = [{**auto[0], "agent": "allogeneic stem cell transplant"}]
    assert criterion("NCT06946225", starts, prior_therapies=allo).verdict == "not_met"


def test_conditions_of_an_allowance_in_the_exclusions_exclude_no_one() -> None:
    """NCT07049848 lists, under "Patients with eczema, psoriasis ... are eligible for the study
    provided all of following conditions are met:", "There has been no occurrence of acute
    exacerbations ... requiring ... methotrexate ...": not applicable, never "not met" for a
    patient who had chemotherapy; the same sentence standing alone is read as an exclusion."""
    starts = "There has been no occurrence of acute exacerbations"
    item = criterion("NCT07049848", starts)
    assert item.verdict == "not_applicable"
    assert "allowance" in item.reason
    text = item.text
    assert judge(text, section="exclusion")[3] != "allowance_condition"


def test_leptomeningeal_exclusion_is_not_failed_by_brain_metastases() -> None:
    """NCT03138161 "Subjects with carcinomatous meningitis": a patient with (parenchymal) CNS
    metastases stays unknown; one without CNS metastases meets it."""
    starts = "Subjects with carcinomatous meningitis"
    assert criterion("NCT03138161", starts, cns_metastases=True).verdict == "unknown"
    assert criterion("NCT03138161", starts, cns_metastases=False).verdict == "met"


def test_a_head_after_a_list_of_subtypes_names_only_those_subtypes() -> None:
    """NCT00379457 "Embryonal, spindle cell, or botryoid RMS" and "Localized nonalveolar RMS":
    the vocabulary reads the named subtypes (never alveolar from "nonalveolar"), so an alveolar
    RMS is not among them and an embryonal one is."""
    listed = set(vocabulary.find_concepts("Embryonal, spindle cell, or botryoid RMS"))
    assert listed == {"erms", "scrms"}
    assert "arms" not in vocabulary.find_concepts("Localized nonalveolar RMS at any site")
    assert "erms" in vocabulary.find_concepts("Localized nonalveolar RMS at any site")
    starts = "Embryonal, spindle cell, or botryoid RMS"
    assert criterion("NCT00379457", starts, **ARMS).verdict == "not_met"
    assert criterion("NCT00379457", starts, **ERMS).verdict == "met"


def test_parts_no_profile_field_holds_keep_a_criterion_unknown() -> None:
    """Size, site, curability, absorption and anticipated needs are requirements the profile
    cannot establish: "Tumor size <= 5 cm AND age < 10 years" (NCT00379457) is unknown for an
    infant, "DSRCT with peritoneal involvement" (NCT04022213) for a DSRCT, "Unable to swallow
    tablets, or ... gastrointestinal disorders" (NCT03934567) for a patient who swallows tablets;
    an explicit "Tumor size > 5 cm OR age >= 10 years" is met on the age alone, and an aside
    "(corticosteroids not included)" names no requirement (NCT03275402)."""
    infant = {"age_months": 7}
    assert criterion("NCT00379457", "Tumor size ≤ 5 cm AND age", **infant).verdict == "unknown"
    assert criterion("NCT00379457", "Tumor size > 5 cm OR age").verdict == "met"
    dsrct = {"diagnosis": "desmoplastic small round cell tumor", "biomarkers": []}
    assert criterion("NCT04022213", "Have the diagnosis of DSRCT", **dsrct).verdict == "unknown"
    swallow = criterion("NCT03934567", "Unable to swallow tablets", swallows_tablets=True)
    assert swallow.verdict == "unknown"
    assert "absorption" in swallow.reason
    chemo = criterion("NCT03275402", "Patients must not have received systemic chemotherapy")
    assert chemo.verdict == "met"


def test_a_relapse_after_named_treatment_needs_that_treatment_listed() -> None:
    """NCT02243605 "Relapsed disease after standard chemotherapy": met after chemotherapy,
    unknown when only surgery is listed; NCT04388839 "a new histologic diagnosis of
    rhabdomyosarcoma" is not met by a recurrent one."""
    starts = "Relapsed disease after standard chemotherapy"
    assert criterion("NCT02243605", starts).verdict == "met"
    surgery = [{"category": "surgery", "site": "thigh", "ended_on": "2026-06-30"}]
    item = criterion("NCT02243605", starts, prior_therapies=surgery)
    assert item.verdict == "unknown"
    assert "chemotherapy" in item.reason
    new = criterion("NCT04388839", "Participants must have a new histologic diagnosis", **ERMS)
    assert new.verdict == "not_met"


def test_contraception_and_definition_sentences_are_formalities() -> None:
    """NCT05703854's birth-control rule (with "Female patients who become pregnant ... will be
    taken off study") and NCT07049848's "Women must remain abstinent or use contraceptive methods
    with a failure rate of 1% per year" are formalities, even for a pregnant girl; a pregnancy
    exclusion still fails her."""
    pregnant = {"pregnant": True}
    rule = criterion("NCT05703854", "All male and female patients who are able", **pregnant)
    assert rule.verdict == "not_applicable"
    abstinent = criterion("NCT07049848", "Women must remain abstinent")
    assert abstinent.verdict == "not_applicable"
    assert judge("Pregnant or breastfeeding", section="exclusion", **pregnant)[1] == "not_met"


def test_markers_joined_by_and_must_all_be_reported() -> None:
    """NCT06083883 "... HLA-A*02:01 ... positive and a positive expression of NY-ESO-1": unknown
    with HLA alone (naming NY-ESO-1), met with both; NCT05910307's exclusion of "sarcomas that do
    not fit the definition of those considered" is not met-by-absence for another tumor."""
    starts = "Patients with all cancer histology, with an HLA-A"
    hla = {"biomarkers": ["HLA-A*02:01 positive"]}
    item = criterion("NCT06083883", starts, **hla)
    assert item.verdict == "unknown"
    assert "NYESO1" in item.reason
    both = {"biomarkers": ["HLA-A*02:01 positive", "NY-ESO-1 positive"]}
    assert criterion("NCT06083883", starts, **both).verdict == "met"
    rhabdoid = {"diagnosis": "malignant rhabdoid tumor", "biomarkers": []}
    misfit = criterion("NCT05910307", "Individuals with sarcomas that do not fit", **rhabdoid)
    assert misfit.verdict != "met"


def test_a_new_diagnosis_offered_as_one_alternative_does_not_exclude() -> None:
    """NCT04123535 "either 1) a biopsy-proven new diagnosis of UPS ... or 2) a lesion highly
    suspicious for metastatic UPS": a recurrent UPS stays unknown; "a new histologic diagnosis
    of rhabdomyosarcoma" alone (NCT04388839) is not met by a recurrent one."""
    ups = {"diagnosis": "undifferentiated pleomorphic sarcoma", "biomarkers": []}
    either = criterion("NCT04123535", "Subjects must have either 1) a biopsy-proven", **ups)
    assert either.verdict == "unknown"
    alone = criterion("NCT04388839", "Participants must have a new histologic diagnosis", **ERMS)
    assert alone.verdict == "not_met"


def test_a_permission_to_continue_a_drug_sets_no_washout() -> None:
    """NCT06083883 "... at least 2 weeks from last cytotoxic chemotherapy ... Patients may continue
    tyrosine kinase inhibitors ... until at least 3 days prior ...": chemotherapy 29 days ago
    meets it (the TKI sentence allows, it requires nothing); chemotherapy 7 days ago fails it."""
    starts = "Patients must be at least 2 weeks from last cytotoxic chemotherapy"
    old = [{"agent": "vincristine", "category": "chemotherapy", "ended_on": "2026-10-28"}]
    assert criterion("NCT06083883", starts, prior_therapies=old).verdict == "met"
    recent = [{**old[0], "ended_on": "2026-11-19"}]
    assert criterion("NCT06083883", starts, prior_therapies=recent).verdict == "not_met"


def test_a_list_introduction_keeps_items_under_their_disease_heading() -> None:
    """NCT05703854 "Osteosarcoma" > "Patients must have at least:" > "Progressive, recurrent, or
    refractory disease ...": a rule for osteosarcoma only, not applicable to a UPS patient,
    and still read for an osteosarcoma patient."""
    starts = "Progressive, recurrent, or refractory disease (local recurrence)"
    ups = {"diagnosis": "undifferentiated pleomorphic sarcoma", "biomarkers": []}
    item = criterion("NCT05703854", starts, **ups)
    assert item.verdict == "not_applicable"
    assert "osteosarcoma" in item.reason
    osteo = {"diagnosis": "osteosarcoma", "biomarkers": []}
    assert criterion("NCT05703854", starts, **osteo).verdict != "not_applicable"


def test_pregnancy_inclusions_do_not_apply_to_a_young_child() -> None:
    """NCT00716976 "Not pregnant or nursing" (an inclusion) is not a question for a girl of 14
    months, as the same words under the exclusions are not; for a 14-year-old girl it is judged
    (met when she is neither)."""
    toddler = {"age_months": 14}
    assert criterion("NCT00716976", "Not pregnant or nursing", **toddler).verdict == (
        "not_applicable"
    )
    assert criterion("NCT00716976", "Not pregnant or nursing").verdict == "met"


def test_the_reason_a_rule_gives_is_not_read_as_a_requirement() -> None:
    """NCT00184067 "Pregnant or lactating, since the risk of autoimmune reactivity to tyrosinase,
    MART-1 or gp100 is felt to present a risk ...": a pregnancy rule (met for a girl neither
    pregnant nor lactating), not a biomarker or autoimmune question; pregnant, it is not met."""
    starts = "Pregnant or lactating, since the risk"
    assert criterion("NCT00184067", starts).verdict == "met"
    assert criterion("NCT00184067", starts, pregnant=True).verdict == "not_met"


def test_unknown_histologies_ending_in_sarcoma_do_not_widen_a_named_list() -> None:
    """NCT07049848 "... UPS, myxofibrosarcoma, DDLPS, unclassified sarcoma, and leiomyosarcoma.
    Pathologic terms for the 'unclassified sarcoma' histology may include ... pleomorphic
    fibroblastic sarcoma": not "any sarcoma", so an alveolar soft part sarcoma is not among them;
    a grade 3 UPS is; and myxofibrosarcoma is not an (infantile) fibrosarcoma."""
    starts = "Histological diagnosis of grade 2 or grade 3"
    asps = {"diagnosis": "alveolar soft part sarcoma", "biomarkers": []}
    assert criterion("NCT07049848", starts, **asps).verdict == "not_met"
    ups = {"diagnosis": "undifferentiated pleomorphic sarcoma", "biomarkers": []}
    assert criterion("NCT07049848", starts, tumor={"grade": 3}, **ups).verdict == "met"
    assert vocabulary.find_concepts("myxofibrosarcoma") == ["myxofibrosarcoma"]


def test_a_rhabdoid_tumor_is_not_another_malignancy_in_a_sarcoma_trial() -> None:
    """NCT06083883 (synovial sarcoma and myxoid liposarcoma) "Patients must not have any other
    malignancies within the past 2 years ...": a rhabdoid tumor of unrecorded site may be a soft
    tissue sarcoma of the trial's family, so unknown, not "itself another malignancy"; in the
    melanoma trial NCT00184067 a sarcoma still is."""
    rhabdoid = {"diagnosis": "malignant rhabdoid tumor", "biomarkers": []}
    starts = "Patients must not have any other malignancies within the past 2 years"
    assert criterion("NCT06083883", starts, **rhabdoid).verdict == "unknown"
    verdict, reason = verdict_of("NCT00184067", "Patients who have had another malignancy")
    assert verdict == "not_met"
    assert "another malignancy" in reason


def test_a_recurrence_of_unplaced_site_is_not_outside_a_radiation_field() -> None:
    """NCT07049848 excludes "Prior treatment with radiotherapy to the site of the sarcoma": after
    forearm radiation a pulmonary recurrence is outside the field (met), a regional-node one may
    not be (unknown, saying so)."""
    starts = "Prior treatment with radiotherapy to the site of the sarcoma"
    rt = [{"category": "radiation", "site": "forearm", "ended_on": "2025-01-10"}]
    lung = criterion("NCT07049848", starts, prior_therapies=rt, recurrence_sites=["pulmonary"])
    assert lung.verdict == "met"
    nodes = criterion(
        "NCT07049848", starts, prior_therapies=rt, recurrence_sites=["regional_nodes"]
    )
    assert nodes.verdict == "unknown"
    assert "field is not recorded" in nodes.reason


def test_a_pregnancy_exclusion_with_an_investigator_judgement_needs_both() -> None:
    """NCT06604689 "Pregnant or lactating women who, as judged by the investigator, were not
    candidates for brain MRI": a pregnant patient stays unknown; a plain pregnancy exclusion
    excludes her."""
    starts = "Pregnant or lactating women who, as judged by the investigator"
    item = criterion("NCT06604689", starts, pregnant=True)
    assert item.verdict == "unknown"
    assert "investigator" in item.reason
    assert judge("Pregnant or breastfeeding", section="exclusion", pregnant=True)[1] == "not_met"


def test_the_trial_setting_check_shows_the_text_it_read() -> None:
    """NCT04129151 has no title; its conditions say "Ewing's Sarcoma Recurrent": the setting check
    shows the conditions (not the bare NCT id) and says where it read the setting."""
    ewing = {"diagnosis": "Ewing sarcoma", "biomarkers": []}
    (setting,) = [c for c in criteria_in("NCT04129151", "", **ewing) if c.kind == "disease_setting"
                  and c.section == "trial"]  # fmt: skip
    assert setting.text.startswith("Conditions:")
    assert "NCT04129151" not in setting.text
    assert "title or conditions" in setting.reason


def test_localized_disease_and_bracketed_age_groups_are_read() -> None:
    """NCT00379457 "Localized nonalveolar RMS at any site" is not met on the histology alone (the
    profile does not say the disease is localized); NCT00716976 "Lansky PS 50-100% (for patients
    ≤ 16 years of age)" is not applicable to an 18-year-old and judged for a 14-year-old."""
    item = criterion("NCT00379457", "Localized nonalveolar RMS at any site", **ERMS)
    assert item.verdict == "unknown"
    starts = "Lansky PS 50-100% (for patients"
    adult = {"age_months": 218, "performance": {"scale": "karnofsky", "score": 90}}
    assert criterion("NCT00716976", starts, **adult).verdict == "not_applicable"
    assert criterion("NCT00716976", starts).verdict == "met"


def test_an_allowance_with_a_condition_is_for_those_who_had_the_treatment() -> None:
    """NCT00716976 "Prior cranial radiotherapy ... allowed provided normal hearing is documented
    ...": not applicable when the listed radiation was to the thigh; after cranial radiation the
    condition is the board's to confirm (unknown)."""
    starts = "Prior cranial radiotherapy (e.g., for treatment of medulloblastoma) allowed"
    thigh = [{"category": "radiation", "site": "left thigh", "ended_on": "2025-01-10"}]
    assert criterion("NCT00716976", starts, prior_therapies=thigh).verdict == "not_applicable"
    cranial = [{"category": "radiation", "site": "cranial", "ended_on": "2025-01-10"}]
    assert criterion("NCT00716976", starts, prior_therapies=cranial).verdict == "unknown"


def test_rules_for_newly_diagnosed_patients_and_relapsed_ones_in_any_course() -> None:
    """NCT04123535 "For patients with newly diagnosed, not previously treated UPS, tumor must be
    deemed ... resectable" does not apply to a recurrent UPS; NCT02243605 "Relapsed disease after
    standard chemotherapy" is met by a refractory disease after a counted relapse."""
    ups = {"diagnosis": "undifferentiated pleomorphic sarcoma", "biomarkers": []}
    starts = "For patients with newly diagnosed, not previously treated UPS"
    assert criterion("NCT04123535", starts, **ups).verdict == "not_applicable"
    refractory = {"disease_status": "refractory", "relapse_number": 2}
    item = criterion("NCT02243605", "Relapsed disease after standard chemotherapy", **refractory)
    assert item.verdict == "met"
    never = {"disease_status": "refractory", "relapse_number": None}
    relapse = criterion("NCT02243605", "Relapsed disease after standard chemotherapy", **never)
    assert relapse.verdict == "unknown"


def test_an_age_at_the_boundary_of_two_performance_segments_is_judged_in_both() -> None:
    """NCT05642455 "(A) Subjects >=16: ECOG 0 or 1 (B) Subjects 2 to 16: Lansky score >= 80": at
    16 years 5 months both segments apply; Karnofsky 80 meets both, Karnofsky 60 fails both."""
    starts = "Performance Status: (A) Subjects"
    teen = {"age_months": 197}
    good = {"performance": {"scale": "karnofsky", "score": 80}}
    assert criterion("NCT05642455", starts, **teen, **good).verdict == "met"
    poor = {"performance": {"scale": "karnofsky", "score": 40}}
    assert criterion("NCT05642455", starts, **teen, **poor).verdict == "not_met"
