"""OR groups (issue 8, engine 2026.11.5): an alternative that clearly does not hold is not_met on
its own (guard "alternative", with its group id); the trial is excluded only when every
alternative of a closed group is not_met.

Criterion sentences are quoted from real records in snapshot/sarcoma/records (NCT id in each
docstring); the profiles are the constructed ones of test_eligibility_reading.
"""

from __future__ import annotations

from matcher.domain.eligibility import EngineOptions, evaluate_trial
from matcher.domain.eligibility.verdict import (
    COHORT_GROUP,
    NESTED_GROUP,
    OPEN_GROUP,
    decide,
    decisive,
)
from matcher.domain.models.match import CriterionResult, TrialMatch
from tests.unit.test_eligibility_reading import AS_OF, profile, record

ERMS = {"diagnosis": "embryonal rhabdomyosarcoma", "age_months": 101, "biomarkers": []}


def _match(nct_id: str, **changes: object) -> TrialMatch:
    return evaluate_trial(
        profile(**changes), record(nct_id), as_of=AS_OF, options=EngineOptions(any_status=True)
    )


def _by_start(match: TrialMatch, starts: str) -> CriterionResult:
    [found] = [c for c in match.criteria if c.text.startswith(starts)]
    return found


def test_another_cohorts_tumor_is_not_met_as_an_alternative() -> None:
    """NCT02304458 "Part B1: patients with relapsed or refractory neuroblastoma" is not_met for a
    child with embryonal rhabdomyosarcoma (guard "alternative", a cohorts group), while "Part B3:
    patients with relapsed or refractory rhabdomyosarcoma" is met and the trial stays open."""
    match = _match("NCT02304458", **ERMS)
    b1 = _by_start(match, "Part B1:")
    b3 = _by_start(match, "Part B3:")
    assert (b1.verdict, b1.guard) == ("not_met", "alternative")
    assert "neuroblastoma" in b1.reason
    assert "one alternative of several" in b1.reason
    assert b1.group is not None
    assert b1.group.startswith(COHORT_GROUP)
    assert (b3.verdict, b3.group) == ("met", b1.group)
    assert match.verdict != "ineligible"
    assert b1.reason not in match.decisive


def test_cohorts_listed_in_the_record_never_exclude_on_their_own() -> None:
    """NCT02304458: for a girl with synovial sarcoma every "Part B" tumor cohort is not_met, but
    the record also has parts open to any solid tumor, so the trial is not excluded by them."""
    match = _match("NCT02304458")
    parts = [c for c in match.criteria if c.text.startswith("Part B") and c.kind != "age"]
    assert parts
    assert all(c.verdict == "not_met" and c.guard == "alternative" for c in parts)
    assert not any(c.reason in match.decisive for c in parts)


def test_a_listed_histology_alternative_is_not_met_for_another_tumor() -> None:
    """NCT00346164 "Hemangiopericytoma" (one of "Fibroblastic/myofibroblastic tumors, including
    any of the following:") is not_met for synovial sarcoma and met for a solitary fibrous tumor."""
    synovial = _by_start(_match("NCT00346164"), "Hemangiopericytoma")
    assert (synovial.verdict, synovial.guard) == ("not_met", "alternative")
    assert synovial.group is not None
    sft = _match("NCT00346164", diagnosis="solitary fibrous tumor")
    assert _by_start(sft, "Solitary fibrous tumor").verdict == "met"
    assert not any(c.group == synovial.group for c in sft.criteria if c.verdict == "not_met"
                   and c.reason in sft.decisive)  # fmt: skip


def _r(verdict: str, group: str | None = None) -> CriterionResult:
    return CriterionResult.model_validate(
        {"kind": "diagnosis", "text": f"constructed {verdict} {group}", "verdict": verdict,
         "reason": f"{verdict} reason", "group": group, "guard": "alternative" if group else None}
    )  # fmt: skip


def test_a_closed_group_excludes_only_when_every_alternative_fails() -> None:
    """All alternatives not_met -> ineligible; one unknown -> possibly eligible; one met ->
    eligible (the other alternatives' not_met are not decisive)."""
    g = "or-00000001"
    assert decide([_r("met"), _r("not_met", g), _r("not_met", g)]) == "ineligible"
    assert len(decisive([_r("met"), _r("not_met", g), _r("not_met", g)])) == 2
    assert decide([_r("met"), _r("not_met", g), _r("unknown", g)]) == "possibly_eligible"
    assert decide([_r("met"), _r("not_met", g), _r("met", g)]) == "eligible"
    assert decisive([_r("met"), _r("not_met", g), _r("met", g)]) == []
    # alternatives that do not apply do not count; a group with none that applies excludes nothing
    assert decide([_r("not_applicable", g), _r("not_met", g)]) == "ineligible"
    assert decide([_r("not_applicable", g), _r("met")]) == "eligible"


def test_open_and_nested_groups_are_conservative() -> None:
    """A cohorts group never excludes; a nested OR list is excluded when all fail but a met item
    settles nothing (it may be one requirement of a conjunctive alternative)."""
    cohorts, nested = f"{OPEN_GROUP}1", f"{NESTED_GROUP}1"
    assert decide([_r("not_met", cohorts), _r("not_met", cohorts)]) == "possibly_eligible"
    assert decide([_r("not_met", nested), _r("not_met", nested)]) == "ineligible"
    assert decide([_r("met", nested), _r("not_met", nested)]) == "possibly_eligible"


def test_a_subtype_alternative_is_not_met_for_another_tumor_and_open_for_its_own() -> None:
    """NCT00346164 "Myxoid" under "Adipocytic tumor, including liposarcoma of any of the
    following histology subtypes:" is not_met for synovial sarcoma (a subtype of liposarcoma), and
    stays unknown for a myxoid/round cell liposarcoma (which subtype it is, never a guessed met)."""
    myxoid = _by_start(_match("NCT00346164"), "Myxoid")
    assert (myxoid.verdict, myxoid.guard, myxoid.rule_id) == (
        "not_met",
        "alternative",
        "diagnosis/subtype",
    )
    assert "a subtype of liposarcoma" in myxoid.reason
    lipo = _by_start(_match("NCT00346164", diagnosis="myxoid liposarcoma"), "Dedifferentiated")
    assert (lipo.verdict, lipo.rule_id) == ("unknown", "diagnosis/subtype")


def test_an_or_list_the_record_may_have_cut_short_never_excludes() -> None:
    """NCT00346164's stored record ends inside "Meets 1 of the following criteria:" (no
    exclusion criteria): every alternative it shows is not_met for alveolar soft part sarcoma,
    but the group is open, so none of them is decisive (the missing alternatives may hold)."""
    match = _match("NCT00346164", diagnosis="alveolar soft part sarcoma")
    alternatives = [c for c in match.criteria if c.guard == "alternative"]
    assert alternatives
    assert all(c.group is not None and c.group.startswith(OPEN_GROUP) for c in alternatives)
    assert not any(c.reason in match.decisive for c in alternatives)


def test_an_alternative_histology_the_vocabulary_does_not_know_is_not_the_patients() -> None:
    """NCT00346164 "Low-grade myofibroblastic sarcoma" (an alternative of the histology list) is
    not_met for a known alveolar soft part sarcoma, and stays unknown when the patient's own
    diagnosis is not in the vocabulary ("synovial sarcoam": it might be that histology)."""
    known = _by_start(_match("NCT00346164", diagnosis="alveolar soft part sarcoma"), "Low-grade")
    assert (known.verdict, known.rule_id) == ("not_met", "diagnosis/other_histology")
    typo = _by_start(_match("NCT00346164", diagnosis="synovial sarcoam"), "Low-grade")
    assert typo.verdict == "unknown"
