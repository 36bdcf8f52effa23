"""The plain, cache-free `evaluate` and the cached engine give the same TrialMatch."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from matcher.adapters.ctgov.parse import parse_study
from matcher.domain.eligibility import EngineOptions, evaluate_trial
from matcher.domain.eligibility.evaluate import evaluate
from matcher.domain.models.profile import ProfileIn

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 26)


def test_reference_evaluate_equals_the_cached_engine() -> None:
    """Every dev-set profile (constructed) against every bundled sarcoma record, any_status on and
    off: `evaluate` (no cache) and `evaluate_trial` (caches) agree field for field."""
    profiles = [
        ProfileIn.model_validate_json(p.read_text())
        for p in sorted((ROOT / "tests" / "devset" / "profiles").glob("*.json"))
    ]
    trials = [
        parse_study(json.loads(p.read_text()))
        for p in sorted((ROOT / "snapshot" / "sarcoma" / "records").glob("*.json"))
    ]
    assert profiles
    assert trials
    compared = 0
    for any_status in (True, False):
        options = EngineOptions(any_status=any_status)
        for profile in profiles:
            for trial in trials:
                cached = evaluate_trial(profile, trial, as_of=AS_OF, options=options)
                plain = evaluate(profile, trial, AS_OF, any_status=any_status)
                assert plain.model_dump() == cached.model_dump(), (profile.profile_id, trial.nct_id)
                compared += 1
    assert compared == 2 * len(profiles) * len(trials)
