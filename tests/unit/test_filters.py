"""Match filters shared by the API and the CLI (matcher/domain/filters.py)."""

from __future__ import annotations

import pytest

from matcher.domain.filters import PHASES, distance_note, filter_matches, normalize_phase
from matcher.domain.models import NearestSite, TrialMatch


def _match(
    nct_id: str, phases: list[str], km: float | None, verdict: str = "eligible"
) -> TrialMatch:
    site = None
    if km is not None:
        site = NearestSite(
            facility="Site", city="City", country="United States", status="RECRUITING",
            distance_km=km,
        )  # fmt: skip
    return TrialMatch.model_validate(
        {
            "nct_id": nct_id, "title": f"constructed trial {nct_id}", "verdict": verdict,
            "score": 1.0, "phases": phases, "nearest_site": site, "engine_version": "test",
            "trial_version": "constructed", "overall_status": "RECRUITING", "criteria": [],
        }
    )  # fmt: skip


RUN = [
    _match("NCT00000001", ["PHASE1", "PHASE2"], 10.0),
    _match("NCT00000002", ["PHASE2"], 900.0, "possibly_eligible"),
    _match("NCT00000003", ["EARLY_PHASE1"], None, "ineligible"),
]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2", "PHASE2"), ("phase 2", "PHASE2"), ("Phase2", "PHASE2"), ("PHASE2", "PHASE2"),
        ("phase_3", "PHASE3"), ("early phase 1", "EARLY_PHASE1"), ("EARLY_PHASE1", "EARLY_PHASE1"),
        ("na", "NA"), ("N/A", "NA"),
    ],
)  # fmt: skip
def test_normalize_phase_accepts_the_usual_spellings(given: str, expected: str) -> None:
    """Short and spaced spellings normalise to the registry's Phase enum value."""
    assert normalize_phase(given) == expected
    assert expected in PHASES


@pytest.mark.parametrize("given", ["7", "phase", "", "II", "1/2"])
def test_normalize_phase_refuses_anything_else_naming_the_allowed_values(given: str) -> None:
    """An unknown phase raises ValueError listing every allowed value."""
    with pytest.raises(ValueError, match="PHASE1, PHASE2, PHASE3, PHASE4, NA"):
        normalize_phase(given)


def test_phase_and_verdict_filters_keep_any_of_the_given_values() -> None:
    """A phase-1/2 trial matches phase 1 and phase 2; verdicts combine with phases (AND)."""
    assert [m.nct_id for m in filter_matches(RUN, phases=["1"]).results] == ["NCT00000001"]
    two = filter_matches(RUN, phases=["2"], verdicts=["possibly_eligible"])
    assert [m.nct_id for m in two.results] == ["NCT00000002"]
    assert two.distance_unknown is None


def test_distance_limit_drops_only_trials_known_to_be_too_far() -> None:
    """A trial with no known distance is kept and counted; one beyond the limit is dropped."""
    kept = filter_matches(RUN, max_distance_km=100)
    assert [m.nct_id for m in kept.results] == ["NCT00000001", "NCT00000003"]
    assert kept.distance_unknown == 1
    note = distance_note(kept)
    assert note is not None
    assert note.startswith("1 of the 2 trials shown have no known distance")
    assert distance_note(filter_matches(RUN, max_distance_km=1000)) is not None
    assert distance_note(filter_matches(RUN[:2], max_distance_km=1000)) is None
