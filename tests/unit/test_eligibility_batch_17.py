"""Reading classes found on the dev part of the constructed-trial set's batch 17 (T99 a
multi-randomisation relapsed-RMS trial, T101 allogeneic NK cells with donor criteria, T102
percutaneous ablation of liver and bone metastases; measured fresh on 2026.11.29.4,
tests/criteria/constructed). Every criterion here is constructed wording in the style of those
fictional trials, judged for the constructed test profile of test_eligibility_reading (a
14-year-old girl, first pulmonary relapse of synovial sarcoma, after ifosfamide and doxorubicin)
or a variation of it."""

from __future__ import annotations

from matcher.domain.eligibility.splitter import split_items
from tests.unit.test_eligibility_constructed_batches import expect_verdicts, verdicts
from tests.unit.test_eligibility_reading import read_as
from tests.unit.test_eligibility_wording import verdict


def test_a_donors_rules_are_the_boards_to_verify() -> None:
    """ "Pregnant or lactating; history of malignancy within 5 years ..." under "Donor:" asks
    about the donor, on whom an allogeneic cell therapy depends: unknown, not "does not apply"
    (2026.11.29.4: not_applicable); a caregiver's rules stay not applicable."""
    block = (
        "Exclusion Criteria:\n\n* Recipient:\n  * Active graft-versus-host disease\n* Donor:\n"
        "  * Pregnant or lactating; history of malignancy within 5 years.\n"
        "  * HIV-1/2 or HTLV-I/II positive.\n"
    )
    pregnant = "Pregnant or lactating; history of malignancy within 5 years."
    expect_verdicts(block, {pregnant: "unknown", "HIV-1/2 or HTLV-I/II positive.": "unknown"})
    caregiver = "Exclusion Criteria:\n\n* Caregiver participants:\n  * Pregnant or lactating.\n"
    assert verdicts(caregiver)["Pregnant or lactating."] == "not_applicable"


def test_a_long_heading_alone_between_blank_lines_is_a_heading() -> None:
    """ "Eligibility for R3 (maintenance vinorelbine + oral cyclophosphamide for 12 months vs
    stop):" between blank lines heads the items after it; it is not the end of the item before
    it (2026.11.29.4: it was, and the next item read that item's swallowing rule)."""
    text = (
        "Inclusion Criteria:\n\n1. Able to swallow tablets whole.\n\nEligibility for R3 "
        "(maintenance vinorelbine + oral cyclophosphamide for 12 months vs stop):\n\n2. "
        "Randomisation within 8 weeks of day 1 of the last backbone cycle.\n"
    )
    items = split_items(text)
    assert items[0].text == "Able to swallow tablets whole."
    assert items[-1].parent is not None
    assert items[-1].parent.text.startswith("Eligibility for R3")
    got = verdicts(text, swallows_tablets=False)
    assert got["Randomisation within 8 weeks of day 1 of the last backbone cycle."] != "not_met"


def test_a_bracket_saying_whom_a_rule_is_for_asks_nothing() -> None:
    """ "LVEF >= 50% ... within 4 weeks (required only for patients with prior anthracycline
    exposure or known cardiac disease)" is met on an LVEF of 58 % (2026.11.29.4: unknown,
    "cardiac disease" and the window read as requirements)."""
    rule = (
        "Adequate cardiac function: LVEF ≥ 50% or shortening fraction ≥ 27% by echocardiogram "
        "within 4 weeks prior to enrollment (required only for patients with prior anthracycline "
        "exposure or known cardiac disease)."
    )
    assert verdict(rule, lvef_percent=58) == "met"
    assert verdict(rule, lvef_percent=40, shortening_fraction_percent=20) == "not_met"


def test_a_tumour_boards_plan_is_not_a_treatment_exclusion() -> None:
    """ "A local therapy plan (surgery, radiotherapy, or no local therapy with reason) has been
    proposed by the tumour board. Prior irradiation of the relapse site does not preclude
    registration." asks for the board's plan (2026.11.29.4: not_met, "had ifosfamide, which
    this criterion excludes": the bracket's "no" and the note's "not" read as an exclusion)."""
    rule = (
        "A local therapy plan (surgery, radiotherapy, both, or no local therapy with reason) has "
        "been proposed by the local multidisciplinary tumour board at registration. Prior "
        "irradiation of the relapse site does not preclude registration."
    )
    assert verdict(rule) == "unknown"
    assert read_as("No prior ifosfamide.") == ("prior_therapy_excluded", "not_met")
