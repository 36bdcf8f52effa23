"""Board answers over a match run (matcher/domain/answers.py), on constructed trial results."""

from __future__ import annotations

from datetime import UTC, date, datetime

from matcher.domain.answers import apply_answers
from matcher.domain.eligibility.collect import facts_to_collect
from matcher.domain.models import CriterionResult, MatchRun, TrialMatch
from matcher.domain.models.answer import BoardAnswer
from matcher.domain.models.match import criterion_key

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def _crit(text: str, verdict: str, section: str = "inclusion") -> CriterionResult:
    return CriterionResult.model_validate(
        {"kind": "other", "text": text, "verdict": verdict, "reason": "engine", "section": section}
    )


def _alt(text: str, verdict: str, group: str) -> CriterionResult:
    """A constructed alternative of an OR group ("meets one of the following")."""
    return _crit(text, verdict).model_copy(update={"group": group, "guard": "alternative"})


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
    """not_met makes the trial ineligible with the answer as decisive reason; not_applicable is
    kept as the engine's own not_applicable verdict (no obstacle), with the board as provenance."""
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
    [na_crit] = [c for c in only_na.criteria if c.section == "exclusion"]
    assert (na_crit.verdict, na_crit.rule_id, na_crit.guard) == (
        "not_applicable", "board/answer", None,
    )  # fmt: skip
    no_open = apply_answers(_run(only_na), {no.field: no}).run.results[0]
    assert no_open.verdict == "ineligible"
    both_na = _answer("NCT00000003", "PD-L1 negative", "not_applicable")
    cleared = apply_answers(_run(t), {na.field: na, both_na.field: both_na}).run.results[0]
    assert cleared.verdict == "eligible"  # everything left is not_applicable: no obstacle


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
    from matcher.domain.answers import overlay_matches
    from matcher.domain.changes import diff_matches

    fresh = _trial("NCT00000005", "possibly_eligible", 1.2, _crit("Swallows tablets", "unknown"))
    ans = _answer("NCT00000005", "Swallows tablets", "met")
    stored = apply_answers(_run(fresh), {ans.field: ans}).run.results
    assert diff_matches(stored, [fresh], NOW)  # without the overlay: a spurious change
    assert diff_matches(stored, overlay_matches([fresh], {ans.field: ans}), NOW) == []


def test_set_aside_entries_say_why() -> None:
    """A set-aside answer's change entry says the registry record changed (with both versions)
    when the trial's version moved, and an engine re-reading when it did not."""
    from matcher.domain.answers import set_aside_changes

    t = _trial("NCT00000006", "possibly_eligible", 1.2, _crit("New wording", "unknown"))
    moved = _answer("NCT00000006", "Old wording", "met").model_copy(update={"trial_version": "v0"})
    same = moved.model_copy(update={"trial_version": "v1"})
    [registry] = set_aside_changes(apply_answers(_run(t), {moved.field: moved}), NOW)
    assert registry.kind == "answer_set_aside"
    assert "changed in the registry (record version v0 -> v1)" in registry.detail
    assert "Old wording" in registry.detail
    [engine] = set_aside_changes(apply_answers(_run(t), {same.field: same}), NOW)
    assert "engine update" in engine.detail


def test_answers_to_or_group_alternatives_follow_the_engines_group_rule() -> None:
    """A board's not_met on one alternative of an OR group does not exclude while another
    alternative may hold; it excludes (both alternatives decisive) when the last open one is
    answered not_met; a met alternative settles the group, a not_applicable one does not."""
    g = "or-1"
    t = _trial("NCT00000007", "possibly_eligible", 1.2,
               _alt("Relapsed rhabdomyosarcoma", "unknown", g),
               _alt("Refractory Ewing sarcoma", "unknown", g))  # fmt: skip
    a_no = _answer("NCT00000007", "Relapsed rhabdomyosarcoma", "not_met")
    b_no = _answer("NCT00000007", "Refractory Ewing sarcoma", "not_met")
    b_yes = _answer("NCT00000007", "Refractory Ewing sarcoma", "met")
    b_na = _answer("NCT00000007", "Refractory Ewing sarcoma", "not_applicable")
    one = apply_answers(_run(t), {a_no.field: a_no}).run.results[0]
    assert (one.verdict, one.decisive) == ("possibly_eligible", [])
    assert [c.group for c in one.criteria] == [g, g]
    both = apply_answers(_run(t), {a_no.field: a_no, b_no.field: b_no}).run.results[0]
    assert both.verdict == "ineligible"
    assert both.decisive == ["board answer: not met — checked"] * 2
    settled = apply_answers(_run(t), {a_no.field: a_no, b_yes.field: b_yes}).run.results[0]
    assert (settled.verdict, settled.decisive) == ("eligible", [])
    na_only = apply_answers(_run(t), {b_na.field: b_na}).run.results[0]
    assert na_only.verdict == "possibly_eligible"  # the other alternative is still open
    na_and_no = apply_answers(_run(t), {a_no.field: a_no, b_na.field: b_na}).run.results[0]
    assert na_and_no.verdict == "ineligible"  # the only applicable alternative fails


def test_an_answer_recomputes_the_rank_parts_and_why() -> None:
    """With the engine's rank parts stored, an answer recomputes score and "why this rank" from
    the new tier and number of open questions (rank.RankParts), the other parts unchanged."""
    from matcher.domain.eligibility.outputs import rank_out
    from matcher.domain.eligibility.rank import RankParts

    before = RankParts("possibly_eligible", True, None, 2, True, 120.0, 2.0)
    t = _trial("NCT00000008", "possibly_eligible", before.score(),
               _crit("Able to swallow tablets", "unknown"),
               _crit("Negative pregnancy test", "unknown")).model_copy(
        update={"rank": rank_out(before)})  # fmt: skip
    ans = _answer("NCT00000008", "Able to swallow tablets", "met")
    out = apply_answers(_run(t), {ans.field: ans}).run.results[0]
    after = RankParts("possibly_eligible", True, None, 1, True, 120.0, 2.0)
    assert out.rank is not None
    assert (out.score, out.rank.open_questions) == (after.score(), 1)
    assert out.score > t.score
    assert "1 open question(s)" in out.rank.why
    last = _answer("NCT00000008", "Negative pregnancy test", "met")
    done = apply_answers(_run(t), {ans.field: ans, last.field: last}).run.results[0]
    assert done.rank is not None
    assert done.verdict == "eligible"
    assert done.rank.why[0] == "verdict: eligible"
    assert done.score == RankParts("eligible", True, None, 0, True, 120.0, 2.0).score()


def test_an_answer_lifting_an_exclusion_lists_what_is_left_to_verify() -> None:
    """A trial the engine excluded (no to-verify list) whose decisive criterion the board answers
    met becomes possibly eligible and lists its remaining open criteria to verify."""
    t = _trial("NCT00000010", "ineligible", 0.2,
               _crit("No prior radiation", "not_met", "exclusion"),
               _crit("Adequate renal function", "unknown")).model_copy(
        update={"to_verify": []})  # fmt: skip
    ans = _answer("NCT00000010", "No prior radiation", "met", "exclusion")
    out = apply_answers(_run(t), {ans.field: ans}).run.results[0]
    assert out.verdict == "possibly_eligible"
    assert out.decisive == []
    assert out.to_verify == ["Adequate renal function"]
