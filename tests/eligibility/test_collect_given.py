"""Facts to collect leave out what the profile already gives (issue 9), on constructed results."""

from __future__ import annotations

import json
from typing import Any

from matcher.domain.eligibility.collect import facts_to_collect, given_fields
from matcher.domain.models import CriterionResult, TrialMatch
from matcher.domain.models.profile import ProfileIn

# constructed profile: a 14-year-old girl with a pulmonary relapse of synovial sarcoma
BASE: dict[str, Any] = {
    "assessed_on": "2026-11-20", "age_months": 171, "sex": "female",
    "diagnosis": "synovial sarcoma", "disease_status": "recurrent",
    "prior_therapies": [{"agent": "ifosfamide", "category": "chemotherapy"}],
}  # fmt: skip
OPEN = (
    "Able to swallow tablets or capsules whole",  # constructed wording of a common rule
    "No prior allogeneic stem cell transplant",
    "Recurrence must not be in a previously irradiated field",
)


def _trial() -> TrialMatch:
    crits = [
        CriterionResult.model_validate(
            {
                "kind": "other",
                "text": t,
                "verdict": "unknown",
                "reason": "e",
                "section": "inclusion",
            }
        )
        for t in OPEN
    ]
    return TrialMatch(
        nct_id="NCT00000009", title="constructed trial", verdict="possibly_eligible", score=1.0,
        overall_status="RECRUITING", criteria=crits, to_verify=list(OPEN), trial_version="v1",
        engine_version="test",
    )  # fmt: skip


def test_a_fact_the_profile_gives_is_not_asked_again() -> None:
    """With swallows_tablets and recurrence_in_radiation_field given, neither fact is asked for;
    their criteria stay as lines of their own; without a profile both are asked for."""
    given = {**BASE, "swallows_tablets": False, "recurrence_in_radiation_field": True}
    profile = ProfileIn.model_validate_json(json.dumps(given))
    asked = facts_to_collect([_trial()], profile)
    fields = {f.field for f in asked}
    assert "swallows_tablets" not in fields
    assert "recurrence_in_radiation_field" not in fields
    assert {f.label for f in asked if f.fact.startswith("criterion:")} == {OPEN[0], OPEN[2]}
    before = {f.field for f in facts_to_collect([_trial()])}
    assert {"swallows_tablets", "recurrence_in_radiation_field"} <= before


def test_a_listed_treatment_does_not_answer_a_transplant_question() -> None:
    """prior_therapies never says it is complete: listing a chemotherapy leaves the transplant
    fact to collect."""
    profile = ProfileIn.model_validate_json(json.dumps(BASE))
    assert "prior_therapies" not in given_fields(profile)
    assert "organ_transplant" in {f.fact for f in facts_to_collect([_trial()], profile)}
