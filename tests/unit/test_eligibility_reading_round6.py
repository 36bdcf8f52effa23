"""Reading classes added in engine 2026.11.9 from criterion round 6's dev trials, each pinned in
both directions on real record text (constructed profiles; records from
tests/criteria/trials-6 and tests/devset/trials)."""

from __future__ import annotations

from tests.unit.test_eligibility_reading import judge
from tests.unit.test_eligibility_reading_classes import criteria_in as criteria_of


def test_consent_named_only_as_a_time_anchor_is_not_a_formality() -> None:
    """NCT06382129 excludes "clinically significant bleeding ... within 4 weeks before signing
    the informed consent": a medical fact (unknown), not a consent formality; a real consent
    sentence stays not_applicable."""
    found = criteria_of("NCT06382129", "Subjects with clinically significant bleeding")
    assert found[0].verdict == "unknown"
    _kind, verdict, reason, _rule = judge(
        "Able to understand and willing to sign a written informed consent document"
    )
    assert verdict == "not_applicable"
    assert "formality" in reason


def test_an_inclusion_for_healthy_participants_fails_a_patient_with_recurrent_tumour() -> None:
    """NCT04207047 "Subject in good health." and NCT05594173 "Healthy adults under age 60" are not
    met by a child with recurrent sarcoma; "otherwise in good health" (the disease set aside) and
    the same words under the exclusions are not read as healthy-only rules."""
    for nct_id, starts in (
        ("NCT04207047", "Subject in good health"),
        ("NCT05594173", "Healthy adults under age 60"),
    ):
        found = criteria_of(nct_id, starts)
        assert found[0].verdict == "not_met", (nct_id, found[0].reason)
        assert "healthy participants" in found[0].reason
    _kind, verdict, _reason, _rule = judge(
        "Otherwise in good general health apart from the sarcoma"
    )
    assert verdict != "not_met"
    _kind, verdict, _reason, _rule = judge("Subject in good health.", section="exclusion")
    assert verdict != "not_met"


def test_rules_under_a_parent_participants_heading_do_not_apply_to_the_patient() -> None:
    """NCT03630471 lists "Unable to communicate clearly ..." under both its adolescent and its
    parent participants: the adolescent rule is the patient's question (unknown), the parent
    rule is not applicable, and so is "Proficient in spoken English or Hindi" (parents only)."""
    both = criteria_of("NCT03630471", "Unable to communicate clearly")
    assert [c.verdict for c in both] == ["unknown", "not_applicable"]
    assert "rule for the parent, not the patient" in both[1].reason
    (language,) = criteria_of("NCT03630471", "Proficient in spoken English or Hindi")
    assert language.verdict == "not_applicable"


def test_an_age_window_joined_to_school_enrolment_is_met_only_in_part() -> None:
    """NCT03630471 "Enrolled as a student in Grades 9-12 (corresponding to 13-20 years of age)":
    a 14-year-old fits the ages but school enrolment is not in a profile, so unknown naming it;
    an 8-year-old fails the ages, so not met."""
    (teen,) = criteria_of("NCT03630471", "Enrolled as a student in Grades 9-12")
    assert teen.verdict == "unknown"
    assert "school enrolment" in teen.reason
    (child,) = criteria_of("NCT03630471", "Enrolled as a student in Grades 9-12", age_months=100)
    assert child.verdict == "not_met"


def test_a_reproductive_status_under_a_childbearing_rule_is_part_of_its_definition() -> None:
    """NCT04207047 "Without a uterus and/or both ovaries; or" under its childbearing-potential rule
    defines who that rule covers: not applicable, not "met: not pregnant"; the same words
    without such a heading are not read as a definition."""
    (item,) = criteria_of("NCT04207047", "Without a uterus and/or both ovaries")
    assert item.verdict == "not_applicable"
    assert "definition" in item.reason
    _kind, _verdict, reason, _rule = judge("Without a uterus and/or both ovaries")
    assert "definition of childbearing" not in reason


def test_surgery_to_the_swallowing_apparatus_is_not_the_ability_to_swallow_tablets() -> None:
    """NCT05594173 excludes "history of surgery to the speech or swallowing apparatus": a patient
    who swallows tablets is not thereby cleared (unknown); "Able to swallow tablets" is still
    read from swallows_tablets."""
    starts = "history of surgery to the speech or swallowing apparatus"
    (item,) = criteria_of("NCT05594173", starts, swallows_tablets=True)
    assert item.verdict == "unknown"
    kind, verdict, _reason, _rule = judge("Able to swallow tablets", swallows_tablets=True)
    assert (kind, verdict) == ("swallow", "met")
