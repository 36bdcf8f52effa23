"""Reading classes found on the dev part of the constructed-trial set's batch 16 (T92 a
non-interventional proton-therapy registry, T94 a digital symptom-monitoring trial for oral
therapy at home, T95 paediatric Kaposi sarcoma in East Africa; measured fresh on 2026.11.29.3,
tests/criteria/constructed), and two older dev misses of the same classes. Every criterion here
is constructed wording in the style of those fictional trials, judged for the constructed test
profile of test_eligibility_reading (a 14-year-old girl, first pulmonary relapse of synovial
sarcoma, after ifosfamide and doxorubicin) or a variation of it."""

from __future__ import annotations

from tests.unit.test_eligibility_constructed_batches import verdicts
from tests.unit.test_eligibility_reading import judge, read_as
from tests.unit.test_eligibility_wording import verdict

UPS = {"diagnosis": "undifferentiated pleomorphic sarcoma", "biomarkers": []}
IMT = {"diagnosis": "inflammatory myofibroblastic tumor", "biomarkers": []}


def test_a_bcor_altered_sarcoma_is_a_histology_of_its_own() -> None:
    """ "extraosseous Ewing sarcoma, CIC-rearranged sarcoma and BCOR-altered sarcoma" (one
    alternative of "including:") is not met for an undifferentiated pleomorphic sarcoma
    (2026.11.29.3: met, "covered by sarcoma": "BCOR-altered" was read as a modifier)."""
    block = (
        "Inclusion Criteria:\n\n* Histologically confirmed soft tissue sarcoma, one of the "
        "following:\n  * rhabdomyosarcoma\n"
        "  * extraosseous Ewing sarcoma, CIC-rearranged sarcoma and BCOR-altered sarcoma;\n"
    )
    got = verdicts(block, **UPS)
    assert got["extraosseous Ewing sarcoma, CIC-rearranged sarcoma and BCOR-altered sarcoma;"] == (
        "not_met"
    )
    bcor = verdicts(block, diagnosis="BCOR-altered sarcoma", biomarkers=[])
    assert bcor["extraosseous Ewing sarcoma, CIC-rearranged sarcoma and BCOR-altered sarcoma;"] == (
        "met"
    )


def test_an_exclusion_of_intermediate_tumours_excludes_an_imt() -> None:
    """ "GIST, Kaposi sarcoma, and intermediate/benign soft tissue tumours (e.g. desmoid-type
    fibromatosis)" (exclusion) excludes an inflammatory myofibroblastic tumour, of intermediate
    behaviour by its WHO class (2026.11.29.3: met, "not among GIST, Kaposi ..."); a sarcoma
    passes."""
    rule = (
        "Gastrointestinal stromal tumour (GIST), Kaposi sarcoma, and intermediate/benign soft "
        "tissue tumours (e.g. desmoid-type fibromatosis, plexiform neurofibroma)."
    )
    _kind, got, reason, rule_id = judge(rule, "exclusion", **IMT)
    assert (got, rule_id) == ("not_met", "tumor_behaviour")
    assert "intermediate" in reason
    assert verdict(rule, "exclusion") == "met"


def test_treatment_for_another_tumor_is_not_the_patients() -> None:
    """ "Any prior systemic chemotherapy for KS" (exclusion) does not exclude a synovial sarcoma
    treated with ifosfamide and no other cancer (2026.11.29.3: not_met, "had ifosfamide"); with
    another cancer on record it stays open, and chemotherapy for synovial sarcoma excludes."""
    rule = "Any prior systemic chemotherapy for KS."
    assert verdict(rule, "exclusion", other_malignancy=False) == "met"
    assert verdict(rule, "exclusion", other_malignancy=True) == "unknown"
    own = "Any prior systemic chemotherapy for synovial sarcoma."
    assert verdict(own, "exclusion", other_malignancy=False) == "not_met"


def test_an_age_on_the_date_of_the_first_fraction_is_an_age_limit() -> None:
    """ "Age 0 to 21 years on the planned date of the first proton fraction" is an age rule, not
    a radiation rule (2026.11.29.3: unknown, "radiation history matters here")."""
    rule = "Age 0 to 21 years (inclusive) on the planned date of the first proton fraction."
    assert read_as(rule) == ("age", "met")


def test_a_schedules_frequency_is_no_wait() -> None:
    """ "Currently receiving IV anticancer therapy on a schedule of more than once every 2 weeks"
    asks about current treatment, which the profile does not record (2026.11.29.3: met, "ended
    56 days ago", the frequency read as a two-week wait)."""
    rule = (
        "Currently receiving concurrent IV or subcutaneous anticancer therapy on a schedule of "
        "more than once every 2 weeks, unless approved by the site PI"
    )
    assert verdict(rule, "exclusion") == "unknown"


def test_a_planned_switch_of_therapy_is_a_future_need() -> None:
    """ "Oral regimen planned for fewer than 12 weeks, or planned transition to IV chemotherapy
    within 12 weeks" is not met on the time since the last therapy (2026.11.29.3: met)."""
    rule = (
        "Oral anticancer regimen planned for fewer than 12 weeks, or planned transition to "
        "intravenous chemotherapy within 12 weeks of enrollment."
    )
    assert verdict(rule, "exclusion") == "unknown"


def test_a_rule_for_one_stratum_only_is_not_applicable_to_another_tumor() -> None:
    """ "Stratum B only: participant must have rhabdomyosarcoma in first or greater relapse" is
    not the rule of a patient with synovial sarcoma (2026.11.29.3: not_met, "one alternative of
    several"); a rhabdomyosarcoma patient meets it."""
    block = (
        "Inclusion Criteria:\n\n* Stratum A only: participant must have synovial sarcoma.\n"
        "* Stratum B only: participant must have rhabdomyosarcoma (embryonal or alveolar) in "
        "first or greater relapse.\n"
    )
    got = verdicts(block)
    stratum_b = [v for t, v in got.items() if t.startswith("Stratum B")]
    assert stratum_b == ["not_applicable"]
    rms = verdicts(block, diagnosis="embryonal rhabdomyosarcoma", biomarkers=[])
    assert [v for t, v in rms.items() if t.startswith("Stratum B")] == ["met"]
