"""Board answers over a match run (matcher/answers.py), on constructed trial results."""

from __future__ import annotations

from datetime import UTC, date, datetime

from matcher.answers import apply_answers
from matcher.eligibility.collect import facts_to_collect
from matcher.models import CriterionResult, MatchRun, TrialMatch
from matcher.models.answer import BoardAnswer
from matcher.models.match import criterion_key

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def _crit(text: str, verdict: str, section: str = "inclusion") -> CriterionResult:
    return CriterionResult.model_validate(
        {"kind": "other", "text": text, "verdict": verdict, "reason": "engine", "section": section}
    )


def _trial(nct: str, verdict: str, score: float, *crits: CriterionResult) -> TrialMatch:
    open_ = [c.text for c in crits if c.verdict == "unknown"]
    return TrialMatch(
        nct_id=nct, title=f"constructed trial {nct}", verdict=verdict, score=score,  # type: ignore[arg-type]
        overall_status="RECRUITING", criteria=list(crits), to_verify=open_,
        trial_version="v1", engine_version="test",
    )  # fmt: skip


def _answer(nct: str, text: str, value: str, section: str = "inclusion") -> BoardAnswer:
    return BoardAnswer(
        nct_id=nct, criterion_key=criterion_key(section, text), section=section,  # type: ignore[arg-type]
        text=text, answer=value, note="checked", board_id="b", answered_at=NOW,  # type: ignore[arg-type]
    )  # fmt: skip


def _run(*trials: TrialMatch) -> MatchRun:
    return MatchRun(
        profile_id="p_x", evaluated_on=date(2026, 11, 28), engine_version="t", results=list(trials)
    )


def test_answering_the_last_open_question_makes_the_trial_eligible_and_moves_it_up() -> None:
    """An answer replaces verdict and reason, drops the to-verify line, recomputes the verdict
    by verdict.decide and moves the trial to its new tier."""
    a = _trial("NCT00000001", "possibly_eligible", 1.3,
               _crit("Age 1-21", "met"), _crit("Able to swallow tablets", "unknown"))  # fmt: skip
    b = _trial("NCT00000002", "eligible", 2.1, _crit("Age 1-21", "met"))
    ans = _answer("NCT00000001", "Able to swallow tablets", "met")
    out = apply_answers(_run(a, b), {ans.field: ans})
    first = out.run.results[0]
    assert first.nct_id == "NCT00000001"
    assert first.verdict == "eligible"
    assert first.to_verify == []
    crit = next(c for c in first.criteria if c.text == "Able to swallow tablets")
    assert (crit.verdict, crit.reason) == ("met", "board answer: met — checked")
    assert out.applied == [ans]
    assert out.set_aside == []
    assert facts_to_collect(_run(a).results)  # before: an open question to collect
    assert facts_to_collect(out.run.results) == []


def test_not_met_excludes_and_not_applicable_does_not_block() -> None:
    """not_met makes the trial ineligible with the answer as decisive reason; not_applicable
    counts like met for the verdict."""
    t = _trial("NCT00000003", "possibly_eligible", 1.2,
               _crit("PD-L1 negative", "unknown"),
               _crit("Other malignancy", "unknown", "exclusion"))  # fmt: skip
    no = _answer("NCT00000003", "PD-L1 negative", "not_met")
    na = _answer("NCT00000003", "Other malignancy", "not_applicable", "exclusion")
    out = apply_answers(_run(t), {no.field: no, na.field: na}).run.results[0]
    assert out.verdict == "ineligible"
    assert out.decisive == ["board answer: not met — checked"]
    assert out.criteria[0].text == "PD-L1 negative"  # decisive first
    only_na = apply_answers(_run(t), {na.field: na}).run.results[0]
    assert only_na.verdict == "possibly_eligible"
    assert [c.verdict for c in only_na.criteria if c.section == "exclusion"] == ["met"]


def test_an_answer_to_reworded_text_is_set_aside_not_applied() -> None:
    """An answer whose criterion text is no longer in the trial is set aside; the engine's own
    reading stands. Answers to trials not in the run are neither applied nor set aside."""
    t = _trial("NCT00000004", "possibly_eligible", 1.2, _crit("New wording of the rule", "unknown"))
    old = _answer("NCT00000004", "Old wording of the rule", "met")
    gone = _answer("NCT00000009", "Anything", "met")
    out = apply_answers(_run(t), {old.field: old, gone.field: gone})
    assert out.set_aside == [old]
    assert out.applied == []
    assert out.run.results[0] == t
    already = old.model_copy(update={"set_aside_at": NOW})
    assert apply_answers(_run(t), {already.field: already}).set_aside == []


def test_the_scheduler_precheck_sees_results_as_stored() -> None:
    """overlay_matches applies the same answers to fresh engine results, so the scheduler's
    comparison with stored (overlaid) results finds no difference where none is visible."""
    from matcher.answers import overlay_matches
    from matcher.changes import diff_matches

    fresh = _trial("NCT00000005", "possibly_eligible", 1.2, _crit("Swallows tablets", "unknown"))
    ans = _answer("NCT00000005", "Swallows tablets", "met")
    stored = apply_answers(_run(fresh), {ans.field: ans}).run.results
    assert diff_matches(stored, [fresh], NOW)  # without the overlay: a spurious change
    assert diff_matches(stored, overlay_matches([fresh], {ans.field: ans}), NOW) == []


def test_set_aside_entries_say_why() -> None:
    """A set-aside answer's change entry says the registry record changed (with both versions)
    when the trial's version moved, and an engine re-reading when it did not."""
    from matcher.answers import set_aside_changes

    t = _trial("NCT00000006", "possibly_eligible", 1.2, _crit("New wording", "unknown"))
    moved = _answer("NCT00000006", "Old wording", "met").model_copy(update={"trial_version": "v0"})
    same = moved.model_copy(update={"trial_version": "v1"})
    [registry] = set_aside_changes(apply_answers(_run(t), {moved.field: moved}), NOW)
    assert registry.kind == "answer_set_aside"
    assert "changed in the registry (record version v0 -> v1)" in registry.detail
    assert "Old wording" in registry.detail
    [engine] = set_aside_changes(apply_answers(_run(t), {same.field: same}), NOW)
    assert "engine update" in engine.detail
