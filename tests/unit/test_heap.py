"""services/heap.py: the worker freezes the heap once per newly parsed corpus, not per match."""

from __future__ import annotations

import gc
import json
from datetime import date
from pathlib import Path

from matcher.adapters.ctgov.parse import parse_study
from matcher.domain.eligibility import EngineOptions, match_trials
from matcher.domain.models.profile import ProfileIn
from matcher.services import heap

ROOT = Path(__file__).resolve().parents[2]


def test_settle_freezes_after_new_parses_only() -> None:
    """After trials are parsed, settle() collects and freezes (objects move to the permanent
    generation) and raises the young generation's threshold; a second call with nothing newly
    parsed does nothing; parsing another trial makes it freeze again, but not sooner than
    MIN_INTERVAL_S after the last settle."""
    records = sorted((ROOT / "snapshot" / "sarcoma" / "records").glob("NCT*.json"))
    trials = [parse_study(json.loads(p.read_text())) for p in records[:3]]
    profile = ProfileIn.model_validate_json(
        (ROOT / "examples" / "synovial-pulmonary.json").read_text()
    )
    options = EngineOptions(any_status=True)
    thresholds = gc.get_threshold()
    try:
        match_trials(profile, trials[:2], as_of=date(2026, 11, 26), options=options)
        start = 1e9  # a clock value far from any earlier settle in this process
        assert heap.settle(now=start) is True
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] >= heap.GEN0_THRESHOLD
        assert heap.settle(now=start + 1) is False
        # a version no other test parses (constructed: a real record under a new version)
        fresh = trials[2].model_copy(update={"version": f"test-heap-{id(trials)}"})
        match_trials(profile, [fresh], as_of=date(2026, 11, 26), options=options)
        assert heap.settle(now=start + 1) is False  # too soon after the last settle
        assert heap.settle(now=start + heap.MIN_INTERVAL_S) is True
    finally:
        gc.unfreeze()  # the rest of the test process keeps its normal collector
        gc.set_threshold(*thresholds)
