"""Splitting registry eligibility text into criteria: headings, bullets, nesting, notes.

Every text below is copied from a real ClinicalTrials.gov record (NCT id in the test).
"""

from __future__ import annotations

from matcher.domain.eligibility.splitter import split_items


def test_inclusion_and_exclusion_headings_set_the_section() -> None:
    """Items after "Exclusion Criteria:" are exclusions, items before are inclusions."""
    # NCT05910307 (synovial sarcoma registry)
    text = (
        "Inclusion Criteria:\n\n1. Males or females of any age\n2. Reported diagnosis of synovial "
        "sarcoma\n\nExclusion Criteria:\n\n1. Individuals who are unwilling to participate"
    )
    items = split_items(text)
    assert [(i.section, i.text) for i in items] == [
        ("inclusion", "Males or females of any age"),
        ("inclusion", "Reported diagnosis of synovial sarcoma"),
        ("exclusion", "Individuals who are unwilling to participate"),
    ]


def test_old_cancer_gov_headings_are_inclusion_sections() -> None:
    """ "DISEASE CHARACTERISTICS:" and "PATIENT CHARACTERISTICS:" introduce inclusion items."""
    # NCT00470275 (cytarabine, recurrent Ewing sarcoma)
    text = (
        "DISEASE CHARACTERISTICS:\n\n* Histologically confirmed Ewing's sarcoma or primitive "
        "neuroectodermal tumor (PNET)\n* No disease limited to bone\n\nPATIENT CHARACTERISTICS:\n"
        "* Lansky performance status 50-100%"
    )
    items = split_items(text)
    assert [i.section for i in items] == ["inclusion"] * 3
    assert items[1].text == "No disease limited to bone"


def test_heading_with_inline_numbered_items_is_split() -> None:
    """A one-line record "Inclusion Criteria:1.Age ...; 2.ECOG ..." yields one item per number."""
    # NCT07137884 (anlotinib maintenance, rhabdomyosarcoma)
    text = (
        "Inclusion Criteria:1.Age ≥5 years old, ≤18 years old, no gender restrictions; 2.ECOG "
        "performance status (PS) 0-3 points; 3.The expe"
        "cted survival period is not less than 12 weeks;"
    )
    assert [i.text for i in split_items(text)] == [
        "Age ≥5 years old, ≤18 years old, no gender restrictions",
        "ECOG performance status (PS) 0-3 points",
        "The expected survival period is not less than 12 weeks",
    ]


def test_key_inclusion_heading_variant_is_recognised() -> None:
    """ "Key Inclusion Criteria:" and "Treatment Exclusion Criteria:" are section headings."""
    text = (
        "Key Inclusion Criteria:\n* Measurable disease\nTreatment Exclusion Criteria:\n* Pregnancy"
    )
    items = split_items(text)
    assert [(i.section, i.text) for i in items] == [
        ("inclusion", "Measurable disease"),
        ("exclusion", "Pregnancy"),
    ]


def test_nested_bullets_keep_their_parent_as_context() -> None:
    """Indented sub-bullets become criteria whose context is the parent line, which is dropped."""
    # NCT07261657 (N-803 after TCR-T): exclusion with an indented list of drugs
    text = (
        "Exclusion Criteria:\n\n* Patients who have ha"
        "d prior use of narrow therapeutic index drugs "
        "that are substrates of major CYP450 enzymes within 28 days of first study drug "
        "administration per discretion of the treating investigator, including but not limited to:"
        "\n\n  * Tacrolimus\n  * Cyclosporine\n"
    )
    items = split_items(text)
    assert [i.text for i in items] == ["Tacrolimus", "Cyclosporine"]
    assert all("narrow therapeutic index" in i.context for i in items)


def test_flattened_one_of_the_following_list_marks_alternatives() -> None:
    """Items after a flattened "Meets 1 of the following criteria:" are OR alternatives."""
    # NCT00346164 (ARST0332): mirrors flattened the nested bullets to one level
    text = (
        "Inclusion Criteria:\n\n* Metastatic or non metastatic disease\n* Meets 1 of the following "
        "criteria:\n\n* Intermediate (i.e., rarely meta"
        "stasizing) or malignant STS, including any of "
        "the following:\n\n* Adipocytic tumor, includin"
        "g liposarcoma of any of the following histology"
        " subtypes:\n\n* Dedifferentiated\n* Myxoid\n"
    )
    items = split_items(text)
    assert items[0].text == "Metastatic or non metastatic disease"
    assert not items[0].or_group
    assert [i.text for i in items[1:]] == ["Dedifferentiated", "Myxoid"]
    assert all(i.or_group for i in items[1:])


def test_note_and_exception_children_attach_to_their_rule() -> None:
    """An indented "Note: ... are eligible" line softens its parent instead of being a criterion."""
    # NCT07261657 (N-803): brain metastases exclusion with a note allowing treated ones
    text = (
        "Exclusion Criteria:\n\n* Patients with new or progressing brain metastases.\n\n  * Note: "
        "Patients with treated brain metastases that are stable in the opinion of the treating "
        "investigator are eligible\n"
    )
    items = split_items(text)
    assert len(items) == 1
    assert items[0].notes
    assert "treated brain metastases" in items[0].notes[0]


def test_wrapped_lines_are_joined_to_their_item() -> None:
    """A line without a bullet continues the previous criterion (wrapped registry text)."""
    # NCT00929903 (pazopanib, relapsed solid tumors)
    text = (
        "Inclusion Criteria:\n- Neurologic deficits in patients with CNS tumors must have been "
        "relatively stable\nfor ≥ 1 week\n- ANC ≥ 1,000/mm^3\n"
    )
    assert [i.text for i in split_items(text)] == [
        "Neurologic deficits in patients with CNS tumor"
        "s must have been relatively stable for ≥ 1 week",
        "ANC ≥ 1,000/mm^3",
    ]


def test_must_heading_ends_a_flattened_or_run() -> None:
    """After a flattened "Diagnosis of 1 of the following:", a "Patients must be:" heading starts
    a list of requirements, not more alternatives."""
    # NCT00929903 (flattened by the mirror)
    text = (
        "Inclusion Criteria:\n- Diagnosis of 1 of the following:\n- Histologically confirmed "
        "relapsed or refractory solid tumors\n- Patients must be:\n- > 2 years of age and ≤ 21 "
        "years of age (Part 1 and Part 2a)\n- ANC ≥ 1,000/mm^3\n"
    )
    items = {i.text: i for i in split_items(text)}
    assert items["Histologically confirmed relapsed or refractory solid tumors"].or_group
    assert not items["ANC ≥ 1,000/mm^3"].or_group
