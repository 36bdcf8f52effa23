"""The change log between two runs: what a board acts on, and nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime

from matcher.domain.changes import diff_runs
from matcher.domain.models import CriterionResult, MatchRun, NearestSite, TrialMatch

AT = datetime(2026, 11, 26, tzinfo=UTC)


# Constructed match results (not registry data): only the fields compared matter.
def _m(
    nct: str, verdict: str = "possibly_eligible", status: str = "RECRUITING", **kw: object
) -> TrialMatch:
    criteria = kw.pop(
        "criteria", [CriterionResult(kind="age", text="age 1-21", verdict="met", reason="ok")]
    )
    return TrialMatch.model_validate(
        {
            "nct_id": nct,
            "title": f"trial {nct}",
            "verdict": verdict,
            "score": 1.0,
            "overall_status": status,
            "criteria": criteria,
            "trial_version": kw.pop("version", "v1"),
            "engine_version": "e",
            **kw,
        }
    )


def _run(*matches: TrialMatch) -> MatchRun:
    return MatchRun(
        profile_id="P", evaluated_on=date(2026, 11, 26), engine_version="e", results=list(matches)
    )


def test_first_run_has_no_changes() -> None:
    """Without a previous run there is nothing to compare, so no entries."""
    assert diff_runs(None, _run(_m("NCT00000001")), AT) == []


def test_identical_runs_have_no_changes() -> None:
    """Re-matching with nothing different records nothing."""
    run = _run(_m("NCT00000001"), _m("NCT00000002", "ineligible"))
    assert diff_runs(run, run, AT) == []


def test_new_possible_trial_is_reported_but_new_ineligible_is_not() -> None:
    """A newly listed trial is news only when the patient may enter it."""
    before = _run(_m("NCT00000001"))
    after = _run(_m("NCT00000001"), _m("NCT00000002", "eligible"), _m("NCT00000003", "ineligible"))
    entries = diff_runs(before, after, AT)
    assert [(e.kind, e.nct_id, e.new) for e in entries] == [
        ("new_trial", "NCT00000002", "eligible")
    ]


def test_closing_trial_is_reported() -> None:
    """A trial going from recruiting to suspended is a trial_closed entry."""
    entries = diff_runs(_run(_m("NCT00000001")), _run(_m("NCT00000001", status="SUSPENDED")), AT)
    assert [(e.kind, e.old, e.new) for e in entries] == [
        ("trial_closed", "RECRUITING", "SUSPENDED")
    ]


def test_verdict_change_cites_the_criterion_that_flipped() -> None:
    """When a verdict moves, the entry names the criterion whose verdict changed."""
    met = CriterionResult(kind="age", text="age 1-21", verdict="met", reason="age 21 fits")
    failed = CriterionResult(kind="age", text="age 1-21", verdict="not_met", reason="age 22 > 21")
    entries = diff_runs(
        _run(_m("NCT00000001", criteria=[met])),
        _run(_m("NCT00000001", "ineligible", criteria=[failed])),
        AT,
    )
    assert len(entries) == 1
    assert entries[0].kind == "verdict_changed"
    assert "age 22 > 21" in entries[0].detail


def test_changed_criteria_text_is_reported() -> None:
    """A new trial version whose criteria text differs yields criteria_changed."""
    new_text = [
        CriterionResult(kind="labs", text="ANC >= 750", verdict="unknown", reason="no labs")
    ]
    entries = diff_runs(
        _run(_m("NCT00000001")), _run(_m("NCT00000001", version="v2", criteria=new_text)), AT
    )
    assert "criteria_changed" in {e.kind for e in entries}


def test_nearest_site_move_beyond_noise_is_reported() -> None:
    """A different nearest site that is materially nearer is reported; noise is not."""
    far = NearestSite(
        facility="A", city="Boston", country="US", status="RECRUITING", distance_km=500
    )
    near = NearestSite(
        facility="B", city="Philadelphia", country="US", status="RECRUITING", distance_km=3
    )
    same_place = NearestSite(
        facility="A", city="Boston", country="US", status="RECRUITING", distance_km=510
    )
    moved = diff_runs(
        _run(_m("NCT00000001", nearest_site=far)), _run(_m("NCT00000001", nearest_site=near)), AT
    )
    assert [e.kind for e in moved] == ["nearest_site_changed"]
    assert (
        diff_runs(
            _run(_m("NCT00000001", nearest_site=far)),
            _run(_m("NCT00000001", nearest_site=same_place)),
            AT,
        )
        == []
    )


def test_removed_trial_is_reported() -> None:
    """A trial no longer returned by the search is listed as removed."""
    entries = diff_runs(_run(_m("NCT00000001"), _m("NCT00000002")), _run(_m("NCT00000001")), AT)
    assert [(e.kind, e.nct_id) for e in entries] == [("trial_removed", "NCT00000002")]


def test_changes_to_a_trial_closed_to_the_patient_are_not_news() -> None:
    """A trial ineligible before and after (even if its status or text moved) yields nothing."""
    before = _run(_m("NCT00000001", "ineligible"), _m("NCT00000002", "ineligible"))
    after = _run(_m("NCT00000001", "ineligible", status="SUSPENDED", version="v2"))
    assert diff_runs(before, after, AT) == []
