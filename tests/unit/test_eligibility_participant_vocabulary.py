"""Who, besides the patient, a trial sets rules for, and a topic label that is no tumor group:
one vocabulary each, in data (cue lists other_participant and topic_label), read in every place
that needs it. Constructed wording, judged for the constructed test profile of
test_eligibility_reading (a 14-year-old girl, first pulmonary relapse of synovial sarcoma)."""

from __future__ import annotations

from matcher.domain.eligibility.groups import participant_group, participant_under
from matcher.domain.eligibility.scope import tumor_label
from matcher.domain.eligibility.splitter import split_items
from tests.unit.test_eligibility_constructed_batches import verdicts


def test_a_living_donor_section_holds_the_donors_rules() -> None:
    """ "Living donor exclusion criteria:" opens the donor's rules: "Age > 30 years" under it
    excludes no patient (2026.11.26: the splitter set the heading apart but the group reader
    knew no "living" donor, and the age rule was judged for the patient); the donor's age is
    the board's to verify (2026.11.29.5: a donor's rules are unknown, not not_applicable)."""
    block = (
        "Inclusion Criteria:\n\n* Age 2 to 30 years\n\nExclusion Criteria:\n\n"
        "* Prior allogeneic stem cell transplant\n\nLiving donor exclusion criteria:\n\n"
        "* Age > 30 years\n* Pregnant or lactating\n"
    )
    got = verdicts(block, age_months=35 * 12)
    assert got["Age > 30 years"] == "unknown"
    assert got["Age 2 to 30 years"] == "not_met"  # the patient's own age rule still reads
    assert participant_group("Living donor exclusion criteria:") == ("participant", "donor")


def test_the_three_frames_read_the_same_nouns() -> None:
    """A heading ("Guardian participants:"), the end of a criterion's context ("... For the
    partners:") and a section line ("Sibling donor eligibility:") name other participants from
    one list; the patient's own headings do not."""
    assert participant_group("Guardian participants:") == ("participant", "guardian")
    assert participant_under("Inclusion criteria for the study. For the partners:") == "partners"
    assert participant_under("Family caregiver participants:") == "caregiver"
    assert participant_under("Patients with measurable disease:") is None
    items = split_items("Sibling donor eligibility:\n\n* Age 18 to 55 years\n")
    assert items[-1].parent is not None
    assert participant_group(items[-1].parent.text) == ("participant", "donor")


def test_a_topic_label_names_no_tumor_group() -> None:
    """ "CNS disease: patients with known CNS metastases ..." and "Sites of disease: lung
    metastases only" are topics: the rule after the label is for every patient, while a tumor
    label ("Rhabdomyosarcoma: relapsed after ...") still says whom the rule is for."""
    assert tumor_label("CNS disease: patients with known CNS metastases are not eligible") == ()
    assert tumor_label("Sites of disease: lung metastases only") == ()
    assert tumor_label("Rhabdomyosarcoma: relapsed after at least one regimen") != ()
