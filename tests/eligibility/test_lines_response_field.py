"""Issue 9 leftovers: the engine reads the board's line numbers, best responses and whether the
recurrence lies in a previous radiation field.

Each criterion is quoted from a real ClinicalTrials.gov record (NCT id in the docstring; records in
snapshot/sarcoma/records or tests/devset/trials) unless the docstring says "constructed". The
profile and its treatment histories are constructed (fictional); none is a real patient.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from matcher.domain.eligibility import projection
from matcher.domain.eligibility.facts import build_facts
from matcher.domain.eligibility.judges import judge_criterion
from matcher.domain.eligibility.parsed import split_and_classify
from matcher.domain.models.profile import ProfileIn

AS_OF = date(2026, 11, 26)
# constructed profile: a 17-year-old boy with a local recurrence of synovial sarcoma
BASE: dict[str, Any] = {
    "reference": "TEST-issue9-constructed",
    "assessed_on": "2026-11-20",
    "age_months": 207,
    "sex": "male",
    "diagnosis": "synovial sarcoma",
    "disease_status": "recurrent",
    "recurrence_sites": ["local"],
    "tumor": {"measurable": True},
}
RADIATION = {"category": "radiation", "site": "left thigh", "ended_on": "2025-07-15"}


def judge(text: str, section: str = "inclusion", **changes: Any) -> tuple[str, str]:
    """(verdict, reason) of the first criterion of `text` under a section heading."""
    heading = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    criteria = split_and_classify(f"{heading}\n\n* {text}")
    profile = ProfileIn.model_validate_json(json.dumps({**BASE, **changes}))
    j = judge_criterion(criteria[0], build_facts(profile, AS_OF)).judgement
    return j.verdict, j.reason


def chemo(agent: str, ended_on: str, line: int | None = None, **more: Any) -> dict[str, Any]:
    therapy: dict[str, Any] = {"agent": agent, "category": "chemotherapy", "ended_on": ended_on}
    if line is not None:
        therapy["line"] = line
    return {**therapy, **more}


# four agents in two regimens a year apart: by end dates they read as 4 separate lines
FOUR_AGENTS = [
    ("doxorubicin", "2024-03-01"), ("ifosfamide", "2024-06-01"),
    ("gemcitabine", "2025-05-01"), ("docetaxel", "2025-08-01"),
]  # fmt: skip


# --- lines of systemic therapy ------------------------------------------------------------------

NCT06797999 = (
    "Prior treatment with at least one but no more than two lines of cytotoxic systemic therapy "
    "for metastatic/unresectable disease."
)


def test_numbered_lines_are_counted_instead_of_agents() -> None:
    """Constructed criterion "No more than 2 prior lines of systemic therapy." (a plain cap):
    four agents numbered as lines 1, 1, 2, 2 are two lines (met); the same agents without numbers
    stay unknown (each may be its own line). NCT06797999 also asks for "at least one" line "for
    metastatic/unresectable disease", which the numbers do not establish: unknown (engine
    2026.11.7)."""
    plain = "No more than 2 prior lines of systemic therapy."
    numbered = [chemo(a, d, 1 if i < 2 else 2) for i, (a, d) in enumerate(FOUR_AGENTS)]
    verdict, reason = judge(plain, prior_therapies=numbered)
    assert verdict == "met"
    assert "numbers 2 line(s)" in reason
    assert judge(plain, prior_therapies=[chemo(a, d) for a, d in FOUR_AGENTS])[0] == "unknown"
    assert judge(NCT06797999, prior_therapies=numbered)[0] == "unknown"


def test_lines_above_a_cap_for_one_setting_stay_unknown() -> None:
    """NCT06797999 counts lines "for metastatic/unresectable disease": three numbered lines may
    include one for localised disease, so the rule is unknown, never not met."""
    three = [chemo(a, d, i + 1) for i, (a, d) in enumerate(FOUR_AGENTS[:3])]
    verdict, reason = judge(NCT06797999, prior_therapies=three)
    assert verdict == "unknown"
    assert "setting" in reason


def test_lines_above_a_plain_cap_are_not_met() -> None:
    """Constructed criterion "No more than 2 prior lines of systemic therapy.": three numbered
    lines are not met, two are met; three unnumbered agents ending together stay unknown."""
    text = "No more than 2 prior lines of systemic therapy."
    three = [chemo(a, d, i + 1) for i, (a, d) in enumerate(FOUR_AGENTS[:3])]
    assert judge(text, prior_therapies=three)[0] == "not_met"
    two = [chemo(a, d, 1 if i < 2 else 2) for i, (a, d) in enumerate(FOUR_AGENTS[:3])]
    assert judge(text, prior_therapies=two)[0] == "met"
    same_day = [chemo(a, "2025-08-01") for a, _ in FOUR_AGENTS[:3]]
    assert judge(text, prior_therapies=same_day)[0] == "unknown"


# --- best response ------------------------------------------------------------------------------

NCT03934567 = (
    "Confirmed to be unresponsive to the last line of therapy (have stable disease or disease "
    "progression during treatment),or have disease progression following the last line of "
    "therapy"
)
NCT03934567_FIRST = (
    "Confirmed to be unresponsive to the last line of therapy (have stable disease or disease "
    "progression during treatment)"
)


def _two_lines(last: str | None) -> list[dict[str, Any]]:
    first = chemo("doxorubicin", "2024-03-01", 1, best_response="partial_response")
    second = chemo("gemcitabine", "2025-08-01", 2)
    if last is not None:
        second["best_response"] = last
    return [first, second]


def test_unresponsive_to_the_last_line_reads_its_best_response() -> None:
    """NCT03934567 (tests/devset/trials): stable disease on line 2 (the last) is met; without a
    best response for line 2 it is unknown (line 1's partial response says nothing about it)."""
    verdict, reason = judge(NCT03934567, prior_therapies=_two_lines("stable_disease"))
    assert verdict == "met"
    assert "gemcitabine (line 2): stable disease" in reason
    verdict, reason = judge(NCT03934567, prior_therapies=_two_lines(None))
    assert verdict == "unknown"
    assert "best response to the last line not given" in reason


def test_a_response_fails_only_a_rule_without_another_course() -> None:
    """A complete response on the last line: NCT03934567's full criterion also accepts
    "progression following the last line", so it stays unknown; its first alternative quoted
    alone ("unresponsive to the last line ...") is not met."""
    complete = _two_lines("complete_response")
    assert judge(NCT03934567, prior_therapies=complete)[0] == "unknown"
    verdict, reason = judge(NCT03934567_FIRST, prior_therapies=complete)
    assert verdict == "not_met"
    assert "complete response" in reason
    assert judge(NCT03934567_FIRST, prior_therapies=_two_lines("progressive_disease"))[0] == "met"


def test_progression_on_a_named_drug_reads_that_drugs_response() -> None:
    """NCT05703854: "Prior progression on a PD-1 or PD-L1 checkpoint inhibitor should be
    unequivocal." Progressive disease on pembrolizumab is met naming it; a partial response
    leaves it unknown (progression may have come later); no best response: the disease-course
    reading stands (met), as before issue 9."""
    text = "Prior progression on a PD-1 or PD-L1 checkpoint inhibitor should be unequivocal."
    pd1 = {"agent": "pembrolizumab", "category": "immunotherapy", "ended_on": "2025-08-01"}
    verdict, reason = judge(text, prior_therapies=[{**pd1, "best_response": "progressive_disease"}])
    assert verdict == "met"
    assert "pembrolizumab: progressive disease" in reason
    partial = [{**pd1, "best_response": "partial_response"}]
    assert judge(text, prior_therapies=partial)[0] == "unknown"
    assert judge(text, prior_therapies=[pd1])[0] == "met"


# --- recurrence in a previous radiation field ---------------------------------------------------

NCT07049848 = (
    "Prior treatment with radiotherapy to the site of the sarcoma (re-irradiation or "
    "radiationinduced sarcomas are not allowed on this study)"
)
NCT02243605 = (
    "Patients must have measurable disease (lesion in previously irradiated field could be "
    "considered as measurable if progressive at inclusion) defined as per RECIST v1.1 with at "
    "least one lesion that can be measured in at least one dimension (longest diameter to be "
    "recorded) as >= 10 mm with spiral CT scan"
)
NCT04129151 = (
    "RECIST measurable disease at study entry, including at least one RECIST measurable site "
    "that has either not been previously radiated or that has had progression after prior "
    "radiotherapy;"
)
NCT05703854_FIELD = (
    "Localized radiotherapy to 1 or more disease sites is allowed prior to the lymphodepleting "
    "chemotherapy, provided that there are additional measurable non-irradiated disease sites."
)


def test_radiation_to_the_tumor_site_reads_the_field() -> None:
    """NCT07049848 (exclusion): a recurrence inside a previous field is not met, one outside is
    met, and without the field a local recurrence after thigh radiation stays unknown."""
    history = {"prior_therapies": [RADIATION]}
    inside = judge(NCT07049848, "exclusion", recurrence_in_radiation_field=True, **history)
    assert inside == (
        "not_met",
        "the profile says the recurrence lies in a previous radiation field, which this rule "
        "excludes",
    )
    outside = judge(NCT07049848, "exclusion", recurrence_in_radiation_field=False, **history)
    assert outside[0] == "met"
    assert judge(NCT07049848, "exclusion", **history)[0] == "unknown"


def test_in_field_lesions_counted_after_progression_count_a_recurrence() -> None:
    """NCT02243605 and NCT04129151 accept an in-field lesion once it progressed: outside every
    field is met; inside, a recurrence long after the radiation is that progression (met, since
    2026.11.17: blind readers of constructed trials read it so; before, unknown); a radiation that
    ended weeks ago may have treated this very lesion (unknown, never not met)."""
    recent = {**RADIATION, "ended_on": "2026-10-15"}
    for text in (NCT02243605, NCT04129151):
        outside = judge(text, recurrence_in_radiation_field=False, prior_therapies=[RADIATION])
        assert outside[0] == "met", text
        assert "outside previous radiation fields" in outside[1]
        inside = judge(text, recurrence_in_radiation_field=True, prior_therapies=[RADIATION])
        assert inside[0] == "met", text
        assert "progressed after radiation" in inside[1]
        assert judge(text, prior_therapies=[RADIATION])[0] == "met", text
        just_irradiated = judge(text, recurrence_in_radiation_field=True, prior_therapies=[recent])
        assert just_irradiated[0] == "unknown", text
        assert "only after progression" in just_irradiated[1]


def test_a_required_non_irradiated_site_is_met_outside_the_field() -> None:
    """NCT05703854: "additional measurable non-irradiated disease sites": a recurrence outside
    every field is met; inside one it is unknown (another lesion may lie outside)."""
    assert judge(NCT05703854_FIELD, recurrence_in_radiation_field=False)[0] == "met"
    inside = judge(NCT05703854_FIELD, recurrence_in_radiation_field=True)
    assert inside == (
        "unknown",
        "the profile says the recurrence lies in a previous radiation field; the rule asks for a "
        "lesion outside it",
    )


def test_profiles_differing_only_in_the_field_are_not_judged_alike() -> None:
    """The radiation judge's projection lists recurrence_in_radiation_field, so two profiles that
    differ only there never share a memoised judgement."""
    criteria = split_and_classify(f"Exclusion Criteria:\n\n* {NCT07049848}")
    aspect = next(a for a in criteria[0].aspects if a.kind == "radiation")
    assert "recurrence_in_radiation_field" in projection.READS["radiation"](aspect.spec)
