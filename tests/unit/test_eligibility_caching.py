"""How the cached engine keys what it remembers (engine.py around evaluate.py's steps)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from matcher.adapters.ctgov.parse import parse_study
from matcher.domain.eligibility import EngineOptions, match_trials, projection
from matcher.domain.eligibility import parsed as parsed_module
from matcher.domain.eligibility.parsed import clear_caches, parse_trial
from matcher.domain.models.profile import ProfileIn

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 26)


@pytest.fixture
def fresh() -> Iterator[None]:
    clear_caches()
    yield
    clear_caches()


def _records() -> list[Path]:
    return sorted((ROOT / "snapshot" / "sarcoma" / "records").glob("NCT*.json"))


@pytest.mark.usefixtures("fresh")
def test_profile_independent_criteria_share_one_memo_key() -> None:
    """A constant criterion (unread or administrative) is judged once: every profile, however
    different, finds it under the one key of the empty projection."""
    trials = [parse_study(json.loads(p.read_text())) for p in _records()]
    profiles = [
        ProfileIn.model_validate_json(p.read_text())
        for p in sorted((ROOT / "tests" / "devset" / "profiles").glob("*.json"))[:4]
    ]
    assert len(profiles) == 4
    for profile in profiles:
        match_trials(profile, trials, as_of=AS_OF, options=EngineOptions(any_status=True))
    constant = [
        c for t in trials for c in parsed_module.CACHE.get(t).criteria if c.constant and c.memo
    ]
    assert constant, "the bundled records have unread criteria"
    # one entry object, whatever key a profile found it under
    assert all(len({id(e) for e in c.memo.values()}) == 1 for c in constant)
    # the ones parsed.py marks constant read no fact at all: one key for all four profiles
    # (structure.py may mark one constant later, keeping its broader reads: less sharing only)
    reading_nothing = [c for c in constant if c.reads == projection.NOTHING]
    assert len(reading_nothing) > len(constant) // 2
    assert all(len(c.memo) == 1 for c in reading_nothing)


@pytest.mark.usefixtures("fresh")
def test_trial_level_ids_are_equal_exactly_when_their_keys_are() -> None:
    """static_id / fit_id stand for static_key / (targets, concepts): two parsed trials share an
    id only when the values it names are equal, and a re-parsed trial gets the same ids."""
    trials = [parse_study(json.loads(p.read_text())) for p in _records()]
    parsed = [parse_trial(t) for t in trials]
    for a in parsed:
        for b in parsed:
            assert (a.static_id == b.static_id) == (a.static_key == b.static_key)
            assert (a.fit_id == b.fit_id) == ((a.targets, a.concepts) == (b.targets, b.concepts))
    again = parse_trial(trials[0])
    assert (again.static_id, again.fit_id) == (parsed[0].static_id, parsed[0].fit_id)
