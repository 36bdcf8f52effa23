"""Reading classes added in engine 2026.11.10 from criterion round 7's dev items, each pinned in
both directions on real record text (constructed profiles; records from snapshot/sarcoma and
tests/devset/trials)."""

from __future__ import annotations

from tests.unit.test_eligibility_reading import judge
from tests.unit.test_eligibility_reading_classes import criteria_in as criteria_of

IMT = {"diagnosis": "inflammatory myofibroblastic tumor", "biomarkers": ["ALK rearrangement"]}
ANOTHER_CANCER = "Patients who have had another malignancy but with no evidence of disease"


def test_a_permission_for_patients_with_another_cancer_is_no_question_without_one() -> None:
    """NCT00184067 (melanoma) "Patients who have had another malignancy but with no evidence of
    disease for greater than 5 years ... will be eligible ...": not applicable to a patient with
    no other cancer whose own tumor is of intermediate behaviour (IMT); a patient with a
    recurrent synovial sarcoma has an active other cancer in a melanoma trial, so not met."""
    (imt,) = criteria_of("NCT00184067", ANOTHER_CANCER, other_malignancy=False, **IMT)
    assert imt.verdict == "not_applicable", imt.reason
    assert "permits patients with another malignancy" in imt.reason
    (sarcoma,) = criteria_of("NCT00184067", ANOTHER_CANCER, other_malignancy=False)
    assert sarcoma.verdict == "not_met"
    assert "itself another malignancy" in sarcoma.reason


def test_an_intermediate_tumor_is_not_taken_for_another_malignancy_with_certainty() -> None:
    """The same permission for an IMT patient whose other cancers are not recorded: an IMT is a
    WHO intermediate tumor, so it is not counted as "another malignancy" (unknown, not not_met);
    the permission itself carries no question the engine can answer."""
    (imt,) = criteria_of("NCT00184067", ANOTHER_CANCER, **IMT)
    assert imt.verdict == "unknown", imt.reason
    assert "itself another malignancy" not in imt.reason


def test_a_note_allowing_other_cancers_does_not_make_a_treatment_rule() -> None:
    """NCT07049848 excludes "Active concurrent second malignancy within 2 years ... Note: patients
    with a prior or concurrent malignancy whose natural history or treatment does not have the
    potential to interfere ... are eligible": the note's "treatment ... regimen" is no treatment
    rule, so the exclusion is met for a patient with no other cancer and open for one with."""
    starts = "Active concurrent second malignancy"
    (none,) = criteria_of("NCT07049848", starts, other_malignancy=False)
    assert none.verdict == "met", none.reason
    (some,) = criteria_of("NCT07049848", starts, other_malignancy=True)
    assert some.verdict == "unknown"


def test_current_anticancer_treatment_is_not_settled_by_past_therapies() -> None:
    """NCT06492954 excludes "Participants who are currently receiving any other investigational or
    anti-cancer agents": every listed therapy having ended does not show that none is given now
    (unknown, asking about ongoing therapy); a recency window with a dated therapy is still
    decided ("within 14 days" is met by chemotherapy that ended over a year ago)."""
    (current,) = criteria_of("NCT06492954", "Participants who are currently receiving any other")
    assert current.verdict == "unknown"
    assert "current treatment is not recorded" in current.reason
    _kind, verdict, _reason, _rule = judge(
        "Myelosuppressive chemotherapy within 14 days prior to enrollment", "exclusion"
    )
    assert verdict == "met"


def test_a_pointer_to_criteria_written_below_is_a_list_introduction() -> None:
    """NCT06083883 "Patients must meet disease-specific eligibility criteria (see below)." asks
    nothing of its own: not applicable; "Patients must meet eligibility criteria per protocol"
    points outside the record and stays a question (unknown)."""
    (pointer,) = criteria_of("NCT06083883", "Patients must meet disease-specific eligibility")
    assert pointer.verdict == "not_applicable"
    assert "points to criteria written elsewhere" in pointer.reason
    _kind, verdict, _reason, _rule = judge("Patients must meet eligibility criteria per protocol")
    assert verdict == "unknown"
