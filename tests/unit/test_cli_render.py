"""The CLI's human-readable run: warnings first, criteria that do not apply counted, never listed
as facts to verify."""

from __future__ import annotations

from datetime import date

from cli.main import render_run
from matcher.domain.models.match import CriterionResult, MatchRun, RankInfo, TrialMatch


def test_render_shows_warnings_and_counts_not_applicable_criteria() -> None:
    """A run warning (unrecognised diagnosis, constructed run) is printed, and a trial's
    not_applicable criteria are counted as "do not apply", not as to verify."""
    na = CriterionResult(
        kind="pregnancy", text="Females who are pregnant or breast-feeding",
        verdict="not_applicable", reason="pregnancy/lactation rule: applies to female patients",
        section="exclusion", rule_id="pregnancy/other_sex",
    )  # fmt: skip
    unknown = CriterionResult(
        kind="other", text="Life expectancy > 3 months", verdict="unknown",
        reason="not read by the engine", rule_id="other/unread",
    )  # fmt: skip
    match = TrialMatch(
        nct_id="NCT01000001", title="Constructed trial", verdict="possibly_eligible", score=1.3,
        overall_status="RECRUITING", criteria=[na, unknown],
        to_verify=["confirm: Life expectancy > 3 months"], trial_version="v1",
        engine_version="2026.11.4",
    )  # fmt: skip
    run = MatchRun(
        profile_id="TB-constructed", evaluated_on=date(2026, 11, 26), engine_version="2026.11.4",
        results=[match], warnings=["diagnosis 'synovial sarcoam' is not in the vocabulary"],
    )  # fmt: skip
    text = render_run(run)
    assert "warning: diagnosis 'synovial sarcoam' is not in the vocabulary" in text
    assert "– 1 criteria do not apply" in text
    assert "? to verify: confirm: Life expectancy > 3 months" in text
    assert "pregnant" not in text


def test_render_shows_why_this_rank_and_tolerates_older_results() -> None:
    """A result with rank parts prints its "why this rank" line (constructed run); a result
    stored by an older engine (no `rank`) prints none and does not fail."""
    ranked = TrialMatch(
        nct_id="NCT01000002", title="Constructed targeted trial", verdict="possibly_eligible",
        score=1.84, overall_status="RECRUITING", criteria=[], trial_version="v1",
        engine_version="2026.11.5",
        rank=RankInfo(
            criteria_in_record=True, targeted_fit="written for the patient's NTRK alteration",
            open_questions=4, is_open=True,
            why=["verdict: possibly eligible", "criteria read in full",
                 "written for the patient's NTRK alteration", "4 open question(s)"],
        ),
    )  # fmt: skip
    old = ranked.model_copy(update={"nct_id": "NCT01000003", "rank": None})
    run = MatchRun(
        profile_id="TB-constructed", evaluated_on=date(2026, 11, 26), engine_version="2026.11.5",
        results=[ranked, old],
    )  # fmt: skip
    text = render_run(run)
    assert text.count("why this rank:") == 1
    assert (
        "why this rank: criteria read in full; written for the patient's NTRK alteration; "
        "4 open question(s)" in text
    )
    assert "1.84" in text
