"""Reading classes added in engine 2026.11.15 from paraphrase round 8 (tests/criteria/paraphrase,
GUIDE-8.md): an industry sponsor's template ("Has received ...", "Is ...", "Note: ...") and
noun-phrase criteria ("Presence of ...", "Absence of ...", "Receipt of ..."), with the classes
the earlier rounds still missed, and from round 9 (GUIDE-9.md: the NCI PDQ layout, legal
drafting). Every criterion here is *constructed* wording (re-wordings
written by helpers, or shortened from them), judged for the constructed test profile of
test_eligibility_reading (a 14-year-old girl, first pulmonary relapse of synovial sarcoma)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.test_eligibility_reading import judge
from tests.unit.test_eligibility_wording import SURGERY_ONLY, verdict


@pytest.mark.parametrize(
    ("text", "section", "meets", "fails"),
    [
        # the sponsor's verb frames: the requirement is what follows the verb
        ("Has received prior systemic chemotherapy", "inclusion", {}, None),
        ("Has recurrent disease", "exclusion", None, {}),
        ("Presence of recurrent disease", "exclusion", None, {}),
        ("Does not have disease that is limited to bone", "inclusion", {},
         {"recurrence_sites": ["bone"], "diagnosis": "ewing sarcoma"}),
        # a prefix naming everyone is no group; "X is required" / "Required: X" is X
        ("All patients: recurrent disease", "exclusion", None, {}),
        ("Prior systemic chemotherapy is required", "inclusion", {}, None),
        ("Required: prior systemic chemotherapy", "inclusion", {}, None),
    ],
)  # fmt: skip
def test_a_sponsor_verb_frame_reads_as_the_bare_rule(
    text: str, section: str, meets: dict[str, Any] | None, fails: dict[str, Any] | None
) -> None:
    """ "Has recurrent disease" (an exclusion) excludes a relapsed child as "Recurrent disease"
    does; "Has received prior systemic chemotherapy" is met by a chemotherapy history; before
    2026.11.15 each was left unread ("unknown")."""
    if meets is not None:
        assert verdict(text, section, **meets) == "met"
    if fails is not None:
        assert verdict(text, section, **fails) == "not_met"


def test_a_required_history_needs_chemotherapy_not_just_any_treatment() -> None:
    """The same frame stays a requirement: surgery alone does not establish prior systemic
    chemotherapy (unknown, never met)."""
    rule = "Has received prior systemic chemotherapy"
    assert verdict(rule, prior_therapies=SURGERY_ONLY) == "unknown"


@pytest.mark.parametrize(
    ("text", "section", "inside", "outside"),
    [
        ("Patients must be 21 years or younger when enrolled.", "inclusion", 171, 300),
        ("Patients must not be 18 years or older at the time of enrollment.", "inclusion", 171,
         230),
        ("Subjects who have reached 12 years of age", "inclusion", 171, 100),
        ("Males and females who have not yet reached 15 years of age", "exclusion", 200, 171),
    ],
)  # fmt: skip
def test_age_written_after_the_number_or_as_a_verb(
    text: str, section: str, inside: int, outside: int
) -> None:
    """ "21 years or younger", "must not be 18 years or older" (the negation turns the limit
    round), "have (not yet) reached 15 years of age" are age limits in both directions."""
    assert verdict(text, section, age_months=inside) == "met"
    assert verdict(text, section, age_months=outside) == "not_met"


def test_a_therapy_for_another_disease_scopes_the_rule_to_that_disease() -> None:
    """ "Has received any other systemic therapy for melanoma, including radiation therapy":
    the radiation a sarcoma patient had was not for melanoma. 2026.11.14 said not_met (it read
    the sponsor frame as a plain exclusion of radiation): a wrong exclusion."""
    for text in (
        "Has received any other systemic therapy for melanoma, including radiation therapy, "
        "since completing study 10M-01-1.",
        "Receipt of any other systemic therapy for melanoma, including radiation therapy",
    ):
        kind, got, reason, _rule = judge(text, "exclusion")
        assert got == "not_applicable", (text, kind, reason)
        assert "melanoma" in reason


def test_a_sex_group_written_as_a_condition() -> None:
    """ "If male, must have a serum testosterone level below 50 ng/dL" is a rule for male
    patients: for a girl it does not apply (2026.11.14 left it unread, on her to-verify list);
    for a boy it stays open."""
    for rule in (
        "If male, must have a serum testosterone level below 50 ng/dL",
        "If the patient is male, prior orchiectomy is required",
    ):
        _kind, got, reason, rule_id = judge(rule)
        assert (got, rule_id) == ("not_applicable", "other_sex"), rule
        assert "male patients" in reason
        assert verdict(rule, sex="male") == "unknown"


def test_a_required_combination_needs_every_drug() -> None:
    """ "prior olaratumab therapy together with doxorubicin": doxorubicin alone does not meet it
    (2026.11.14 said met: an overconfident pass); both drugs given do."""
    _kind, got, reason, _rule = judge(
        "Must have received prior olaratumab therapy together with doxorubicin."
    )
    assert got == "unknown"
    assert "olaratumab" in reason
    assert verdict("Must have received prior ifosfamide together with doxorubicin.") == "met"
    assert verdict("Must have received prior ifosfamide or irinotecan.") == "met"


def test_recist_definition_in_other_words_is_no_size_limit() -> None:
    """ "Measurable disease, i.e., at least one lesion accurately measurable ... >= 20 mm by chest
    x-ray": RECIST's definition, not a tumor size the profile must state."""
    rule = (
        "Measurable disease, i.e., at least one lesion accurately measurable in at least one "
        "dimension as >= 20 mm by chest x-ray"
    )
    assert verdict(rule) == "met"
    assert verdict(rule, tumor={"measurable": False}) == "not_met"


def test_a_study_uln_definition_is_no_limit_of_its_own() -> None:
    """ "ALT no greater than 135 U/L. For this study, the ULN for ALT = 45 U/L": the limit is
    3 x ULN; "= 45 U/L" defines the ULN (2026.11.14 with a wider reading of the definition
    compared ALT with "= 1 x ULN" and excluded a child inside the limit)."""
    rule = (
        "Solid tumor patients: ALT no greater than 135 U/L. "
        "For this study, the ULN for ALT = 45 U/L"
    )
    assert verdict(rule) == "met"
    assert verdict(rule, labs={"alt_x_uln": 4.0}) == "not_met"


def test_cns_disease_excepted_from_an_inclusion_in_other_words() -> None:
    """ "Relapsed or refractory solid tumors, excluding primary or metastatic CNS tumors" (and
    "except", "other than", "... are not eligible"): absence of CNS disease is asked."""
    for rule in (
        "Relapsed or refractory solid tumors, excluding primary or metastatic CNS tumors",
        "Relapsed or refractory solid tumors; patients with brain metastases are not eligible",
    ):
        assert verdict(rule) == "met", rule
        assert verdict(rule, cns_metastases=True) == "not_met", rule
    # an exception word keeps its guard: open for a patient with CNS disease, never met
    rule = "Relapsed or refractory solid tumors, except patients with CNS metastases"
    assert verdict(rule) == "met"
    assert verdict(rule, cns_metastases=True) == "unknown"


def test_an_exception_elsewhere_in_the_rule_is_not_about_the_cns() -> None:
    """ "... (fine needle aspiration is excluded). Note: patients with resectable brain
    metastases must be undergoing planned resection": the exclusion word is about the biopsy,
    so absence of CNS disease is not what the rule asks (never met on that alone)."""
    rule = (
        "Patients must have a tumor accessible to biopsy (fine needle aspiration is excluded). "
        "Note: patients with resectable brain metastases must be undergoing planned resection."
    )
    assert verdict(rule) != "met"


def test_an_allowance_to_continue_a_drug_is_not_its_washout() -> None:
    """ "... since the last cytotoxic chemotherapy. Tyrosine kinase inhibitors can be continued
    until 3 days before ...": the washout is the chemotherapy's (met 451 days after it)."""
    rule = (
        "At least 2 weeks must have elapsed since the last cytotoxic chemotherapy. Tyrosine "
        "kinase inhibitors can be continued until 3 days before the first dose."
    )
    assert verdict(rule) == "met"
    recent = [{"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2026-11-20"}]
    assert verdict(rule, prior_therapies=recent) == "not_met"


@pytest.mark.parametrize(
    ("text", "elsewhere"),
    [
        ("Pulmonary metastatic lesions that would require anatomic resection (lobectomy or "
         "pneumonectomy)", ["local"]),
        ("Any patient with lung metastatic lesions that would need anatomic resection",
         ["local"]),
    ],
)  # fmt: skip
def test_lung_lesions_named_without_a_subject(text: str, elsewhere: list[str]) -> None:
    """An exclusion of some lung lesions: met when no lung disease is listed, open (never
    not_met) when there is lung disease, whose details the profile does not give."""
    assert verdict(text, "exclusion") == "unknown"
    assert verdict(text, "exclusion", recurrence_sites=elsewhere) == "met"


def test_disease_outside_the_lungs_is_extrapulmonary() -> None:
    """ "Active metastatic disease outside of the lungs": the extrapulmonary rule."""
    rule = "Active metastatic disease outside of the lungs"
    assert verdict(rule, "exclusion") == "met"
    assert verdict(rule, "exclusion", recurrence_sites=["pulmonary", "bone"]) == "not_met"


def test_a_note_after_the_rule_is_read_as_its_aside() -> None:
    """ "Note: corticosteroids are not included." after a chemotherapy washout is the aside
    "(corticosteroids not included)"; a criterion that is only a permissive note stays one."""
    washout = (
        "Has received systemic chemotherapy less than 3 weeks before enrollment. "
        "Note: corticosteroids are not included."
    )
    assert verdict(washout, "exclusion") == "met"
    recent = [{"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2026-11-20"}]
    assert verdict(washout, "exclusion", prior_therapies=recent) == "not_met"
    note = (
        "Note: participants who have controlled type 1 diabetes on an insulin regimen are "
        "eligible for the study."
    )
    assert verdict(note, "exclusion") == "not_applicable"


def test_need_for_steroids_is_the_steroid_rule() -> None:
    """ "Requirement for systemic, ocular or inhaled corticosteroids", "Need treatment with
    ...": the steroid exclusion, met for a patient not on steroids."""
    for rule in (
        "Requirement for systemic, ocular or inhaled corticosteroids",
        "Need treatment with systemic, ocular, or inhaled corticosteroids.",
    ):
        kind, _got, _reason, _rule = judge(rule, "exclusion")
        assert kind == "steroids", rule


# --- round 9 (GUIDE-9.md): legal drafting and the NCI PDQ layout ---------------------------------


def test_legal_drafting_shall_not_be_enrolled_where_is_the_exclusion_itself() -> None:
    """ "A subject, whether male or female, shall not be enrolled where the subject is under 15
    years of age" (an exclusion) excludes under-15s only. 2026.11.15 before this read the
    negated enrolment as a negated limit and excluded a 20-year-old: a wrong exclusion."""
    rule = (
        "A subject, whether male or female, shall not be enrolled where the subject is under 15 "
        "years of age"
    )
    assert verdict(rule, "exclusion", age_months=245) == "met"
    assert verdict(rule, "exclusion", age_months=150) == "not_met"
    weight = "A patient shall not be enrolled where he or she weighs more than 400 lbs."
    assert verdict(weight, "exclusion") == "met"
    sites = "A subject shall not be enrolled where there is evidence of extrapulmonary disease."
    assert verdict(sites, "exclusion") == "met"
    assert verdict(sites, "exclusion", recurrence_sites=["pulmonary", "bone"]) == "not_met"


def test_legal_drafting_eligible_only_if_is_a_requirement() -> None:
    """ "Subjects shall be eligible only if aged not less than 12 years" is the age limit >= 12;
    "... only if they have previously received systemic chemotherapy" a required history."""
    rule = "Subjects shall be eligible only if aged not less than 12 years."
    assert verdict(rule) == "met"
    assert verdict(rule, age_months=100) == "not_met"
    history = (
        "Subjects shall be eligible only if they have previously received systemic chemotherapy"
    )
    assert verdict(history) == "met"
    assert verdict(history, prior_therapies=SURGERY_ONLY) == "unknown"


def test_a_part_rule_for_another_tumor_is_not_met_by_its_setting_alone() -> None:
    """ "In Part B2: patients with relapsed or refractory osteosarcoma" does not apply to a
    patient with synovial sarcoma; before, her recurrent disease alone made it "met" with a
    reason about the setting (an overconfident pass on the reading of every wording)."""
    for rule in (
        "In Part B2: patients with relapsed or refractory osteosarcoma",
        "For the purposes of Part B2, subjects having osteosarcoma that is relapsed or refractory",
    ):
        _kind, got, reason, rule_id = judge(rule)
        assert (got, rule_id) == ("not_applicable", "other_diagnosis"), rule
        assert "osteosarcoma" in reason
    assert verdict("In Part B2: patients with relapsed or refractory synovial sarcoma") == "met"


@pytest.mark.parametrize(
    ("text", "section", "changes", "expected"),
    [
        ("Hepatic: Bilirubin no greater than 1.5 times ULN", "inclusion", {}, "met"),
        ("Hepatic: Bilirubin no greater than 1.5 times ULN", "inclusion",
         {"labs": {"bilirubin_x_uln": 2.0}}, "not_met"),
        ("Steroids: Requiring systemic, ocular, or inhaled corticosteroids", "exclusion",
         {"on_corticosteroids": False}, "met"),
        ("Chemotherapy: At least 4 weeks since prior chemotherapy", "inclusion", {}, "met"),
        # the label is the rule's object when the rest does not name it again
        ("Chemotherapy: No prior", "exclusion", {}, "not_met"),
        ("Newly diagnosed disease: Successful gross tumor resection of the primary tumor",
         "inclusion", {}, "not_applicable"),
        ("CNS tumors: Neurologic deficits relatively stable for at least 1 week", "inclusion", {},
         "not_applicable"),
        ("Disease recurrence", "exclusion", {}, "not_met"),
    ],
)  # fmt: skip
def test_the_pdq_layout_category_label(
    text: str, section: str, changes: dict[str, Any], expected: str
) -> None:
    """The NCI PDQ summaries' "Hepatic: ...", "Steroids: ...", "Chemotherapy: ..." labels name
    the system and the rule follows; "Newly diagnosed disease:" and "CNS tumors:" name whom the
    rule is for (not this relapsed girl without CNS disease)."""
    assert verdict(text, section, **changes) == expected
