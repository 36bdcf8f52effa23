"""Ranking parts (matcher/domain/eligibility/rank.py): what makes a trial outrank another."""

from __future__ import annotations

from matcher.domain.eligibility.rank import RankParts, patient_alterations, targeted_fit


def parts(**changes: object) -> RankParts:
    base: dict[str, object] = {
        "tier": "possibly_eligible",
        "criteria_in_record": True,
        "targeted_fit": None,
        "open_questions": 3,
        "is_open": True,
        "distance_km": 100.0,
        "phase_rank": 2.0,
    }
    base.update(changes)
    return RankParts(**base)  # type: ignore[arg-type]


def test_record_without_criteria_never_outranks_a_fully_read_trial() -> None:
    """The best unread record (targeted, open, near) ranks below the worst fully read one."""
    unread = parts(criteria_in_record=False, targeted_fit="x", open_questions=0, distance_km=0.0)
    read = parts(open_questions=60, is_open=False, distance_km=None, phase_rank=0.0)
    assert read.score() > unread.score()


def test_targeted_fit_outranks_fewer_questions_and_openness() -> None:
    """A trial written for the patient's alteration outranks a basket with no open questions."""
    fit = parts(targeted_fit="written for NTRK", open_questions=30, is_open=False, distance_km=None)
    basket = parts(open_questions=0, distance_km=0.0, phase_rank=4.0)
    assert fit.score() > basket.score()


def test_fewer_open_questions_rank_first() -> None:
    """Among otherwise equal trials, the one with fewer unknowns ranks first."""
    assert parts(open_questions=1).score() > parts(open_questions=2).score()


def test_tier_dominates_every_part() -> None:
    """No combination of parts lifts a possibly-eligible trial above an eligible one."""
    best_possible = parts(targeted_fit="x", open_questions=0, distance_km=0.0, phase_rank=4.0)
    worst_eligible = parts(tier="eligible", criteria_in_record=False, open_questions=99,
                           is_open=False, distance_km=None, phase_rank=0.0)  # fmt: skip
    assert worst_eligible.score() > best_possible.score()


def test_explain_names_the_unread_record() -> None:
    """A record without criteria text says so in its rank explanation."""
    assert (
        "criteria not in the record — read the registry page"
        in parts(criteria_in_record=False).explain()
    )


def test_negative_biomarkers_are_not_alterations() -> None:
    """'FOXO1 fusion negative' is no FOXO1 alteration; 'ETV6-NTRK3 fusion' reports both genes."""
    found = patient_alterations(["ETV6-NTRK3 fusion", "FOXO1 fusion negative"])
    assert "ntrk" in found
    assert "etv6" in found
    assert "foxo1" not in found


def test_drug_for_the_patients_alteration_is_a_fit() -> None:
    """A TRK inhibitor trial (drug named only in interventions) fits an NTRK-fusion patient."""
    why = targeted_fit(
        "ifs",
        frozenset({"ntrk"}),
        ("solid_tumor",),
        "Pediatric Solid Tumors",
        "Drug: Larotrectinib",
    )
    assert why is not None
    assert "NTRK" in why
    assert targeted_fit("ifs", frozenset(), ("solid_tumor",), "Pediatric Solid Tumors",
                        "Drug: Larotrectinib") is None  # fmt: skip


def test_histology_fit_needs_a_specific_concept() -> None:
    """A trial naming infantile fibrosarcoma fits; one naming only 'solid tumor'/'sarcoma' not."""
    assert (
        targeted_fit("ifs", frozenset(), ("ifs",), "", "") == "written for infantile fibrosarcoma"
    )
    assert targeted_fit("ifs", frozenset(), ("solid_tumor", "sarcoma"), "", "") is None
    assert targeted_fit("erms", frozenset(), ("rms",), "", "") == "written for rhabdomyosarcoma"


def test_engine_ranks_the_trial_for_the_patients_own_alteration_first() -> None:
    """The NTRK-fusion infant example (constructed) against the snapshot's real records: the
    larotrectinib trial NCT02637687 ranks first among candidates with the NTRK fit named in its
    "why this rank", and no record without criteria text outranks a fully read trial of its tier."""
    import json
    from datetime import date
    from pathlib import Path

    from matcher.adapters.ctgov.parse import parse_study
    from matcher.domain.eligibility import EngineOptions, match_trials
    from matcher.domain.models.profile import ProfileIn

    root = Path(__file__).resolve().parents[2]
    profile = ProfileIn.model_validate_json(
        (root / "examples" / "infant-ifs-ntrk.json").read_text()
    )
    trials = [
        parse_study(json.loads(p.read_text()))
        for p in sorted((root / "snapshot" / "sarcoma" / "records").glob("NCT*.json"))
    ]
    run = match_trials(
        profile, trials, as_of=date(2026, 11, 26), options=EngineOptions(any_status=True)
    )
    candidates = [m for m in run.results if m.verdict != "ineligible"]
    first = candidates[0]
    assert first.nct_id == "NCT02637687"
    assert first.rank is not None
    assert first.rank.targeted_fit == "written for the patient's NTRK alteration"
    assert "written for the patient's NTRK alteration" in first.rank.why
    for tier in ("eligible", "possibly_eligible", "ineligible"):
        in_tier = [m for m in run.results if m.verdict == tier]
        read = [i for i, m in enumerate(in_tier) if m.rank and m.rank.criteria_in_record]
        unread = [i for i, m in enumerate(in_tier) if m.rank and not m.rank.criteria_in_record]
        if read and unread:
            assert max(read) < min(unread), tier
    basket = [m for m in candidates if m.rank and m.rank.targeted_fit is None]
    assert basket  # broad trials are candidates too, and say so
    assert "no targeted fit (a broad or basket trial)" in basket[0].rank.why  # type: ignore[union-attr]
