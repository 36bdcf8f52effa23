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


def test_a_washout_is_met_only_when_every_named_treatment_is_listed_and_clear() -> None:
    """NCT04022213 "At least 2 weeks must have elapsed since prior-radiotherapy or biologic
    therapy": with only a targeted drug listed (ended long ago) it is unknown naming the
    radiotherapy; with radiation listed too and both long ended it is met."""
    text = "At least 2 weeks must have elapsed since prior-radiotherapy or biologic therapy"
    targeted = {"agent": "cabozantinib", "category": "targeted", "ended_on": "2026-01-10"}
    radiation = {"category": "radiation", "site": "left thigh", "ended_on": "2026-01-10"}
    kind, verdict, reason, rule = judge(text, prior_therapies=[targeted])
    assert (kind, verdict, rule) == ("washout", "unknown", "unlisted")
    assert "radiotherapy" in reason
    kind, verdict, _reason, _rule = judge(text, prior_therapies=[targeted, radiation])
    assert (kind, verdict) == ("washout", "met")


def test_a_catch_all_washout_is_met_when_the_listed_history_clears_it() -> None:
    """NCT03138161 "Anticancer treatment with radiation therapy, chemotherapy, targeted therapy
    or other antitumor treatment within 2 weeks prior to study entry" names any anticancer
    treatment: met when every listed therapy ended long before (no radiotherapy need be listed),
    not_met when a listed chemotherapy ended inside the window."""
    text = (
        "Anticancer treatment with radiation therapy, chemotherapy, targeted therapy or other "
        "antitumor treatment within 2 weeks prior to study entry"
    )
    _kind, verdict, _reason, _rule = judge(text, "exclusion")
    assert verdict == "met"
    recent = [{"agent": "vincristine", "category": "chemotherapy", "ended_on": "2026-11-20"}]
    _kind, verdict, _reason, _rule = judge(text, "exclusion", prior_therapies=recent)
    assert verdict == "not_met"


def test_rules_under_a_cohort_heading_are_scoped_to_its_tumor() -> None:
    """NCT04022213 under "Group A patients:" ("Have the diagnosis of DSRCT with peritoneal
    involvement, confirmed at MSK"): "Should not have had prior WAP IMRT" does not apply to a girl
    with synovial sarcoma, but is judged (not "does not apply") for a boy with DSRCT. The DSRCT
    rule itself is another cohort's rule for her, because the title ("... and Other Solid Tumors
    in the Peritoneum") names a group that takes her; where no cohort names the patient
    (NCT06083883: synovial sarcoma or myxoid/round cell liposarcoma, for a rhabdomyosarcoma) the
    tumor rule stays open, so a patient with no cohort is not made eligible."""
    verdict, reason, _rule = criterion("NCT04022213", "Should not have had prior WAP IMRT")
    assert verdict == "not_applicable"
    assert "desmoplastic small round cell tumor" in reason
    dsrct = {"diagnosis": "desmoplastic small round cell tumor", "sex": "male"}
    verdict, _reason, _rule = criterion(
        "NCT04022213", "Should not have had prior WAP IMRT", **dsrct
    )
    assert verdict != "not_applicable"
    verdict, reason, _rule = criterion("NCT04022213", "Have the diagnosis of DSRCT")
    assert verdict == "not_applicable"
    assert "another cohort" in reason
    erms = {"diagnosis": "embryonal rhabdomyosarcoma", "sex": "male"}
    verdict, _reason, _rule = criterion(
        "NCT06083883", "Patients must have a histologically confirmed diagnosis of synovial", **erms
    )
    assert verdict == "unknown"


def test_a_colon_after_grade_1_is_no_one_of_the_following_list() -> None:
    """NCT04022213 "Toxicities of prior therapy must have resolved to grade 1 or less ... patients
    must fulfill all of the additional following criteria:" does not make its sub-items
    alternatives (only the last sentence before the colon is read)."""
    from matcher.domain.eligibility.splitter import split_items

    text = (
        "Inclusion Criteria:\n\n* Toxicities of prior therapy must have resolved to grade 1 or "
        "less or to the patient's baseline\n\nAt the completion of surgery, patients must fulfill "
        "all of the additional following criteria:\n\n* Have the diagnosis of DSRCT\n"
        "* Should not have had prior WAP IMRT\n"
    )
    flags = {it.text[:20]: it.or_group for it in split_items(text)}
    assert flags["Have the diagnosis o"] is False
    assert flags["Should not have had "] is False
    alternatives = "Inclusion Criteria:\n\n* Meet one of the following:\n  * Age > 2 years\n  * X\n"
    assert [it.or_group for it in split_items(alternatives)] == [True, True]


def test_any_size_or_age_asks_nothing() -> None:
    """NCT00379457 "Any tumor size or age" (an item of a risk-group list) allows everything and is
    not_applicable as a permissive note; "Any prior anthracycline" (a treatment, not an attribute)
    is not read as a note."""
    _kind, verdict, reason, rule = judge("Any tumor size or age")
    assert (verdict, rule) == ("not_applicable", "note")
    assert "permissive note" in reason
    _kind, _verdict, _reason, rule = judge("Any prior anthracycline")
    assert rule != "note"


def test_a_bare_disease_course_exclusion_is_read_against_the_patients_course() -> None:
    """NCT05033288 excludes "Recurrent disease": not_met for a child with recurrent disease, and
    for progressive disease after a counted relapse (a progressive recurrence is a recurrence);
    progressive disease with no relapse counted stays unknown (progression need not be a
    recurrence), and "Recurrent disease in the CNS" is not read as a bare course."""
    _kind, verdict, reason, _rule = judge("Recurrent disease", "exclusion")
    assert verdict == "not_met"
    assert "recurrent disease" in reason
    _kind, verdict, _reason, _rule = judge(
        "Recurrent disease", "exclusion", disease_status="progressive", relapse_number=None
    )
    assert verdict == "unknown"
    _kind, verdict, _reason, _rule = judge(
        "Recurrent disease", "exclusion", disease_status="progressive", relapse_number=1
    )
    assert verdict == "not_met"
    _kind, verdict, _reason, _rule = judge("Recurrent disease in the CNS", "exclusion")
    assert verdict != "not_met"


def test_a_rule_for_patients_with_cns_disease_does_not_apply_without_it() -> None:
    """NCT00929903 "For patients with CNS tumors or CNS metastasis, there must be no evidence of
    new CNS hemorrhage ..." is not_applicable when the profile reports no CNS metastases (and a
    non-CNS tumor), and is judged (not "does not apply") when it reports CNS metastases or says
    nothing about them."""
    starts = "For patients with CNS tumors or CNS metastasis"
    verdict, reason, _rule = criterion("NCT00929903", starts)
    assert verdict == "not_applicable"
    assert "CNS tumors or metastases" in reason
    assert criterion("NCT00929903", starts, cns_metastases=True)[0] != "not_applicable"
    assert criterion("NCT00929903", starts, cns_metastases=None)[0] != "not_applicable"


def test_a_rule_for_an_abbreviated_tumor_is_scoped_to_it() -> None:
    """NCT06946225 defines "synovial sarcoma (SS)" and "cutaneous melanoma (CM)": "SS
    participants must have received (or declined) at least one line of treatment ..." does not
    apply to an embryonal rhabdomyosarcoma, and is judged for the synovial sarcoma girl; "CM
    participants who must have disease progression ..." does not apply to her."""
    ss = "SS participants must have received"
    erms = {"diagnosis": "embryonal rhabdomyosarcoma", "biomarkers": []}
    verdict, reason, _rule = criterion("NCT06946225", ss, **erms)
    assert verdict == "not_applicable"
    assert "synovial sarcoma" in reason
    assert criterion("NCT06946225", ss)[0] != "not_applicable"
    verdict, reason, _rule = criterion("NCT06946225", "CM participants who must")
    assert verdict == "not_applicable"
    assert "melanoma" in reason
