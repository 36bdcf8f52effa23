"""Not-applicable forms (issue 8, engine 2026.11.5): procedural time headings and the
reproductive-status items that define childbearing potential ask nothing of the patient.

Criterion sentences are quoted from real records in snapshot/sarcoma/records (NCT id in each
docstring); the profiles are the constructed ones of test_eligibility_reading.
"""

from __future__ import annotations

from tests.unit.test_eligibility_reading import criterion, judge


def test_a_procedural_time_heading_is_not_a_criterion() -> None:
    """NCT04022213 "Prior to intraperitoneal catheter placement" (a flattened list item with no
    verb) is not_applicable as a heading; "Prior to treatment with any investigational drug,
    patients must have recovered" (a verb and a requirement) is not."""
    verdict, reason, rule_id = criterion("NCT04022213", "Prior to intraperitoneal catheter")
    assert (verdict, rule_id) == ("not_applicable", "other/heading")
    assert reason == "heading, not a criterion"
    _kind, verdict, _reason, rule = judge(
        "Prior to treatment with any investigational drug, patients must have recovered from "
        "the acute toxic effects of prior therapy"
    )
    assert rule != "heading"
    assert verdict != "not_applicable"


def test_reproductive_status_items_after_a_contraception_rule_are_its_definition() -> None:
    """NCT07049848 "Postmenopausal (no menses in greater than or equal to 12 consecutive
    months)." and "History of hysterectomy or bilateral salpingo-oophorectomy." follow "women of
    childbearing potential and men must agree to use adequate contraception ... unless ... one of
    the following:" and are not_applicable (definition); the same item with no childbearing rule
    before it is not read as a definition."""
    for starts in ("Postmenopausal (no menses", "History of hysterectomy"):
        verdict, reason, rule_id = criterion("NCT07049848", starts)
        assert verdict == "not_applicable"
        assert rule_id is not None
        assert rule_id.endswith("/definition")
        assert "definition of childbearing potential" in reason
    _kind, verdict, _reason, rule = judge(
        "Postmenopausal (no menses in greater than or equal to 12 consecutive months)."
    )
    assert rule != "definition"
